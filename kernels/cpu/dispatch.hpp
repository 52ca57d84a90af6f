// dispatch.hpp: the one way jwtbatch picks a kernel variant at run time, and the one
// JWTBATCH_FORCE_ISA policy (also described, with examples, in docs/dispatch.md).
//
// Every kernel family declares its variants as VariantSpecs: the variant itself (the family's own
// struct, with a `name`), its IsaLevel and the CpuFeatures it requires; reference first (level
// scalar, nothing required), then slower to faster. A VariantTable built from them on first use (a
// function-local static: once per process, thread-safe) keeps the variants this CPU runs and
// chooses the active one. The families: base64url and extract (together, as cpu.hpp's
// KernelTable), sha256, sha512, rsa, p256, p384, p521, ed25519; describe_active_variants() (cpu.hpp) names every
// family's choice.
//
// JWTBATCH_FORCE_ISA, read once by isa_policy() (kernels/cpu/dispatch.cpp) and nowhere else:
//   - unset or empty: each family runs the last (best) of its variants this CPU runs.
//   - `scalar`, `avx2`, `avx512` or `neon`: an ISA ceiling. Each family runs its best variant that
//     this CPU runs and whose level is at or below the ceiling: scalar < avx2 < avx512 on x86-64,
//     scalar < neon on ARM64. A SHA-NI variant is level avx2, the ARM64 SHA-512 one level neon;
//     an AVX-512 IFMA variant is level avx512. A family with nothing between its reference and the
//     ceiling runs its reference.
//     The ceiling itself must be a level this build and CPU run (avx2: an x86-64 build and AVX2;
//     avx512: AVX2 and AVX-512 F, BW and VL; neon: an ARM64 build and Advanced SIMD).
//   - any other value, or a level this build or CPU cannot run: an error, which
//     kernel_selection_error() reports (the command refuses to run then); every family runs its
//     reference, so nothing faster is measured unnoticed.
//   - While the variable is set to anything non-empty, the engine uses each family's chosen
//     variant even when that is the reference (engine_uses_kernels()): unforced, the rsa, sha256
//     and sha512 families leave the work to BoringSSL where only their reference runs, since
//     BoringSSL's assembly is faster than a portable reference (and sha512 on ARM64 always,
//     kernels/sha512/sha512.hpp says why). Forcing is how tests and comparisons reach them.
#pragma once

#include <iterator>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kernels/cpu/features.hpp"

namespace jwtbatch::kernels {

// IsaLevel is the instruction-set level of a variant, and what JWTBATCH_FORCE_ISA names.
enum class IsaLevel : uint8_t { scalar, avx2, avx512, neon };

// isa_level_name returns "scalar", "avx2", "avx512" or "neon".
std::string_view isa_level_name(IsaLevel level) noexcept;

// parse_isa_level returns the level named `name`, or nullopt for any other string.
std::optional<IsaLevel> parse_isa_level(std::string_view name) noexcept;

// isa_level_within returns true iff a variant of `level` may run under `ceiling` (the order above).
constexpr bool isa_level_within(IsaLevel level, IsaLevel ceiling) noexcept {
  return level == IsaLevel::scalar || level == ceiling ||
         (level == IsaLevel::avx2 && ceiling == IsaLevel::avx512);
}

// isa_level_runs returns true iff this build has code for `level` and a CPU with `cpu` runs it.
bool isa_level_runs(IsaLevel level, const CpuFeatures& cpu) noexcept;

// IsaPolicy is JWTBATCH_FORCE_ISA as understood: whether it was set, the ceiling it names, or why
// it is invalid.
class IsaPolicy {
 public:
  // parse returns the policy of the variable's `value` (nullptr: unset) on a CPU with `cpu`.
  static IsaPolicy parse(const char* value, const CpuFeatures& cpu);

  // forced returns true iff the variable was set to a non-empty value, valid or not.
  bool forced() const noexcept { return forced_; }
  // ceiling returns the level named, when forced and valid; nullopt otherwise.
  std::optional<IsaLevel> ceiling() const noexcept { return ceiling_; }
  // error returns a one-line message when forced to an unknown or unrunnable level, else "".
  std::string_view error() const noexcept { return error_; }
  // admits returns true iff a variant of `level` may be chosen under this policy.
  bool admits(IsaLevel level) const noexcept {
    if (!forced_) return true;
    if (!ceiling_) return level == IsaLevel::scalar;
    return isa_level_within(level, *ceiling_);
  }

