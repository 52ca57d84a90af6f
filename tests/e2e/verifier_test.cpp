// verifier_test.cpp: the engine end to end through the public API: every status, its precedence,
// the classic attacks (alg none, algorithm confusion, forged and malformed signatures), claim
// rules, batch == single, thread counts, key rotation.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "jwtbatch/jwtbatch.hpp"
#include "tests/support/token_builder.hpp"
#include "tests/support/verifier_fixture.hpp"

namespace jwtbatch {
namespace {

using test::b64url;
using test::make_token;

constexpr UnixSeconds kNow = 1767225600;  // 2026-01-01T00:00:00Z

std::string hdr(std::string_view alg, std::string_view kid) {
  return std::string("{\"alg\":\"") + std::string(alg) + "\",\"typ\":\"JWT\",\"kid\":\"" + std::string(kid) + "\"}";
}
std::string claims_exp(int64_t exp, std::string_view extra = "") {
  return "{\"sub\":\"u1\",\"exp\":" + std::to_string(exp) + std::string(extra) + "}";
}
const std::string kGood = claims_exp(kNow + 3600);

using VerifierTest = test::VerifierFixture;

TEST_F(VerifierTest, EveryAlgorithmVerifies) {
  for (auto [alg, kid] : {std::pair{"HS256", "hs"}, {"RS256", "rs"}, {"PS256", "ps"}, {"ES256", "es"}, {"EdDSA", "ed"}}) {
    Verdict v = check(make_token(alg, hdr(alg, kid), kGood));
    EXPECT_EQ(v.status, Status::ok) << alg;
    EXPECT_EQ(to_string(v.alg), alg);
    ASSERT_NE(v.key_index, kNoKey);
    EXPECT_EQ(keys_->kid(v.key_index), kid);
    EXPECT_TRUE(v.has_exp);
    EXPECT_EQ(v.exp, kNow + 3600);
  }
}

TEST_F(VerifierTest, ForgedSignatureEveryAlgorithm) {
  for (auto [alg, kid] : {std::pair{"HS256", "hs"}, {"RS256", "rs"}, {"PS256", "ps"}, {"ES256", "es"}, {"EdDSA", "ed"}}) {
    std::string input = b64url(hdr(alg, kid)) + "." + b64url(kGood);
    std::vector<uint8_t> sig = test::sign(alg, input);
    for (size_t byte : {size_t{0}, sig.size() / 2, sig.size() - 1}) {
      std::vector<uint8_t> bad = sig;
      bad[byte] ^= 0x01;
      EXPECT_EQ(status(input + "." + b64url(bad)), Status::bad_signature) << alg << " byte " << byte;
    }
    // Signature of another message, truncated, extended, empty.
    EXPECT_EQ(status(input + "." + b64url(test::sign(alg, input + "x"))), Status::bad_signature) << alg;
    EXPECT_EQ(status(input + "." + b64url(std::span(sig).first(sig.size() - 1))), Status::bad_signature) << alg;
    std::vector<uint8_t> longer = sig;
    longer.push_back(0);
    EXPECT_EQ(status(input + "." + b64url(longer)), Status::bad_signature) << alg;
    EXPECT_EQ(status(input + "."), Status::bad_signature) << alg;
    // Claims changed after signing.
    EXPECT_EQ(status(b64url(hdr(alg, kid)) + "." + b64url(claims_exp(kNow + 7200)) + "." + b64url(sig)),
              Status::bad_signature) << alg;
  }
}

TEST_F(VerifierTest, ForgedBeatsExpired) {
  std::string input = b64url(hdr("HS256", "hs")) + "." + b64url(claims_exp(kNow - 10));
  std::vector<uint8_t> sig = test::sign("HS256", input);
  EXPECT_EQ(status(input + "." + b64url(sig)), Status::expired);
  sig[3] ^= 0x80;
  EXPECT_EQ(status(input + "." + b64url(sig)), Status::bad_signature);
}

TEST_F(VerifierTest, AlgNoneInEveryCapitalisation) {
  for (const char* none : {"none", "None", "NONE", "nOnE", "noNe"}) {
    std::string h = std::string("{\"alg\":\"") + none + "\",\"typ\":\"JWT\"}";
    const std::string unsigned_token = b64url(h) + "." + b64url(kGood) + ".";
    Verdict v = check(unsigned_token);
    EXPECT_EQ(v.status, Status::unsupported_alg) << none;
    EXPECT_NE(explain(v, Policy{}).find("none"), std::string::npos);
    // With a kid of a real key, and with a (real HMAC) signature attached: still refused.
    std::string hk = std::string("{\"alg\":\"") + none + "\",\"kid\":\"hs\"}";
    std::string input = b64url(hk) + "." + b64url(kGood);
    EXPECT_EQ(status(input + "." + b64url(test::sign("HS256", input))), Status::unsupported_alg) << none;
  }
}

TEST_F(VerifierTest, AlgorithmConfusionHmacWithRsaPublicKey) {
  // CVE-2015-9235 and kin: HS256 "signed" with the RSA public key (PEM bytes, or n) as the secret.
  const std::string pem = test::test_keys().rsa_public_pem();
  std::span<const uint8_t> secret(reinterpret_cast<const uint8_t*>(pem.data()), pem.size());
  for (const char* kid : {"rs", "ps"}) {
    EXPECT_EQ(status(make_token("HS256", hdr("HS256", kid), kGood, secret)), Status::alg_not_allowed) << kid;
  }
  // Without kid: the HMAC key is the only HS256 candidate, and it does not verify this.
  std::string no_kid = "{\"alg\":\"HS256\"}";
  EXPECT_EQ(status(make_token("HS256", no_kid, kGood, secret)), Status::bad_signature);
  // RS256 with the ES key's kid, PS256 with the RS256-bound key: the key's alg binds it.
  EXPECT_EQ(status(make_token("RS256", hdr("RS256", "es"), kGood)), Status::alg_not_allowed);
  EXPECT_EQ(status(make_token("PS256", hdr("PS256", "rs"), kGood)), Status::alg_not_allowed);
  EXPECT_EQ(status(make_token("EdDSA", hdr("EdDSA", "hs"), kGood)), Status::alg_not_allowed);
}

TEST_F(VerifierTest, AllowList) {
  Policy p;
  p.algs = AlgSet{Alg::es256};
  EXPECT_EQ(status(make_token("ES256", hdr("ES256", "es"), kGood), p), Status::ok);
  EXPECT_EQ(status(make_token("RS256", hdr("RS256", "rs"), kGood), p), Status::alg_not_allowed);
  // An allowed alg no key permits.
  p.algs = AlgSet{Alg::es384, Alg::hs256};
  Verdict v = check(make_token("HS256", hdr("HS256", "hs"), kGood), p);
  EXPECT_EQ(v.status, Status::ok);
}

TEST_F(VerifierTest, KeyNotFound) {
  Verdict v = check(make_token("HS256", hdr("HS256", "nobody"), kGood));
  EXPECT_EQ(v.status, Status::key_not_found);
  EXPECT_EQ(v.key_index, kNoKey);
  // A kid of the wrong JSON type is a header problem, not a missing key.
  EXPECT_EQ(status(make_token("HS256", "{\"alg\":\"HS256\",\"kid\":7}", kGood)), Status::bad_header);
}

TEST_F(VerifierTest, NoKidTriesEveryKeyOfTheAlg) {
  for (auto alg : {"HS256", "RS256", "PS256", "ES256", "EdDSA"}) {
    Verdict v = check(make_token(alg, std::string("{\"alg\":\"") + alg + "\"}", kGood));
    EXPECT_EQ(v.status, Status::ok) << alg;
    EXPECT_NE(v.key_index, kNoKey);
  }
}

TEST_F(VerifierTest, Structure) {
  const std::string t = make_token("HS256", hdr("HS256", "hs"), kGood);
  const size_t d1 = t.find('.'), d2 = t.find('.', d1 + 1);
  EXPECT_EQ(status(""), Status::malformed);
  EXPECT_EQ(status("abc"), Status::malformed);
  EXPECT_EQ(status(t.substr(0, d2)), Status::malformed);                    // two parts
  EXPECT_EQ(status(t + ".x"), Status::malformed);                           // four parts (JWE has five)
  EXPECT_EQ(status(t + ".." + "a.b"), Status::malformed);
  EXPECT_EQ(status(t.substr(d1)), Status::malformed);                       // empty header
  EXPECT_EQ(status(t.substr(0, d1 + 1) + t.substr(d2)), Status::malformed); // empty claims
  // Padding, standard-alphabet characters, whitespace, non-canonical last character.
  EXPECT_EQ(status(t + "="), Status::bad_base64);
  EXPECT_EQ(status(t + "=="), Status::bad_base64);
  std::string plus = t;
  plus[2] = '+';
  EXPECT_EQ(status(plus), Status::bad_base64);
  std::string slash = t;
  slash[d1 + 2] = '/';
  EXPECT_EQ(status(slash), Status::bad_base64);
  EXPECT_EQ(status(t.substr(0, 5) + " " + t.substr(5)), Status::bad_base64);
  EXPECT_EQ(status(t + "\n"), Status::bad_base64);
  Verdict v = check(plus);
  EXPECT_EQ(v.detail, 2u);
  // A signature part whose length is 1 mod 4.
  EXPECT_EQ(status(t.substr(0, d2 + 1) + "A"), Status::bad_base64);
  // Non-canonical trailing bits: HS256 signatures are 32 bytes = 43 chars, last char has 2 zero bits.
  std::string noncanon = t;
  char& last = noncanon.back();
  last = last == 'A' ? 'B' : static_cast<char>(last + 1);
  EXPECT_EQ(status(noncanon), Status::bad_base64);
  // Too large: checked before anything is decoded.
  Policy p;
  p.max_token_bytes = t.size() - 1;
  EXPECT_EQ(status(t, p), Status::too_large);
  p.max_token_bytes = t.size();
  EXPECT_EQ(status(t, p), Status::ok);
}

TEST_F(VerifierTest, Json) {
  auto st = [&](std::string_view header, std::string_view claims) {
    return status(make_token("HS256", header, claims));
  };
  const std::string h = hdr("HS256", "hs");
  EXPECT_EQ(st(h, "{\"exp\":1,}"), Status::bad_json);
  EXPECT_EQ(st(h, "[1,2]"), Status::bad_json);
  EXPECT_EQ(st(h, "\"str\""), Status::bad_json);
  EXPECT_EQ(st(h, "{\"exp\":1} x"), Status::bad_json);
  EXPECT_EQ(st(h, "{\"exp\":1}{}"), Status::bad_json);
  EXPECT_EQ(st(h, "{\"exp\":tru}"), Status::bad_json);
  EXPECT_EQ(st(h, "{\"exp\":01}"), Status::bad_json);
  EXPECT_EQ(st(h, "{\"a\":\"\xff\"}"), Status::bad_json);           // invalid UTF-8, in a member never read
  EXPECT_EQ(st(h, "{\"a\":\"\\x\"}"), Status::bad_json);            // invalid escape
  EXPECT_EQ(st(h, "{\"a\":[1,{\"b\":nul}]}"), Status::bad_json);    // invalid literal, deep inside
  EXPECT_EQ(st(h, ""), Status::malformed);                            // empty part
  EXPECT_EQ(st(h, "{\"exp\":1,\"exp\":2}"), Status::bad_json);      // duplicate names
  EXPECT_EQ(st(h, "{\"a\":{\"b\":1,\"b\":1}}"), Status::bad_json);   // nested duplicate
  EXPECT_EQ(st(h, "{\"a\":[{\"b\":1,\"b\":1}]}"), Status::bad_json);
  EXPECT_EQ(st(h, "{\"exp\":1,\"\\u0065xp\":2}"), Status::bad_json);  // same name once unescaped
  EXPECT_EQ(st("{\"alg\":\"HS256\",\"alg\":\"HS256\"}", kGood), Status::bad_json);
  EXPECT_EQ(st("{\"alg\":\"HS256\"", kGood), Status::bad_json);
  // Many distinct members (the sorted duplicate check) and one repeated among them.
  std::string many = "{\"exp\":" + std::to_string(kNow + 60);
  for (int i = 0; i < 40; ++i) many += ",\"m" + std::to_string(i) + "\":" + std::to_string(i);
  EXPECT_EQ(st(h, many + "}"), Status::ok);
  EXPECT_EQ(st(h, many + ",\"m7\":0}"), Status::bad_json);
  // Depth limit.
  Policy p;
  p.max_json_depth = 8;
  std::string deep = "{\"exp\":" + std::to_string(kNow + 60) + ",\"d\":" + std::string(20, '[') + std::string(20, ']') + "}";
  EXPECT_EQ(status(make_token("HS256", h, deep), p), Status::bad_json);
  std::string shallow = "{\"exp\":" + std::to_string(kNow + 60) + ",\"d\":[[[]]]}";
  EXPECT_EQ(status(make_token("HS256", h, shallow), p), Status::ok);
  // Whitespace and escapes are fine JSON.
  EXPECT_EQ(st("{ \"alg\" : \"HS\\u0032\\u00356\" ,\r\n \"kid\":\"hs\"}", kGood), Status::ok);
}

// The duplicate-name check (engine/parse.cpp: integer compares of length and an 8-byte prefix up
// to 16 members, a sort above) against a plain std::set of each object's unescaped names, on random
// objects: names sharing 8-byte prefixes, of equal length, of every length up to 8 differing only in
// their last byte, escaped spellings of the same name, empty names, 0 to 24 members (both sides of 16), nested objects and arrays.
TEST_F(VerifierTest, DuplicateNamesAgainstASet) {
  struct Name {
    const char* json;   // as written in the JSON text
    const char* plain;  // after unescaping
  };
  static const Name kNames[] = {
      {"a", "a"},         {"b", "b"},           {"\\u0061", "a"},    {"", ""},
      {"ab", "ab"},       {"ba", "ba"},         {"isx", "isx"},        {"sux", "sux"},
      {"auz", "auz"},     {"jtx", "jtx"},       {"abcdefgh", "abcdefgh"}, {"abcdefgX", "abcdefgX"},
      {"abcdefghi", "abcdefghi"}, {"abcdefghj", "abcdefghj"}, {"abcdefgh\\u0069", "abcdefghi"},
      {"abcdefghijklmnop", "abcdefghijklmnop"}, {"abcdefghijklmnoq", "abcdefghijklmnoq"},
      {"role", "role"},   {"rol\\u0065", "role"}, {"x1", "x1"}, {"x2", "x2"}, {"x3", "x3"},
      // Every length from 1 to 8 with names differing only in their last byte (prefix8's
      // overlapping loads).
      {"abc", "abc"},     {"abd", "abd"},       {"abcde", "abcde"},    {"abcdf", "abcdf"},
      {"tenant", "tenant"}, {"tenanu", "tenanu"}, {"ten\\u0061nt", "tenant"},
      {"abcdefg", "abcdefg"}, {"abcdefh", "abcdefh"}};
  std::mt19937_64 rng(7);
  const std::string h = hdr("HS256", "hs");
  // object() writes a random object into `out` and returns whether it (or anything in it) repeats a name.
  std::function<bool(std::string&, int, bool)> object = [&](std::string& out, int depth, bool top) {
    std::set<std::string> seen;
    bool dup = false;
    out += '{';
    if (top) {
      out += "\"exp\":" + std::to_string(kNow + 60);
      seen.insert("exp");
    }
    const size_t members = rng() % 25;
    for (size_t i = 0; i < members; ++i) {
      const Name& n = kNames[rng() % std::size(kNames)];
      if (top || i > 0) out += ',';
      out += '"';
      out += n.json;
      out += "\":";
      dup |= !seen.insert(n.plain).second;
      const unsigned kind = static_cast<unsigned>(rng() % 8);
      if (depth < 3 && kind == 0) {
        dup |= object(out, depth + 1, false);
      } else if (depth < 3 && kind == 1) {
        out += '[';
        dup |= object(out, depth + 1, false);
        out += ",1]";
      } else {
        out += std::to_string(rng() % 100);
      }
    }
    out += '}';
    return dup;
  };
  size_t dups = 0, clean = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string claims;
    const bool dup = object(claims, 0, true);
    (dup ? dups : clean)++;
    ASSERT_EQ(status(make_token("HS256", h, claims)), dup ? Status::bad_json : Status::ok) << claims;
  }
  EXPECT_GT(dups, 300u);
  EXPECT_GT(clean, 300u);
}

TEST_F(VerifierTest, Header) {
  auto st = [&](std::string_view header, Policy p = {}) { return status(make_token("HS256", header, kGood), p); };
  EXPECT_EQ(st("{\"kid\":\"hs\"}"), Status::bad_header);
  EXPECT_EQ(st("{\"alg\":256,\"kid\":\"hs\"}"), Status::bad_header);
  EXPECT_EQ(st("{\"alg\":null,\"kid\":\"hs\"}"), Status::bad_header);
  EXPECT_EQ(st("{\"alg\":\"HS256\",\"kid\":\"hs\",\"typ\":1}"), Status::bad_header);
  EXPECT_EQ(st("{\"alg\":\"ES256K\",\"kid\":\"hs\"}"), Status::unsupported_alg);
  EXPECT_EQ(st("{\"alg\":\"hs256\",\"kid\":\"hs\"}"), Status::unsupported_alg);
  // crit: anything well-formed is unsupported (no extension is implemented); ill-formed is bad_header.
  EXPECT_EQ(st("{\"alg\":\"HS256\",\"kid\":\"hs\",\"crit\":[\"exp\"],\"exp\":1}"), Status::unsupported_crit);
  EXPECT_EQ(st("{\"alg\":\"HS256\",\"kid\":\"hs\",\"crit\":[\"b64\"],\"b64\":false}"), Status::unsupported_crit);
  EXPECT_EQ(st("{\"alg\":\"HS256\",\"kid\":\"hs\",\"crit\":[]}"), Status::bad_header);
  EXPECT_EQ(st("{\"alg\":\"HS256\",\"kid\":\"hs\",\"crit\":\"x\"}"), Status::bad_header);
  EXPECT_EQ(st("{\"alg\":\"HS256\",\"kid\":\"hs\",\"crit\":[1]}"), Status::bad_header);
  // jku, x5u, jwk, x5c are never fetched nor trusted: a token carrying its own key still needs ours.
  EXPECT_EQ(st("{\"alg\":\"HS256\",\"kid\":\"hs\",\"jku\":\"https://evil.example/jwks\",\"x5u\":\"https://e\","
               "\"jwk\":{\"kty\":\"oct\",\"k\":\"AAAA\"},\"x5c\":[\"AAAA\"]}"), Status::ok);
  std::string attacker = "{\"alg\":\"HS256\",\"kid\":\"evil\",\"jwk\":{\"kty\":\"oct\",\"k\":\"" + b64url("secretsecretsecretsecretsecretsecret") + "\"}}";
  const std::string evil_secret = "secretsecretsecretsecretsecretsecret";
  EXPECT_EQ(status(make_token("HS256", attacker, kGood,
                              std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(evil_secret.data()), evil_secret.size()))),
            Status::key_not_found);
  // typ policy (case-insensitive, "application/" optional).
  Policy p;
  p.typ = "JWT";
  EXPECT_EQ(st(hdr("HS256", "hs"), p), Status::ok);
  EXPECT_EQ(st("{\"alg\":\"HS256\",\"kid\":\"hs\",\"typ\":\"application/jwt\"}", p), Status::ok);
  EXPECT_EQ(st("{\"alg\":\"HS256\",\"kid\":\"hs\",\"typ\":\"at+jwt\"}", p), Status::bad_header);
  EXPECT_EQ(st("{\"alg\":\"HS256\",\"kid\":\"hs\"}", p), Status::bad_header);
  p.typ = "application/at+jwt";
  EXPECT_EQ(st("{\"alg\":\"HS256\",\"kid\":\"hs\",\"typ\":\"AT+JWT\"}", p), Status::ok);
}

