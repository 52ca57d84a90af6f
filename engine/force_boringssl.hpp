// force_boringssl.hpp (internal): the switch that sends every signature to BoringSSL, bypassing the
// batch kernels, for comparison runs: JWTBATCH_FORCE_BORINGSSL=1 in the environment (read once).
#pragma once

#include <cstdlib>
#include <cstring>

namespace jwtbatch::engine {

// force_boringssl returns true iff JWTBATCH_FORCE_BORINGSSL is set to "1" for this process.
inline bool force_boringssl() noexcept {
  static const bool v = [] {
    const char* s = std::getenv("JWTBATCH_FORCE_BORINGSSL");
    return s != nullptr && std::strcmp(s, "1") == 0;
  }();
  return v;
}

}  // namespace jwtbatch::engine
