// stages_test.cpp: each of the six stages of engine/pipeline.hpp alone, on a chunk of hand-built
// TokenWork (or one prepared by the stages before it, as bench/stages_bench.cpp does): the status
// and detail code it sets (verdict_detail), the fields it fills, that it leaves tokens already
// failed as they were, its boundaries, and the claims-after-signature precedence of stages 5 and 6
// (DESIGN.md "Verdicts").
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "engine/pipeline.hpp"
#include "jwtbatch/jwtbatch.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch::engine {
namespace {

using test::b64url;
using test::make_token;

constexpr UnixSeconds kNow = 1767225600;  // 2026-01-01T00:00:00Z
const std::string kHsHeader = R"({"alg":"HS256","kid":"hs"})";
const std::string kLive = "{\"exp\":" + std::to_string(kNow + 3600) + "}";

std::string exp_claims(UnixSeconds exp) { return "{\"exp\":" + std::to_string(exp) + "}"; }

// unsigned_token joins the encoded header and claims with a made-up signature.
std::string unsigned_token(std::string_view header, std::string_view claims) {
  return b64url(header) + "." + b64url(claims) + "." + b64url(std::string_view("sig"));
}

std::string_view bytes_of(const uint8_t* p, uint32_t len) { return {reinterpret_cast<const char*>(p), len}; }

// fields lists what a stage may write into a TokenWork, for before/after comparisons.
auto fields(const TokenWork& w) {
  return std::make_tuple(w.status, w.detail, w.claim_status, w.claim_detail, w.dot1, w.dot2, w.header,
                         w.claims, w.sig, w.header_len, w.claims_len, w.sig_len, w.alg, w.has_kid,
                         w.has_crit, w.kid, w.has_exp, w.has_nbf, w.has_iat, w.has_iss, w.has_aud,
                         w.exp, w.iss, w.aud_count, w.required_seen, w.key_index);
}

// StageRig holds a key set (the test keys: kids hs, rs, ps, es, ed), a policy, one thread's
// Workspace and the chunk in it, and builds the BatchContext a Verifier would from them.
class StageRig : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    keys_ = KeySet::from_jwks(test::test_keys().jwks(), &error);
    ASSERT_TRUE(keys_) << error;
  }

  // context restates Verifier's: the policy's algs within what the keys permit, one required-claim
  // bit per Policy::required_claims entry.
  const BatchContext& context() {
    ctx_.keys = &keys_->impl();
    ctx_.policy = &policy;
    ctx_.allowed = policy.algs.empty() ? keys_->permitted_algs() : policy.algs.intersect(keys_->permitted_algs());
    ctx_.now = now;
    ctx_.kernels = kernel ? kernel : &kernels::active_kernels();
    const size_t n = std::min<size_t>(policy.required_claims.size(), 64);
    ctx_.required_mask = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
    ctx_.timing = false;
    return ctx_;
  }

  // load makes the chunk fresh TokenWork for `tokens` (kept alive by the rig).
  void load(std::vector<std::string> tokens) {
    tokens_ = std::move(tokens);
    ws.work.assign(tokens_.size(), TokenWork{});
    ws.aud_pool.clear();
    for (size_t i = 0; i < tokens_.size(); ++i) ws.work[i].token = tokens_[i];
  }
  // load_work makes the chunk exactly `work` (hand-built TokenWork).
  void load_work(std::vector<TokenWork> work) { ws.work = std::move(work); }

  std::span<TokenWork> chunk() { return {ws.work.data(), ws.work.size()}; }
  TokenWork& at(size_t i) { return ws.work.at(i); }

  void run(Stage s) {
    const BatchContext& c = context();
    switch (s) {
      case Stage::split: return split_chunk(c, chunk(), stats);
      case Stage::decode: return decode_chunk(c, ws, chunk(), stats);
      case Stage::parse: return parse_chunk(c, ws, chunk(), stats);
      case Stage::resolve: return resolve_chunk(c, chunk(), stats);
      case Stage::check: return check_chunk(c, ws, chunk(), stats);
      case Stage::verify: return verify_chunk(c, ws, chunk(), stats);
    }
  }
  // run_before runs every stage before `s`, then clears the counters for `s` alone.
  void run_before(Stage s) {
    for (int i = 0; i < static_cast<int>(s); ++i) run(static_cast<Stage>(i));
    stats = {};
  }
  // staged loads `tokens`, runs the stages before `s`, then `s`.
  void staged(std::vector<std::string> tokens, Stage s) {
    load(std::move(tokens));
    run_before(s);
    run(s);
  }
  // one is staged for a single token.
  TokenWork& one(std::string token, Stage s) {
    staged({std::move(token)}, s);
    return at(0);
  }

  uint32_t key_of(std::string_view kid) const {
    for (uint32_t i = 0; i < keys_->size(); ++i)
      if (keys_->kid(i) == kid) return i;
    ADD_FAILURE() << "no key " << kid;
    return kNoKey;
  }

  Policy policy;
  UnixSeconds now = kNow;
  const kernels::KernelTable* kernel = nullptr;  // null: the active one
  Workspace ws;
  StageStats stats;
  std::shared_ptr<const KeySet> keys_;

 private:
  BatchContext ctx_;
  std::vector<std::string> tokens_;
};

