// dispatch.cpp: the Ed25519 kernel variants (contract in ed25519.hpp), chosen once by
// kernels/cpu/dispatch.hpp, and verify_batch.
#include "kernels/cpu/dispatch.hpp"
#include "kernels/ed25519/ed25519.hpp"

namespace jwtbatch::kernels::ed25519 {
namespace {

// Break-even of the IFMA variant: one 8-lane call costs about as much as this many single-shot
// scalar verifications (bench/ed25519_bench.cpp, lanes:1..8 against scalar; docs/kernels/ed25519.md).
constexpr size_t kIfmaBreakEven = 2;

constexpr VariantSpec<Variant> kVariants[] = {
    {{"scalar", verify_lanes_scalar, 1}, IsaLevel::scalar, {}},
#if defined(__x86_64__)
    {{"avx512_ifma", verify_lanes_avx512_ifma, kIfmaBreakEven},
     IsaLevel::avx512,
     {Feature::avx512f, Feature::avx512ifma, Feature::avx512vl, Feature::avx512bw}},
#endif
};
static_assert(reference_first(kVariants));

}  // namespace

JWTBATCH_VARIANT_ACCESSORS(kVariants)

void verify_batch(std::span<Job> jobs, const Variant& variant) noexcept {
  size_t i = 0;
  for (; i + kMaxLanes <= jobs.size(); i += kMaxLanes) variant.verify_lanes(&jobs[i], kMaxLanes);
  const size_t rest = jobs.size() - i;
  if (rest == 0) return;
  if (rest >= variant.break_even) {
    variant.verify_lanes(&jobs[i], rest);
  } else {
    verify_lanes_scalar(&jobs[i], rest);
  }
}

}  // namespace jwtbatch::kernels::ed25519
