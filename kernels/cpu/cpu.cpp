// cpu.cpp: chooses the kernel table once, from the CPU's features (kernels/cpu/features.cpp) or
// from JWTBATCH_FORCE_ISA. Which SIMD files were compiled is told by CMake
// (JWTBATCH_KERNELS_X86, JWTBATCH_KERNELS_NEON), so this file and kernels/CMakeLists.txt agree.
#include "kernels/cpu/cpu.hpp"

#include <array>
#include <cstdlib>
#include <string>

#include "kernels/cpu/features.hpp"

namespace jwtbatch::kernels {
namespace {

// Every table compiled into this binary, slowest first: the default is the last one the CPU can
// run.
struct Candidate {
  KernelTable table;
  bool (*runs_on)(const CpuFeatures&);
};

constexpr Candidate kCandidates[] = {
    {{"scalar", base64url_decode_scalar, base64url_encode_scalar,
      extract_tokens_scalar, count_newlines_scalar},
     [](const CpuFeatures&) { return true; }},
#if defined(JWTBATCH_KERNELS_X86)
    {{"avx2", base64url_decode_avx2, base64url_encode_avx2,
      extract_tokens_avx2, count_newlines_avx2},
     [](const CpuFeatures& f) { return f.avx2; }},
    {{"avx512", base64url_decode_avx512, base64url_encode_avx512,
      extract_tokens_avx512, count_newlines_avx512},
     [](const CpuFeatures& f) { return f.avx512_vbmi; }},
#endif
#if defined(JWTBATCH_KERNELS_NEON)
    {{"neon", base64url_decode_neon, base64url_encode_neon,
      extract_tokens_neon, count_newlines_neon},
     [](const CpuFeatures& f) { return f.neon; }},
#endif
};

// Every name JWTBATCH_FORCE_ISA knows, on any architecture, to tell "unknown" from "not here".
constexpr std::string_view kKnownNames[] = {"scalar", "avx2", "avx512", "neon"};

struct Supported {
  std::array<KernelTable, std::size(kCandidates)> tables{};
  size_t num_tables = 0;
};

const Supported& supported() {
  static const Supported s = [] {
    Supported r;
    const CpuFeatures f = detect_cpu_features();
    for (const Candidate& c : kCandidates)
      if (c.runs_on(f)) r.tables[r.num_tables++] = c.table;
    return r;
  }();
  return s;
}

struct Selection {
  const KernelTable* table = nullptr;
  std::string error;
};

std::string supported_names() {
  std::string names;
  for (const KernelTable& t : supported_kernels()) {
    if (!names.empty()) names += ", ";
    names += t.name;
  }
  return names;
}

Selection select() {
  Selection s;
  const std::span<const KernelTable> all = supported_kernels();
  s.table = &all.back();
  const char* forced = std::getenv("JWTBATCH_FORCE_ISA");
  if (forced == nullptr || *forced == '\0') return s;
  if (const KernelTable* t = find_kernels(forced)) {
    s.table = t;
    return s;
  }
  // A forced variant that cannot run must not silently run another fast one: fall back to the
  // reference and say why, so benchmarks and tests never measure the wrong thing unnoticed.
  s.table = &all.front();
  bool known = false;
  for (std::string_view n : kKnownNames) known |= n == forced;
  s.error = std::string("JWTBATCH_FORCE_ISA=") + forced +
            (known ? ": this CPU or build cannot run that kernel variant"
                   : ": unknown kernel variant (known: scalar, avx2, avx512, neon)") +
            " (this CPU runs: " + supported_names() + ")";
  return s;
}

const Selection& selection() {
  static const Selection s = select();
  return s;
}

}  // namespace

const KernelTable& active_kernels() noexcept { return *selection().table; }

std::span<const KernelTable> supported_kernels() noexcept {
  const Supported& s = supported();
  return {s.tables.data(), s.num_tables};
}

const KernelTable* find_kernels(std::string_view name) noexcept {
  for (const KernelTable& t : supported_kernels())
    if (t.name == name) return &t;
  return nullptr;
}

std::string_view kernel_selection_error() noexcept { return selection().error; }

}  // namespace jwtbatch::kernels
