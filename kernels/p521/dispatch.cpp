// dispatch.cpp: the P-521 kernel's variant list (contract in p521.hpp): only the portable one, so
// that P-521 is chosen and reported like every other family (kernels/cpu/dispatch.hpp).
#include "kernels/cpu/dispatch.hpp"
#include "kernels/p521/p521.hpp"

namespace jwtbatch::kernels::p521 {
namespace {

constexpr VariantSpec<Variant> kVariants[] = {
    {{"scalar", &verify_batch}, IsaLevel::scalar, {}},
};
static_assert(reference_first(kVariants));

using Table = VariantTable<Variant, std::size(kVariants)>;

const Table& table() {
  static const Table t(kVariants);
  return t;
}

}  // namespace

const Variant& active_variant() noexcept { return table().active(); }

std::span<const Variant> supported_variants() noexcept { return table().supported(); }

const Variant* find_variant(std::string_view name) noexcept { return table().find(name); }

}  // namespace jwtbatch::kernels::p521