// has_verdict / has_claim_verdict compare a token's (status, detail) or (claim_status,
// claim_detail) with the expected pair, naming the statuses on failure.
::testing::AssertionResult same_pair(Status status, uint32_t detail, Status want, uint32_t want_detail) {
  if (status == want && detail == want_detail) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << to_string(status) << "/" << detail << ", want " << to_string(want)
                                       << "/" << want_detail;
}
template <typename Detail>
::testing::AssertionResult has_verdict(const TokenWork& w, Status want, Detail want_detail) {
  return same_pair(w.status, w.detail, want, static_cast<uint32_t>(want_detail));
}
template <typename Detail>
::testing::AssertionResult has_claim_verdict(const TokenWork& w, Status want, Detail want_detail) {
  return same_pair(w.claim_status, w.claim_detail, want, static_cast<uint32_t>(want_detail));
}
#define EXPECT_VERDICT(w, s, d) EXPECT_TRUE(has_verdict((w), (s), (d)))
#define EXPECT_CLAIM_VERDICT(w, s, d) EXPECT_TRUE(has_claim_verdict((w), (s), (d)))

// ---- Every stage but the first: a token already failed stays as it was -------------------------
// (split_chunk looks at every token whatever its status: run_chunk hands it fresh TokenWork only,
// so pipeline.hpp's "each stage touches only tokens still ok" holds from stage 2 on.)

// Two copies of one signed, expired token: the first is failed (bad_header) before the stage runs,
// the second is live. The stage must not touch the first, must count only the second, and must do
// its work on the second (expired shows in stage 5 and 6 only).
class StageOnlyOk : public StageRig, public ::testing::WithParamInterface<Stage> {};

TEST_P(StageOnlyOk, FailedTokenStaysAsItWas) {
  const std::string token = make_token("HS256", kHsHeader, exp_claims(kNow - 10));
  load({token, token});
  run_before(GetParam());
  at(0).status = Status::bad_header;
  at(0).detail = 7;
  const auto failed_before = fields(at(0));
  const auto live_before = fields(at(1));
  run(GetParam());
  EXPECT_EQ(fields(at(0)), failed_before);
  EXPECT_NE(fields(at(1)), live_before) << "the stage did nothing to the live token";
  EXPECT_EQ(stats.tokens, 1u);
}

INSTANTIATE_TEST_SUITE_P(Stage, StageOnlyOk,
                         ::testing::Values(Stage::decode, Stage::parse, Stage::resolve, Stage::check,
                                           Stage::verify),
                         [](const auto& info) { return std::string(to_string(info.param)); });

// ---- Stage 1: split --------------------------------------------------------------------------

using StageSplit = StageRig;

TEST_F(StageSplit, FindsTheTwoDots) {
  TokenWork& w = one("aaaa.bbbbbb.cc", Stage::split);
  EXPECT_VERDICT(w, Status::ok, 0);
  EXPECT_EQ(w.dot1, 4u);
  EXPECT_EQ(w.dot2, 11u);
  EXPECT_EQ(stats.tokens, 1u);
  EXPECT_EQ(stats.bytes, 14u);
}

TEST_F(StageSplit, EmptySignaturePartIsStructurallyFine) {
  TokenWork& w = one("a.b.", Stage::split);
  EXPECT_VERDICT(w, Status::ok, 0);
  EXPECT_EQ(w.dot1, 1u);
  EXPECT_EQ(w.dot2, 3u);
}

TEST_F(StageSplit, MalformedShapes) {
  const std::vector<std::string> bad = {"", "abc", "a.b", "a.b.c.d", "a.b.c.", ".b.c", "a..c", "..", "..."};
  staged(bad, Stage::split);
  for (size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE("token \"" + bad[i] + "\"");
    EXPECT_VERDICT(at(i), Status::malformed, 0);
    EXPECT_EQ(at(i).dot1, 0u);
    EXPECT_EQ(at(i).dot2, 0u);
  }
}

TEST_F(StageSplit, SizeLimitExactlyAtAndOneOver) {
  const std::string token = "aaaa.bbbb.cccc";
  policy.max_token_bytes = token.size();
  EXPECT_VERDICT(one(token, Stage::split), Status::ok, 0);
  policy.max_token_bytes = token.size() - 1;
  TokenWork& w = one(token, Stage::split);
  EXPECT_VERDICT(w, Status::too_large, 0);
  EXPECT_EQ(w.dot1, 0u) << "no dots searched in a token over the limit";
  // Too large wins over malformed: the size is checked first.
  EXPECT_VERDICT(one(std::string(token.size(), 'x'), Stage::split), Status::too_large, 0);
}

// ---- Stage 2: decode -------------------------------------------------------------------------

using StageDecode = StageRig;

TEST_F(StageDecode, DecodesEveryPartIntoTheArena) {
  // Parts of 1, 2 and 3 bytes: the three lengths of a final quantum.
  TokenWork& w = one(b64url(std::string_view("{")) + "." + b64url(std::string_view("ab")) + "." +
                         b64url(std::string_view("xyz")),
                     Stage::decode);
  EXPECT_VERDICT(w, Status::ok, 0);
  EXPECT_EQ(bytes_of(w.header, w.header_len), "{");
  EXPECT_EQ(bytes_of(w.claims, w.claims_len), "ab");
  EXPECT_EQ(bytes_of(w.sig, w.sig_len), "xyz");
  EXPECT_EQ(stats.bytes, w.token.size() - 2) << "the dots are not counted";
}

