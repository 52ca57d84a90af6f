// kat_data_test.cpp: the known-answer data of corpus/rfc (RFC 7515 appendix A, RFC 8037 appendix
// A, RFC 7520 section 4) checked straight with BoringSSL, so the data itself is known right before
// any jwtbatch code is tested against it: every token verifies with its key, every flipped bit of
// its signature fails, and where the RFC publishes the private key, the public key (and, for the
// deterministic algorithms, the signature) is recomputed from it.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>
#include <simdjson.h>

#include "tests/support/jws_check.hpp"

namespace jwtbatch {
namespace {

namespace fs = std::filesystem;
using test::CheckKey;

const fs::path kRfcDir = fs::path(JWTBATCH_SOURCE_DIR) / "corpus" / "rfc";

// The vectors: corpus/rfc/<id>.jws.json and <id>.jwks.json (and <id>.private.jwks.json where the
// RFC publishes the private key).
const char* const kVectors[] = {
    "rfc7515_a1_hs256", "rfc7515_a2_rs256", "rfc7515_a3_es256",  "rfc7515_a4_es512",
    "rfc8037_a4_eddsa", "rfc7520_4_1_rs256", "rfc7520_4_3_es512", "rfc7520_4_4_hs256",
};

struct Vector {
  std::string origin, alg, kid, jws, signing_input, header, payload;
  std::string key_origin;
  std::vector<CheckKey> keys;
};

std::string get_string(simdjson::dom::object obj, std::string_view name) {
  std::string_view s;
  EXPECT_EQ(obj[name].get_string().get(s), simdjson::SUCCESS) << name;
  return std::string(s);
}

std::optional<Vector> load_vector(const std::string& id) {
  Vector v;
  simdjson::dom::parser parser;
  simdjson::padded_string jws_doc(test::read_text((kRfcDir / (id + ".jws.json")).string()));
  simdjson::dom::object obj;
  if (parser.parse(jws_doc).get_object().get(obj) != simdjson::SUCCESS) {
    ADD_FAILURE() << id << ".jws.json is not a JSON object";
    return std::nullopt;
  }
  v.origin = get_string(obj, "origin");
  v.alg = get_string(obj, "alg");
  v.kid = get_string(obj, "kid");
  v.jws = get_string(obj, "jws");
  v.signing_input = get_string(obj, "signing_input");
  v.header = get_string(obj, "header");
  v.payload = get_string(obj, "payload");

  const std::string jwks = test::read_text((kRfcDir / (id + ".jwks.json")).string());
  simdjson::dom::parser key_parser;
  simdjson::padded_string jwks_doc(jwks);
  simdjson::dom::object jwks_obj;
  if (key_parser.parse(jwks_doc).get_object().get(jwks_obj) != simdjson::SUCCESS) {
    ADD_FAILURE() << id << ".jwks.json is not a JSON object";
    return std::nullopt;
  }
  v.key_origin = get_string(jwks_obj, "origin");
  std::string why;
  if (!test::parse_jwks(jwks, &v.keys, &why)) {
    ADD_FAILURE() << id << ".jwks.json: " << why;
    return std::nullopt;
  }
  return v;
}

std::string as_string(const std::vector<uint8_t>& b) { return std::string(b.begin(), b.end()); }

std::vector<uint8_t> decode(std::string_view s) {
  auto d = test::b64url_decode(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(std::vector<uint8_t>{});
}

// RfcVectorName turns "rfc7515_a3_es256" into "Rfc7515A3Es256" (and "rfc7520_4_1_rs256" into
// "Rfc7520_4_1Rs256": digits that would run together keep their underscore).
std::string RfcVectorName(const ::testing::TestParamInfo<const char*>& info) {
  std::string name;
  bool upper = true;
  for (const char* p = info.param; *p; ++p) {
    if (*p == '_') {
      upper = true;
      if (std::isdigit(static_cast<unsigned char>(p[1])) && !name.empty() &&
          std::isdigit(static_cast<unsigned char>(name.back()))) {
        name += '_';
      }
      continue;
    }
    name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(*p))) : *p;
    upper = false;
  }
  return name;
}

class RfcKat : public ::testing::TestWithParam<const char*> {};

TEST_P(RfcKat, DataIsConsistent) {
  auto v = load_vector(GetParam());
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->origin.starts_with("RFC ")) << v->origin;
  EXPECT_TRUE(v->key_origin.starts_with("RFC ")) << v->key_origin;
  ASSERT_EQ(v->keys.size(), 1u);
  EXPECT_EQ(v->keys[0].kid, v->kid);
  EXPECT_EQ(v->keys[0].alg, v->alg);
  std::vector<std::string> parts = test::split_dots(v->jws);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0] + "." + parts[1], v->signing_input);
  EXPECT_EQ(as_string(decode(parts[0])), v->header);
  EXPECT_EQ(as_string(decode(parts[1])), v->payload);
  // The header names the algorithm (and the kid, where the RFC's header has one).
  simdjson::dom::parser parser;
  simdjson::dom::object h;
  ASSERT_EQ(parser.parse(v->header).get_object().get(h), simdjson::SUCCESS);
  EXPECT_EQ(h["alg"].get_string().value(), v->alg);
  std::string_view kid;
  if (h["kid"].get_string().get(kid) == simdjson::SUCCESS) {
    EXPECT_EQ(kid, v->kid);
  }
}

