// cpu.cpp: the base64url and extract KernelTable, chosen by kernels/cpu/dispatch.hpp like every
// other family, and the summary of all families' choices. Which SIMD files were compiled is told by
// CMake (JWTBATCH_KERNELS_X86, JWTBATCH_KERNELS_NEON), so this file and kernels/CMakeLists.txt
// agree.
#include "kernels/cpu/cpu.hpp"

#include <iterator>

#include "kernels/cpu/dispatch.hpp"
#include "kernels/ed25519/ed25519.hpp"
#include "kernels/p256/p256.hpp"
#include "kernels/p384/p384.hpp"
#include "kernels/p521/p521.hpp"
#include "kernels/rsa/rsa.hpp"
#include "kernels/sha256/sha256.hpp"
#include "kernels/sha512/sha512.hpp"

namespace jwtbatch::kernels {
namespace {

// Every table compiled into this binary, reference first. A table needs what both its base64url
// and its extract code were compiled for (kernels/CMakeLists.txt).
constexpr VariantSpec<KernelTable> kTables[] = {
    {{"scalar", base64url_decode_scalar, base64url_encode_scalar, extract_tokens_scalar,
      count_newlines_scalar},
     IsaLevel::scalar,
     {}},
#if defined(JWTBATCH_KERNELS_X86)
    {{"avx2", base64url_decode_avx2, base64url_encode_avx2, extract_tokens_avx2,
      count_newlines_avx2},
     IsaLevel::avx2,
     {Feature::avx2, Feature::bmi1, Feature::popcnt}},
    {{"avx512", base64url_decode_avx512, base64url_encode_avx512, extract_tokens_avx512,
      count_newlines_avx512},
     IsaLevel::avx512,
     {Feature::avx2, Feature::avx512f, Feature::avx512bw, Feature::avx512vl, Feature::avx512vbmi,
      Feature::bmi1, Feature::popcnt}},
#endif
#if defined(JWTBATCH_KERNELS_NEON)
    {{"neon", base64url_decode_neon, base64url_encode_neon, extract_tokens_neon,
      count_newlines_neon},
     IsaLevel::neon,
     {Feature::asimd}},
#endif
};
static_assert(reference_first(kTables));

}  // namespace

const KernelTable& active_kernels() noexcept { return chosen_table<kTables>().active(); }

std::span<const KernelTable> supported_kernels() noexcept { return chosen_table<kTables>().supported(); }

const KernelTable* find_kernels(std::string_view name) noexcept { return chosen_table<kTables>().find(name); }

std::string_view kernel_selection_error() noexcept { return isa_policy().error(); }

std::string describe_active_variants() {
  const std::string_view k = active_kernels().name;
  std::string s;
  s.append("base64url=").append(k);
  s.append(" extract=").append(k);
  s.append(" sha256=").append(sha256::active_variant().name);
  s.append(" sha512=").append(sha512::active_variant().name);
  s.append(" rsa=").append(rsa::active_variant().name);
  s.append(" p256=").append(p256::active_variant().name);
  s.append(" p384=").append(p384::active_variant().name);
  s.append(" p521=").append(p521::active_variant().name);
  s.append(" ed25519=").append(ed25519::active_variant().name);
  return s;
}

}  // namespace jwtbatch::kernels