TEST_F(StageDecode, EmptySignatureDecodesToNoBytes) {
  TokenWork& w = one(b64url(kHsHeader) + "." + b64url(kLive) + ".", Stage::decode);
  EXPECT_VERDICT(w, Status::ok, 0);
  EXPECT_EQ(w.sig_len, 0u);
  EXPECT_EQ(bytes_of(w.claims, w.claims_len), kLive);
}

// The detail is the offset in the token of the first bad character, whichever part holds it, and
// the same under every kernel variant.
TEST_F(StageDecode, BadBase64OffsetInTheToken) {
  const std::string h = b64url(kHsHeader), c = b64url(kLive);
  struct Case {
    std::string token;
    uint32_t offset;
  };
  const std::vector<Case> cases = {
      {"e!" + h.substr(2) + "." + c + ".AA", 1},                                     // header
      {h + "." + c.substr(0, 5) + "*" + c.substr(6) + ".AA", uint32_t(h.size() + 6)},  // claims
      {h + "." + c + ".AAA=", uint32_t(h.size() + c.size() + 5)},                    // padding in sig
      {h + ".A." + "AA", uint32_t(h.size() + 2)},        // a 1-character part: its length, at the dot
      {h + "." + c + ".Zx", uint32_t(h.size() + c.size() + 3)},  // non-canonical last character
      {"e!" + h.substr(2) + ".A.", 1},                           // the first bad part decides
  };
  for (const kernels::KernelTable& k : kernels::supported_kernels()) {
    kernel = &k;
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(k.name) + " " + c.token);
      TokenWork& w = one(c.token, Stage::decode);
      EXPECT_VERDICT(w, Status::bad_base64, c.offset);
    }
  }
}

TEST_F(StageDecode, LaterPartsStayUnsetAfterAFailure) {
  TokenWork& w = one("e!" + b64url(kHsHeader).substr(2) + "." + b64url(kLive) + ".AA", Stage::decode);
  EXPECT_EQ(w.status, Status::bad_base64);
  EXPECT_EQ(w.claims, nullptr);
  EXPECT_EQ(w.sig, nullptr);
}

// ---- Stage 3: parse --------------------------------------------------------------------------

using StageParse = StageRig;

TEST_F(StageParse, HeaderFields) {
  policy.typ = "JWT";
  const std::string kid(kMaxKidBytes, 'k');  // the longest kid a key may have
  TokenWork& w = one(unsigned_token(R"({"alg":"ES256","typ":"application/jwt","kid":")" + kid + R"(","x5u":"u"})",
                                    kLive),
                     Stage::parse);
  EXPECT_VERDICT(w, Status::ok, 0);
  EXPECT_EQ(w.alg, Alg::es256);
  EXPECT_TRUE(w.has_kid);
  EXPECT_EQ(w.kid, kid);
  EXPECT_FALSE(w.has_crit);
  EXPECT_EQ(w.key_index, kNoKey) << "parse chooses no key";
}

TEST_F(StageParse, CritIsRecordedForResolve) {
  TokenWork& w = one(unsigned_token(R"({"alg":"HS256","crit":["b64"],"b64":false})", kLive), Stage::parse);
  EXPECT_VERDICT(w, Status::ok, 0);
  EXPECT_TRUE(w.has_crit);
  EXPECT_FALSE(w.has_kid);
}

TEST_F(StageParse, UnknownAlgIsLeftToResolve) {
  TokenWork& none = one(unsigned_token(R"({"alg":"nOnE"})", kLive), Stage::parse);
  EXPECT_VERDICT(none, Status::ok, AlgProblem::none);
  EXPECT_EQ(none.alg, Alg::unknown);
  TokenWork& other = one(unsigned_token(R"({"alg":"hs256"})", kLive), Stage::parse);
  EXPECT_VERDICT(other, Status::ok, 0);
  EXPECT_EQ(other.alg, Alg::unknown);
}

TEST_F(StageParse, ClaimFields) {
  policy.required_claims = {"exp", "sub", "tenant", "absent"};
  const std::string claims = R"({"exp":1767229200,"nbf":1767225000.5,"iat":18446744073709551615,)"
                             R"("iss":"https:\/\/issuer","aud":["a","b\u0063"],"sub":"s","tenant":{}})";
  TokenWork& w = one(unsigned_token(kHsHeader, claims), Stage::parse);
  EXPECT_VERDICT(w, Status::ok, 0);
  EXPECT_CLAIM_VERDICT(w, Status::ok, 0);
  EXPECT_TRUE(w.has_exp && w.has_nbf && w.has_iat && w.has_iss && w.has_aud);
  EXPECT_EQ(w.exp, 1767229200.0);
  EXPECT_EQ(w.nbf, 1767225000.5);
  EXPECT_EQ(w.iat, 18446744073709551615.0);
  EXPECT_EQ(w.iss, "https://issuer") << "unescaped";
  ASSERT_EQ(w.aud_count, 2u);
  EXPECT_EQ(ws.aud_pool[w.aud_begin], "a");
  EXPECT_EQ(ws.aud_pool[w.aud_begin + 1], "bc");
  EXPECT_EQ(w.required_seen, 0b0111u) << "exp, sub, tenant seen; absent not";
}