TEST_F(VerifierTest, TimeClaims) {
  auto st = [&](std::string_view claims, Policy p = {}) { return status(make_token("HS256", hdr("HS256", "hs"), claims), p); };
  EXPECT_EQ(st(claims_exp(kNow + 1)), Status::ok);
  EXPECT_EQ(st(claims_exp(kNow)), Status::expired);  // exp is the first instant the token is invalid
  EXPECT_EQ(st(claims_exp(kNow - 1)), Status::expired);
  Policy lee;
  lee.leeway_s = 30;
  EXPECT_EQ(st(claims_exp(kNow - 29), lee), Status::ok);
  EXPECT_EQ(st(claims_exp(kNow - 30), lee), Status::expired);
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"nbf\":" + std::to_string(kNow + 1))), Status::not_yet_valid);
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"nbf\":" + std::to_string(kNow))), Status::ok);
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"nbf\":" + std::to_string(kNow + 30)), lee), Status::ok);
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"nbf\":" + std::to_string(kNow + 31)), lee), Status::not_yet_valid);
  // Numbers that are not integers, and huge ones, are fine; other types are bad_claim.
  EXPECT_EQ(st("{\"exp\":" + std::to_string(kNow) + ".5}"), Status::ok);
  EXPECT_EQ(st("{\"exp\":1e300}"), Status::ok);
  EXPECT_EQ(st("{\"exp\":18446744073709551615}"), Status::ok);
  EXPECT_EQ(st("{\"exp\":-1}"), Status::expired);
  EXPECT_EQ(st("{\"exp\":\"" + std::to_string(kNow + 60) + "\"}"), Status::bad_claim);
  EXPECT_EQ(st("{\"exp\":null}"), Status::bad_claim);
  EXPECT_EQ(st("{\"exp\":true}"), Status::bad_claim);
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"nbf\":[1]")), Status::bad_claim);
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"iat\":{}")), Status::bad_claim);
  // bad_claim beats expired (a wrongly typed claim is reported first).
  EXPECT_EQ(st(claims_exp(kNow - 60, ",\"iss\":5")), Status::bad_claim);
  Verdict v = check(make_token("HS256", hdr("HS256", "hs"), claims_exp(kNow - 60)));
  EXPECT_EQ(explain(v, Policy{}), "token expired at 2025-12-31T23:59:00Z");
}

