// dispatch.cpp: chooses the SHA-256 kernel variant once (contract in sha256.hpp). Self-contained like
// kernels/rsa/dispatch.cpp: cpuid through the compiler's __builtin_cpu_supports, JWTBATCH_FORCE_ISA
// read here. Only "scalar" selects the reference: the other names choose a vector width, and SHA-NI
// is a separate extension (Zen 1-4 and Ice Lake on have it with or without AVX-512).
#include <cstdlib>
#include <string_view>

#include "kernels/sha256/sha256.hpp"

namespace jwtbatch::kernels::sha256 {
namespace {

constexpr Variant kScalar{"scalar", sha256_many_scalar};
#if defined(__x86_64__)
constexpr Variant kShani{"shani", sha256_many_shani};
#endif

struct Table {
  Variant variants[2];
  size_t num = 0;
  const Variant* active = nullptr;
  bool forced_reference = false;  // JWTBATCH_FORCE_ISA=scalar chose the reference
};

Table build() {
  Table t;
  t.variants[t.num++] = kScalar;
#if defined(__x86_64__)
  // shani.cpp also uses SSSE3 pshufb and SSE4.1 pblendw (every CPU with SHA-NI has both; checked
  // anyway, as the compiler flags of that file assume them).
  if (__builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1")) t.variants[t.num++] = kShani;
#endif
  t.active = &t.variants[t.num - 1];
  const char* forced = std::getenv("JWTBATCH_FORCE_ISA");
  if (forced != nullptr && std::string_view(forced) == "scalar") {
    t.active = &t.variants[0];
    t.forced_reference = true;
  }
  return t;
}

const Table& table() {
  static const Table t = build();
  return t;
}

}  // namespace

const Variant& active_variant() noexcept { return *table().active; }

bool engine_uses_kernels() noexcept {
  return table().active != &table().variants[0] || table().forced_reference;
}

std::span<const Variant> supported_variants() noexcept { return {table().variants, table().num}; }

const Variant* find_variant(std::string_view name) noexcept {
  for (const Variant& v : supported_variants())
    if (v.name == name) return &v;
  return nullptr;
}

}  // namespace jwtbatch::kernels::sha256
