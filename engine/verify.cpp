// verify.cpp: stage 6. Signatures, grouped by key across the chunk: tokens are ordered by their
// prepared key and handed to the signature layer as one batch of jobs (verify_signatures), so each
// key's tokens run back to back with its context hot in cache and batch kernels get full lanes.
// Tokens without a kid try every key their alg may use, one at a time. Verdicts still land in input
// order: only the visiting order changes.
#include "engine/pipeline.hpp"

namespace jwtbatch::engine {
namespace {

std::span<const uint8_t> signing_input(const TokenWork& w) {
  return {reinterpret_cast<const uint8_t*>(w.token.data()), w.dot2};
}

void settle(TokenWork& w, bool valid) {
  if (valid) {
    w.status = w.claim_status;
    w.detail = w.claim_detail;
  } else {
    w.status = Status::bad_signature;
    w.detail = 0;
  }
}

}  // namespace

void verify_chunk(const BatchContext& ctx, Workspace& ws, std::span<TokenWork> work,
                  StageStats& stats) noexcept {
  // Order the tokens still ok by key index with a counting sort (stable: equal keys keep input
  // order; kid-less tokens, kNoKey, go last). Buffers are the workspace's: no allocation.
  const KeySetData& keys = *ctx.keys;
  const size_t num_keys = keys.keys.size();
  ws.key_counts.assign(num_keys + 2, 0);
  size_t live = 0;
  for (const TokenWork& w : work) {
    if (w.status != Status::ok) continue;
    ++live;
    ++ws.key_counts[(w.key_index == kNoKey ? num_keys : w.key_index) + 1];
  }
  for (size_t k = 1; k < ws.key_counts.size(); ++k) ws.key_counts[k] += ws.key_counts[k - 1];
  ws.order.resize(live);
  for (uint32_t i = 0; i < work.size(); ++i) {
    const TokenWork& w = work[i];
    if (w.status == Status::ok) ws.order[ws.key_counts[w.key_index == kNoKey ? num_keys : w.key_index]++] = i;
  }

  uint64_t bytes = 0;
  ws.jobs.clear();
  size_t keyed = 0;
  for (; keyed < ws.order.size(); ++keyed) {
    const TokenWork& w = work[ws.order[keyed]];
    if (w.key_index == kNoKey) break;
    bytes += w.dot2;
    ws.jobs.push_back(SigJob{&keys.keys[w.key_index], w.alg, signing_input(w), {w.sig, w.sig_len}, false});
  }
  verify_signatures(ws.jobs, ws.scratch);
  for (size_t j = 0; j < keyed; ++j) settle(work[ws.order[j]], ws.jobs[j].valid);

  // Tokens without kid: every key that may verify their alg, in key order, until one holds.
  for (size_t j = keyed; j < ws.order.size(); ++j) {
    TokenWork& w = work[ws.order[j]];
    bytes += w.dot2;
    bool valid = false;
    for (uint32_t k : keys.by_alg[static_cast<size_t>(w.alg)]) {
      if (verify_signature(keys.keys[k], w.alg, signing_input(w), {w.sig, w.sig_len}, ws.scratch)) {
        w.key_index = k;
        valid = true;
        break;
      }
    }
    settle(w, valid);
  }
  stats.tokens += ws.order.size();
  stats.bytes += bytes;
}

}  // namespace jwtbatch::engine