TEST_F(VerifierTest, MaxAge) {
  Policy p;
  p.max_age_s = 300;
  auto st = [&](std::string_view claims) { return status(make_token("HS256", hdr("HS256", "hs"), claims), p); };
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"iat\":" + std::to_string(kNow - 300))), Status::ok);
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"iat\":" + std::to_string(kNow - 301))), Status::expired);
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"iat\":" + std::to_string(kNow + 5))), Status::not_yet_valid);
  EXPECT_EQ(st(claims_exp(kNow + 60)), Status::missing_claim);
  // Without max-age, iat is not checked at all.
  EXPECT_EQ(status(make_token("HS256", hdr("HS256", "hs"), claims_exp(kNow + 60, ",\"iat\":1"))), Status::ok);
}

TEST_F(VerifierTest, RequiredClaims) {
  auto st = [&](std::string_view claims, Policy p = {}) { return status(make_token("HS256", hdr("HS256", "hs"), claims), p); };
  EXPECT_EQ(st("{\"sub\":\"x\"}"), Status::missing_claim);  // exp required by default
  Verdict v = check(make_token("HS256", hdr("HS256", "hs"), "{\"sub\":\"x\"}"));
  EXPECT_EQ(explain(v, Policy{}), "missing required claim \"exp\"");
  Policy none;
  none.required_claims.clear();
  EXPECT_EQ(st("{\"sub\":\"x\"}", none), Status::ok);
  EXPECT_EQ(st("{}", none), Status::ok);
  Policy more;
  more.required_claims = {"exp", "jti", "scope"};
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"jti\":\"j\",\"scope\":\"a b\""), more), Status::ok);
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"jti\":\"j\""), more), Status::missing_claim);
  Verdict m = check(make_token("HS256", hdr("HS256", "hs"), claims_exp(kNow + 60, ",\"jti\":\"j\"")), more);
  EXPECT_EQ(explain(m, more), "missing required claim \"scope\"");
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"jti\":5,\"scope\":\"a\""), more), Status::bad_claim);
  // Names matched as (length, 8-byte prefix) integers and the rest: near misses in each part.
  Policy long_names;
  long_names.required_claims = {"exp", "email_verified", "e"};
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"e\":1,\"email_verified\":true"), long_names), Status::ok);
  // A name is compared unescaped: \u0064 is "d".
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"e\":1,\"email_verifie\\u0064\":true"), long_names), Status::ok);
  for (const char* miss : {"email_verifiee", "email_verifie", "email_verifiedx", "fmail_verified"})
    EXPECT_EQ(st(claims_exp(kNow + 60, ",\"e\":1,\"" + std::string(miss) + "\":true"), long_names),
              Status::missing_claim) << miss;
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"email_verified\":true,\"ex\":1"), long_names), Status::missing_claim);
  EXPECT_EQ(st(claims_exp(kNow + 60, ",\"sub\":5")), Status::bad_json);  // duplicate "sub"
  EXPECT_EQ(st("{\"exp\":" + std::to_string(kNow + 60) + ",\"sub\":5}"), Status::bad_claim);
}

