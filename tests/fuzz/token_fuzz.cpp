// token_fuzz: whole tokens through the public API (split, decode, parse, resolve, check, verify)
// against the demo key set (corpus/demo/jwks.json: one key of every algorithm, all families).
//
// Input: byte 0 picks one of four policies (bits 0-1) and the time of verification (bits 2-7);
// the rest is split at '\n' into up to 8 tokens, verified one by one and as one batch.
// Invariants:
//   - no crash, no leak, no undefined behaviour (the sanitizers), status in range;
//   - verify is deterministic (twice the same verdict, every field), and verify_batch over all
//     the tokens gives each token the verdict verify gives it alone (a chunk's shared scratch does
//     not leak from one token into another);
//   - structure verdicts agree with an independent reading of the token: too_large iff longer than
//     the limit; otherwise malformed iff not exactly two dots with non-empty header and claims;
//     bad_base64's detail is an offset in the token (or its end, for a bad length);
//   - a verdict that got past the signature names a key of the set that permits its alg, and no
//     other verdict names a key;
//   - the batch's counters add up (tokens, status counts).
#include <cstdint>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace jwtbatch;

constexpr size_t kMaxTokens = 8;

Policy make_policy(int which) {
  Policy p;
  switch (which) {
    case 1:
      p.issuers = {"https://issuer.example.com"};
      p.audiences = {"https://api.example.com", "other"};
      p.typ = "JWT";
      p.leeway_s = 30;
      break;
    case 2:
      p.max_age_s = 3600;
      p.required_claims = {"exp", "iat", "sub"};
      p.algs = AlgSet{Alg::hs256, Alg::es256, Alg::eddsa, Alg::ps512};
      break;
    case 3:
      p.max_token_bytes = 600;
      p.max_json_depth = 3;
      p.required_claims.clear();
      break;
    default:
      break;
  }
  return p;
}

const std::vector<std::unique_ptr<Verifier>>& verifiers() {
  static const std::vector<std::unique_ptr<Verifier>> v = [] {
    std::vector<std::unique_ptr<Verifier>> out;
    for (int i = 0; i < 4; ++i) out.push_back(std::make_unique<Verifier>(fuzz::demo_keys(), make_policy(i)));
    return out;
  }();
  return v;
}

void check_verdict(const Verifier& verifier, std::string_view token, const Verdict& v) {
  JWTBATCH_FUZZ_CHECK(static_cast<size_t>(v.status) < kNumStatuses, "status out of range");
  JWTBATCH_FUZZ_CHECK(static_cast<size_t>(v.alg) < kNumAlgs, "alg out of range");
  const Policy& p = verifier.policy();
  const bool too_large = token.size() > p.max_token_bytes;
  JWTBATCH_FUZZ_CHECK(too_large == (v.status == Status::too_large), "too_large disagrees with the length");
  if (!too_large) {
    const size_t d1 = token.find('.');
    const size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
    const bool shape = d2 != std::string_view::npos && token.find('.', d2 + 1) == std::string_view::npos &&
                       d1 > 0 && d2 > d1 + 1;
    JWTBATCH_FUZZ_CHECK(shape == (v.status != Status::malformed), "malformed disagrees with the dots");
  }
  if (v.status == Status::bad_base64)
    JWTBATCH_FUZZ_CHECK(v.detail <= token.size(), "bad_base64 detail out of range");
  const bool past_signature = v.status == Status::ok || v.status > Status::bad_signature;
  if (past_signature) {
    const KeySet& keys = *verifier.keys();
    JWTBATCH_FUZZ_CHECK(v.key_index < keys.size(), "verified without a key");
    JWTBATCH_FUZZ_CHECK(keys.algs(v.key_index).contains(v.alg), "key used with an alg it does not permit");
    JWTBATCH_FUZZ_CHECK(p.algs.empty() || p.algs.contains(v.alg), "alg outside the allow-list verified");
  } else {
    JWTBATCH_FUZZ_CHECK(v.key_index == kNoKey, "a key named on a failed verdict");
  }
  (void)explain(v, p);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)verifiers();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Verifier& verifier = *verifiers()[data[0] & 3];
  const UnixSeconds now = fuzz::kNow + (static_cast<int64_t>(data[0] >> 2) - 32) * 86400 * 7;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  std::vector<std::string_view> tokens;
  for (size_t pos = 0; tokens.size() < kMaxTokens;) {
    const size_t nl = text.find('\n', pos);
    tokens.push_back(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }

  std::vector<Verdict> single(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    single[i] = verifier.verify(tokens[i], now);
    check_verdict(verifier, tokens[i], single[i]);
    const Verdict again = verifier.verify(tokens[i], now);
    JWTBATCH_FUZZ_CHECK(fuzz::same_verdict(single[i], again), "verify is not deterministic");
  }
  std::vector<Verdict> batch(tokens.size());
  BatchStats stats;
  JWTBATCH_FUZZ_CHECK(verifier.verify_batch(tokens, batch, now, &stats, {1}) == Status::ok, "batch failed");
  for (size_t i = 0; i < tokens.size(); ++i)
    JWTBATCH_FUZZ_CHECK(fuzz::same_verdict(single[i], batch[i]), "verify_batch differs from verify");
  uint64_t counted = 0;
  for (uint64_t c : stats.status_counts) counted += c;
  JWTBATCH_FUZZ_CHECK(stats.tokens == tokens.size() && counted == tokens.size(), "batch counters do not add up");
  return 0;
}
