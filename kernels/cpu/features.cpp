// features.cpp: run-time CPU feature detection (cpuid + xgetbv on x86-64, getauxval on ARM64).
//
// A CPU can implement AVX2 or AVX-512 while the operating system does not save the wider
// registers (or masks them off, e.g. in some virtual machines), so every AVX and AVX-512 flag also
// checks XCR0 through xgetbv, after cpuid says OSXSAVE is on (Intel SDM vol. 1, 13.3 and 15.2).
// The SSE-family, SHA, BMI and POPCNT instructions use only XMM and general registers, whose state
// every x86-64 OS saves: cpuid alone decides them.
// Compiled without ISA flags: this file must run on any CPU of its architecture.
#include "kernels/cpu/features.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace jwtbatch::kernels {

std::string_view feature_name(Feature f) noexcept {
  switch (f) {
    case Feature::ssse3: return "ssse3";
    case Feature::sse41: return "sse4_1";
    case Feature::popcnt: return "popcnt";
    case Feature::bmi1: return "bmi1";
    case Feature::bmi2: return "bmi2";
    case Feature::sha: return "sha_ni";
    case Feature::avx2: return "avx2";
    case Feature::avx512f: return "avx512f";
    case Feature::avx512bw: return "avx512bw";
    case Feature::avx512vl: return "avx512vl";
    case Feature::avx512vbmi: return "avx512vbmi";
    case Feature::avx512vbmi2: return "avx512vbmi2";
    case Feature::avx512ifma: return "avx512ifma";
    case Feature::asimd: return "asimd";
    case Feature::arm_aes: return "aes";
    case Feature::arm_pmull: return "pmull";
    case Feature::arm_sha1: return "sha1";
    case Feature::arm_sha2: return "sha2";
    case Feature::arm_sha3: return "sha3";
    case Feature::arm_sha512: return "sha512";
    case Feature::arm_crc32: return "crc32";
  }
  return "?";
}

std::string CpuFeatures::to_string() const {
  std::string s;
  for (size_t i = 0; i < kNumFeatures; ++i) {
    const Feature f = static_cast<Feature>(i);
    if (!has(f)) continue;
    if (!s.empty()) s += ' ';
    s += feature_name(f);
  }
  return s;
}

#if defined(__x86_64__) || defined(_M_X64)
namespace {

// xgetbv reads extended control register `index` (only called once cpuid reports OSXSAVE).
uint64_t xgetbv(uint32_t index) {
  uint32_t eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(index));
  return uint64_t{edx} << 32 | eax;
}

// cpuid bit positions (Intel SDM vol. 2A, CPUID; AMD APM vol. 3, appendix E).
constexpr uint32_t kLeaf1EcxSsse3 = 1u << 9;
constexpr uint32_t kLeaf1EcxSse41 = 1u << 19;
constexpr uint32_t kLeaf1EcxPopcnt = 1u << 23;
constexpr uint32_t kLeaf1EcxOsxsave = 1u << 27;
constexpr uint32_t kLeaf1EcxAvx = 1u << 28;
constexpr uint32_t kLeaf7EbxBmi1 = 1u << 3;
constexpr uint32_t kLeaf7EbxAvx2 = 1u << 5;
constexpr uint32_t kLeaf7EbxBmi2 = 1u << 8;
constexpr uint32_t kLeaf7EbxAvx512f = 1u << 16;
constexpr uint32_t kLeaf7EbxAvx512ifma = 1u << 21;
constexpr uint32_t kLeaf7EbxSha = 1u << 29;
constexpr uint32_t kLeaf7EbxAvx512bw = 1u << 30;
constexpr uint32_t kLeaf7EbxAvx512vl = 1u << 31;
constexpr uint32_t kLeaf7EcxAvx512vbmi = 1u << 1;
constexpr uint32_t kLeaf7EcxAvx512vbmi2 = 1u << 6;
constexpr uint64_t kXcr0SseAvx = 0x6;     // XMM and YMM upper halves
constexpr uint64_t kXcr0Avx512 = 0xe0;    // opmask, ZMM0-15 upper halves, ZMM16-31

}  // namespace

CpuFeatures detect_cpu_features() noexcept {
  CpuFeatures f;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const uint32_t ecx1 = ecx;
  if (ecx1 & kLeaf1EcxSsse3) f.add(Feature::ssse3);
  if (ecx1 & kLeaf1EcxSse41) f.add(Feature::sse41);
  if (ecx1 & kLeaf1EcxPopcnt) f.add(Feature::popcnt);
  const uint64_t xcr0 = (ecx1 & kLeaf1EcxOsxsave) ? xgetbv(0) : 0;
  const bool ymm_state = (ecx1 & kLeaf1EcxAvx) && (xcr0 & kXcr0SseAvx) == kXcr0SseAvx;
  const bool zmm_state = ymm_state && (xcr0 & kXcr0Avx512) == kXcr0Avx512;
  // __get_cpuid_count fails when leaf 7 is above the CPU's highest leaf.
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return f;
  if (ebx & kLeaf7EbxBmi1) f.add(Feature::bmi1);
  if (ebx & kLeaf7EbxBmi2) f.add(Feature::bmi2);
  if (ebx & kLeaf7EbxSha) f.add(Feature::sha);
  if (ymm_state && (ebx & kLeaf7EbxAvx2)) f.add(Feature::avx2);
  if (zmm_state && (ebx & kLeaf7EbxAvx512f)) {
    f.add(Feature::avx512f);
    if (ebx & kLeaf7EbxAvx512bw) f.add(Feature::avx512bw);
    if (ebx & kLeaf7EbxAvx512vl) f.add(Feature::avx512vl);
    if (ebx & kLeaf7EbxAvx512ifma) f.add(Feature::avx512ifma);
    if (ecx & kLeaf7EcxAvx512vbmi) f.add(Feature::avx512vbmi);
    if (ecx & kLeaf7EcxAvx512vbmi2) f.add(Feature::avx512vbmi2);
  }
  return f;
}

#elif defined(__aarch64__) && defined(__linux__)

namespace {

// AT_HWCAP bits (Linux arch/arm64/include/uapi/asm/hwcap.h); spelled out where an older header
// lacks the name.
#ifndef HWCAP_SHA3
#define HWCAP_SHA3 (1ul << 17)
#endif
#ifndef HWCAP_SHA512
#define HWCAP_SHA512 (1ul << 21)
#endif
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1ul << 7)
#endif

}  // namespace

CpuFeatures detect_cpu_features() noexcept {
  CpuFeatures f;
  const unsigned long hwcap = getauxval(AT_HWCAP);
  if (hwcap & HWCAP_ASIMD) f.add(Feature::asimd);
  if (hwcap & HWCAP_AES) f.add(Feature::arm_aes);
  if (hwcap & HWCAP_PMULL) f.add(Feature::arm_pmull);
  if (hwcap & HWCAP_SHA1) f.add(Feature::arm_sha1);
  if (hwcap & HWCAP_SHA2) f.add(Feature::arm_sha2);
  if (hwcap & HWCAP_SHA3) f.add(Feature::arm_sha3);
  if (hwcap & HWCAP_SHA512) f.add(Feature::arm_sha512);
  if (hwcap & HWCAP_CRC32) f.add(Feature::arm_crc32);
  return f;
}

#else

CpuFeatures detect_cpu_features() noexcept { return {}; }

#endif

const CpuFeatures& cpu_features() noexcept {
  static const CpuFeatures f = detect_cpu_features();
  return f;
}

}  // namespace jwtbatch::kernels
