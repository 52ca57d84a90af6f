// force_boringssl.hpp (internal): the switch that sends every signature through BoringSSL instead
// of jwtbatch's kernels, for comparison: JWTBATCH_FORCE_BORINGSSL=1 in the environment (read once).
#pragma once

#include <cstdlib>
#include <string_view>

namespace jwtbatch::engine {

// force_boringssl returns true iff JWTBATCH_FORCE_BORINGSSL is set to anything but "" or "0".
inline bool force_boringssl() noexcept {
  static const bool v = [] {
    const char* e = std::getenv("JWTBATCH_FORCE_BORINGSSL");
    return e != nullptr && *e != '\0' && std::string_view(e) != "0";
  }();
  return v;
}

}  // namespace jwtbatch::engine