TEST_F(VerifierTest, IssuerAndAudience) {
  Policy p;
  p.issuers = {"https://a.example", "https://b.example"};
  p.audiences = {"api", "web"};
  auto st = [&](std::string_view extra) {
    return status(make_token("HS256", hdr("HS256", "hs"), claims_exp(kNow + 60, extra)), p);
  };
  EXPECT_EQ(st(",\"iss\":\"https://b.example\",\"aud\":\"web\""), Status::ok);
  EXPECT_EQ(st(",\"iss\":\"https://a.example\",\"aud\":[\"x\",\"api\"]"), Status::ok);
  EXPECT_EQ(st(",\"iss\":\"https://c.example\",\"aud\":\"api\""), Status::bad_issuer);
  EXPECT_EQ(st(",\"iss\":\"https://A.example\",\"aud\":\"api\""), Status::bad_issuer);  // exact match
  EXPECT_EQ(st(",\"iss\":\"https://a.example\",\"aud\":\"API\""), Status::bad_audience);
  EXPECT_EQ(st(",\"iss\":\"https://a.example\",\"aud\":[]"), Status::bad_audience);
  EXPECT_EQ(st(",\"iss\":\"https://a.example\",\"aud\":[\"x\",\"y\"]"), Status::bad_audience);
  EXPECT_EQ(st(",\"iss\":\"https://a.example\""), Status::missing_claim);
  EXPECT_EQ(st(",\"aud\":\"api\""), Status::missing_claim);
  EXPECT_EQ(st(",\"iss\":[\"https://a.example\"],\"aud\":\"api\""), Status::bad_claim);
  EXPECT_EQ(st(",\"iss\":\"https://a.example\",\"aud\":[\"api\",3]"), Status::bad_claim);
  EXPECT_EQ(st(",\"iss\":\"https://a.example\",\"aud\":{\"a\":1}"), Status::bad_claim);
  // Escaped strings compare by their value.
  EXPECT_EQ(st(",\"iss\":\"https:\\/\\/a.example\",\"aud\":\"\\u0061pi\""), Status::ok);
  // Without issuers/audiences in the policy, any iss/aud passes.
  EXPECT_EQ(status(make_token("HS256", hdr("HS256", "hs"), claims_exp(kNow + 60, ",\"iss\":\"z\",\"aud\":\"q\""))), Status::ok);
}