TEST_F(StageParse, AudAsAStringAndAbsentClaims) {
  TokenWork& w = one(unsigned_token(kHsHeader, R"({"aud":"api"})"), Stage::parse);
  EXPECT_TRUE(w.has_aud);
  ASSERT_EQ(w.aud_count, 1u);
  EXPECT_EQ(ws.aud_pool[w.aud_begin], "api");
  EXPECT_FALSE(w.has_exp || w.has_nbf || w.has_iat || w.has_iss);
  EXPECT_EQ(w.required_seen, 0u) << "exp is required by default and absent";
}

TEST_F(StageParse, BadJsonSaysWhichPart) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"alg":"HS256")", kLive},                   // truncated header
      {R"(["alg","HS256"])", kLive},                  // not an object
      {R"({"alg":"HS256","alg":"HS256"})", kLive},    // duplicate name
      {"{\"alg\":\"HS256\",\"x\":\"\xff\"}", kLive},  // invalid UTF-8
      {kHsHeader, R"({"exp":1,})"},
      {kHsHeader, "1"},
      {kHsHeader, R"({"exp":1,"o":{"a":1,"a":2}})"},  // duplicate name one level down
      {kHsHeader, " "},  // whitespace only
  };
  std::vector<std::string> tokens;
  for (const auto& [h, c] : cases) tokens.push_back(unsigned_token(h, c));
  staged(tokens, Stage::parse);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].first + " " + cases[i].second);
    EXPECT_VERDICT(at(i), Status::bad_json, i < 4 ? JsonPart::header : JsonPart::claims);
  }
  EXPECT_FALSE(at(0).has_exp) << "claims are not read after a bad header";
}

TEST_F(StageParse, BadHeaderEachProblem) {
  policy.typ = "JWT";
  policy.max_header_members = 4;
  const std::string long_kid(kMaxKidBytes + 1, 'k');
  const std::vector<std::pair<std::string, HeaderProblem>> cases = {
      {R"({"typ":"JWT"})", HeaderProblem::no_alg},
      {R"({"alg":["HS256"],"typ":"JWT"})", HeaderProblem::alg_type},
      {R"({"alg":"HS256","kid":7,"typ":"JWT"})", HeaderProblem::kid_type},
      {R"({"alg":"HS256","typ":null})", HeaderProblem::typ_type},
      {R"({"alg":"HS256","typ":"JWT","crit":[]})", HeaderProblem::crit_type},
      {R"({"alg":"HS256","typ":"JWT","crit":"exp"})", HeaderProblem::crit_type},
      {R"({"alg":"HS256","typ":"JWT","crit":["a",1]})", HeaderProblem::crit_type},
      {R"({"alg":"HS256","typ":"at+jwt"})", HeaderProblem::typ_mismatch},
      {R"({"alg":"HS256"})", HeaderProblem::typ_mismatch},
      {R"({"alg":"HS256","typ":"application/JWT/x"})", HeaderProblem::typ_mismatch},
      {R"({"alg":"HS256","typ":"JWT","a":1,"b":2,"c":3})", HeaderProblem::too_many_members},
      {R"({"alg":"HS256","typ":"JWT","kid":")" + long_kid + "\"}", HeaderProblem::kid_too_long},
  };
  std::vector<std::string> tokens;
  for (const auto& c : cases) tokens.push_back(unsigned_token(c.first, kLive));
  staged(tokens, Stage::parse);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].first);
    EXPECT_VERDICT(at(i), Status::bad_header, cases[i].second);
    EXPECT_FALSE(at(i).has_exp) << "claims are not read after a bad header";
  }
  EXPECT_FALSE(at(cases.size() - 1).has_kid);
}

TEST_F(StageParse, HeaderMembersExactlyAtTheLimit) {
  policy.max_header_members = 4;
  EXPECT_VERDICT(one(unsigned_token(R"({"alg":"HS256","typ":"JWT","a":1,"b":2})", kLive), Stage::parse),
                 Status::ok, 0);
}

// Policy::max_json_depth: "nesting deeper than this (the top-level object counts as 1) is
// bad_json". Three levels are within a limit of 3 whether the innermost container is empty or not.
TEST_F(StageParse, JsonDepthExactlyAtAndOneOver) {
  policy.max_json_depth = 3;
  staged({unsigned_token(kHsHeader, R"({"exp":1,"a":[[]]})"), unsigned_token(kHsHeader, R"({"exp":1,"a":[[1]]})"),
          unsigned_token(kHsHeader, R"({"exp":1,"a":[{"b":1}]})"), unsigned_token(kHsHeader, R"({"exp":1,"a":[[[]]]})")},
         Stage::parse);
  EXPECT_VERDICT(at(0), Status::ok, 0) << "3 levels, the innermost empty";
  EXPECT_VERDICT(at(1), Status::ok, 0) << "3 levels, the innermost holding a number";
  EXPECT_VERDICT(at(2), Status::ok, 0) << "3 levels, the innermost holding a member";
  EXPECT_VERDICT(at(3), Status::bad_json, JsonPart::claims) << "4 levels";
}

