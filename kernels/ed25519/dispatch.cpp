// dispatch.cpp: run-time choice of the Ed25519 variant (self-contained: cpuid through the
// compiler's __builtin_cpu_supports, JWTBATCH_FORCE_ISA read here) and verify_batch.
#include <cstdlib>
#include <string_view>

#include "kernels/ed25519/ed25519.hpp"

namespace jwtbatch::kernels::ed25519 {
namespace {

// Break-even of the IFMA variant: one 8-lane call costs about as much as this many single-shot
// scalar verifications (measured by bench/ed25519_bench.cpp, lanes:1..8 against scalar).
constexpr size_t kIfmaBreakEven = 2;

struct Variants {
  Variant list[2];
  size_t count = 0;
  size_t active = 0;
};

Variants detect() {
  Variants v;
  v.list[v.count++] = Variant{"scalar", verify_lanes_scalar, 1};
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512ifma")) {
    v.list[v.count++] = Variant{"avx512_ifma", verify_lanes_avx512_ifma, kIfmaBreakEven};
  }
#endif
  v.active = v.count - 1;
  const char* forced = std::getenv("JWTBATCH_FORCE_ISA");
  if (forced != nullptr && *forced != '\0') {
    const std::string_view f(forced);
    v.active = 0;  // scalar, also for a name this kernel does not have
    for (size_t i = 0; i < v.count; ++i)
      if (v.list[i].name == f || (f == "avx512" && v.list[i].name == "avx512_ifma")) v.active = i;
  }
  return v;
}

const Variants& variants() {
  static const Variants v = detect();
  return v;
}

}  // namespace

std::span<const Variant> supported_variants() noexcept {
  const Variants& v = variants();
  return {v.list, v.count};
}

const Variant& active_variant() noexcept {
  const Variants& v = variants();
  return v.list[v.active];
}

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
