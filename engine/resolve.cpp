// resolve.cpp: stage 4. Header alg + kid -> a prepared key. The algorithm comes from the key and
// the policy, never from the token alone (RFC 8725 section 3.1): the token's alg must be allowed by
// the policy and permitted by the key it names; a key is never used with another family's alg.
#include "engine/pipeline.hpp"

namespace jwtbatch::engine {

void resolve_chunk(const BatchContext& ctx, std::span<TokenWork> work, StageStats& stats) noexcept {
  const KeySetData& keys = *ctx.keys;
  uint64_t tokens = 0;
  for (TokenWork& w : work) {
    if (w.status != Status::ok) continue;
    ++tokens;
    if (w.alg == Alg::unknown) {
      w.status = Status::unsupported_alg;
      if (w.detail == 0) w.detail = static_cast<uint32_t>(AlgProblem::other);
      continue;
    }
    if (w.has_crit) {
      w.status = Status::unsupported_crit;
      continue;
    }
    if (!ctx.allowed.contains(w.alg)) {
      w.status = Status::alg_not_allowed;
      continue;
    }
    if (w.has_kid) {
      auto it = keys.by_kid.find(w.kid);
      if (it == keys.by_kid.end()) {
        if (!keys.unsupported_kids.empty() && keys.unsupported_kids.count(std::string(w.kid))) {
          w.status = Status::unsupported_alg;
          w.detail = static_cast<uint32_t>(AlgProblem::other);
        } else {
          w.status = Status::key_not_found;
          w.detail = static_cast<uint32_t>(KeyProblem::kid_unknown);
        }
        continue;
      }
      const KidRange r = it->second;
      for (uint32_t i = r.begin; i < r.begin + r.count; ++i) {
        const uint32_t k = keys.by_kid_order[i];
        if (keys.keys[k].algs.contains(w.alg)) {
          w.key_index = k;
          break;
        }
      }
      if (w.key_index == kNoKey) {
        // The kid exists but its key may not verify this alg: algorithm confusion, or a key
        // bound to another algorithm of its family.
        w.status = Status::alg_not_allowed;
        w.detail = static_cast<uint32_t>(KeyProblem::kid_other_family);
      }
      continue;
    }
    // No kid: stage 6 tries every key that may verify this alg (the by_alg list), in key order,
    // as long as there are no more than the policy allows (each try is a signature check).
    const size_t candidates = keys.by_alg[static_cast<size_t>(w.alg)].size();
    if (candidates == 0 || candidates > ctx.policy->max_kidless_keys) {
      w.status = Status::key_not_found;
      w.detail = static_cast<uint32_t>(candidates == 0 ? KeyProblem::no_key_for_alg : KeyProblem::kid_required);
    }
  }
  stats.tokens += tokens;
}

}  // namespace jwtbatch::engine