// A mixed corpus: every failure kind, every algorithm.
std::vector<std::string> mixed_tokens(size_t copies) {
  std::vector<std::string> base;
  for (auto [alg, kid] : {std::pair{"HS256", "hs"}, {"RS256", "rs"}, {"PS256", "ps"}, {"ES256", "es"}, {"EdDSA", "ed"}}) {
    base.push_back(make_token(alg, hdr(alg, kid), kGood));
    base.push_back(make_token(alg, hdr(alg, kid), claims_exp(kNow - 5)));
    std::string t = make_token(alg, hdr(alg, kid), kGood);
    t[t.size() - 3] = t[t.size() - 3] == 'A' ? 'B' : 'A';
    base.push_back(t);
    base.push_back(make_token(alg, std::string("{\"alg\":\"") + alg + "\"}", kGood));
    base.push_back(make_token(alg, hdr(alg, "zz"), kGood));
  }
  base.push_back("not-a-jwt");
  base.push_back("eyJhbGciOiJub25lIn0." + b64url(kGood) + ".");
  base.push_back(make_token("HS256", hdr("HS256", "hs"), "{\"exp\":\"soon\"}"));
  std::vector<std::string> out;
  for (size_t c = 0; c < copies; ++c) out.insert(out.end(), base.begin(), base.end());
  return out;
}

