// security_test.cpp: one test per known class of JWT vulnerability, end to end through the public
// API, as listed in the README's Security table (alg none, RSA/HMAC confusion, ECDSA psychic
// signatures, signature malleability, key injection through jwk/jku/x5u/x5c, kid injection, claim
// type confusion, duplicate members, crit, JWE/JWS confusion, zip, resource exhaustion, HMAC
// comparison timing). Deeper tests of the same properties live in crypto_test.cpp,
// wycheproof_test.cpp, verifier_test.cpp and limits_test.cpp.
#include <gtest/gtest.h>

#include <openssl/bn.h>
#include <openssl/ec_key.h>
#include <openssl/mem.h>
#include <openssl/rsa.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "jwtbatch/jwtbatch.hpp"
#include "tests/support/token_builder.hpp"
#include "tests/support/verifier_fixture.hpp"

namespace jwtbatch {
namespace {

using test::b64url;
using test::make_token;
using Bytes = std::vector<uint8_t>;

constexpr UnixSeconds kNow = 1767225600;
const std::string kClaims = "{\"sub\":\"u1\",\"exp\":" + std::to_string(kNow + 3600) + "}";

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class SecurityTest : public test::VerifierFixture {
 protected:
  // signed_with builds header.claims.sig where sig is `alg`'s signature by the test keys.
  static std::string signed_with(const std::string& alg, const std::string& header, const std::string& claims = kClaims) {
    return make_token(alg, header, claims);
  }
};

// alg "none" (the 2015 disclosures, CVE-2015-9235 among them; CVE-2022-23540): never accepted, in any
// capitalisation, signed or not, with or without a kid, whatever the allow-list says.
TEST_F(SecurityTest, AlgNoneIsNeverAccepted) {
  for (const char* none : {"none", "None", "NONE", "nOnE"}) {
    for (const std::string& h : {std::string("{\"alg\":\"") + none + "\"}",
                                 std::string("{\"alg\":\"") + none + "\",\"kid\":\"hs\",\"typ\":\"JWT\"}"}) {
      const std::string input = b64url(h) + "." + b64url(kClaims);
      EXPECT_EQ(status(input + "."), Status::unsupported_alg) << h;
      EXPECT_EQ(status(input + "." + b64url(test::sign("HS256", input))), Status::unsupported_alg) << h;
      Policy every;
      every.algs = AlgSet{Alg::hs256, Alg::rs256, Alg::es256, Alg::eddsa};
      EXPECT_EQ(status(input + ".", every), Status::unsupported_alg) << h;
    }
  }
  EXPECT_EQ(alg_from_string("none"), Alg::unknown);
  // An empty signature on a real algorithm is a bad signature, never "unsigned".
  EXPECT_EQ(status(b64url("{\"alg\":\"HS256\",\"kid\":\"hs\"}") + "." + b64url(kClaims) + "."), Status::bad_signature);
  EXPECT_EQ(status(b64url("{\"alg\":\"\",\"kid\":\"hs\"}") + "." + b64url(kClaims) + "."), Status::unsupported_alg);
}

// RSA/HMAC algorithm confusion (CVE-2015-9235, CVE-2022-23541): an HS256 token
// "signed" with a public key as the HMAC secret. The key's family and alg decide, not the token.
TEST_F(SecurityTest, PublicKeyAsHmacSecretIsRefused) {
  const test::TestKeys& k = test::test_keys();
  const std::string pem = k.rsa_public_pem();
  Bytes n(BN_num_bytes(RSA_get0_n(k.rsa.get())));
  BN_bn2bin(RSA_get0_n(k.rsa.get()), n.data());
  uint8_t* der = nullptr;
  size_t der_len = 0;
  ASSERT_TRUE(RSA_public_key_to_bytes(&der, &der_len, k.rsa.get()));
  const Bytes pkcs1(der, der + der_len);
  OPENSSL_free(der);
  for (const Bytes& secret : {Bytes(pem.begin(), pem.end()), n, pkcs1}) {
    for (const char* kid : {"rs", "ps", "es", "ed"}) {
      const std::string h = std::string("{\"alg\":\"HS256\",\"kid\":\"") + kid + "\"}";
      EXPECT_EQ(status(make_token("HS256", h, kClaims, secret)), Status::alg_not_allowed) << kid;
    }
    // Without kid, only HMAC keys are tried, and the public key is not one of them.
    EXPECT_EQ(status(make_token("HS256", "{\"alg\":\"HS256\"}", kClaims, secret)), Status::bad_signature);
  }
  // And the other way round: an asymmetric alg naming the HMAC key.
  EXPECT_EQ(status(signed_with("RS256", "{\"alg\":\"RS256\",\"kid\":\"hs\"}")), Status::alg_not_allowed);
  EXPECT_EQ(status(signed_with("ES256", "{\"alg\":\"ES256\",\"kid\":\"rs\"}")), Status::alg_not_allowed);
}

// ECDSA "psychic signatures" (CVE-2022-21449): r = s = 0, or r, s out of [1, n-1], must fail.
TEST_F(SecurityTest, EcdsaPsychicSignaturesFail) {
  const std::string input = b64url("{\"alg\":\"ES256\",\"kid\":\"es\"}") + "." + b64url(kClaims);
  const Bytes good = test::sign("ES256", input);
  ASSERT_EQ(status(input + "." + b64url(good)), Status::ok);
  const EC_GROUP* group = EC_KEY_get0_group(test::test_keys().p256.get());
  Bytes order(32);
  BN_bn2bin_padded(order.data(), 32, EC_GROUP_get0_order(group));
  const Bytes zero(32, 0), r(good.begin(), good.begin() + 32), s(good.begin() + 32, good.end());
  auto cat = [](const Bytes& a, const Bytes& b) {
    Bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
  };
  for (const Bytes& sig : {cat(zero, zero), cat(zero, s), cat(r, zero), cat(order, order), cat(order, s), cat(r, order)})
    EXPECT_EQ(status(input + "." + b64url(sig)), Status::bad_signature);
  // r = s = 0 in DER (the shape the Java bug took), and an empty signature.
  const Bytes der_zero{0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00};
  EXPECT_EQ(status(input + "." + b64url(der_zero)), Status::bad_signature);
  EXPECT_EQ(status(input + "."), Status::bad_signature);
}

// Signature malleability: a token has one canonical spelling (strict base64url: no padding, zero
// trailing bits), RSA s + n and Ed25519 S + L are refused. ECDSA's (r, n - s) is a second valid
// signature of the same claims by the key's holder (RFC 7518 does not ask for low s): it cannot
// change what the token says, but a token's signature bytes are no replay key: use jti.
TEST_F(SecurityTest, SignatureMalleability) {
  const std::string hs = signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\"}");
  ASSERT_EQ(status(hs), Status::ok);
  EXPECT_EQ(status(hs + "="), Status::bad_base64);
  std::string noncanonical = hs;  // HS256: 43 characters, the last one carries 2 unused bits
  noncanonical.back() = static_cast<char>(noncanonical.back() + 1);
  EXPECT_EQ(status(noncanonical), Status::bad_base64);

