// features.cpp: run-time CPU feature detection (cpuid + xgetbv on x86-64, getauxval on ARM64).
//
// A CPU can implement AVX2 or AVX-512 while the operating system does not save the wider
// registers (or masks them off, e.g. in some virtual machines), so every vector level also checks
// XCR0 through xgetbv, after cpuid says OSXSAVE is on (Intel SDM vol. 1, 13.3 and 15.2).
// Compiled without ISA flags: this file must run on any CPU of its architecture.
#include "kernels/cpu/features.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

#include <cstdint>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace jwtbatch::kernels {

#if defined(__x86_64__) || defined(_M_X64)
namespace {

// xgetbv reads extended control register `index` (only called once cpuid reports OSXSAVE).
uint64_t xgetbv(uint32_t index) {
  uint32_t eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(index));
  return uint64_t{edx} << 32 | eax;
}

constexpr uint32_t kLeaf1EcxOsxsave = 1u << 27;
constexpr uint32_t kLeaf1EcxAvx = 1u << 28;
constexpr uint32_t kLeaf7EbxAvx2 = 1u << 5;
constexpr uint32_t kLeaf7EbxAvx512f = 1u << 16;
constexpr uint32_t kLeaf7EbxAvx512bw = 1u << 30;
constexpr uint32_t kLeaf7EbxAvx512vl = 1u << 31;
constexpr uint32_t kLeaf7EcxAvx512vbmi = 1u << 1;
constexpr uint64_t kXcr0SseAvx = 0x6;     // XMM and YMM upper halves
constexpr uint64_t kXcr0Avx512 = 0xe0;    // opmask, ZMM0-15 upper halves, ZMM16-31

}  // namespace

CpuFeatures detect_cpu_features() noexcept {
  CpuFeatures f;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  if (!(ecx & kLeaf1EcxOsxsave) || !(ecx & kLeaf1EcxAvx)) return f;
  const uint64_t xcr0 = xgetbv(0);
  if ((xcr0 & kXcr0SseAvx) != kXcr0SseAvx) return f;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return f;
  f.avx2 = (ebx & kLeaf7EbxAvx2) != 0;
  const uint32_t avx512_ebx = kLeaf7EbxAvx512f | kLeaf7EbxAvx512bw | kLeaf7EbxAvx512vl;
  f.avx512_vbmi = f.avx2 && (ebx & avx512_ebx) == avx512_ebx && (ecx & kLeaf7EcxAvx512vbmi) &&
                  (xcr0 & kXcr0Avx512) == kXcr0Avx512;
  return f;
}

#elif defined(__aarch64__) && defined(__linux__)

CpuFeatures detect_cpu_features() noexcept {
  CpuFeatures f;
  f.neon = (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0;
  return f;
}

#else

CpuFeatures detect_cpu_features() noexcept { return {}; }

#endif

}  // namespace jwtbatch::kernels
