// capi_test.cpp: the C API (include/jwtbatch/jwtbatch.h) in-process: options, every algorithm,
// selected claims, describe, claim values, batch == single, stats, key rotation (also while
// threads verify), and the verified-token cache through the API.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "jwtbatch/jwtbatch.h"
#include "jwtbatch/jwtbatch.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch {
namespace {

using test::make_token;

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

std::string hdr(std::string_view alg, std::string_view kid) {
  return std::string("{\"alg\":\"") + std::string(alg) + "\",\"kid\":\"" + std::string(kid) + "\"}";
}

struct OptionsDeleter {
  void operator()(jwtbatch_options* o) const { jwtbatch_options_free(o); }
};
struct VerifierDeleter {
  void operator()(jwtbatch_verifier* v) const { jwtbatch_verifier_free(v); }
};
using OptionsPtr = std::unique_ptr<jwtbatch_options, OptionsDeleter>;
using VerifierPtr = std::unique_ptr<jwtbatch_verifier, VerifierDeleter>;

OptionsPtr options(std::initializer_list<std::pair<const char*, const char*>> kv) {
  OptionsPtr o(jwtbatch_options_new());
  char err[256];
  for (auto [k, v] : kv) EXPECT_EQ(jwtbatch_options_set(o.get(), k, v, err, sizeof err), 0) << k << ": " << err;
  return o;
}

VerifierPtr make_verifier(const std::string& jwks, const jwtbatch_options* o) {
  char msg[512];
  VerifierPtr v(jwtbatch_verifier_new(jwks.data(), jwks.size(), o, msg, sizeof msg));
  EXPECT_TRUE(v) << msg;
  return v;
}

int verify(const jwtbatch_verifier* v, const std::string& token, int64_t now, jwtbatch_result* r,
           std::string* claims = nullptr) {
  char buf[1024];
  const int s = jwtbatch_verify(v, token.data(), token.size(), now, r, buf, sizeof buf);
  if (claims) *claims = r->claims_len ? std::string(buf) : std::string();
  return s;
}

jwtbatch_stats stats(const jwtbatch_verifier* v) {
  jwtbatch_stats s;
  EXPECT_EQ(jwtbatch_verifier_stats(v, &s, sizeof s), 0);
  return s;
}

TEST(CApi, NamesAndVersion) {
  EXPECT_EQ(jwtbatch_api_version(), JWTBATCH_C_API_VERSION);
  for (int s = 0; s < JWTBATCH_NUM_STATUSES; ++s)
    EXPECT_EQ(std::string_view(jwtbatch_status_name(s)), to_string(static_cast<Status>(s)));
  EXPECT_STREQ(jwtbatch_status_name(-1), "unknown");
  EXPECT_STREQ(jwtbatch_status_name(JWTBATCH_NUM_STATUSES), "unknown");
  EXPECT_STREQ(jwtbatch_alg_name(JWTBATCH_ES256), "ES256");
  EXPECT_STREQ(jwtbatch_alg_name(JWTBATCH_EDDSA), "EdDSA");
  EXPECT_STREQ(jwtbatch_alg_name(0), "");
  EXPECT_STREQ(jwtbatch_alg_name(99), "");
}

TEST(CApi, OptionsRejectBadValues) {
  OptionsPtr o(jwtbatch_options_new());
  char err[256];
  EXPECT_EQ(jwtbatch_options_set(o.get(), "nope", "1", err, sizeof err), -1);
  EXPECT_NE(std::string(err).find("unknown option"), std::string::npos);
  EXPECT_EQ(jwtbatch_options_set(o.get(), "alg", "none", err, sizeof err), -1);
  EXPECT_EQ(jwtbatch_options_set(o.get(), "alg", "", err, sizeof err), -1);
  EXPECT_EQ(jwtbatch_options_set(o.get(), "leeway", "-1", err, sizeof err), -1);
  EXPECT_EQ(jwtbatch_options_set(o.get(), "leeway", "12x", err, sizeof err), -1);
  EXPECT_EQ(jwtbatch_options_set(o.get(), "claims", "a\"b", err, sizeof err), -1);
  EXPECT_EQ(jwtbatch_options_set(o.get(), "cache_size", "99999999999", err, sizeof err), -1);
  EXPECT_EQ(jwtbatch_options_set(nullptr, "alg", "HS256", err, sizeof err), -1);
  EXPECT_EQ(jwtbatch_options_set(o.get(), "alg", "HS256, ES256", err, sizeof err), 0) << err;
}

TEST(CApi, BadJwksFailsWithAReason) {
  char msg[256];
  EXPECT_EQ(jwtbatch_verifier_new("{", 1, nullptr, msg, sizeof msg), nullptr);
  EXPECT_STRNE(msg, "");
  EXPECT_EQ(jwtbatch_verifier_new(nullptr, 5, nullptr, msg, sizeof msg), nullptr);
}

TEST(CApi, EveryAlgorithmAndForgery) {
  VerifierPtr v = make_verifier(test::test_keys().jwks(), nullptr);
  for (auto [alg, kid] : {std::pair{"HS256", "hs"}, {"RS256", "rs"}, {"PS256", "ps"}, {"ES256", "es"}, {"EdDSA", "ed"}}) {
    const std::string token = make_token(alg, hdr(alg, kid), "{\"exp\":" + std::to_string(kNow + 60) + "}");
    jwtbatch_result r;
    EXPECT_EQ(verify(v.get(), token, kNow, &r), JWTBATCH_OK) << alg;
    EXPECT_STREQ(jwtbatch_alg_name(r.alg), alg);
    EXPECT_EQ(r.has_exp, 1);
    EXPECT_EQ(r.exp, kNow + 60);
    EXPECT_EQ(r.from_cache, 0);
    std::string forged = token;
    forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
    EXPECT_EQ(verify(v.get(), forged, kNow, &r), JWTBATCH_BAD_SIGNATURE) << alg;
    EXPECT_EQ(verify(v.get(), token, kNow + 60, &r), JWTBATCH_EXPIRED) << alg;
  }
  jwtbatch_result r;
  EXPECT_EQ(jwtbatch_verify(v.get(), nullptr, 0, kNow, &r, nullptr, 0), JWTBATCH_MALFORMED);
  EXPECT_EQ(jwtbatch_verify(nullptr, "a.b.c", 5, kNow, &r, nullptr, 0), JWTBATCH_MALFORMED);
  EXPECT_EQ(jwtbatch_verify(v.get(), "a.b.c", 5, kNow, nullptr, nullptr, 0), JWTBATCH_MALFORMED);
}

TEST(CApi, SelectedClaimsAsJsonAndValues) {
  OptionsPtr o = options({{"claims", "sub,scope"}, {"claims", "n,missing,obj"}});
  VerifierPtr v = make_verifier(test::test_keys().jwks(), o.get());
  const std::string token = make_token(
      "ES256", hdr("ES256", "es"),
      "{\"exp\":" + std::to_string(kNow + 60) +
          ",\"sub\":\"al\\u0069ce\",\"scope\":\"read write\",\"n\":42,\"obj\":{\"a\": [1, 2]},\"evil\":\"a\\r\\nX: y\"}");
  jwtbatch_result r;
  std::string claims;
  ASSERT_EQ(verify(v.get(), token, kNow, &r, &claims), JWTBATCH_OK);
  EXPECT_EQ(claims, R"({"sub":"alice","scope":"read write","n":42,"obj":{"a":[1,2]}})");
  EXPECT_EQ(r.claims_len, claims.size());

  char value[64];
  size_t len = 0;
  EXPECT_EQ(jwtbatch_claim_value(claims.data(), claims.size(), "sub", value, sizeof value, &len), 1);
  EXPECT_STREQ(value, "alice");
  EXPECT_EQ(len, 5u);
  EXPECT_EQ(jwtbatch_claim_value(claims.data(), claims.size(), "n", value, sizeof value, &len), 1);
  EXPECT_STREQ(value, "42");
  EXPECT_EQ(jwtbatch_claim_value(claims.data(), claims.size(), "obj", value, sizeof value, &len), 1);
  EXPECT_STREQ(value, "{\"a\":[1,2]}");
  EXPECT_EQ(jwtbatch_claim_value(claims.data(), claims.size(), "missing", value, sizeof value, &len), 0);
  EXPECT_EQ(jwtbatch_claim_value(claims.data(), claims.size(), "scope", value, 4, &len), -1);
  EXPECT_EQ(len, 10u);
  EXPECT_EQ(jwtbatch_claim_value("[1]", 3, "a", value, sizeof value, &len), -3);
  EXPECT_EQ(jwtbatch_claim_value("{\"a\":", 5, "a", value, sizeof value, &len), -3);
  const std::string evil = R"({"evil":"a\r\nX: y"})";
  EXPECT_EQ(jwtbatch_claim_value(evil.data(), evil.size(), "evil", value, sizeof value, &len), -2);

  // A buffer too small: nothing written, the length needed reported.
  char small[8] = "xxxxxxx";
  EXPECT_EQ(jwtbatch_verify(v.get(), token.data(), token.size(), kNow, &r, small, sizeof small), JWTBATCH_OK);
  EXPECT_EQ(small[0], '\0');
  EXPECT_EQ(r.claims_len, claims.size());
  // No claims on failure.
  EXPECT_EQ(verify(v.get(), token, kNow + 61, &r, &claims), JWTBATCH_EXPIRED);
  EXPECT_EQ(r.claims_len, 0u);
}

TEST(CApi, DescribeIsHeaderSafe) {
  OptionsPtr o = options({{"require", "exp,tenant"}});
  VerifierPtr v = make_verifier(test::test_keys().jwks(), o.get());
  jwtbatch_result r;
  const std::string expired = make_token("HS256", hdr("HS256", "hs"), "{\"exp\":1767225000,\"tenant\":1}");
  ASSERT_EQ(verify(v.get(), expired, kNow, &r), JWTBATCH_EXPIRED);
  char text[128];
  const size_t n = jwtbatch_describe(v.get(), &r, text, sizeof text);
  EXPECT_STREQ(text, "token expired at 2025-12-31T23:50:00Z");
  EXPECT_EQ(n, std::strlen(text));
  const std::string no_tenant = make_token("HS256", hdr("HS256", "hs"), "{\"exp\":1767229000}");
  ASSERT_EQ(verify(v.get(), no_tenant, kNow, &r), JWTBATCH_MISSING_CLAIM);
  jwtbatch_describe(v.get(), &r, text, sizeof text);
  EXPECT_STREQ(text, "missing required claim 'tenant'");  // no '"': RFC 6750 quoted-string
  EXPECT_EQ(jwtbatch_describe(v.get(), &r, text, 8), std::strlen("missing required claim 'tenant'"));
  EXPECT_STREQ(text, "missing");
}

TEST(CApi, BatchEqualsSingleAndCounts) {
  OptionsPtr o = options({{"threads", "2"}});
  VerifierPtr v = make_verifier(test::test_keys().jwks(), o.get());
  std::vector<std::string> tokens;
  for (int i = 0; i < 1200; ++i) {
    const char* alg = i % 3 == 0 ? "HS256" : i % 3 == 1 ? "ES256" : "EdDSA";
    const char* kid = i % 3 == 0 ? "hs" : i % 3 == 1 ? "es" : "ed";
    std::string t = make_token(alg, hdr(alg, kid), "{\"exp\":" + std::to_string(kNow + (i % 7 == 0 ? -1 : 60)) + "}");
    if (i % 11 == 0) t[t.size() - 2] ^= 1;
    tokens.push_back(t);
  }
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& t : tokens) {
    ptrs.push_back(t.data());
    lens.push_back(t.size());
  }
  std::vector<jwtbatch_result> out(tokens.size());
  ASSERT_EQ(jwtbatch_verify_batch(v.get(), ptrs.data(), lens.data(), tokens.size(), kNow, out.data()), 0);
  uint64_t counts[JWTBATCH_NUM_STATUSES] = {};
  for (size_t i = 0; i < tokens.size(); ++i) {
    jwtbatch_result r;
    EXPECT_EQ(verify(v.get(), tokens[i], kNow, &r), out[i].status) << i;
    EXPECT_EQ(r.alg, out[i].alg);
    EXPECT_EQ(r.exp, out[i].exp);
    counts[out[i].status] += 2;
  }
  EXPECT_GT(counts[JWTBATCH_OK], 0u);
  EXPECT_GT(counts[JWTBATCH_EXPIRED], 0u);
  EXPECT_GT(counts[JWTBATCH_BAD_SIGNATURE] + counts[JWTBATCH_BAD_BASE64], 0u);
  const jwtbatch_stats s = stats(v.get());
  EXPECT_EQ(s.tokens, 2 * tokens.size());
  for (int i = 0; i < JWTBATCH_NUM_STATUSES; ++i) EXPECT_EQ(s.status_counts[i], counts[i]) << i;
  EXPECT_EQ(s.batches, 1u);
  std::string error;
  EXPECT_EQ(s.keys, KeySet::from_jwks(test::test_keys().jwks(), &error)->size());
  EXPECT_EQ(s.key_sets, 1u);
  EXPECT_EQ(s.cache_capacity, 0u);
  EXPECT_EQ(jwtbatch_verify_batch(v.get(), nullptr, lens.data(), 1, kNow, out.data()), -1);
}

