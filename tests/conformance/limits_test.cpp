// limits_test.cpp: every resource limit on hostile input, at its documented default, on both sides
// of the boundary, with its status or load error and its message (policy.hpp, keyset.hpp):
// token size, JSON depth (and its ceiling), header members, kid length (tokens and JWKS), aud
// values, keys tried for a kid-less token, JWKS size, key count, RSA modulus size and exponent.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/keys/keyset_data.hpp"
#include "jwtbatch/jwtbatch.hpp"
#include "tests/support/token_builder.hpp"
#include "tests/support/verifier_fixture.hpp"

namespace jwtbatch {
namespace {

using test::b64url;
using test::make_token;

constexpr UnixSeconds kNow = 1767225600;
const std::string kExp = std::to_string(kNow + 3600);
const std::string kHeader = "{\"alg\":\"HS256\",\"kid\":\"hs\"}";

using LimitsTest = test::VerifierFixture;

// nested returns `levels` nested arrays: "[[...]]".
std::string nested(size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); }

std::string aud_array(size_t n) {
  std::string a = "[";
  for (size_t i = 0; i < n; ++i) a += (i ? ",\"a" : "\"a") + std::to_string(i) + "\"";
  return a + "]";
}

// One JWK per call: an RSA "key" whose modulus is any odd number of `bits` bits (the loader cannot
// tell it from a product of two primes, and 1^e mod n = 1 passes its self-check).
std::string rsa_jwk(const std::string& kid, size_t bits, const std::vector<uint8_t>& e) {
  std::vector<uint8_t> n((bits + 7) / 8, 0x5a);
  n[0] = static_cast<uint8_t>(1u << ((bits - 1) % 8));
  n.back() |= 1;
  return "{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"n\":\"" + b64url(n) + "\",\"e\":\"" + b64url(e) + "\"}";
}

std::string hmac_jwk(const std::string& kid) {
  return "{\"kty\":\"oct\",\"kid\":\"" + kid + "\",\"alg\":\"HS256\",\"k\":\"" + b64url(std::string(32, 'k')) + "\"}";
}

TEST(Limits, DocumentedDefaults) {
  const Policy p;
  EXPECT_EQ(p.max_token_bytes, 64u * 1024);
  EXPECT_EQ(p.max_json_depth, 32u);
  EXPECT_EQ(p.max_header_members, 64u);
  EXPECT_EQ(p.max_aud_values, 256u);
  EXPECT_EQ(p.max_kidless_keys, 8u);
  EXPECT_EQ(kMaxJsonDepth, 1024u);
  EXPECT_EQ(kMaxKidBytes, 256u);
  EXPECT_EQ(kMaxJwksBytes, 4u << 20);
  EXPECT_EQ(kMaxKeys, 1024u);
}

TEST_F(LimitsTest, TokenSizeDefault64KiB) {
  // A token of exactly 65536 bytes passes; one byte more is too_large, and not decoded at all.
  std::string exact;
  const std::string base = "{\"exp\":" + kExp + ",\"pad\":\"\"}";
  const size_t claims_b64 = 65536 - b64url(kHeader).size() - 2 - 43;  // 43: an HS256 signature
  const size_t estimate = claims_b64 * 3 / 4 - base.size();
  for (size_t pad = estimate - 4; pad < estimate + 4 && exact.empty(); ++pad) {
    for (size_t spaces = 0; spaces < 3 && exact.empty(); ++spaces) {
      std::string t = make_token("HS256", kHeader + std::string(spaces, ' '),
                                 "{\"exp\":" + kExp + ",\"pad\":\"" + std::string(pad, 'x') + "\"}");
      if (t.size() == 64 * 1024) exact = t;
    }
  }
  ASSERT_EQ(exact.size(), 65536u);
  EXPECT_EQ(status(exact), Status::ok);
  std::string over = exact;
  over.insert(over.begin(), 'e');  // 65537 bytes, and no longer valid base64url JSON
  Verdict v = check(over);
  EXPECT_EQ(v.status, Status::too_large);
  EXPECT_EQ(explain(v, Policy{}), "token longer than the limit of 65536 bytes");
}

TEST_F(LimitsTest, JsonDepthDefault32) {
  // The top-level object is level 1: 31 nested arrays inside it make 32 levels.
  EXPECT_EQ(status(make_token("HS256", kHeader, "{\"exp\":" + kExp + ",\"d\":" + nested(31) + "}")), Status::ok);
  Verdict v = check(make_token("HS256", kHeader, "{\"exp\":" + kExp + ",\"d\":" + nested(32) + "}"));
  EXPECT_EQ(v.status, Status::bad_json);
  EXPECT_EQ(explain(v, Policy{}), "claims are not a valid JSON object (or repeat a member name)");
  // The header too.
  EXPECT_EQ(status(make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\",\"x\":" + nested(31) + "}",
                              "{\"exp\":" + kExp + "}")), Status::ok);
  EXPECT_EQ(status(make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\",\"x\":" + nested(32) + "}",
                              "{\"exp\":" + kExp + "}")), Status::bad_json);
  // Objects count like arrays.
  std::string objs = "1";
  for (int i = 0; i < 32; ++i) objs = "{\"o\":" + objs + "}";
  EXPECT_EQ(status(make_token("HS256", kHeader, "{\"exp\":" + kExp + ",\"d\":" + objs + "}")), Status::bad_json);
}

