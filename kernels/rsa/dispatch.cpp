// dispatch.cpp: chooses the RSA kernel variant once (contract in rsa.hpp): cpuid through the
// compiler's __builtin_cpu_supports (which also checks that the OS saves the AVX-512 state), and
// JWTBATCH_FORCE_ISA (kernels/cpu/variant_table.hpp): "scalar" (or any variant RSA lacks, such as
// "avx2" or "neon") selects the reference; "avx512" or "avx512_ifma" the IFMA code if it can run.
#include <string_view>

#include "kernels/cpu/variant_table.hpp"
#include "kernels/rsa/rsa.hpp"

namespace jwtbatch::kernels::rsa {
namespace {

// Break-even measured with bench/rsa_bench.cpp on this project's AVX-512 machine (Zen 4): one IFMA
// batch costs the same whatever the number of filled lanes (RSA-2048 27.7 us, 3072 60.7 us, 4096
// 106 us), a little less than two of BoringSSL's single-shot RSA_verify_raw (15.0, 33.5 and 56.7
// us), which the engine uses outside lanes: from two filled lanes on, the batch wins (1.07-1.10x).
constexpr Variant kScalar{"scalar", public_op_scalar, public_op_batch_scalar, kMaxLanes + 1,
                          pkcs1_check_batch_scalar};
#if defined(__x86_64__)
constexpr Variant kIfma{"avx512_ifma", public_op_scalar, public_op_batch_avx512_ifma, 2,
                        pkcs1_check_batch_avx512_ifma};
#endif

using Table = VariantTable<Variant, 2>;

Table build() {
  Table t;
  t.add(kScalar);
#if defined(__x86_64__)
  // The IFMA code also uses AVX-512 BW and VBMI byte loads and permutes (every CPU with IFMA so
  // far has both).
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi")) {
    t.add(kIfma);
  }
#endif
  t.choose([](std::string_view f) { return f == "avx512" || f == "avx512_ifma"; });
  return t;
}

const Table& table() {
  static const Table t = build();
  return t;
}

}  // namespace

const Variant& active_variant() noexcept { return table().active(); }

bool engine_uses_kernels() noexcept { return table().engine_uses_kernels(); }

std::span<const Variant> supported_variants() noexcept { return table().supported(); }

const Variant* find_variant(std::string_view name) noexcept { return table().find(name); }

}  // namespace jwtbatch::kernels::rsa