TEST(CApi, StatsPrefixForOlderStructs) {
  VerifierPtr v = make_verifier(test::test_keys().jwks(), nullptr);
  jwtbatch_result r;
  verify(v.get(), "x", kNow, &r);
  uint64_t prefix[2] = {77, 77};
  ASSERT_EQ(jwtbatch_verifier_stats(v.get(), reinterpret_cast<jwtbatch_stats*>(prefix), sizeof(uint64_t)), 0);
  EXPECT_EQ(prefix[0], 1u);   // tokens
  EXPECT_EQ(prefix[1], 77u);  // untouched
}

// The cache through the C API: hits after the first ok, same verdict and claims, never past exp,
// never for failures, never across a key-set swap (the same kid with a new secret).
TEST(CApi, CacheHitsUntilExpAndOnlyForOk) {
  OptionsPtr o = options({{"cache_size", "64"}, {"claims", "sub"}, {"leeway", "5"}});
  VerifierPtr v = make_verifier(test::test_keys().jwks(), o.get());
  const std::string token =
      make_token("EdDSA", hdr("EdDSA", "ed"), "{\"sub\":\"bob\",\"exp\":" + std::to_string(kNow + 100) + "}");
  jwtbatch_result r;
  std::string claims;
  ASSERT_EQ(verify(v.get(), token, kNow, &r, &claims), JWTBATCH_OK);
  EXPECT_EQ(r.from_cache, 0);
  for (int64_t t : {kNow, kNow + 50, kNow + 104}) {
    std::string again;
    ASSERT_EQ(verify(v.get(), token, t, &r, &again), JWTBATCH_OK) << t;
    EXPECT_EQ(r.from_cache, 1) << t;
    EXPECT_EQ(again, claims);
    EXPECT_EQ(again, R"({"sub":"bob"})");
    EXPECT_EQ(r.exp, kNow + 100);
    EXPECT_STREQ(jwtbatch_alg_name(r.alg), "EdDSA");
  }
  // exp + leeway reached: verified again, and expired.
  EXPECT_EQ(verify(v.get(), token, kNow + 105, &r), JWTBATCH_EXPIRED);
  EXPECT_EQ(r.from_cache, 0);
  // Failures are never cached.
  std::string forged = token;
  forged[forged.size() - 4] = forged[forged.size() - 4] == 'A' ? 'B' : 'A';
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(verify(v.get(), forged, kNow, &r), JWTBATCH_BAD_SIGNATURE);
    EXPECT_EQ(r.from_cache, 0);
  }
  const jwtbatch_stats s = stats(v.get());
  EXPECT_EQ(s.cache_hits, 3u);
  EXPECT_EQ(s.cache_inserts, 1u);
  EXPECT_EQ(s.cache_misses, 5u);  // first, expired, 3 forged
  EXPECT_EQ(s.cache_expired, 1u);
  EXPECT_EQ(s.cache_capacity, 64u);
  EXPECT_EQ(s.tokens, 8u);
  EXPECT_EQ(s.status_counts[JWTBATCH_OK], 4u);
}