TEST_F(LimitsTest, JsonDepthCappedAt1024) {
  Policy p;
  p.max_json_depth = size_t{1} << 30;  // asks for more than the ceiling
  EXPECT_EQ(status(make_token("HS256", kHeader, "{\"exp\":" + kExp + ",\"d\":" + nested(1023) + "}"), p), Status::ok);
  EXPECT_EQ(status(make_token("HS256", kHeader, "{\"exp\":" + kExp + ",\"d\":" + nested(1024) + "}"), p),
            Status::bad_json);
  // Deep nesting of objects with repeated names deep down: the duplicate check walks it all.
  std::string objs = "{\"a\":1,\"a\":2}";
  for (int i = 0; i < 1000; ++i) objs = "{\"o\":" + objs + "}";
  EXPECT_EQ(status(make_token("HS256", kHeader, "{\"exp\":" + kExp + ",\"d\":" + objs + "}"), p), Status::bad_json);
}

TEST_F(LimitsTest, HeaderMembersDefault64) {
  auto header = [](size_t members) {
    std::string h = "{\"alg\":\"HS256\",\"kid\":\"hs\"";
    for (size_t i = 2; i < members; ++i) h += ",\"m" + std::to_string(i) + "\":0";
    return h + "}";
  };
  const std::string claims = "{\"exp\":" + kExp + "}";
  EXPECT_EQ(status(make_token("HS256", header(64), claims)), Status::ok);
  Verdict v = check(make_token("HS256", header(65), claims));
  EXPECT_EQ(v.status, Status::bad_header);
  EXPECT_EQ(explain(v, Policy{}), "header has more than 64 members");
  EXPECT_EQ(status(make_token("HS256", header(5000), claims)), Status::bad_header);
  Policy p;
  p.max_header_members = 100;
  EXPECT_EQ(status(make_token("HS256", header(100), claims), p), Status::ok);
  EXPECT_EQ(status(make_token("HS256", header(101), claims), p), Status::bad_header);
  // Nested members do not count: a header's jwk (never used) may have many.
  std::string nested_members = "{\"alg\":\"HS256\",\"kid\":\"hs\",\"jwk\":{";
  for (int i = 0; i < 100; ++i) nested_members += (i ? ",\"m" : "\"m") + std::to_string(i) + "\":0";
  EXPECT_EQ(status(make_token("HS256", nested_members + "}}", claims)), Status::ok);
}

TEST_F(LimitsTest, KidLongerThan256BytesIsBadHeader) {
  const std::string claims = "{\"exp\":" + kExp + "}";
  auto with_kid = [&](const std::string& kid) { return make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"" + kid + "\"}", claims); };
  EXPECT_EQ(status(with_kid(std::string(256, 'k'))), Status::key_not_found);
  Verdict v = check(with_kid(std::string(257, 'k')));
  EXPECT_EQ(v.status, Status::bad_header);
  EXPECT_EQ(explain(v, Policy{}), "header kid is longer than 256 bytes");
  EXPECT_EQ(status(with_kid(std::string(40000, 'k'))), Status::bad_header);
  // The limit is on the kid's value: escapes count once unescaped.
  std::string escaped;
  for (int i = 0; i < 256; ++i) escaped += "\\u006b";
  EXPECT_EQ(status(with_kid(escaped)), Status::key_not_found);
}

TEST_F(LimitsTest, KidOf256BytesLoadsAndVerifies) {
  const std::string kid256(256, 'k'), kid257(257, 'k');
  std::string error;
  std::vector<std::string> warnings;
  auto keys = KeySet::from_jwks("{\"keys\":[" + hmac_jwk(kid256) + "," + hmac_jwk(kid257) + "]}", &error, &warnings);
  ASSERT_TRUE(keys) << error;
  EXPECT_EQ(keys->size(), 1u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("kid longer than 256 bytes"), std::string::npos) << warnings[0];
  Verifier v(keys, Policy{});
  const std::string secret(32, 'k');
  const std::span<const uint8_t> s(reinterpret_cast<const uint8_t*>(secret.data()), secret.size());
  EXPECT_EQ(v.verify(make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"" + kid256 + "\"}", "{\"exp\":" + kExp + "}", s), kNow).status,
            Status::ok);
}

