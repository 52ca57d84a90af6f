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

}  // namespace

JWTBATCH_VARIANT_ACCESSORS(kVariants)

}  // namespace jwtbatch::kernels::p521