// A registered claim of the wrong type is a claims-group verdict: it goes to claim_status (reported
// only once the signature holds), and the status stays ok. The first bad claim is kept.
TEST_F(StageParse, BadClaimGoesToClaimStatus) {
  const std::vector<std::pair<std::string, ClaimName>> cases = {
      {R"({"exp":"1767229200"})", ClaimName::exp},
      {R"({"exp":1,"nbf":true})", ClaimName::nbf},
      {R"({"exp":1,"iat":null})", ClaimName::iat},
      {R"({"exp":1,"iss":["a"]})", ClaimName::iss},
      {R"({"exp":1,"aud":1})", ClaimName::aud},
      {R"({"exp":1,"aud":["a",2]})", ClaimName::aud},
      {R"({"exp":1,"sub":1})", ClaimName::sub},
      {R"({"exp":1,"jti":{}})", ClaimName::jti},
      {R"({"sub":1,"exp":"x","jti":2})", ClaimName::sub},
  };
  std::vector<std::string> tokens;
  for (const auto& c : cases) tokens.push_back(unsigned_token(kHsHeader, c.first));
  staged(tokens, Stage::parse);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].first);
    EXPECT_VERDICT(at(i), Status::ok, 0);
    EXPECT_CLAIM_VERDICT(at(i), Status::bad_claim, cases[i].second);
  }
  EXPECT_FALSE(at(0).has_exp);
  EXPECT_EQ(at(0).required_seen, 1u) << "a required claim is present whatever its type";
}

std::string aud_claims(size_t n) {
  std::string c = R"({"exp":1,"aud":[)";
  for (size_t i = 0; i < n; ++i) c += (i ? ",\"a" : "\"a") + std::to_string(i) + "\"";
  return c + "]}";
}

TEST_F(StageParse, AudArrayExactlyAtAndOneOverTheLimit) {
  policy.max_aud_values = 3;
  staged({unsigned_token(kHsHeader, aud_claims(3)), unsigned_token(kHsHeader, aud_claims(4))}, Stage::parse);
  EXPECT_CLAIM_VERDICT(at(0), Status::ok, 0);
  ASSERT_EQ(at(0).aud_count, 3u);
  EXPECT_EQ(ws.aud_pool[at(0).aud_begin + 2], "a2");
  EXPECT_VERDICT(at(1), Status::ok, 0);
  EXPECT_CLAIM_VERDICT(at(1), Status::bad_claim, kAudTooLong);
  EXPECT_EQ(at(1).aud_count, 0u) << "none of it copied";
}

// Identical header bytes take the last parse's result: its verdict as well as its fields.
TEST_F(StageParse, RepeatedHeaderTakesTheCachedResult) {
  policy.typ = "JWT";
  const std::string bad = R"({"alg":"HS256","kid":"hs"})";  // no typ: typ_mismatch
  const std::string good = R"({"alg":"HS256","kid":"hs","typ":"JWT"})";
  staged({unsigned_token(bad, kLive), unsigned_token(bad, kLive), unsigned_token(good, kLive),
          unsigned_token(good, exp_claims(5))},
         Stage::parse);
  EXPECT_VERDICT(at(1), Status::bad_header, HeaderProblem::typ_mismatch);
  EXPECT_VERDICT(at(2), Status::ok, 0);
  EXPECT_VERDICT(at(3), Status::ok, 0);
  EXPECT_EQ(at(3).alg, Alg::hs256);
  EXPECT_EQ(at(3).kid, "hs");
  EXPECT_EQ(at(3).exp, 5.0) << "claims are parsed per token";
}

// ---- Stage 4: resolve (hand-built header fields) ---------------------------------------------

TokenWork header_work(Alg alg, std::string_view kid = {}, bool has_kid = true) {
  TokenWork w;
  w.alg = alg;
  w.has_kid = has_kid && !kid.empty();
  w.kid = kid;
  return w;
}

using StageResolve = StageRig;

TEST_F(StageResolve, KidAndAlgChooseTheKey) {
  load_work({header_work(Alg::rs256, "rs"), header_work(Alg::ps256, "ps"), header_work(Alg::eddsa, "ed")});
  run(Stage::resolve);
  EXPECT_VERDICT(at(0), Status::ok, 0);
  EXPECT_EQ(at(0).key_index, key_of("rs"));
  EXPECT_EQ(at(1).key_index, key_of("ps"));
  EXPECT_EQ(at(2).key_index, key_of("ed"));
  EXPECT_EQ(stats.tokens, 3u);
}

TEST_F(StageResolve, EachFailure) {
  policy.algs = {Alg::hs256, Alg::rs256, Alg::ps256};
  TokenWork none = header_work(Alg::unknown, "hs");
  none.detail = static_cast<uint32_t>(AlgProblem::none);  // parse saw "none"
  TokenWork crit = header_work(Alg::hs256, "hs");
  crit.has_crit = true;
  TokenWork crit_and_unknown = crit;
  crit_and_unknown.alg = Alg::unknown;
  load_work({header_work(Alg::unknown, "hs"), none, crit, crit_and_unknown,
             header_work(Alg::es256, "es"),    // outside the policy's algs
             header_work(Alg::hs256, "nope"),  // no such kid
             header_work(Alg::rs256, "hs"),    // the kid's key is HMAC: algorithm confusion
             header_work(Alg::ps256, "rs")});  // the kid's key is bound to RS256
  run(Stage::resolve);
  EXPECT_VERDICT(at(0), Status::unsupported_alg, AlgProblem::other);
  EXPECT_VERDICT(at(1), Status::unsupported_alg, AlgProblem::none);
  EXPECT_VERDICT(at(2), Status::unsupported_crit, 0);
  EXPECT_VERDICT(at(3), Status::unsupported_alg, AlgProblem::other) << "alg first, then crit";
  EXPECT_VERDICT(at(4), Status::alg_not_allowed, 0);
  EXPECT_VERDICT(at(5), Status::key_not_found, KeyProblem::kid_unknown);
  EXPECT_VERDICT(at(6), Status::alg_not_allowed, KeyProblem::kid_other_family);
  EXPECT_VERDICT(at(7), Status::alg_not_allowed, KeyProblem::kid_other_family);
  for (const TokenWork& w : ws.work) EXPECT_EQ(w.key_index, kNoKey);
}