TEST_F(LimitsTest, AudArrayDefault256Values) {
  Policy p;
  p.audiences = {"a255", "a256"};
  auto claims = [&](size_t n) { return "{\"exp\":" + kExp + ",\"aud\":" + aud_array(n) + "}"; };
  EXPECT_EQ(status(make_token("HS256", kHeader, claims(256)), p), Status::ok);
  Verdict v = check(make_token("HS256", kHeader, claims(257)), p);
  EXPECT_EQ(v.status, Status::bad_claim);
  EXPECT_EQ(explain(v, p), "claim \"aud\" has more than 256 values");
  EXPECT_EQ(status(make_token("HS256", kHeader, claims(257))), Status::bad_claim);  // with no audience policy too
  EXPECT_EQ(status(make_token("HS256", kHeader, claims(5000)), p), Status::bad_claim);
  // A claims-group verdict: a forged token is still bad_signature.
  std::string forged = make_token("HS256", kHeader, claims(300));
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(status(forged, p), Status::bad_signature);
  p.max_aud_values = 1000;
  EXPECT_EQ(status(make_token("HS256", kHeader, claims(257)), p), Status::ok);
  EXPECT_EQ(status(make_token("HS256", kHeader, claims(1001)), p), Status::bad_claim);
  // A single aud string is one value, however long.
  EXPECT_EQ(status(make_token("HS256", kHeader, "{\"exp\":" + kExp + ",\"aud\":\"" + std::string(40000, 'a') + "\"}")),
            Status::ok);
}

TEST_F(LimitsTest, KidlessTokensTryAtMost8Keys) {
  // n HS256 keys; a kid-less token signed by the last one.
  auto run = [&](size_t n, Policy p = {}) {
    KeySetBuilder b;
    std::string error, secret;
    for (size_t i = 0; i < n; ++i) {
      secret = std::string(32, 's') + std::to_string(i);
      EXPECT_TRUE(b.add_hmac_secret({reinterpret_cast<const uint8_t*>(secret.data()), secret.size()},
                                    std::string("k").append(std::to_string(i)), Alg::hs256, &error));
    }
    Verifier v(b.build(&error), p);
    const std::span<const uint8_t> s(reinterpret_cast<const uint8_t*>(secret.data()), secret.size());
    return v.verify(make_token("HS256", "{\"alg\":\"HS256\"}", "{\"exp\":" + kExp + "}", s), kNow);
  };
  EXPECT_EQ(run(8).status, Status::ok);
  Verdict v = run(9);
  EXPECT_EQ(v.status, Status::key_not_found);
  EXPECT_EQ(explain(v, Policy{}), "token has no kid and more than 8 keys may verify alg HS256");
  Policy p;
  p.max_kidless_keys = 9;
  EXPECT_EQ(run(9, p).status, Status::ok);
  // Keys of other algorithms do not count; a kid still reaches any key of a large set.
  std::string jwks = "{\"keys\":[" + hmac_jwk("hs");
  for (int i = 0; i < 20; ++i) jwks += "," + rsa_jwk(std::string("r").append(std::to_string(i)), 2048, {1, 0, 1});
  jwks += "]}";
  std::string error;
  auto keys = KeySet::from_jwks(jwks, &error);
  ASSERT_TRUE(keys) << error;
  Verifier big(keys, Policy{});
  const std::string secret(32, 'k');
  const std::span<const uint8_t> s(reinterpret_cast<const uint8_t*>(secret.data()), secret.size());
  EXPECT_EQ(big.verify(make_token("HS256", "{\"alg\":\"HS256\"}", "{\"exp\":" + kExp + "}", s), kNow).status, Status::ok);
  EXPECT_EQ(big.verify(make_token("RS256", "{\"alg\":\"RS256\"}", "{\"exp\":" + kExp + "}"), kNow).status,
            Status::key_not_found);
}

TEST_F(LimitsTest, JwksSize4MiB) {
  const std::string jwks = "{\"keys\":[" + hmac_jwk("hs") + "]}";
  std::string exact = jwks + std::string(kMaxJwksBytes - jwks.size(), ' ');
  std::string error;
  EXPECT_TRUE(KeySet::from_jwks(exact, &error)) << error;
  exact.push_back(' ');
  EXPECT_FALSE(KeySet::from_jwks(exact, &error));
  EXPECT_EQ(error, "JWKS larger than 4194304 bytes");
  KeySetBuilder b;
  EXPECT_FALSE(b.add_jwks(exact, &error));
}

