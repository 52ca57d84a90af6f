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
    {{"avx512", sha256_many_avx512}, IsaLevel::avx512, {Feature::avx512f, Feature::avx512bw}},
#endif
};
static_assert(reference_first(kVariants));

}  // namespace

JWTBATCH_VARIANT_ACCESSORS(kVariants)

bool engine_uses_kernels() noexcept { return chosen_table<kVariants>().engine_uses_kernels(); }

void hash_many(const Sha256Msg* msgs, size_t num_msgs) noexcept {
  const Variant& v = active_variant();
#if defined(__x86_64__)
  // The 16 lanes take whole groups of 16 and a remainder of at least kMinLaneMsgs; a smaller
  // remainder goes to SHA-NI's four streams where the CPU has them (docs/kernels/sha256.md: on Zen 4
  // the two are equal at 12 messages a call, SHA-NI ahead below, the lanes 1.3-1.4x ahead from 16).
  static const bool has_shani = find_variant("shani") != nullptr;
  if (v.many == &sha256_many_avx512 && has_shani) {
    const size_t rest = num_msgs % kLanesAvx512;
    const size_t wide = rest >= kMinLaneMsgs ? num_msgs : num_msgs - rest;
    if (wide != 0) sha256_many_avx512(msgs, wide);
    if (wide != num_msgs) sha256_many_shani(msgs + wide, num_msgs - wide);
    return;
  }
#endif
  v.many(msgs, num_msgs);
}

}  // namespace jwtbatch::kernels::sha256
