// cpu.hpp: the dispatch table of the base64url and extract kernels, the selection error, and the
// summary of every kernel family's choice.
//
// The table is chosen once, on first use, by the mechanism and the JWTBATCH_FORCE_ISA policy of
// kernels/cpu/dispatch.hpp (features from kernels/cpu/features.hpp), like every other family's
// variant. The base64url and extract kernels are two families that ride one table: the engine holds
// one KernelTable pointer per chunk, so they are chosen together, and a table runs only where the
// CPU has what both families' code of that table needs.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "kernels/base64url/base64url.hpp"
#include "kernels/extract/extract.hpp"

namespace jwtbatch::kernels {

// KernelTable is one instruction-set variant of every kernel.
struct KernelTable {
  std::string_view name;  // "scalar", "avx2", "avx512", "neon"
  Base64urlDecode base64url_decode;
  Base64urlEncode base64url_encode;
  ExtractTokens extract_tokens;  // kernels/extract (AVX-512 BW suffices; it rides the avx512 table)
  CountNewlines count_newlines;
};

// active_kernels returns the table chosen for this process (thread-safe, chosen on first call).
const KernelTable& active_kernels() noexcept;

// supported_kernels returns every table this CPU can run, scalar first (for tests and benchmarks).
std::span<const KernelTable> supported_kernels() noexcept;

// find_kernels returns the table named `name` if this CPU can run it, else nullptr.
const KernelTable* find_kernels(std::string_view name) noexcept;

// kernel_selection_error returns a one-line message when JWTBATCH_FORCE_ISA names an unknown ISA
// level or one this CPU or build cannot run (every family runs its reference then), else an empty
// view. The view stays valid for the life of the process.
std::string_view kernel_selection_error() noexcept;

// describe_active_variants returns the active variant of every kernel family, one line, families
// in pipeline order: "base64url=avx512 extract=avx512 sha256=shani rsa=avx512_ifma
// p256=avx512_ifma p521=scalar ed25519=avx512_ifma". Each family is chosen on this call if it was
// not yet.
std::string describe_active_variants();

}  // namespace jwtbatch::kernels