TEST_F(LimitsTest, KeyCount1024) {
  std::string jwks = "{\"keys\":[";
  for (size_t i = 0; i < kMaxKeys + 3; ++i) {
    if (i) jwks += ',';
    jwks += hmac_jwk(std::string("k").append(std::to_string(i)));
  }
  jwks += "]}";
  std::string error;
  std::vector<std::string> warnings;
  auto keys = KeySet::from_jwks(jwks, &error, &warnings);
  ASSERT_TRUE(keys) << error;
  EXPECT_EQ(keys->size(), kMaxKeys);
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(warnings[0], "skipped key \"k1024\": more than 1024 keys");
  // Across documents of one builder too.
  KeySetBuilder b;
  ASSERT_TRUE(b.add_jwks(jwks, &error));
  ASSERT_TRUE(b.add_jwks("{\"keys\":[" + hmac_jwk("extra") + "]}", &error));
  auto both = b.build(&error);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->size(), kMaxKeys);
}

TEST_F(LimitsTest, RsaModulusAtMost16384Bits) {
  const std::vector<uint8_t> f4{1, 0, 1};
  std::string error;
  std::vector<std::string> warnings;
  auto keys = KeySet::from_jwks("{\"keys\":[" + rsa_jwk("max", 16384, f4) + "," + rsa_jwk("over", 16385, f4) + "," +
                                    rsa_jwk("under", 2047, f4) + "," + rsa_jwk("min", 2048, f4) + "]}",
                                &error, &warnings);
  ASSERT_TRUE(keys) << error;
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ(keys->kid(0), "max");
  EXPECT_EQ(keys->kid(1), "min");
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "skipped key \"over\": RSA modulus of 16385 bits is over 16384");
  EXPECT_EQ(warnings[1], "skipped key \"under\": RSA modulus of 2047 bits is under 2048");
  // A token for the 16384-bit key is checked (and fails) in bounded time: one public operation.
  Verifier v(keys, Policy{});
  const std::string input = b64url("{\"alg\":\"RS256\",\"kid\":\"max\"}") + "." + b64url("{\"exp\":" + kExp + "}");
  EXPECT_EQ(v.verify(input + "." + b64url(std::string(2048, '\x01')), kNow).status, Status::bad_signature);
}

TEST_F(LimitsTest, Rsa16384KeyOfTheHostileCorpusVerifies) {
  // corpus/hostile (tools/hostile_gen.cpp): a real 16384-bit key and tokens it signed.
  auto slurp = [](const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  };
  std::string error;
  auto keys = KeySet::from_jwks(slurp(JWTBATCH_SOURCE_DIR "/corpus/hostile/rsa16384.jwks.json"), &error);
  ASSERT_TRUE(keys) << error;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->impl().keys[0].as<engine::RsaKey>()->bits, 16384);
  Policy p;
  p.issuers = {"https://issuer.example.com"};
  p.audiences = {"https://api.example.com"};
  Verifier v(keys, p);
  std::istringstream lines(slurp(JWTBATCH_SOURCE_DIR "/corpus/hostile/rsa16384.tokens.txt"));
  size_t n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    EXPECT_EQ(v.verify(line, kNow).status, Status::ok) << "line " << n + 1;
    line[line.size() - 10] = line[line.size() - 10] == 'A' ? 'B' : 'A';
    EXPECT_EQ(v.verify(line, kNow).status, Status::bad_signature) << "line " << n + 1;
  }
  EXPECT_EQ(n, 3u);
}

TEST_F(LimitsTest, RsaExponentOddAndAboveOne) {
  struct Case {
    std::vector<uint8_t> e;
    const char* why;  // "" when accepted
  };
  const Case cases[] = {
      {{1}, "RSA exponent must be greater than 1"},
      {{0}, "RSA exponent must be greater than 1"},
      {{1, 0, 0}, "RSA exponent is even"},
      {{2}, "RSA exponent is even"},
      {{3}, ""},
      {{0, 0, 1, 0, 1}, ""},  // leading zeros are fine
      {{1, 0, 0, 0, 1}, ""},  // 2^32 + 1: 33 bits
      {{2, 0, 0, 0, 1}, "RSA exponent of 34 bits is over BoringSSL's limit of 33"},
  };
  for (const Case& c : cases) {
    std::string error;
    std::vector<std::string> warnings;
    auto keys = KeySet::from_jwks("{\"keys\":[" + rsa_jwk("r", 2048, c.e) + "," + hmac_jwk("hs") + "]}", &error, &warnings);
    ASSERT_TRUE(keys) << error;
    if (*c.why == '\0') {
      EXPECT_TRUE(warnings.empty()) << warnings.front();
      EXPECT_EQ(keys->size(), 2u);
    } else {
      ASSERT_EQ(warnings.size(), 1u) << c.why;
      EXPECT_EQ(warnings[0], std::string("skipped key \"r\": ") + c.why);
    }
  }
}

}  // namespace
}  // namespace jwtbatch