std::string hs_jwks(const std::string& secret) {
  return "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"hs\",\"alg\":\"HS256\",\"k\":\"" + test::b64url(secret) + "\"}]}";
}
std::string hs_token(const std::string& secret, int64_t exp) {
  return make_token("HS256", hdr("HS256", "hs"), "{\"exp\":" + std::to_string(exp) + "}",
                    std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(secret.data()), secret.size()));
}

TEST(CApi, KeySwapInvalidatesTheCache) {
  const std::string s1(64, 'a'), s2(64, 'b');
  OptionsPtr o = options({{"cache_size", "64"}});
  VerifierPtr v = make_verifier(hs_jwks(s1), o.get());
  const std::string t1 = hs_token(s1, kNow + 100);
  jwtbatch_result r;
  ASSERT_EQ(verify(v.get(), t1, kNow, &r), JWTBATCH_OK);
  ASSERT_EQ(verify(v.get(), t1, kNow, &r), JWTBATCH_OK);
  ASSERT_EQ(r.from_cache, 1);
  char msg[256];
  // A bad document keeps the old set (and its cache entries).
  EXPECT_EQ(jwtbatch_verifier_set_jwks(v.get(), "{]", 2, msg, sizeof msg), -1);
  EXPECT_STRNE(msg, "");
  ASSERT_EQ(verify(v.get(), t1, kNow, &r), JWTBATCH_OK);
  EXPECT_EQ(r.from_cache, 1);
  // Same kid, new secret: t1 must fail at once, though it is cached.
  const std::string jwks2 = hs_jwks(s2);
  ASSERT_EQ(jwtbatch_verifier_set_jwks(v.get(), jwks2.data(), jwks2.size(), msg, sizeof msg), 0) << msg;
  EXPECT_EQ(verify(v.get(), t1, kNow, &r), JWTBATCH_BAD_SIGNATURE);
  EXPECT_EQ(r.from_cache, 0);
  EXPECT_EQ(verify(v.get(), hs_token(s2, kNow + 100), kNow, &r), JWTBATCH_OK);
  // Swapping back to the first document makes a new key set: t1 is verified again, not served
  // from the entry of the first set.
  const std::string jwks1 = hs_jwks(s1);
  ASSERT_EQ(jwtbatch_verifier_set_jwks(v.get(), jwks1.data(), jwks1.size(), msg, sizeof msg), 0) << msg;
  EXPECT_EQ(verify(v.get(), t1, kNow, &r), JWTBATCH_OK);
  EXPECT_EQ(r.from_cache, 0);
  EXPECT_EQ(stats(v.get()).key_sets, 3u);
}