// Stage 3 reuses the parse of a header byte-identical to the previous one in its chunk: runs of
// equal headers, good and bad (alg none, crit, an unknown kid, invalid JSON, a repeated member, a typ
// the policy refuses), each followed by tokens that differ only in claims or signature, and headers
// alternating A B A, verify in one batch exactly as one at a time.
TEST_F(VerifierTest, RepeatedHeadersInABatchKeepTheirOwnVerdicts) {
  const std::string hs = hdr("HS256", "hs"), rs = hdr("RS256", "rs");
  std::vector<std::string> tokens;
  auto run = [&](const std::string& alg, const std::string& h) {
    tokens.push_back(make_token(alg, h, kGood));
    tokens.push_back(make_token(alg, h, claims_exp(kNow - 5)));
    std::string forged = make_token(alg, h, kGood);
    forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
    tokens.push_back(forged);
    tokens.push_back(make_token(alg, h, "{\"exp\":\"soon\"}"));
  };
  run("HS256", hs);
  run("RS256", rs);
  run("HS256", hs);
  run("HS256", "{\"alg\":\"none\",\"typ\":\"JWT\"}");
  run("HS256", "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"hs\",\"crit\":[\"x\"],\"x\":1}");
  run("HS256", hdr("HS256", "nobody"));
  run("HS256", "{\"alg\":\"HS256\",}");
  run("HS256", "{\"alg\":\"HS256\",\"alg\":\"HS256\"}");
  run("HS256", "{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"hs\"}");
  run("HS256", std::string("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"hs\",\"pad\":\"") +
                   std::string(300, 'p') + "\"}");  // longer than the cache takes
  for (int i = 0; i < 3; ++i) {
    tokens.push_back(make_token("HS256", hs, kGood));
    tokens.push_back(make_token("RS256", rs, kGood));
  }
  Policy policy;
  policy.typ = "JWT";
  Verifier verifier(keys_, policy);
  std::vector<std::string_view> views(tokens.begin(), tokens.end());
  std::vector<Verdict> batch(views.size());
  ASSERT_EQ(verifier.verify_batch(views, batch, kNow, nullptr, {1}), Status::ok);
  std::set<Status> statuses;
  for (size_t i = 0; i < views.size(); ++i) {
    const Verdict one = verifier.verify(tokens[i], kNow);
    EXPECT_EQ(batch[i].status, one.status) << i;
    EXPECT_EQ(batch[i].alg, one.alg) << i;
    EXPECT_EQ(batch[i].key_index, one.key_index) << i;
    EXPECT_EQ(batch[i].detail, one.detail) << i;
    EXPECT_EQ(batch[i].exp, one.exp) << i;
    EXPECT_EQ(explain(batch[i], policy), explain(one, policy)) << i;
    statuses.insert(one.status);
  }
  for (Status s : {Status::ok, Status::expired, Status::bad_signature, Status::bad_claim,
                   Status::unsupported_alg, Status::unsupported_crit, Status::key_not_found,
                   Status::bad_json, Status::bad_header})
    EXPECT_TRUE(statuses.count(s)) << "the mix lacks " << to_string(s);
}

