// dispatch.cpp: the RSA kernel variants (contract in rsa.hpp), chosen once by kernels/cpu/dispatch.hpp.
#include "kernels/cpu/dispatch.hpp"
#include "kernels/rsa/rsa.hpp"

namespace jwtbatch::kernels::rsa {
namespace {

// min_batch_lanes of the IFMA variant: from two filled lanes on, one batch beats single-shot
// BoringSSL verifications (break-even measured by bench/rsa_bench.cpp; docs/kernels/rsa.md).
constexpr VariantSpec<Variant> kVariants[] = {
    {{"scalar", public_op_scalar, public_op_batch_scalar, kMaxLanes + 1, pkcs1_check_batch_scalar},
     IsaLevel::scalar,
     {}},
#if defined(__x86_64__)
    // The IFMA code also uses AVX-512 BW and VBMI byte loads and permutes (rsa/avx512_ifma.cpp).
    {{"avx512_ifma", public_op_scalar, public_op_batch_avx512_ifma, 2, pkcs1_check_batch_avx512_ifma},
     IsaLevel::avx512,
     {Feature::avx512f, Feature::avx512ifma, Feature::avx512vl, Feature::avx512bw, Feature::avx512vbmi}},
#endif
};
static_assert(reference_first(kVariants));

}  // namespace

JWTBATCH_VARIANT_ACCESSORS(kVariants)

bool engine_uses_kernels() noexcept { return chosen_table<kVariants>().engine_uses_kernels(); }

}  // namespace jwtbatch::kernels::rsa