// Threads verify without pause while the key set is swapped back and forth between two secrets
// under one kid. No call may fail in any other way than the swap explains (each verdict is the
// right one for one of the two sets: ok or bad_signature), none may be lost from the counters,
// and after each swap returns, a fresh call sees the new set, cache or not.
TEST(CApi, KeySwapWhileThreadsVerify) {
  const std::string s1(64, 'c'), s2(64, 'd');
  const std::string jwks[2] = {hs_jwks(s1), hs_jwks(s2)};
  const std::string tokens[2] = {hs_token(s1, kNow + 100), hs_token(s2, kNow + 100)};
  for (const char* cache : {"0", "256"}) {
    OptionsPtr o = options({{"cache_size", cache}});
    VerifierPtr v = make_verifier(jwks[0], o.get());
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> calls{0}, unexpected{0}, ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        jwtbatch_result r;
        for (uint64_t i = 0; !stop.load(std::memory_order_relaxed) || i < 200; ++i) {
          const std::string& tok = tokens[(i + t) % 2];
          const int s = jwtbatch_verify(v.get(), tok.data(), tok.size(), kNow, &r, nullptr, 0);
          ++calls;
          if (s == JWTBATCH_OK) ++ok;
          else if (s != JWTBATCH_BAD_SIGNATURE) ++unexpected;
        }
      });
    }
    char msg[256];
    for (int swap = 1; swap <= 40; ++swap) {
      const int cur = swap % 2;
      ASSERT_EQ(jwtbatch_verifier_set_jwks(v.get(), jwks[cur].data(), jwks[cur].size(), msg, sizeof msg), 0);
      jwtbatch_result r;
      EXPECT_EQ(verify(v.get(), tokens[cur], kNow, &r), JWTBATCH_OK) << "swap " << swap;
      EXPECT_EQ(verify(v.get(), tokens[1 - cur], kNow, &r), JWTBATCH_BAD_SIGNATURE) << "swap " << swap;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    stop = true;
    for (auto& th : threads) th.join();
    EXPECT_EQ(unexpected.load(), 0u) << "cache " << cache;
    EXPECT_GT(ok.load(), 0u);
    const jwtbatch_stats s = stats(v.get());
    EXPECT_EQ(s.tokens, calls.load() + 80) << "cache " << cache;
    EXPECT_EQ(s.status_counts[JWTBATCH_OK] + s.status_counts[JWTBATCH_BAD_SIGNATURE], s.tokens);
    EXPECT_EQ(s.key_sets, 41u);
  }
}

