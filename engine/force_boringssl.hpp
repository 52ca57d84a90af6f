// force_boringssl.hpp (internal): the run-time switch that sends every signature to BoringSSL, for
// comparison with the batch kernels: JWTBATCH_FORCE_BORINGSSL=1 in the environment (read once, on
// first use). Keys prepared while it is set get no kernel context, so nothing else needs to ask.
#pragma once

#include <cstdlib>
#include <cstring>

namespace jwtbatch::engine {

// force_boringssl returns true when JWTBATCH_FORCE_BORINGSSL is set to "1".
inline bool force_boringssl() noexcept {
  static const bool v = [] {
    const char* s = std::getenv("JWTBATCH_FORCE_BORINGSSL");
    return s != nullptr && std::strcmp(s, "1") == 0;
  }();
  return v;
}

}  // namespace jwtbatch::engine
