// long_diff.cpp (test support): see long_diff.hpp.
#include "tests/support/long_diff.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace jwtbatch::test {
namespace {

// env_number returns the variable `name` as a whole decimal number, or nullopt.
std::optional<uint64_t> env_number(const char* name) {
  const char* s = std::getenv(name);
  if (s == nullptr || *s == '\0') return std::nullopt;
  uint64_t v = 0;
  for (const char* c = s; *c != '\0'; ++c) {
    if (*c < '0' || *c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(*c - '0');
  }
  return v;
}

}  // namespace

uint64_t long_diff_cases(uint64_t default_cases) {
  static const std::optional<uint64_t> n = env_number("JWTBATCH_LONG_DIFF");
  return n.value_or(default_cases);
}

double long_diff_scale(uint64_t default_cases) {
  if (default_cases == 0) return 1.0;
  return std::max(1.0, static_cast<double>(long_diff_cases(default_cases)) / static_cast<double>(default_cases));
}

uint64_t diff_seed(uint64_t n) {
  static const uint64_t shift = env_number("JWTBATCH_DIFF_SEED").value_or(0);
  return n + 1000003 * shift;
}

}  // namespace jwtbatch::test
