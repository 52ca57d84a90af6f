// dispatch.cpp: the SHA-256 kernel variants (contract in sha256.hpp), chosen once by
// kernels/cpu/dispatch.hpp.
#include "kernels/cpu/dispatch.hpp"
#include "kernels/sha256/sha256.hpp"

namespace jwtbatch::kernels::sha256 {
namespace {

constexpr VariantSpec<Variant> kVariants[] = {
    {{"scalar", sha256_many_scalar}, IsaLevel::scalar, {}},
#if defined(__x86_64__)
    // SHA-NI on XMM registers, with SSSE3 pshufb and SSE4.1 pblendw (shani.cpp's compiler flags
    // assume both; every CPU with SHA-NI has them). Level avx2 by the policy of dispatch.hpp:
    // SHA-NI is no wider vector, so the first ceiling above scalar admits it.
    {{"shani", sha256_many_shani}, IsaLevel::avx2, {Feature::sha, Feature::ssse3, Feature::sse41}},
#endif
};
static_assert(reference_first(kVariants));

}  // namespace

JWTBATCH_VARIANT_ACCESSORS(kVariants)

bool engine_uses_kernels() noexcept { return chosen_table<kVariants>().engine_uses_kernels(); }

}  // namespace jwtbatch::kernels::sha256
