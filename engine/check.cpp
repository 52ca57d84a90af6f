// check.cpp: stage 5. The Policy's claim rules (RFC 7519 section 4.1): types, required claims, the
// time window with leeway, iss and aud. The result is kept aside in claim_status: stage 6 reports
// it only when the signature holds (a forged token is bad_signature even when also expired).
//
// Order within the claims group: bad_claim (a registered claim of the wrong type), missing_claim,
// expired, not_yet_valid, bad_issuer, bad_audience.
#include "engine/pipeline.hpp"

namespace jwtbatch::engine {
namespace {

void set(TokenWork& w, Status s, uint32_t detail) {
  w.claim_status = s;
  w.claim_detail = detail;
}

void check_token(const BatchContext& ctx, const Workspace& ws, TokenWork& w) {
  if (w.claim_status != Status::ok) return;  // bad_claim found while parsing
  const Policy& p = *ctx.policy;
  const uint64_t missing = ctx.required_mask & ~w.required_seen;
  if (missing != 0) {
    return set(w, Status::missing_claim, static_cast<uint32_t>(__builtin_ctzll(missing)));
  }
  const double now = static_cast<double>(ctx.now);
  const double leeway = static_cast<double>(p.leeway_s);
  if (w.has_exp && now >= w.exp + leeway)
    return set(w, Status::expired, static_cast<uint32_t>(TimeProblem::exp));
  if (w.has_nbf && now + leeway < w.nbf)
    return set(w, Status::not_yet_valid, static_cast<uint32_t>(TimeProblem::nbf));
  if (p.max_age_s) {
    if (!w.has_iat) return set(w, Status::missing_claim, kMissingIat);
    if (now - leeway > w.iat + static_cast<double>(*p.max_age_s))
      return set(w, Status::expired, static_cast<uint32_t>(TimeProblem::iat_too_old));
    if (w.iat > now + leeway)
      return set(w, Status::not_yet_valid, static_cast<uint32_t>(TimeProblem::iat_future));
  }
  if (!p.issuers.empty()) {
    if (!w.has_iss) return set(w, Status::missing_claim, kMissingIss);
    bool found = false;
    for (const std::string& iss : p.issuers) found |= (iss == w.iss);
    if (!found) return set(w, Status::bad_issuer, 0);
  }
  if (!p.audiences.empty()) {
    if (!w.has_aud) return set(w, Status::missing_claim, kMissingAud);
    bool found = false;
    for (uint32_t i = 0; i < w.aud_count && !found; ++i)
      for (const std::string& aud : p.audiences) found |= (aud == ws.aud_pool[w.aud_begin + i]);
    if (!found) return set(w, Status::bad_audience, 0);
  }
}

}  // namespace

void check_chunk(const BatchContext& ctx, Workspace& ws, std::span<TokenWork> work,
                 StageStats& stats) noexcept {
  uint64_t tokens = 0;
  for (TokenWork& w : work) {
    if (w.status != Status::ok) continue;
    ++tokens;
    check_token(ctx, ws, w);
  }
  stats.tokens += tokens;
}

}  // namespace jwtbatch::engine