// The kid lookup is exact: no prefix, no case folding.
TEST_F(StageResolve, KidMatchesExactly) {
  load_work({header_work(Alg::hs256, "h"), header_work(Alg::hs256, "HS"), header_work(Alg::hs256, "hs ")});
  run(Stage::resolve);
  for (const TokenWork& w : ws.work) EXPECT_VERDICT(w, Status::key_not_found, KeyProblem::kid_unknown);
}

TEST_F(StageResolve, KidlessTokensLeaveTheKeyToVerify) {
  policy.max_kidless_keys = 1;  // one HS256 key: exactly at the limit
  load_work({header_work(Alg::hs256)});
  run(Stage::resolve);
  EXPECT_VERDICT(at(0), Status::ok, 0);
  EXPECT_EQ(at(0).key_index, kNoKey);
  policy.max_kidless_keys = 0;  // one over
  load_work({header_work(Alg::hs256)});
  run(Stage::resolve);
  EXPECT_VERDICT(at(0), Status::key_not_found, KeyProblem::kid_required);
}

// no_key_for_alg needs an allowed alg no key serves, which a Verifier's context never has
// (allowed is within permitted): set the context's allow-list by hand.
TEST_F(StageResolve, KidlessWithoutAnyKeyForTheAlg) {
  load_work({header_work(Alg::hs512)});
  BatchContext ctx = context();
  ctx.allowed.add(Alg::hs512);
  resolve_chunk(ctx, chunk(), stats);
  EXPECT_VERDICT(at(0), Status::key_not_found, KeyProblem::no_key_for_alg);
}

TEST_F(StageResolve, DuplicateKidsPickTheKeyOfTheAlg) {
  KeySetBuilder b;
  std::string error;
  const std::vector<uint8_t> secret(32, 7);
  ASSERT_TRUE(b.add_hmac_secret(secret, "dup", Alg::hs256, &error)) << error;
  ASSERT_TRUE(b.add_pem(test::test_keys().rsa_public_pem(), "dup", Alg::rs256, &error)) << error;
  ASSERT_TRUE(b.add_pem(test::test_keys().rsa_public_pem(), "dup", Alg::ps256, &error)) << error;
  keys_ = b.build(&error);
  ASSERT_TRUE(keys_) << error;
  load_work({header_work(Alg::ps256, "dup"), header_work(Alg::hs256, "dup"), header_work(Alg::rs256, "dup"),
             header_work(Alg::rs384, "dup")});
  run(Stage::resolve);
  EXPECT_EQ(at(0).key_index, 2u);
  EXPECT_EQ(at(1).key_index, 0u);
  EXPECT_EQ(at(2).key_index, 1u);
  EXPECT_VERDICT(at(3), Status::alg_not_allowed, 0) << "RS384: no key of the set permits it";
}

// A kid the key set skipped as of an unimplemented algorithm (Ed448) is unsupported_alg, not
// key_not_found.
TEST_F(StageResolve, KidOfAnUnsupportedKey) {
  const std::string jwks = R"({"keys":[{"kty":"OKP","crv":"Ed448","kid":"ed448","x":"AA"},)" +
                           test::test_keys().jwks().substr(9);  // the test keys after them
  std::string error;
  keys_ = KeySet::from_jwks(jwks, &error);
  ASSERT_TRUE(keys_) << error;
  load_work({header_work(Alg::eddsa, "ed448"), header_work(Alg::eddsa, "ed")});
  run(Stage::resolve);
  EXPECT_VERDICT(at(0), Status::unsupported_alg, AlgProblem::other);
  EXPECT_VERDICT(at(1), Status::ok, 0);
}

// ---- Stage 5: check (hand-built claim fields) ------------------------------------------------

// with_time returns the claim fields of a live token (exp an hour ahead, seen as the default
// policy's one required claim) with one time claim set: `has` and `field` name it.
TokenWork with_time(bool TokenWork::*has, double TokenWork::*field, double value) {
  TokenWork w;
  w.has_exp = true;
  w.exp = kNow + 3600;
  w.required_seen = 1;
  w.*has = true;
  w.*field = value;
  return w;
}
TokenWork with_exp(double exp) { return with_time(&TokenWork::has_exp, &TokenWork::exp, exp); }
TokenWork with_nbf(double nbf) { return with_time(&TokenWork::has_nbf, &TokenWork::nbf, nbf); }
TokenWork with_iat(double iat) { return with_time(&TokenWork::has_iat, &TokenWork::iat, iat); }