TEST_P(RfcKat, VerifiesWithBoringSsl) {
  auto v = load_vector(GetParam());
  ASSERT_TRUE(v.has_value());
  std::vector<std::string> parts = test::split_dots(v->jws);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(test::verify_jws(v->keys[0], v->alg, v->signing_input, decode(parts[2])));
}

// Bit-flip sweep: every single-bit change of the signature, and a few of the signing input, fails.
TEST_P(RfcKat, EveryFlippedBitFails) {
  auto v = load_vector(GetParam());
  ASSERT_TRUE(v.has_value());
  std::vector<std::string> parts = test::split_dots(v->jws);
  ASSERT_EQ(parts.size(), 3u);
  const std::vector<uint8_t> sig = decode(parts[2]);
  for (size_t bit = 0; bit < sig.size() * 8; ++bit) {
    std::vector<uint8_t> bad = sig;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(test::verify_jws(v->keys[0], v->alg, v->signing_input, bad)) << "signature bit " << bit;
  }
  for (size_t i = 0; i < v->signing_input.size(); i += 7) {
    std::string bad = v->signing_input;
    bad[i] ^= 0x01;
    EXPECT_FALSE(test::verify_jws(v->keys[0], v->alg, bad, sig)) << "signing input byte " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, RfcKat, ::testing::ValuesIn(kVectors), RfcVectorName);

// The private keys the RFCs publish match their public keys; deterministic signatures are
// reproduced from them.
simdjson::dom::object private_jwk(simdjson::dom::parser& parser, const simdjson::padded_string& doc) {
  simdjson::dom::object key;
  EXPECT_EQ(parser.parse(doc)["keys"].at(0).get_object().get(key), simdjson::SUCCESS);
  return key;
}

bssl::UniquePtr<BIGNUM> bn_member(simdjson::dom::object obj, std::string_view name) {
  std::vector<uint8_t> b = decode(get_string(obj, name));
  return bssl::UniquePtr<BIGNUM>(BN_bin2bn(b.data(), b.size(), nullptr));
}

TEST(RfcKatPrivate, Rfc7515A2Rs256SignatureIsReproduced) {
  auto v = load_vector("rfc7515_a2_rs256");
  ASSERT_TRUE(v.has_value());
  simdjson::dom::parser parser;
  simdjson::padded_string doc(test::read_text((kRfcDir / "rfc7515_a2_rs256.private.jwks.json").string()));
  simdjson::dom::object jwk = private_jwk(parser, doc);
  bssl::UniquePtr<RSA> rsa(RSA_new());
  ASSERT_TRUE(RSA_set0_key(rsa.get(), bn_member(jwk, "n").release(), bn_member(jwk, "e").release(),
                           bn_member(jwk, "d").release()));
  ASSERT_TRUE(RSA_set0_factors(rsa.get(), bn_member(jwk, "p").release(), bn_member(jwk, "q").release()));
  ASSERT_TRUE(RSA_set0_crt_params(rsa.get(), bn_member(jwk, "dp").release(), bn_member(jwk, "dq").release(),
                                  bn_member(jwk, "qi").release()));
  ASSERT_TRUE(RSA_check_key(rsa.get()));
  uint8_t digest[32];
  unsigned digest_len = 0;
  EVP_Digest(v->signing_input.data(), v->signing_input.size(), digest, &digest_len, EVP_sha256(), nullptr);
  std::vector<uint8_t> sig(RSA_size(rsa.get()));
  unsigned sig_len = 0;
  ASSERT_TRUE(RSA_sign(NID_sha256, digest, digest_len, sig.data(), &sig_len, rsa.get()));
  sig.resize(sig_len);
  EXPECT_EQ(sig, decode(test::split_dots(v->jws)[2]));
}

TEST(RfcKatPrivate, Rfc8037A1Ed25519KeyAndA4SignatureAreReproduced) {
  auto v = load_vector("rfc8037_a4_eddsa");
  ASSERT_TRUE(v.has_value());
  simdjson::dom::parser parser;
  simdjson::padded_string doc(test::read_text((kRfcDir / "rfc8037_a4_eddsa.private.jwks.json").string()));
  simdjson::dom::object jwk = private_jwk(parser, doc);
  std::vector<uint8_t> seed = decode(get_string(jwk, "d"));
  ASSERT_EQ(seed.size(), 32u);
  uint8_t pub[32], priv[64], sig[64];
  ED25519_keypair_from_seed(pub, priv, seed.data());
  EXPECT_EQ(std::vector<uint8_t>(pub, pub + 32), v->keys[0].ed25519);
  ASSERT_TRUE(ED25519_sign(sig, reinterpret_cast<const uint8_t*>(v->signing_input.data()),
                           v->signing_input.size(), priv));
  EXPECT_EQ(std::vector<uint8_t>(sig, sig + 64), decode(test::split_dots(v->jws)[2]));
}

TEST(RfcKatPrivate, Rfc7515A3A4EcPrivateKeysMatchTheirPublicKeys) {
  for (const char* id : {"rfc7515_a3_es256", "rfc7515_a4_es512"}) {
    SCOPED_TRACE(id);
    auto v = load_vector(id);
    ASSERT_TRUE(v.has_value());
    simdjson::dom::parser parser;
    simdjson::padded_string doc(test::read_text((kRfcDir / (std::string(id) + ".private.jwks.json")).string()));
    simdjson::dom::object jwk = private_jwk(parser, doc);
    const EC_GROUP* group = EC_KEY_get0_group(v->keys[0].ec.get());
    bssl::UniquePtr<BIGNUM> d = bn_member(jwk, "d");
    bssl::UniquePtr<EC_POINT> point(EC_POINT_new(group));
    ASSERT_TRUE(EC_POINT_mul(group, point.get(), d.get(), nullptr, nullptr, nullptr));
    EXPECT_EQ(EC_POINT_cmp(group, point.get(), EC_KEY_get0_public_key(v->keys[0].ec.get()), nullptr), 0);
    // The private file repeats the public members exactly.
    simdjson::dom::parser pub_parser;
    simdjson::padded_string pub_doc(test::read_text((kRfcDir / (std::string(id) + ".jwks.json")).string()));
    simdjson::dom::object pub_jwk = private_jwk(pub_parser, pub_doc);
    for (std::string_view m : {"kty", "kid", "alg", "crv", "x", "y"}) {
      EXPECT_EQ(get_string(jwk, m), get_string(pub_jwk, m)) << m;
    }
  }
}

// Every data file of corpus/rfc is listed (with its origin) in its README.
TEST(RfcKatFiles, ReadmeListsEveryFile) {
  const std::string readme = test::read_text((kRfcDir / "README.md").string());
  ASSERT_FALSE(readme.empty());
  size_t num_files = 0;
  for (const auto& entry : fs::directory_iterator(kRfcDir)) {
    const std::string name = entry.path().filename().string();
    if (name == "README.md") continue;
    ++num_files;
    EXPECT_NE(readme.find("`" + name + "`"), std::string::npos) << name << " is not in README.md";
  }
  EXPECT_EQ(num_files, 20u);
}

}  // namespace
}  // namespace jwtbatch
