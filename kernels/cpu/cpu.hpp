// cpu.hpp: CPU feature detection and the kernel dispatch table.
//
// The table is chosen once, on first use, from what the CPU offers (cpuid on x86-64, the auxiliary
// vector on ARM64). JWTBATCH_FORCE_ISA=scalar|avx2|avx512|neon overrides the choice; forcing a
// variant this CPU cannot run is reported by kernel_selection_error() and the scalar table runs.
#pragma once

#include <span>
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

// kernel_selection_error returns a one-line message when JWTBATCH_FORCE_ISA named a variant that
// is unknown or that this CPU cannot run (the scalar table is active then), else an empty view.
std::string_view kernel_selection_error() noexcept;

}  // namespace jwtbatch::kernels
