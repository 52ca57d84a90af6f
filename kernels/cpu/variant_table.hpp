// variant_table.hpp: the run-time choice among a kernel's variants, for the kernels whose dispatch
// sits beside them (kernels/rsa, kernels/sha256; the base64url and extract kernels ride the
// KernelTable of cpu.hpp instead). Variants are added reference first, best last; the best is
// active unless JWTBATCH_FORCE_ISA says otherwise.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <span>
#include <string_view>

namespace jwtbatch::kernels {

// VariantTable holds up to Max variants (each with a `name`). Built once per process and then
// only read; it keeps an index, not a pointer, so it can be returned by value.
template <class Variant, size_t Max>
class VariantTable {
 public:
  // add appends a variant this CPU runs (the reference first).
  void add(const Variant& v) {
    if (num_ < Max) variants_[num_++] = v;
  }
  // choose makes the last variant added the active one, unless JWTBATCH_FORCE_ISA is set to a value
  // for which keeps_simd(value) is false: then the reference is active and forced (the engine
  // then uses it where it would otherwise call BoringSSL; see engine_uses_kernels).
  template <class KeepsSimd>
  void choose(KeepsSimd keeps_simd) {
    active_ = num_ - 1;
    const char* forced = std::getenv("JWTBATCH_FORCE_ISA");
    if (forced != nullptr && *forced != '\0' && !keeps_simd(std::string_view(forced))) {
      active_ = 0;
      forced_reference_ = true;
    }
  }
  const Variant& active() const noexcept { return variants_[active_]; }
  // engine_uses_kernels: a SIMD variant is active, or the reference was forced.
  bool engine_uses_kernels() const noexcept { return active_ != 0 || forced_reference_; }
  std::span<const Variant> supported() const noexcept { return {variants_, num_}; }
  const Variant* find(std::string_view name) const noexcept {
    for (size_t i = 0; i < num_; ++i)
      if (variants_[i].name == name) return &variants_[i];
    return nullptr;
  }

 private:
  Variant variants_[Max] = {};
  size_t num_ = 0;
  size_t active_ = 0;
  bool forced_reference_ = false;
};

}  // namespace jwtbatch::kernels
