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
#elif defined(__aarch64__)
    // Level neon: like SHA-NI on x86-64, not a wider vector, so any ceiling above scalar allows it.
    // -march=armv8.2-a+sha3 lets the compiler use SHA-256, SHA-3 and SHA-512 instructions in it.
    {{"arm_sha512", sha512_many_arm_sha512, 2},
     IsaLevel::neon,
     {Feature::asimd, Feature::arm_sha2, Feature::arm_sha3, Feature::arm_sha512}},
#endif
};
static_assert(reference_first(kVariants));

}  // namespace

JWTBATCH_VARIANT_ACCESSORS(kVariants)

// On ARM64 BoringSSL's SHA512 already runs on the SHA-512 instructions, one message at a time;
// whether two interleaved messages beat it is unmeasured (no ARM64 hardware yet), so the engine
// keeps BoringSSL there unless JWTBATCH_FORCE_ISA asks for the kernels.
bool engine_uses_kernels() noexcept {
#if defined(__aarch64__)
  return isa_policy().forced();
#else
  return chosen_table<kVariants>().engine_uses_kernels();
#endif
}

}  // namespace jwtbatch::kernels::sha512
