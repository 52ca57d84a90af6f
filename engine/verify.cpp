// verify.cpp: stage 6. Signatures, grouped by key across the chunk: tokens are ordered by their
// prepared key so each key's tokens run back to back with its context hot in cache (and, later,
// batch kernels get full lanes). Tokens without a kid try every key their alg may use. Verdicts
// still land in input order: only the visiting order changes.
#include <algorithm>

#include "engine/pipeline.hpp"

namespace jwtbatch::engine {

void verify_chunk(const BatchContext& ctx, Workspace& ws, std::span<TokenWork> work,
                  StageStats& stats) noexcept {
  ws.order.clear();
  for (uint32_t i = 0; i < work.size(); ++i)
    if (work[i].status == Status::ok) ws.order.push_back(i);
  // kNoKey (kid-less tokens) sorts last; equal keys keep input order. In place: no allocation.
  std::sort(ws.order.begin(), ws.order.end(), [&](uint32_t a, uint32_t b) {
    return work[a].key_index != work[b].key_index ? work[a].key_index < work[b].key_index : a < b;
  });

  const KeySetData& keys = *ctx.keys;
  uint64_t bytes = 0;
  for (uint32_t i : ws.order) {
    TokenWork& w = work[i];
    const std::span<const uint8_t> input(reinterpret_cast<const uint8_t*>(w.token.data()), w.dot2);
    const std::span<const uint8_t> sig(w.sig, w.sig_len);
    bytes += w.dot2;
    bool valid = false;
    if (w.key_index != kNoKey) {
      valid = verify_signature(keys.keys[w.key_index], w.alg, input, sig, ws.scratch);
    } else {
      for (uint32_t k : keys.by_alg[static_cast<size_t>(w.alg)]) {
        if (verify_signature(keys.keys[k], w.alg, input, sig, ws.scratch)) {
          w.key_index = k;
          valid = true;
          break;
        }
      }
    }
    if (valid) {
      w.status = w.claim_status;
      w.detail = w.claim_detail;
    } else {
      w.status = Status::bad_signature;
      w.detail = 0;
    }
  }
  stats.tokens += ws.order.size();
  stats.bytes += bytes;
}

}  // namespace jwtbatch::engine