  // RSA: a leading zero byte, and s + n.
  const std::string rs_input = b64url("{\"alg\":\"RS256\",\"kid\":\"rs\"}") + "." + b64url(kClaims);
  Bytes rs = test::sign("RS256", rs_input);
  ASSERT_EQ(status(rs_input + "." + b64url(rs)), Status::ok);
  Bytes padded = rs;
  padded.insert(padded.begin(), 0);
  EXPECT_EQ(status(rs_input + "." + b64url(padded)), Status::bad_signature);
  bssl::UniquePtr<BIGNUM> sn(BN_bin2bn(rs.data(), rs.size(), nullptr));
  ASSERT_TRUE(BN_add(sn.get(), sn.get(), RSA_get0_n(test::test_keys().rsa.get())));
  Bytes plus_n(BN_num_bytes(sn.get()));
  BN_bn2bin(sn.get(), plus_n.data());
  EXPECT_EQ(status(rs_input + "." + b64url(plus_n)), Status::bad_signature);

  // Ed25519: S + L (little-endian; S < L < 2^253 so the sum fits in 32 bytes).
  const std::string ed_input = b64url("{\"alg\":\"EdDSA\",\"kid\":\"ed\"}") + "." + b64url(kClaims);
  Bytes ed = test::sign("EdDSA", ed_input);
  ASSERT_EQ(status(ed_input + "." + b64url(ed)), Status::ok);
  static constexpr uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                     0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    const unsigned sum = ed[32 + i] + kL[i] + carry;
    ed[32 + i] = static_cast<uint8_t>(sum);
    carry = sum >> 8;
  }
  ASSERT_EQ(carry, 0u);
  EXPECT_EQ(status(ed_input + "." + b64url(ed)), Status::bad_signature);