TEST_F(VerifierTest, BatchEqualsSingleAtEveryThreadCount) {
  std::vector<std::string> tokens = mixed_tokens(100);  // 2800 tokens: several chunks
  std::vector<std::string_view> views(tokens.begin(), tokens.end());
  Verifier verifier(keys_, Policy{});
  std::vector<Verdict> single;
  for (const std::string& t : tokens) single.push_back(verifier.verify(t, kNow));
  for (unsigned threads : {1u, 2u, 0u}) {
    std::vector<Verdict> batch(views.size());
    BatchStats stats;
    ASSERT_EQ(verifier.verify_batch(views, batch, kNow, &stats, {threads}), Status::ok);
    for (size_t i = 0; i < views.size(); ++i) {
      ASSERT_EQ(batch[i].status, single[i].status) << "threads " << threads << " token " << i;
      ASSERT_EQ(batch[i].key_index, single[i].key_index) << i;
      ASSERT_EQ(batch[i].alg, single[i].alg) << i;
    }
    EXPECT_EQ(stats.tokens, views.size());
    uint64_t counted = 0;
    for (uint64_t c : stats.status_counts) counted += c;
    EXPECT_EQ(counted, views.size());
    EXPECT_EQ(stats.stage(Stage::split).tokens, views.size());
    EXPECT_GT(stats.stage(Stage::verify).tokens, 0u);
    EXPECT_LE(stats.stage(Stage::verify).tokens, stats.stage(Stage::parse).tokens);
  }
  // Every status of the mix occurs.
  std::array<int, kNumStatuses> seen{};
  for (const Verdict& v : single) ++seen[static_cast<size_t>(v.status)];
  for (Status s : {Status::ok, Status::expired, Status::bad_signature, Status::key_not_found, Status::malformed,
                   Status::unsupported_alg, Status::bad_claim})
    EXPECT_GT(seen[static_cast<size_t>(s)], 0) << to_string(s);
}

