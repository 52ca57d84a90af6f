// dispatch.cpp: the P-256 kernel variants (contract in p256.hpp), chosen once by
// kernels/cpu/dispatch.hpp.
#include "kernels/cpu/dispatch.hpp"
#include "kernels/p256/p256.hpp"

namespace jwtbatch::kernels::p256 {
namespace {

constexpr VariantSpec<Variant> kVariants[] = {
    {{"scalar", TableFormat::mont64, &verify_batch_scalar}, IsaLevel::scalar, {}},
#if defined(__x86_64__)
    {{"avx512_ifma", TableFormat::ifma52, &verify_batch_avx512_ifma},
     IsaLevel::avx512,
     {Feature::avx512f, Feature::avx512ifma, Feature::avx512vl, Feature::avx512bw}},
#endif
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

}  // namespace jwtbatch::kernels::p256
