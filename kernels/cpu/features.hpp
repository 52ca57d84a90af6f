// features.hpp: what the running CPU (and its operating system) lets jwtbatch's kernels use: the one
// feature detector of the project. Every kernel variant states the features it needs as a
// CpuFeatures set (kernels/cpu/dispatch.hpp); nothing else in the tree asks the CPU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace jwtbatch::kernels {

// Feature is one instruction-set extension a kernel variant may require. An x86-64 vector
// extension counts as present only when the operating system also saves its registers (XCR0).
enum class Feature : uint8_t {
  // x86-64, cpuid leaves 1 and 7 (and xgetbv for the AVX and AVX-512 register state).
  ssse3,
  sse41,
  popcnt,
  bmi1,
  bmi2,
  sha,          // SHA-NI (sha256rnds2 and friends; XMM state only)
  avx2,         // with YMM state
  avx512f,      // with opmask and ZMM state, like every avx512* flag below
  avx512bw,
  avx512vl,
  avx512vbmi,
  avx512vbmi2,
  avx512ifma,
  // ARM64, AT_HWCAP of the auxiliary vector (Linux).
  asimd,        // Advanced SIMD (NEON)
  arm_aes,
  arm_pmull,
  arm_sha1,
  arm_sha2,
  arm_sha3,     // FEAT_SHA3: eor3, rax1, xar, bcax
  arm_sha512,   // FEAT_SHA512: sha512h, sha512h2, sha512su0, sha512su1
  arm_crc32,
};
inline constexpr size_t kNumFeatures = static_cast<size_t>(Feature::arm_crc32) + 1;

// feature_name returns the lower-case name of `f` ("avx512ifma", "arm_sha2"), as /proc/cpuinfo
// would spell it where it can.
std::string_view feature_name(Feature f) noexcept;

// CpuFeatures is a set of Features: what a CPU offers (detect_cpu_features) or what a kernel variant
// requires (kernels/cpu/dispatch.hpp). A value type, usable in constant expressions.
class CpuFeatures {
 public:
  constexpr CpuFeatures() = default;
  constexpr CpuFeatures(std::initializer_list<Feature> features) {
    for (Feature f : features) add(f);
  }
  constexpr void add(Feature f) noexcept { bits_ |= bit(f); }
  constexpr bool has(Feature f) const noexcept { return (bits_ & bit(f)) != 0; }
  // has_all returns true iff every feature of `required` is in this set.
  constexpr bool has_all(const CpuFeatures& required) const noexcept { return (required.bits_ & ~bits_) == 0; }
  constexpr bool empty() const noexcept { return bits_ == 0; }
  constexpr bool operator==(const CpuFeatures&) const = default;
  // to_string lists the features by name, space-separated, in Feature order ("" when empty).
  std::string to_string() const;

 private:
  static constexpr uint32_t bit(Feature f) noexcept { return uint32_t{1} << static_cast<unsigned>(f); }
  static_assert(kNumFeatures <= 32);
  uint32_t bits_ = 0;
};

// detect_cpu_features asks the CPU (cpuid and xgetbv on x86-64, the auxiliary vector on ARM64), on
// every call. Kernels use cpu_features() instead; tests may call this to cross-check.
CpuFeatures detect_cpu_features() noexcept;

// cpu_features returns this process's features, detected on first call (thread-safe) and then
// unchanged.
const CpuFeatures& cpu_features() noexcept;

}  // namespace jwtbatch::kernels