  // ECDSA (r, n - s): valid, by design; it signs the same bytes.
  const std::string es_input = b64url("{\"alg\":\"ES256\",\"kid\":\"es\"}") + "." + b64url(kClaims);
  Bytes es = test::sign("ES256", es_input);
  bssl::UniquePtr<BIGNUM> s(BN_bin2bn(es.data() + 32, 32, nullptr)), neg(BN_new());
  ASSERT_TRUE(BN_sub(neg.get(), EC_GROUP_get0_order(EC_KEY_get0_group(test::test_keys().p256.get())), s.get()));
  ASSERT_TRUE(BN_bn2bin_padded(es.data() + 32, 32, neg.get()));
  EXPECT_EQ(status(es_input + "." + b64url(es)), Status::ok);
}

// Key injection (CVE-2018-0114 and kin): keys or key URLs in the header (jwk, jku, x5u, x5c) are
// never fetched nor trusted; only the KeySet's keys verify.
TEST_F(SecurityTest, HeaderKeysAndKeyUrlsAreNeverTrusted) {
  const std::string evil(48, 'e');
  const std::string jwk = "{\"kty\":\"oct\",\"k\":\"" + b64url(evil) + "\"}";
  for (const std::string& h : {
           "{\"alg\":\"HS256\",\"jwk\":" + jwk + "}",
           "{\"alg\":\"HS256\",\"kid\":\"hs\",\"jwk\":" + jwk + "}",
           "{\"alg\":\"HS256\",\"kid\":\"evil\",\"jwk\":" + jwk + "}",
           std::string("{\"alg\":\"HS256\",\"jku\":\"https://attacker.example/jwks.json\"}"),
           std::string("{\"alg\":\"HS256\",\"kid\":\"hs\",\"x5u\":\"https://attacker.example/cert.pem\"}"),
           std::string("{\"alg\":\"HS256\",\"kid\":\"hs\",\"x5c\":[\"MIIBszCCAVmgAwIBAgIU\"]}")}) {
    const Status s = status(make_token("HS256", h, kClaims, bytes_of(evil)));
    EXPECT_TRUE(s == Status::bad_signature || s == Status::key_not_found) << h << " -> " << to_string(s);
  }
  // The same members on a token our key signed change nothing: they are ignored, not refused.
  EXPECT_EQ(status(signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\",\"jku\":\"https://attacker.example/\",\"jwk\":" +
                                            jwk + "}")),
            Status::ok);
}

// kid injection (path traversal, SQL, wildcards, NUL): the kid is only ever looked up, byte for
// byte, in the KeySet's in-memory map; it never reaches a file system, a database or a pattern.
TEST_F(SecurityTest, KidIsOnlyAnExactMapLookup) {
  const std::string empty_secret;  // what /dev/null or an empty SQL result would give
  for (const char* kid : {"../../../../../../dev/null", "/dev/null", "' OR '1'='1", "hs' --", "hs\\u0000", "HS", " hs",
                          "hs ", "h*", "%", "", "hs/../hs", "file:///etc/passwd"}) {
    const std::string h = std::string("{\"alg\":\"HS256\",\"kid\":\"") + kid + "\"}";
    EXPECT_EQ(status(make_token("HS256", h, kClaims, bytes_of(empty_secret))), Status::key_not_found) << kid;
    EXPECT_EQ(status(make_token("HS256", h, kClaims)), Status::key_not_found) << kid;  // even with our key's MAC
  }
  // The same kid spelled with a JSON escape is the same kid.
  EXPECT_EQ(status(signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":\"\\u0068s\"}")), Status::ok);
}

// Claim type confusion: registered claims must have their JSON type; a string exp is not a number
// far in the future, an array iss is not an issuer, an object aud is not an audience.
TEST_F(SecurityTest, ClaimTypeConfusion) {
  Policy p;
  p.issuers = {"https://a.example"};
  p.audiences = {"api"};
  const std::string iss = ",\"iss\":\"https://a.example\"", aud = ",\"aud\":\"api\"";
  const std::string exp = ",\"exp\":" + std::to_string(kNow + 60);
  auto st = [&](const std::string& body) {
    return status(signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\"}", "{\"sub\":\"u\"" + body + "}"), p);
  };
  ASSERT_EQ(st(exp + iss + aud), Status::ok);
  for (const std::string& bad : {std::string(",\"exp\":\"99999999999\""), std::string(",\"exp\":true"), std::string(",\"exp\":null"),
                                 std::string(",\"exp\":[99999999999]"), std::string(",\"exp\":{\"t\":99999999999}")})
    EXPECT_EQ(st(bad + iss + aud), Status::bad_claim) << bad;
  EXPECT_EQ(st(exp + ",\"nbf\":\"0\"" + iss + aud), Status::bad_claim);
  EXPECT_EQ(st(exp + ",\"iat\":\"0\"" + iss + aud), Status::bad_claim);
  EXPECT_EQ(st(exp + ",\"iss\":[\"https://a.example\"]" + aud), Status::bad_claim);
  EXPECT_EQ(st(exp + ",\"iss\":null" + aud), Status::bad_claim);
  EXPECT_EQ(st(exp + iss + ",\"aud\":{\"api\":true}"), Status::bad_claim);
  EXPECT_EQ(st(exp + iss + ",\"aud\":[\"api\",1]"), Status::bad_claim);
  EXPECT_EQ(st(exp + iss + ",\"aud\":[[\"api\"]]"), Status::bad_claim);
  EXPECT_EQ(st(exp + iss + aud + ",\"jti\":5"), Status::bad_claim);
  // Header members too: alg, kid, typ must be strings.
  EXPECT_EQ(status(signed_with("HS256", "{\"alg\":[\"HS256\"],\"kid\":\"hs\"}")), Status::bad_header);
  EXPECT_EQ(status(signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":[\"hs\"]}")), Status::bad_header);
}

