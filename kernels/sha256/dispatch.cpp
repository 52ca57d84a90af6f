// dispatch.cpp: chooses the SHA-256 kernel variant once (contract in sha256.hpp), like
// kernels/rsa/dispatch.cpp: cpuid (read here: clang 14, which builds the fuzz targets, knows no
// "sha" for __builtin_cpu_supports), JWTBATCH_FORCE_ISA through kernels/cpu/variant_table.hpp.
// Only "scalar" selects the reference: the other names choose a vector width, and SHA-NI is a
// separate extension (Zen 1-4 and Ice Lake on have it with or without AVX-512).
#include <string_view>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "kernels/cpu/variant_table.hpp"
#include "kernels/sha256/sha256.hpp"

namespace jwtbatch::kernels::sha256 {
namespace {

constexpr Variant kScalar{"scalar", sha256_many_scalar};
#if defined(__x86_64__)
constexpr Variant kShani{"shani", sha256_many_shani};
#endif

using Table = VariantTable<Variant, 2>;

#if defined(__x86_64__)
// has_sha_ni: cpuid leaf 7 EBX bit 29 (SHA) and leaf 1 ECX bit 19 (SSE4.1; shani.cpp also uses
// SSSE3 pshufb and SSE4.1 pblendw: every CPU with SHA-NI has both, checked anyway, as that file's
// compiler flags assume them). SHA-NI works on XMM registers, whose state every x86-64 OS saves.
bool has_sha_ni() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 19))) return false;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  return (ebx & (1u << 29)) != 0;
}
#endif

Table build() {
  Table t;
  t.add(kScalar);
#if defined(__x86_64__)
  if (has_sha_ni()) t.add(kShani);
#endif
  t.choose([](std::string_view f) { return f != "scalar"; });
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

}  // namespace jwtbatch::kernels::sha256