TEST(CApi, CacheIsSkippedForOversizedTokens) {
  OptionsPtr o = options({{"cache_size", "64"}, {"max_token_bytes", "100"}});
  VerifierPtr v = make_verifier(test::test_keys().jwks(), o.get());
  const std::string token = make_token("HS256", hdr("HS256", "hs"), "{\"exp\":" + std::to_string(kNow + 100) + "}");
  ASSERT_GT(token.size(), 100u);
  jwtbatch_result r;
  EXPECT_EQ(verify(v.get(), token, kNow, &r), JWTBATCH_TOO_LARGE);
  EXPECT_EQ(stats(v.get()).cache_misses, 0u);  // not even hashed
}

}  // namespace
}  // namespace jwtbatch

namespace jwtbatch {
namespace {

std::string read_corpus(const char* name) {
  std::string path = std::string(JWTBATCH_SOURCE_DIR) + "/corpus/demo/" + name;
  FILE* f = std::fopen(path.c_str(), "rb");
  EXPECT_TRUE(f) << path;
  std::string s;
  if (!f) return s;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

struct CText {
  char* p = nullptr;
  size_t len = 0;
  ~CText() { jwtbatch_string_free(p); }
};

// The audit through the C API: two partitions cut at a line start, audited with first_line,
// merged, equal the whole buffer's report (the interchange JSON, byte for byte: one source, and
// the demo corpus has no replays); render gives the page and the summary; errors are reasons.
TEST(CApi, AuditPartitionsMergeToTheWhole) {
  const std::string jwks = read_corpus("jwks.json"), log = read_corpus("tokens.txt");
  OptionsPtr o = options({{"iss", "https://issuer.example.com"}, {"aud", "https://api.example.com"},
                          {"examples", "1000"}, {"threads", "2"}});
  VerifierPtr v = make_verifier(jwks, o.get());
  char err[256];
  CText whole, first, second, merged, html, summary;
  ASSERT_EQ(jwtbatch_audit_buffer(v.get(), log.data(), log.size(), 1, "demo", kNow, &whole.p, &whole.len, err,
                                  sizeof err), 0) << err;
  const size_t cut = log.find('\n', log.size() / 2) + 1;
  const uint64_t lines_before = static_cast<uint64_t>(std::count(log.begin(), log.begin() + cut, '\n'));
  ASSERT_EQ(jwtbatch_audit_buffer(v.get(), log.data(), cut, 1, "demo", kNow, &first.p, &first.len, err, sizeof err), 0);
  ASSERT_EQ(jwtbatch_audit_buffer(v.get(), log.data() + cut, log.size() - cut, lines_before + 1, "demo", kNow,
                                  &second.p, &second.len, err, sizeof err), 0);
  ASSERT_NE(std::string(first.p), std::string(whole.p));
  ASSERT_EQ(jwtbatch_audit_merge(first.p, first.len, second.p, second.len, &merged.p, &merged.len, err, sizeof err), 0)
      << err;
  EXPECT_EQ(std::string(merged.p, merged.len), std::string(whole.p, whole.len));
  const auto r = AuditReport::from_json(whole.p, nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->tokens, 901u);
  EXPECT_EQ(r->by_status[0], 720u);
  EXPECT_EQ(r->lines, 901u);
  ASSERT_EQ(jwtbatch_audit_render(merged.p, merged.len, "html", &html.p, &html.len, err, sizeof err), 0);
  EXPECT_NE(std::string_view(html.p).find("<svg"), std::string_view::npos);
  ASSERT_EQ(jwtbatch_audit_render(merged.p, merged.len, "summary", &summary.p, &summary.len, err, sizeof err), 0);
  EXPECT_NE(std::string_view(summary.p).find("long_lived"), std::string_view::npos);

  CText bad;
  EXPECT_EQ(jwtbatch_audit_render(merged.p, merged.len, "pdf", &bad.p, &bad.len, err, sizeof err), -1);
  EXPECT_EQ(bad.p, nullptr);
  EXPECT_EQ(jwtbatch_audit_merge("{}", 2, merged.p, merged.len, &bad.p, &bad.len, err, sizeof err), -1);
  EXPECT_NE(std::string_view(err).find("first report"), std::string_view::npos) << err;
  EXPECT_EQ(jwtbatch_audit_buffer(v.get(), log.data(), log.size(), 0, "demo", kNow, &bad.p, &bad.len, err, sizeof err), -1);
  EXPECT_EQ(jwtbatch_audit_buffer(nullptr, log.data(), log.size(), 1, "demo", kNow, &bad.p, &bad.len, err, sizeof err), -1);
  EXPECT_EQ(bad.p, nullptr);
  OptionsPtr e(jwtbatch_options_new());
  EXPECT_EQ(jwtbatch_options_set(e.get(), "extract", "yes", err, sizeof err), -1);
  EXPECT_EQ(jwtbatch_options_set(e.get(), "examples", "1001", err, sizeof err), -1);
  EXPECT_EQ(jwtbatch_options_set(e.get(), "extract", "1", err, sizeof err), 0);
}

}  // namespace
}  // namespace jwtbatch