// Parser differentials through repeated members ({"exp":1,"exp":99999999999}: which one wins?):
// a repeated name anywhere, escaped or not, makes the JSON invalid.
TEST_F(SecurityTest, RepeatedMembersAreInvalidJson) {
  const std::string h = "{\"alg\":\"HS256\",\"kid\":\"hs\"}";
  EXPECT_EQ(status(signed_with("HS256", h, "{\"exp\":1,\"exp\":99999999999}")), Status::bad_json);
  EXPECT_EQ(status(signed_with("HS256", h, "{\"exp\":99999999999,\"\\u0065xp\":1}")), Status::bad_json);
  EXPECT_EQ(status(signed_with("HS256", h, "{\"exp\":99999999999,\"a\":{\"b\":1,\"b\":2}}")), Status::bad_json);
  EXPECT_EQ(status(signed_with("HS256", "{\"alg\":\"none\",\"alg\":\"HS256\",\"kid\":\"hs\"}")), Status::bad_json);
  EXPECT_EQ(status(signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":\"x\",\"kid\":\"hs\"}")), Status::bad_json);
}

// crit (RFC 7515 4.1.11): jwtbatch implements no extension, so any crit (b64 of RFC 7797
// included: an unencoded payload would be verified over other bytes than it reads) is refused.
TEST_F(SecurityTest, CritExtensionsAreRefused) {
  EXPECT_EQ(status(signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\",\"b64\":false,\"crit\":[\"b64\"]}")),
            Status::unsupported_crit);
  EXPECT_EQ(status(signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\",\"crit\":[\"exp\"],\"exp\":1}")),
            Status::unsupported_crit);
  EXPECT_EQ(status(signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\",\"crit\":[]}")), Status::bad_header);
}

// JWE/JWS confusion: a JWE (five parts, or a JWE header on three) is never read as a JWS, and the
// JSON serialisations are not tokens.
TEST_F(SecurityTest, JweIsNeverTakenForJws) {
  const std::string jws = signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\"}");
  ASSERT_EQ(status(jws), Status::ok);
  const std::string jwe_header = b64url("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"kid\":\"rs\"}");
  EXPECT_EQ(status(jwe_header + ".AAAA.BBBB.CCCC.DDDD"), Status::malformed);
  EXPECT_EQ(status(jws + ".AAAA.BBBB"), Status::malformed);
  EXPECT_EQ(status(jws + ".AAAA"), Status::malformed);
  for (const char* h : {"{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"kid\":\"rs\"}", "{\"alg\":\"dir\",\"enc\":\"A128GCM\"}",
                        "{\"alg\":\"A128KW\",\"enc\":\"A128CBC-HS256\",\"kid\":\"hs\"}",
                        "{\"alg\":\"PBES2-HS256+A128KW\",\"p2c\":2000000000,\"enc\":\"A128GCM\"}"})
    EXPECT_EQ(status(signed_with("HS256", h)), Status::unsupported_alg) << h;
  EXPECT_EQ(status("{\"payload\":\"" + b64url(kClaims) + "\",\"signatures\":[]}"), Status::malformed);
}

