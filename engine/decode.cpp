// decode.cpp: stage 2. Strict base64url (kernels/base64url, the dispatched variant) of the three
// parts into the chunk's arena. Each decoded part is followed by spare bytes: the kernels may
// scribble kDecodeOutSlack bytes past the end, and simdjson reads SIMDJSON_PADDING past the end of
// the JSON it parses in place.
#include <algorithm>

#include "engine/pipeline.hpp"

namespace jwtbatch::engine {
namespace {

constexpr size_t kSpare = std::max(kernels::kDecodeOutSlack, simdjson::SIMDJSON_PADDING);

// decode_part decodes token[begin, begin + len) into the arena; on failure it sets bad_base64 with
// the offset of the first bad character in the token.
bool decode_part(const BatchContext& ctx, Arena& arena, TokenWork& w, size_t begin, size_t len,
                 const uint8_t** out, uint32_t* out_len) {
  const size_t cap = kernels::base64url_decoded_len(len) + kSpare;
  uint8_t* dst = arena.alloc(cap);
  kernels::DecodeResult r =
      ctx.kernels->base64url_decode({w.token.data() + begin, len}, {dst, cap});
  if (r.status != kernels::DecodeStatus::ok) {
    w.status = Status::bad_base64;
    w.detail = static_cast<uint32_t>(begin + std::min(r.count, len));
    return false;
  }
  *out = dst;
  *out_len = static_cast<uint32_t>(r.count);
  return true;
}

}  // namespace

void decode_chunk(const BatchContext& ctx, Workspace& ws, std::span<TokenWork> work,
                  StageStats& stats) noexcept {
  // Size the arena for the whole chunk: every decoded part plus its spare bytes, and room for the
  // strings stage 3 copies out of the JSON (never longer than the JSON they come from).
  size_t need = 0;
  for (const TokenWork& w : work)
    if (w.status == Status::ok) need += w.token.size() * 2 + 6 * (kSpare + 64);
  ws.arena.reset(need);

  uint64_t tokens = 0, bytes = 0;
  for (TokenWork& w : work) {
    if (w.status != Status::ok) continue;
    ++tokens;
    bytes += w.token.size() - 2;
    const size_t sig_begin = w.dot2 + 1;
    decode_part(ctx, ws.arena, w, 0, w.dot1, &w.header, &w.header_len) &&
        decode_part(ctx, ws.arena, w, w.dot1 + 1, w.dot2 - w.dot1 - 1, &w.claims, &w.claims_len) &&
        decode_part(ctx, ws.arena, w, sig_begin, w.token.size() - sig_begin, &w.sig, &w.sig_len);
  }
  stats.tokens += tokens;
  stats.bytes += bytes;
}

}  // namespace jwtbatch::engine
