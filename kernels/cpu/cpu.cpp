// cpu.cpp: chooses the kernel table once. This first version knows only the scalar table; the
// SIMD variants register here as they land (kernels/base64url/avx2.cpp, avx512.cpp, neon.cpp).
#include "kernels/cpu/cpu.hpp"

#include <cstdlib>
#include <string>

namespace jwtbatch::kernels {
namespace {

constexpr KernelTable kScalar{"scalar", base64url_decode_scalar, base64url_encode_scalar};
const KernelTable kTables[] = {kScalar};

struct Selection {
  const KernelTable* table = &kTables[0];
  std::string error;
};

Selection select() {
  Selection s;
  const char* forced = std::getenv("JWTBATCH_FORCE_ISA");
  if (forced && *forced) {
    if (const KernelTable* t = find_kernels(forced)) {
      s.table = t;
    } else {
      s.error = std::string("JWTBATCH_FORCE_ISA=") + forced +
                ": not a kernel variant this CPU can run (have: scalar)";
    }
    return s;
  }
  s.table = &kTables[std::size(kTables) - 1];
  return s;
}

const Selection& selection() {
  static const Selection s = select();
  return s;
}

}  // namespace

const KernelTable& active_kernels() noexcept { return *selection().table; }
std::span<const KernelTable> supported_kernels() noexcept { return kTables; }
const KernelTable* find_kernels(std::string_view name) noexcept {
  for (const auto& t : kTables)
    if (t.name == name) return &t;
  return nullptr;
}
std::string_view kernel_selection_error() noexcept { return selection().error; }

}  // namespace jwtbatch::kernels