// Decompression bombs ("zip":"DEF"; CVE-2024-28180, CVE-2024-28176, CVE-2024-28122 in JWE
// libraries): zip is a JWE parameter; jwtbatch never inflates anything. A JWS with zip and deflated
// claims is bad JSON; with zip and plain claims, zip is just an unused member.
TEST_F(SecurityTest, ZipIsNeverInflated) {
  static constexpr uint8_t kDeflated[] = {  // raw deflate of {"sub":"admin","exp":4102444800,"pad":"A...A"}
      0xab, 0x56, 0x2a, 0x2e, 0x4d, 0x52, 0xb2, 0x52, 0x4a, 0x4c, 0xc9, 0xcd, 0xcc, 0x53, 0xd2,
      0x51, 0x4a, 0xad, 0x28, 0x50, 0xb2, 0x32, 0x31, 0x34, 0x30, 0x32, 0x31, 0x31, 0xb1, 0x30,
      0x30, 0xd0, 0x51, 0x2a, 0x48, 0x4c, 0x01, 0x4a, 0x3b, 0x0e, 0x13, 0xa0, 0x54, 0x0b, 0x00};
  const std::string deflated(reinterpret_cast<const char*>(kDeflated), sizeof kDeflated);
  Verdict v = check(signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\",\"zip\":\"DEF\"}", deflated));
  EXPECT_EQ(v.status, Status::bad_json);
  EXPECT_EQ(v.detail, 2u);  // the claims
  EXPECT_EQ(status(signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\",\"zip\":\"DEF\"}")), Status::ok);
}

// Resource exhaustion: every input is refused at the first limit it crosses, before the costly
// part (details and both sides of each boundary: limits_test.cpp; costs: bench/hostile_bench.cpp).
TEST_F(SecurityTest, HostileInputStopsAtTheFirstLimit) {
  const std::string h = "{\"alg\":\"HS256\",\"kid\":\"hs\"}";
  const std::string exp = "\"exp\":" + std::to_string(kNow + 60);
  EXPECT_EQ(status(std::string(1 << 20, 'A')), Status::too_large);
  EXPECT_EQ(status(signed_with("HS256", h, "{" + exp + ",\"d\":" + std::string(20000, '[') + std::string(20000, ']') + "}")),
            Status::bad_json);
  std::string members = "{\"alg\":\"HS256\",\"kid\":\"hs\"";
  for (int i = 0; i < 3000; ++i) members += ",\"m" + std::to_string(i) + "\":0";
  EXPECT_EQ(status(signed_with("HS256", members + "}")), Status::bad_header);
  EXPECT_EQ(status(signed_with("HS256", "{\"alg\":\"HS256\",\"kid\":\"" + std::string(30000, 'k') + "\"}")), Status::bad_header);
  std::string aud = "{" + exp + ",\"aud\":[\"a\"";
  for (int i = 0; i < 5000; ++i) aud += ",\"a\"";
  EXPECT_EQ(status(signed_with("HS256", h, aud + "]}")), Status::bad_claim);
  // Key sets: the document size and key count are capped at load.
  std::string error;
  EXPECT_FALSE(KeySet::from_jwks(std::string(kMaxJwksBytes + 1, ' '), &error));
}

// Timing of the HMAC comparison: tags are compared with CRYPTO_memcmp (constant time), so how
// long a rejection takes does not depend on how many leading bytes matched. A timing measurement
// would be flaky; this test checks behaviour at every position and guards the code path.
TEST_F(SecurityTest, HmacTagComparedInConstantTime) {
  const std::string input = b64url("{\"alg\":\"HS256\",\"kid\":\"hs\"}") + "." + b64url(kClaims);
  const Bytes tag = test::sign("HS256", input);
  ASSERT_EQ(status(input + "." + b64url(tag)), Status::ok);
  for (size_t i = 0; i < tag.size(); ++i) {
    Bytes bad = tag;
    bad[i] ^= 0x80;
    EXPECT_EQ(status(input + "." + b64url(bad)), Status::bad_signature) << i;
  }
  // The comparison in engine/sig/crypto.cpp's hmac_verify is CRYPTO_memcmp, and no plain memcmp or
  // operator== compares tags anywhere in the file.
  std::ifstream f(JWTBATCH_SOURCE_DIR "/engine/sig/crypto.cpp");
  ASSERT_TRUE(f) << "engine/sig/crypto.cpp not found";
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string src = ss.str();
  const size_t begin = src.find("bool hmac_verify(");
  ASSERT_NE(begin, std::string::npos);
  const size_t end = src.find("\n}\n", begin);
  const std::string body = src.substr(begin, end - begin);
  EXPECT_NE(body.find("return CRYPTO_memcmp(mac, tag.data(), H::out_len) == 0;"), std::string::npos) << body;
  size_t plain = 0;
  for (size_t at = src.find("memcmp("); at != std::string::npos; at = src.find("memcmp(", at + 1))
    if (at < 7 || src.compare(at - 7, 7, "CRYPTO_") != 0) ++plain;
  EXPECT_EQ(plain, 0u) << "a plain memcmp in engine/sig/crypto.cpp";
}

}  // namespace
}  // namespace jwtbatch
