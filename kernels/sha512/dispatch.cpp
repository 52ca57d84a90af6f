// dispatch.cpp: the SHA-512/384 kernel variants (contract in sha512.hpp), chosen once by
// kernels/cpu/dispatch.hpp.
#include "kernels/cpu/dispatch.hpp"
#include "kernels/sha512/sha512.hpp"

namespace jwtbatch::kernels::sha512 {
namespace {

constexpr VariantSpec<Variant> kVariants[] = {
    {{"scalar", sha512_many_scalar, 1}, IsaLevel::scalar, {}},
#if defined(__x86_64__)
    {{"avx2", sha512_many_avx2, 4}, IsaLevel::avx2, {Feature::avx2}},
    {{"avx512", sha512_many_avx512, 8}, IsaLevel::avx512, {Feature::avx512f, Feature::avx512bw, Feature::avx512vl}},
#endif
};
static_assert(reference_first(kVariants));

}  // namespace

JWTBATCH_VARIANT_ACCESSORS(kVariants)

bool engine_uses_kernels() noexcept { return chosen_table<kVariants>().engine_uses_kernels(); }

}  // namespace jwtbatch::kernels::sha512
