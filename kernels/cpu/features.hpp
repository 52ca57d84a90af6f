// features.hpp: what the running CPU (and its operating system) lets jwtbatch's kernels use.
//
// Detection only: kernels/cpu/cpu.cpp turns these flags into the dispatch table.
#pragma once

namespace jwtbatch::kernels {

// CpuFeatures lists the instruction-set levels a kernel variant may require. A flag is true only
// when both the CPU implements the instructions and the operating system saves their registers
// across context switches.
struct CpuFeatures {
  bool avx2 = false;         // x86-64: AVX2 with YMM state enabled by the OS
  bool avx512_vbmi = false;  // x86-64: AVX-512 F, BW, VL and VBMI with ZMM and opmask state enabled
  bool neon = false;         // ARM64: Advanced SIMD (AT_HWCAP has HWCAP_ASIMD)
};

// detect_cpu_features asks the CPU (cpuid and xgetbv on x86-64, the auxiliary vector on ARM64).
// It is cheap but not free; cpu.cpp calls it once.
CpuFeatures detect_cpu_features() noexcept;

}  // namespace jwtbatch::kernels
