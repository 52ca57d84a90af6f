// split.cpp: stage 1. Finds the two dots of a compact JWS (RFC 7515 section 7.1) and enforces the
// size limit before anything is decoded.
#include <cstring>

#include "engine/pipeline.hpp"

namespace jwtbatch::engine {

void split_chunk(const BatchContext& ctx, std::span<TokenWork> work, StageStats& stats) noexcept {
  const size_t max_len = ctx.policy->max_token_bytes;
  uint64_t bytes = 0;
  for (TokenWork& w : work) {
    const std::string_view t = w.token;
    bytes += t.size();
    if (t.size() > max_len) {
      w.status = Status::too_large;
      continue;
    }
    const char* begin = t.data();
    const char* end = begin + t.size();
    const char* d1 = t.empty() ? nullptr : static_cast<const char*>(std::memchr(begin, '.', t.size()));
    const char* d2 = d1 ? static_cast<const char*>(std::memchr(d1 + 1, '.', end - d1 - 1)) : nullptr;
    // Exactly two dots (a third means JWE or garbage), and non-empty header and claims parts. An
    // empty signature part is structurally fine (alg "none" tokens have one); it fails later.
    if (!d2 || std::memchr(d2 + 1, '.', end - d2 - 1) || d1 == begin || d2 == d1 + 1) {
      w.status = Status::malformed;
      continue;
    }
    w.dot1 = static_cast<uint32_t>(d1 - begin);
    w.dot2 = static_cast<uint32_t>(d2 - begin);
  }
  stats.tokens += work.size();
  stats.bytes += bytes;
}

}  // namespace jwtbatch::engine