using StageCheck = StageRig;

TEST_F(StageCheck, ValidClaimsLeaveEverythingOk) {
  load_work({with_exp(kNow + 1)});
  run(Stage::check);
  EXPECT_VERDICT(at(0), Status::ok, 0);
  EXPECT_CLAIM_VERDICT(at(0), Status::ok, 0);
}

// Stage 5 records its verdict aside and never changes the status: a forged token must still be
// reported as forged by stage 6.
TEST_F(StageCheck, VerdictGoesToClaimStatusOnly) {
  load_work({with_exp(kNow - 100)});
  run(Stage::check);
  EXPECT_VERDICT(at(0), Status::ok, 0);
  EXPECT_CLAIM_VERDICT(at(0), Status::expired, TimeProblem::exp);
}

TEST_F(StageCheck, ExpAndNbfLeewayEdges) {
  policy.leeway_s = 60;
  load_work({with_exp(kNow - 60), with_exp(kNow - 59), with_exp(kNow - 59.5), with_nbf(kNow + 60),
             with_nbf(kNow + 61), with_nbf(kNow + 60.5)});
  run(Stage::check);
  EXPECT_CLAIM_VERDICT(at(0), Status::expired, TimeProblem::exp) << "exp == now - leeway";
  EXPECT_CLAIM_VERDICT(at(1), Status::ok, 0);
  EXPECT_CLAIM_VERDICT(at(2), Status::ok, 0) << "fractional exp";
  EXPECT_CLAIM_VERDICT(at(3), Status::ok, 0) << "nbf == now + leeway";
  EXPECT_CLAIM_VERDICT(at(4), Status::not_yet_valid, TimeProblem::nbf);
  EXPECT_CLAIM_VERDICT(at(5), Status::not_yet_valid, TimeProblem::nbf);
}

TEST_F(StageCheck, MaxAgeEdges) {
  policy.leeway_s = 10;
  policy.max_age_s = 300;
  load_work({with_exp(kNow + 3600), with_iat(kNow - 310), with_iat(kNow - 311), with_iat(kNow + 10),
             with_iat(kNow + 11)});
  run(Stage::check);
  EXPECT_CLAIM_VERDICT(at(0), Status::missing_claim, kMissingIat);
  EXPECT_CLAIM_VERDICT(at(1), Status::ok, 0) << "iat exactly max_age + leeway old";
  EXPECT_CLAIM_VERDICT(at(2), Status::expired, TimeProblem::iat_too_old);
  EXPECT_CLAIM_VERDICT(at(3), Status::ok, 0) << "iat == now + leeway";
  EXPECT_CLAIM_VERDICT(at(4), Status::not_yet_valid, TimeProblem::iat_future);
}

TEST_F(StageCheck, RequiredClaimsByIndex) {
  policy.required_claims = {"exp", "sub", "tenant"};
  TokenWork no_sub = with_exp(kNow + 1);
  no_sub.required_seen = 0b101;
  TokenWork none = with_exp(kNow - 100);  // expired too: missing_claim comes first
  none.required_seen = 0;
  TokenWork all = with_exp(kNow + 1);
  all.required_seen = 0b111;
  load_work({no_sub, none, all});
  run(Stage::check);
  EXPECT_CLAIM_VERDICT(at(0), Status::missing_claim, 1);
  EXPECT_CLAIM_VERDICT(at(1), Status::missing_claim, 0);
  EXPECT_CLAIM_VERDICT(at(2), Status::ok, 0);
}

TEST_F(StageCheck, IssuerAndAudience) {
  policy.issuers = {"a", "b"};
  policy.audiences = {"api", "web"};
  ws.aud_pool = {"x", "web", "other"};
  auto claims = [](std::string_view iss, uint32_t aud_begin, uint32_t aud_count) {
    TokenWork w = with_exp(kNow + 1);
    w.has_iss = !iss.empty();
    w.iss = iss;
    w.has_aud = aud_count != 0;
    w.aud_begin = aud_begin;
    w.aud_count = aud_count;
    return w;
  };
  load_work({claims("b", 0, 2), claims("", 0, 2), claims("c", 0, 2), claims("a", 0, 0), claims("a", 0, 1),
             claims("a", 2, 1)});
  run(Stage::check);
  EXPECT_CLAIM_VERDICT(at(0), Status::ok, 0) << "the second aud value matches";
  EXPECT_CLAIM_VERDICT(at(1), Status::missing_claim, kMissingIss);
  EXPECT_CLAIM_VERDICT(at(2), Status::bad_issuer, 0);
  EXPECT_CLAIM_VERDICT(at(3), Status::missing_claim, kMissingAud);
  EXPECT_CLAIM_VERDICT(at(4), Status::bad_audience, 0);
  EXPECT_CLAIM_VERDICT(at(5), Status::bad_audience, 0);
}