 private:
  bool forced_ = false;
  std::optional<IsaLevel> ceiling_;
  std::string error_;
};

// isa_policy returns the policy of this process's JWTBATCH_FORCE_ISA, read on first call
// (thread-safe) against cpu_features().
const IsaPolicy& isa_policy() noexcept;

// VariantSpec declares one variant of a family: the variant, its level, what it needs of the CPU.
template <class Variant>
struct VariantSpec {
  Variant variant;
  IsaLevel level;
  CpuFeatures needs;  // every feature the variant's code uses
};

// reference_first returns true iff `specs` is non-empty and starts with a reference: level scalar,
// no required feature. Families static_assert it on their list.
template <class Variant, size_t N>
constexpr bool reference_first(const VariantSpec<Variant> (&specs)[N]) {
  return specs[0].level == IsaLevel::scalar && specs[0].needs.empty();
}

// VariantTable holds the variants (at most Max) of one family that this CPU runs, in declaration
// order, and the active one. Built once per process and then only read.
template <class Variant, size_t Max>
class VariantTable {
 public:
  // VariantTable keeps the variants of `specs` that `cpu` runs and activates the last one that
  // `policy` admits (specs[0], the reference, always qualifies). Tests may pass made-up `cpu` and
  // `policy`; the families pass cpu_features() and isa_policy().
  VariantTable(std::span<const VariantSpec<Variant>> specs, const CpuFeatures& cpu,
               const IsaPolicy& policy) {
    for (const VariantSpec<Variant>& s : specs) {
      if (num_ == Max || !cpu.has_all(s.needs)) continue;
      if (policy.admits(s.level)) active_ = num_;
      variants_[num_] = s.variant;
      levels_[num_] = s.level;
      ++num_;
    }
    forced_ = policy.forced();
  }
  explicit VariantTable(std::span<const VariantSpec<Variant>> specs)
      : VariantTable(specs, cpu_features(), isa_policy()) {}

  const Variant& active() const noexcept { return variants_[active_]; }
  IsaLevel active_level() const noexcept { return levels_[active_]; }
  // engine_uses_kernels: a variant beyond the reference is active, or JWTBATCH_FORCE_ISA is set.
  bool engine_uses_kernels() const noexcept { return active_ != 0 || forced_; }
  std::span<const Variant> supported() const noexcept { return {variants_, num_}; }
  const Variant* find(std::string_view name) const noexcept {
    for (size_t i = 0; i < num_; ++i)
      if (variants_[i].name == name) return &variants_[i];
    return nullptr;
  }

 private:
  Variant variants_[Max] = {};
  IsaLevel levels_[Max] = {};
  size_t num_ = 0;
  size_t active_ = 0;
  bool forced_ = false;
};

// chosen_table returns the VariantTable of the family whose variant list is `Specs`, built on first
// use from cpu_features() and isa_policy() (a function-local static: thread-safe, once).
template <const auto& Specs>
const auto& chosen_table() {
  using Variant = decltype(Specs[0].variant);
  static const VariantTable<Variant, std::size(Specs)> table(Specs);
  return table;
}

}  // namespace jwtbatch::kernels

// JWTBATCH_VARIANT_ACCESSORS(specs) defines, in a family's namespace, the accessors every family's
// header declares (active_variant, supported_variants, find_variant) over its variant list `specs`.
#define JWTBATCH_VARIANT_ACCESSORS(specs)                                                   \
  const Variant& active_variant() noexcept {                                                \
    return ::jwtbatch::kernels::chosen_table<specs>().active();                           \
  }                                                                                         \
  std::span<const Variant> supported_variants() noexcept {                                  \
    return ::jwtbatch::kernels::chosen_table<specs>().supported();                        \
  }                                                                                         \
  const Variant* find_variant(std::string_view name) noexcept {                             \
    return ::jwtbatch::kernels::chosen_table<specs>().find(name);                         \
  }
