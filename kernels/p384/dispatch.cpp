// dispatch.cpp: the P-384 kernel variants (contract in p384.hpp), chosen once by
// kernels/cpu/dispatch.hpp.
#include "kernels/cpu/dispatch.hpp"
#include "kernels/p384/p384.hpp"

namespace jwtbatch::kernels::p384 {
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

}  // namespace

JWTBATCH_VARIANT_ACCESSORS(kVariants)

}  // namespace jwtbatch::kernels::p384