// Order within the claims group: bad_claim (from parse), missing_claim, expired, not_yet_valid,
// bad_issuer, bad_audience.
TEST_F(StageCheck, OrderWithinTheClaimsGroup) {
  policy.issuers = {"a"};
  policy.audiences = {"api"};
  TokenWork all_wrong = with_exp(kNow - 1);  // expired, not yet valid, wrong iss, no aud
  all_wrong.has_nbf = true;
  all_wrong.nbf = kNow + 100;
  all_wrong.has_iss = true;
  all_wrong.iss = "z";
  TokenWork bad_claim = all_wrong;
  bad_claim.claim_status = Status::bad_claim;
  bad_claim.claim_detail = static_cast<uint32_t>(ClaimName::sub);
  TokenWork not_yet = all_wrong;
  not_yet.exp = kNow + 1;
  TokenWork issuer = not_yet;
  issuer.nbf = kNow;
  load_work({bad_claim, all_wrong, not_yet, issuer});
  run(Stage::check);
  EXPECT_CLAIM_VERDICT(at(0), Status::bad_claim, ClaimName::sub);
  EXPECT_CLAIM_VERDICT(at(1), Status::expired, TimeProblem::exp);
  EXPECT_CLAIM_VERDICT(at(2), Status::not_yet_valid, TimeProblem::nbf);
  EXPECT_CLAIM_VERDICT(at(3), Status::bad_issuer, 0);
}

// ---- Stage 6: verify -------------------------------------------------------------------------

using StageVerify = StageRig;

TEST_F(StageVerify, SignaturesInAMixedChunkLandInInputOrder) {
  const std::string forged = make_token("HS256", kHsHeader, kLive, std::vector<uint8_t>(32, 1));
  staged({make_token("ES256", R"({"alg":"ES256","kid":"es"})", kLive), make_token("HS256", kHsHeader, kLive),
          forged, make_token("EdDSA", R"({"alg":"EdDSA","kid":"ed"})", kLive),
          make_token("RS256", R"({"alg":"RS256","kid":"rs"})", kLive), make_token("HS256", kHsHeader, kLive)},
         Stage::verify);
  const std::vector<std::string_view> kids = {"es", "hs", "", "ed", "rs", "hs"};
  for (size_t i = 0; i < kids.size(); ++i) {
    SCOPED_TRACE(i);
    if (i == 2) continue;
    EXPECT_VERDICT(at(i), Status::ok, 0);
    EXPECT_EQ(at(i).key_index, key_of(kids[i]));
  }
  EXPECT_VERDICT(at(2), Status::bad_signature, 0);
  EXPECT_EQ(stats.tokens, 6u);
}

TEST_F(StageVerify, EmptyOrTruncatedSignatureIsBadSignature) {
  const std::string input = b64url(kHsHeader) + "." + b64url(kLive);
  const std::vector<uint8_t> sig = test::sign("HS256", input);
  staged({input + ".", input + "." + b64url(std::span(sig).first(sig.size() - 1))}, Stage::verify);
  EXPECT_VERDICT(at(0), Status::bad_signature, 0);
  EXPECT_VERDICT(at(1), Status::bad_signature, 0);
}

// DESIGN.md "Verdicts": the claims verdict of stage 5 is reported only when the signature holds.
TEST_F(StageVerify, ForgedBeatsExpiredAndValidReportsTheClaims) {
  const std::string expired = exp_claims(kNow - 100);
  staged({make_token("HS256", kHsHeader, expired, std::vector<uint8_t>(32, 1)),
          make_token("HS256", kHsHeader, expired)},
         Stage::check);
  EXPECT_CLAIM_VERDICT(at(0), Status::expired, TimeProblem::exp);
  EXPECT_CLAIM_VERDICT(at(1), Status::expired, TimeProblem::exp);
  run(Stage::verify);
  EXPECT_VERDICT(at(0), Status::bad_signature, 0);
  EXPECT_VERDICT(at(1), Status::expired, TimeProblem::exp);
}

// Without kid, every key of the alg is tried in key order; the one that holds is recorded.
TEST_F(StageVerify, KidlessTriesEveryKeyOfTheAlg) {
  const std::vector<uint8_t> first(32, 1), second(32, 2);
  KeySetBuilder b;
  std::string error;
  ASSERT_TRUE(b.add_hmac_secret(first, "", Alg::hs256, &error)) << error;
  ASSERT_TRUE(b.add_hmac_secret(second, "", Alg::hs256, &error)) << error;
  keys_ = b.build(&error);
  ASSERT_TRUE(keys_) << error;
  const std::string header = R"({"alg":"HS256"})";
  staged({make_token("HS256", header, kLive, second), make_token("HS256", header, kLive, first),
          make_token("HS256", header, kLive, std::vector<uint8_t>(32, 3))},
         Stage::verify);
  EXPECT_VERDICT(at(0), Status::ok, 0);
  EXPECT_EQ(at(0).key_index, 1u);
  EXPECT_VERDICT(at(1), Status::ok, 0);
  EXPECT_EQ(at(1).key_index, 0u);
  EXPECT_VERDICT(at(2), Status::bad_signature, 0);
  EXPECT_EQ(at(2).key_index, kNoKey);
}

// The key comes from stage 4, never from the token: the same valid token checked against another
// key (as if resolve had chosen it) fails.
TEST_F(StageVerify, UsesTheKeyResolveChose) {
  load({make_token("ES256", R"({"alg":"ES256","kid":"es"})", kLive)});
  run_before(Stage::verify);
  ASSERT_EQ(at(0).key_index, key_of("es"));
  at(0).key_index = key_of("hs");
  run(Stage::verify);
  EXPECT_VERDICT(at(0), Status::bad_signature, 0);
}

}  // namespace
}  // namespace jwtbatch::engine