TEST_F(VerifierTest, OutputTooShortFailsTheBatch) {
  Verifier verifier(keys_, Policy{});
  std::vector<std::string_view> views{"a", "b"};
  std::vector<Verdict> out(1);
  EXPECT_EQ(verifier.verify_batch(views, out, kNow), Status::malformed);
}

TEST_F(VerifierTest, KeyRotation) {
  // Two key sets: a token signed for the first verifies only while it is installed.
  std::string secret2(64, 'k');
  const std::string jwks2 = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"hs\",\"alg\":\"HS256\",\"k\":\"" + b64url(secret2) + "\"}]}";
  std::string error;
  auto keys2 = KeySet::from_jwks(jwks2, &error);
  ASSERT_TRUE(keys2) << error;
  const std::string t1 = make_token("HS256", hdr("HS256", "hs"), kGood);
  const std::string t2 = make_token("HS256", hdr("HS256", "hs"), kGood,
                                    std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(secret2.data()), secret2.size()));
  Verifier v(keys_, Policy{});
  EXPECT_EQ(v.verify(t1, kNow).status, Status::ok);
  EXPECT_EQ(v.verify(t2, kNow).status, Status::bad_signature);
  v.set_keys(keys2);
  EXPECT_EQ(v.verify(t1, kNow).status, Status::bad_signature);
  EXPECT_EQ(v.verify(t2, kNow).status, Status::ok);
  EXPECT_EQ(v.keys(), keys2);
}

}  // namespace
}  // namespace jwtbatch

namespace jwtbatch {
namespace {

// KeySetBuilder: PEM keys and raw secrets beside a JWKS, each bound to its alg; failures say why.
TEST(KeySetBuilderTest, PemAndSecretsBesideJwks) {
  KeySetBuilder b;
  std::string error;
  ASSERT_TRUE(b.add_pem(test::test_keys().rsa_public_pem(), "pem-rs", Alg::rs256, &error)) << error;
  const std::string secret(48, 'z');
  const std::span<const uint8_t> sb(reinterpret_cast<const uint8_t*>(secret.data()), secret.size());
  ASSERT_TRUE(b.add_hmac_secret(sb, "raw-hs", Alg::unknown, &error)) << error;
  EXPECT_FALSE(b.add_hmac_secret(sb.first(16), "short", Alg::hs256, &error));
  EXPECT_NE(error.find("\"short\""), std::string::npos) << error;
  EXPECT_FALSE(b.add_pem("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n", "bad", Alg::unknown, &error));
  EXPECT_NE(error.find("\"bad\""), std::string::npos) << error;
  auto keys = b.build(&error);
  ASSERT_TRUE(keys) << error;
  ASSERT_EQ(keys->size(), 2u);
  // A 48-byte secret without alg serves HS256 and HS384, not HS512.
  size_t raw = keys->kid(0) == "raw-hs" ? 0 : 1;
  EXPECT_EQ(keys->algs(raw), (AlgSet{Alg::hs256, Alg::hs384}));
  EXPECT_EQ(keys->algs(1 - raw), AlgSet{Alg::rs256});
  Verifier v(keys, Policy{});
  const std::string c = "{\"exp\":" + std::to_string(kNow + 60) + "}";
  EXPECT_EQ(v.verify(make_token("RS256", "{\"alg\":\"RS256\",\"kid\":\"pem-rs\"}", c), kNow).status, Status::ok);
  EXPECT_EQ(v.verify(make_token("PS256", "{\"alg\":\"PS256\",\"kid\":\"pem-rs\"}", c), kNow).status, Status::alg_not_allowed);
  EXPECT_EQ(v.verify(make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"raw-hs\"}", c, sb), kNow).status, Status::ok);
  // An empty builder is an error, not an empty key set.
  KeySetBuilder empty;
  EXPECT_EQ(empty.build(&error), nullptr);
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace jwtbatch
