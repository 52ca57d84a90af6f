// keyset_test.cpp: KeySetBuilder and KeySet as a unit (engine/keys/keyset.cpp), down to the index
// stage 4 reads (KeySet::Impl: by_kid, by_kid_order, by_alg, permitted, unsupported_kids): JWKS of
// several keys and the demo corpus's, kid ranges with duplicate kids, kid-less keys, alg binding,
// one warning per skipped key naming its kid, the document-level errors, PEM keys and raw secrets,
// several sources in one builder, and KeySet ids. Keys are the generated test keys
// (tests/support/token_builder.hpp) and a P-384 and an Ed25519 key made here with BoringSSL.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <span>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include <openssl/bn.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/pem.h>

#include "engine/keys/keyset_data.hpp"
#include "jwtbatch/jwtbatch.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch {
namespace {

using test::b64url;
using test::bn_bytes;
using test::public_key_pem;
using test::test_keys;
using Bytes = std::vector<uint8_t>;
using Members = std::vector<std::pair<std::string, std::string>>;

constexpr AlgSet kHmacAlgs{Alg::hs256, Alg::hs384, Alg::hs512};
constexpr AlgSet kRsaAlgs{Alg::rs256, Alg::rs384, Alg::rs512, Alg::ps256, Alg::ps384, Alg::ps512};

// jwk writes one JWK of string members, in order; a member with an empty value is left out (a kid
// of "" makes a kid-less key).
std::string jwk(const Members& members) {
  std::string j = "{";
  for (const auto& [name, value] : members)
    if (!value.empty()) j += (j.size() > 1 ? ",\"" : "\"") + name + "\":\"" + value + "\"";
  return j + "}";
}

std::string jwks(const std::vector<std::string>& keys) {
  std::string j = "{\"keys\":[";
  for (size_t i = 0; i < keys.size(); ++i) j += (i ? "," : "") + keys[i];
  return j + "]}";
}

// The test keys' public parts as JWK members.
Members oct(const std::string& kid, size_t secret_len, const std::string& alg = "") {
  Members m = {{"kty", "oct"}, {"kid", kid}, {"k", b64url(Bytes(secret_len, 0x42))}};
  if (!alg.empty()) m.emplace_back("alg", alg);
  return m;
}
Members rsa(const std::string& kid, const std::string& alg = "") {
  const RSA* r = test_keys().rsa.get();
  Members m = {{"kty", "RSA"}, {"kid", kid}, {"n", b64url(bn_bytes(RSA_get0_n(r), RSA_size(r)))},
               {"e", "AQAB"}};
  if (!alg.empty()) m.emplace_back("alg", alg);
  return m;
}
Members p256(const std::string& kid) {
  const EC_KEY* k = test_keys().p256.get();
  bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
  EC_POINT_get_affine_coordinates_GFp(EC_KEY_get0_group(k), EC_KEY_get0_public_key(k), x.get(), y.get(), nullptr);
  return {{"kty", "EC"}, {"kid", kid}, {"crv", "P-256"}, {"x", b64url(bn_bytes(x.get(), 32))},
          {"y", b64url(bn_bytes(y.get(), 32))}};
}
Members ed25519(const std::string& kid) {
  return {{"kty", "OKP"}, {"kid", kid}, {"crv", "Ed25519"},
          {"x", b64url(std::span<const uint8_t>(test_keys().ed25519_public, 32))}};
}

// with returns `m` with member `name` set to `value` (added when absent).
Members with(Members m, const std::string& name, const std::string& value) {
  for (auto& [n, v] : m)
    if (n == name) {
      v = value;
      return m;
    }
  m.emplace_back(name, value);
  return m;
}

std::string p384_pem() {
  bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(NID_secp384r1));
  EXPECT_TRUE(EC_KEY_generate_key(ec.get()));
  bssl::UniquePtr<EVP_PKEY> pkey(EVP_PKEY_new());
  EVP_PKEY_set1_EC_KEY(pkey.get(), ec.get());
  return public_key_pem(pkey.get());
}

std::string ed25519_pem() {
  bssl::UniquePtr<EVP_PKEY> pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, test_keys().ed25519_public, 32));
  return public_key_pem(pkey.get());
}

// Loaded is KeySet::from_jwks's result.
struct Loaded {
  std::shared_ptr<const KeySet> keys;
  std::string error;
  std::vector<std::string> warnings;
  const KeySet::Impl& impl() const { return keys->impl(); }
};
Loaded load(std::string_view document) {
  Loaded l;
  l.keys = KeySet::from_jwks(document, &l.error, &l.warnings);
  return l;
}

// kid_range lists the key indexes by_kid gives for `kid`, in by_kid_order.
std::vector<uint32_t> kid_range(const KeySet::Impl& impl, std::string_view kid) {
  auto it = impl.by_kid.find(kid);
  if (it == impl.by_kid.end()) return {};
  return {impl.by_kid_order.begin() + it->second.begin,
          impl.by_kid_order.begin() + it->second.begin + it->second.count};
}

// expect_index_consistent checks by_alg and permitted against every key's algs().
void expect_index_consistent(const KeySet& keys) {
  const KeySet::Impl& impl = keys.impl();
  AlgSet all;
  for (size_t a = 1; a < kNumAlgs; ++a) {
    std::vector<uint32_t> want;
    for (uint32_t i = 0; i < keys.size(); ++i)
      if (keys.algs(i).contains(static_cast<Alg>(a))) want.push_back(i);
    EXPECT_EQ(impl.by_alg[a], want) << to_string(static_cast<Alg>(a));
  }
  for (uint32_t i = 0; i < keys.size(); ++i) all.add(keys.algs(i));
  EXPECT_EQ(keys.permitted_algs(), all);
}

std::span<const uint8_t> secret_of(size_t len) {
  static const Bytes secret(64, 0x5c);
  return std::span<const uint8_t>(secret).first(len);
}

// ---- JWKS documents ----------------------------------------------------------------------------

TEST(KeySetLoad, TestKeysOfEveryFamily) {
  const Loaded l = load(test_keys().jwks());
  ASSERT_TRUE(l.keys) << l.error;
  EXPECT_TRUE(l.warnings.empty());
  ASSERT_EQ(l.keys->size(), 5u);
  const std::vector<std::tuple<std::string_view, KeyFamily, Alg>> want = {
      {"hs", KeyFamily::hmac, Alg::hs256}, {"rs", KeyFamily::rsa, Alg::rs256}, {"ps", KeyFamily::rsa, Alg::ps256},
      {"es", KeyFamily::ec, Alg::es256},   {"ed", KeyFamily::okp, Alg::eddsa}};
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& [kid, family, alg] = want[i];
    EXPECT_EQ(l.keys->kid(i), kid);
    EXPECT_EQ(l.keys->family(i), family) << kid;
    EXPECT_EQ(l.keys->algs(i), AlgSet{alg}) << kid;
    EXPECT_EQ(kid_range(l.impl(), kid), std::vector<uint32_t>{static_cast<uint32_t>(i)});
  }
  EXPECT_EQ(l.keys->permitted_algs(), (AlgSet{Alg::hs256, Alg::rs256, Alg::ps256, Alg::es256, Alg::eddsa}));
  EXPECT_TRUE(l.impl().unsupported_kids.empty());
  expect_index_consistent(*l.keys);
}

TEST(KeySetLoad, DemoCorpusOneKeyPerAlgorithm) {
  std::ifstream in(std::string(JWTBATCH_SOURCE_DIR) + "/corpus/demo/jwks.json");
  ASSERT_TRUE(in) << "corpus/demo/jwks.json";
  std::stringstream text;
  text << in.rdbuf();
  const Loaded l = load(text.str());
  ASSERT_TRUE(l.keys) << l.error;
  EXPECT_TRUE(l.warnings.empty()) << l.warnings.front();
  ASSERT_EQ(l.keys->size(), kNumAlgs - 1);
  AlgSet every;
  for (size_t a = 1; a < kNumAlgs; ++a) {
    const Alg alg = static_cast<Alg>(a);
    every.add(alg);
    ASSERT_EQ(l.impl().by_alg[a].size(), 1u) << to_string(alg);
    EXPECT_EQ(l.keys->algs(l.impl().by_alg[a][0]), AlgSet{alg}) << "bound by its alg member";
  }
  EXPECT_EQ(l.keys->permitted_algs(), every);
  EXPECT_EQ(kid_range(l.impl(), "es384-1").size(), 1u);
}

// A document that is one JWK, not a set, is read as a set of one.
TEST(KeySetLoad, SingleJwkDocument) {
  const Loaded l = load(jwk(oct("alone", 32, "HS256")));
  ASSERT_TRUE(l.keys) << l.error;
  EXPECT_EQ(l.keys->kid(0), "alone");
}

TEST(KeySetLoad, DocumentErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"keys\":[", "JWKS is not valid JSON: "},
      {"[]", "JWKS is not a JSON object"},
      {"{\"keys\":{}}", "JWKS member \"keys\" is not an array"},
      {"{\"kid\":\"x\"}", "JWKS has no \"keys\" array"},
      {"{\"keys\":[]}", "no usable key"},
  };
  for (const auto& [document, error] : cases) {
    SCOPED_TRACE(document);
    const Loaded l = load(document);
    EXPECT_EQ(l.keys, nullptr);
    EXPECT_TRUE(l.error.starts_with(error)) << l.error;
    EXPECT_TRUE(l.warnings.empty());
  }
}

// A document whose keys are all skipped is an error naming the first reason; the warnings still
// come back.
TEST(KeySetLoad, NoUsableKeyIsAnError) {
  const Loaded l = load(jwks({jwk(oct("short", 16)), jwk(with(rsa("enc"), "use", "enc"))}));
  EXPECT_EQ(l.keys, nullptr);
  EXPECT_EQ(l.error, "no usable key (" + l.warnings.at(0) + ")");
  ASSERT_EQ(l.warnings.size(), 2u);
}

TEST(KeySetLoad, LargerThanTheLimitIsRefusedWhole) {
  std::string document = jwks({jwk(oct("hs", 32))});
  document.resize(kMaxJwksBytes + 1, ' ');
  KeySetBuilder b;
  std::string error;
  EXPECT_FALSE(b.add_jwks(document, &error));
  EXPECT_EQ(error, "JWKS larger than " + std::to_string(kMaxJwksBytes) + " bytes");
  EXPECT_TRUE(b.warnings().empty());
  // Nothing of it was added; the builder goes on.
  ASSERT_TRUE(b.add_jwks(jwks({jwk(oct("after", 32))}), &error)) << error;
  auto keys = b.build(&error);
  ASSERT_TRUE(keys) << error;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->kid(0), "after");
}

// ---- The index: kids and algs ------------------------------------------------------------------

TEST(KeySetIndex, DuplicateKidsShareOneRangeInInputOrder) {
  const Loaded l = load(jwks({jwk(oct("a", 32, "HS256")), jwk(oct("b", 48, "HS384")), jwk(rsa("a", "RS256")),
                              jwk(oct("", 64, "HS256")), jwk(oct("a", 64, "HS512"))}));
  ASSERT_TRUE(l.keys) << l.error;
  ASSERT_EQ(l.keys->size(), 5u);
  EXPECT_EQ(l.impl().by_kid.size(), 2u) << "the kid-less key has no entry";
  EXPECT_EQ(kid_range(l.impl(), "a"), (std::vector<uint32_t>{0, 2, 4}));
  EXPECT_EQ(kid_range(l.impl(), "b"), std::vector<uint32_t>{1});
  EXPECT_TRUE(kid_range(l.impl(), "").empty());
  EXPECT_TRUE(kid_range(l.impl(), "A").empty());
  // The kid-less key serves kid-less tokens of its alg, after the keyed one.
  EXPECT_EQ(l.keys->kid(3), "");
  EXPECT_EQ(l.impl().by_alg[static_cast<size_t>(Alg::hs256)], (std::vector<uint32_t>{0, 3}));
  expect_index_consistent(*l.keys);
}

// A key's alg binds it to that one algorithm; without alg it serves its family (HMAC: each HS*
// whose hash output the secret covers; EC: its curve's one).
TEST(KeySetIndex, AlgBindsElseTheFamily) {
  const Loaded l = load(jwks({jwk(oct("hs-any", 64)), jwk(oct("hs-48", 48)), jwk(oct("hs-32", 32)),
                              jwk(oct("hs384", 64, "HS384")), jwk(rsa("rsa-any")), jwk(rsa("ps512", "PS512")),
                              jwk(p256("es-any")), jwk(ed25519("ed-any"))}));
  ASSERT_TRUE(l.keys) << l.error;
  EXPECT_TRUE(l.warnings.empty()) << l.warnings.front();
  const std::vector<AlgSet> want = {kHmacAlgs,     {Alg::hs256, Alg::hs384}, {Alg::hs256}, {Alg::hs384},
                                    kRsaAlgs,      {Alg::ps512},             {Alg::es256}, {Alg::eddsa}};
  ASSERT_EQ(l.keys->size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(l.keys->algs(i), want[i]) << l.keys->kid(i);
  AlgSet permitted = kHmacAlgs;
  permitted.add(kRsaAlgs);
  permitted.add(AlgSet{Alg::es256, Alg::eddsa});
  EXPECT_EQ(l.keys->permitted_algs(), permitted);
  expect_index_consistent(*l.keys);
}

TEST(KeySetIndex, KidOfTheMaximumLengthIsIndexed) {
  const std::string kid(kMaxKidBytes, 'k');
  const Loaded l = load(jwks({jwk(oct(kid, 32))}));
  ASSERT_TRUE(l.keys) << l.error;
  EXPECT_EQ(kid_range(l.impl(), kid), std::vector<uint32_t>{0});
}

// ---- Skipped keys ------------------------------------------------------------------------------

// Each unusable key is skipped with exactly one warning, `skipped key "<kid>": <reason>`, and the
// usable keys around it still load.
TEST(KeySetSkip, OneWarningPerKeyNamingItsKid) {
  const std::string long_kid(kMaxKidBytes + 1, 'k');
  const std::vector<std::pair<Members, std::string>> cases = {
      {with(rsa("weak-rsa"), "n", b64url(Bytes(128, 0xc5))), "RSA modulus of 1024 bits is under 2048"},
      {oct("short-hs", 31), "HMAC secret of 31 bytes"},
      {oct("hs-as-rsa", 64, "RS256"), "no HMAC algorithm"},
      {with(p256("bad-ec"), "y", b64url(Bytes(32, 0))), "point is not on"},
      {with(oct("kty", 32), "kty", "foo"), "kty \"foo\" is not supported"},
      {with(p256("p192"), "crv", "P-192"), "curve \"P-192\" is not supported"},
      {with(ed25519("ed448"), "crv", "Ed448"), "curve \"Ed448\" is not supported (only Ed25519)"},
      {with(rsa("rs1"), "alg", "RS1"), "alg \"RS1\" is not supported"},
      {oct(long_kid, 32), "kid longer than 256 bytes"},
      {with(rsa("enc"), "use", "enc"), "\"use\": \"enc\" is not \"sig\""},
      {with(oct("no-k", 32), "k", "a+b/"), "member \"k\" is not valid base64url"},
      {{{"kty", "oct"}, {"kid", "missing-k"}}, "missing member \"k\""},
  };
  std::vector<std::string> keys = {jwk(oct("good-1", 32))};
  for (const auto& c : cases) keys.push_back(jwk(c.first));
  keys.push_back(R"({"kty":"oct","kid":"ops","key_ops":["sign"],"k":")" + b64url(Bytes(32, 1)) + "\"}");
  keys.push_back(jwk(oct("good-2", 32)));
  const Loaded l = load(jwks(keys));
  ASSERT_TRUE(l.keys) << l.error;
  ASSERT_EQ(l.keys->size(), 2u);
  EXPECT_EQ(l.keys->kid(1), "good-2");
  ASSERT_EQ(l.warnings.size(), cases.size() + 1);
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string& kid = cases[i].first[1].second;
    const std::string prefix = "skipped key \"" + kid + "\": ";
    EXPECT_TRUE(l.warnings[i].starts_with(prefix)) << l.warnings[i];
    EXPECT_NE(l.warnings[i].find(cases[i].second, prefix.size()), std::string::npos) << l.warnings[i];
  }
  EXPECT_EQ(l.warnings.back(), "skipped key \"ops\": \"key_ops\" does not include \"verify\"");
}

// Well-formed keys of an algorithm jwtbatch does not implement keep their kid in unsupported_kids
// (tokens naming them get unsupported_alg, not key_not_found); other skipped keys do not.
TEST(KeySetSkip, UnsupportedKidsAreRemembered) {
  const Loaded l = load(jwks({jwk(with(ed25519("ed448"), "crv", "Ed448")), jwk(with(p256("p192"), "crv", "P-192")),
                              jwk(with(rsa("rs1"), "alg", "RS1")), jwk(with(ed25519(""), "crv", "Ed448")),
                              jwk(with(oct("foo", 32), "kty", "foo")), jwk(oct("short", 16)), jwk(oct("ok", 32))}));
  ASSERT_TRUE(l.keys) << l.error;
  EXPECT_EQ(l.impl().unsupported_kids, (std::unordered_set<std::string>{"ed448", "p192", "rs1"}));
  EXPECT_EQ(l.warnings.size(), 6u);
}

// Keys past kMaxKeys are skipped, each with one warning. keyset.hpp: "Keys that cannot be used are
// skipped with a one-line warning naming their kid and the reason."
TEST(KeySetSkip, KeysPastTheLimitNameTheirKid) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < kMaxKeys + 2; ++i) keys.push_back(jwk(oct("k" + std::to_string(i), 32)));
  const Loaded l = load(jwks(keys));
  ASSERT_TRUE(l.keys) << l.error;
  EXPECT_EQ(l.keys->size(), kMaxKeys);
  EXPECT_EQ(l.keys->kid(kMaxKeys - 1), "k" + std::to_string(kMaxKeys - 1));
  ASSERT_EQ(l.warnings.size(), 2u);
  EXPECT_EQ(l.warnings[0], "skipped key \"k1024\": more than 1024 keys");
  EXPECT_EQ(l.warnings[1], "skipped key \"k1025\": more than 1024 keys");
}

// ---- Other sources and the builder -------------------------------------------------------------

TEST(KeySetBuild, PemKeysOfEachFamily) {
  KeySetBuilder b;
  std::string error;
  ASSERT_TRUE(b.add_pem(test_keys().rsa_public_pem(), "rsa", Alg::unknown, &error)) << error;
  ASSERT_TRUE(b.add_pem(test_keys().rsa_public_pem(), "ps384", Alg::ps384, &error)) << error;
  ASSERT_TRUE(b.add_pem(p384_pem(), "p384", Alg::unknown, &error)) << error;
  ASSERT_TRUE(b.add_pem(ed25519_pem(), "ed", Alg::eddsa, &error)) << error;
  EXPECT_FALSE(b.add_pem(ed25519_pem(), "ed-as-es", Alg::es256, &error));
  EXPECT_TRUE(error.starts_with("skipped key \"ed-as-es\": no algorithm for an Ed25519 key")) << error;
  EXPECT_FALSE(b.add_pem("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n", "", Alg::unknown, &error));
  EXPECT_EQ(error, "skipped key: no readable PEM \"PUBLIC KEY\" (SubjectPublicKeyInfo) block");
  EXPECT_TRUE(b.warnings().empty()) << "a refused add_pem reports through its error only";
  auto keys = b.build(&error);
  ASSERT_TRUE(keys) << error;
  ASSERT_EQ(keys->size(), 4u);
  EXPECT_EQ(keys->algs(0), kRsaAlgs);
  EXPECT_EQ(keys->algs(1), AlgSet{Alg::ps384});
  EXPECT_EQ(keys->family(2), KeyFamily::ec);
  EXPECT_EQ(keys->algs(2), AlgSet{Alg::es384});
  EXPECT_EQ(keys->family(3), KeyFamily::okp);
  expect_index_consistent(*keys);
}

TEST(KeySetBuild, HmacSecretsByLength) {
  KeySetBuilder b;
  std::string error;
  ASSERT_TRUE(b.add_hmac_secret(secret_of(32), "32", Alg::unknown, &error)) << error;
  ASSERT_TRUE(b.add_hmac_secret(secret_of(48), "48", Alg::unknown, &error)) << error;
  ASSERT_TRUE(b.add_hmac_secret(secret_of(64), "64-hs512", Alg::hs512, &error)) << error;
  EXPECT_FALSE(b.add_hmac_secret(secret_of(31), "31", Alg::unknown, &error));
  EXPECT_TRUE(error.starts_with("skipped key \"31\": HMAC secret of 31 bytes")) << error;
  EXPECT_FALSE(b.add_hmac_secret(secret_of(63), "63-hs512", Alg::hs512, &error));
  EXPECT_FALSE(b.add_hmac_secret(secret_of(64), "64-rs256", Alg::rs256, &error));
  EXPECT_NE(error.find("no HMAC algorithm"), std::string::npos) << error;
  auto keys = b.build(&error);
  ASSERT_TRUE(keys) << error;
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ(keys->algs(0), AlgSet{Alg::hs256});
  EXPECT_EQ(keys->algs(1), (AlgSet{Alg::hs256, Alg::hs384}));
  EXPECT_EQ(keys->algs(2), AlgSet{Alg::hs512});
}

// JWKS, PEM and secrets in one builder: keys in the order added, one index over all of them, the
// warnings of every document.
TEST(KeySetBuild, MixedSourcesInOrder) {
  KeySetBuilder b;
  std::string error;
  ASSERT_TRUE(b.add_jwks(jwks({jwk(oct("j1", 32)), jwk(oct("bad-1", 8))}), &error)) << error;
  ASSERT_TRUE(b.add_pem(test_keys().rsa_public_pem(), "shared", Alg::rs256, &error)) << error;
  ASSERT_TRUE(b.add_hmac_secret(secret_of(32), "shared", Alg::hs256, &error)) << error;
  ASSERT_TRUE(b.add_jwks(jwks({jwk(oct("bad-2", 8)), jwk(ed25519("j2"))}), &error)) << error;
  auto keys = b.build(&error);
  ASSERT_TRUE(keys) << error;
  ASSERT_EQ(keys->size(), 4u);
  EXPECT_EQ(keys->kid(0), "j1");
  EXPECT_EQ(keys->kid(1), "shared");
  EXPECT_EQ(keys->family(1), KeyFamily::rsa);
  EXPECT_EQ(keys->family(2), KeyFamily::hmac);
  EXPECT_EQ(keys->kid(3), "j2");
  EXPECT_EQ(kid_range(keys->impl(), "shared"), (std::vector<uint32_t>{1, 2}));
  ASSERT_EQ(b.warnings().size(), 2u);
  EXPECT_TRUE(b.warnings()[0].starts_with("skipped key \"bad-1\": ")) << b.warnings()[0];
  EXPECT_TRUE(b.warnings()[1].starts_with("skipped key \"bad-2\": ")) << b.warnings()[1];
  expect_index_consistent(*keys);
}

// Every KeySet gets a new id, larger than any before it; build() leaves the builder empty.
TEST(KeySetBuild, IdsUniqueAndIncreasingAndTheBuilderStartsOver) {
  KeySetBuilder b;
  std::string error;
  ASSERT_TRUE(b.add_hmac_secret(secret_of(32), "a", Alg::hs256, &error));
  auto first = b.build(&error);
  ASSERT_TRUE(first) << error;
  EXPECT_EQ(b.build(&error), nullptr);
  EXPECT_EQ(error, "no usable key");
  const Loaded second = load(test_keys().jwks());
  ASSERT_TRUE(b.add_hmac_secret(secret_of(32), "b", Alg::hs256, &error));
  auto third = b.build(&error);
  ASSERT_TRUE(second.keys && third);
  EXPECT_LT(first->id(), second.keys->id());
  EXPECT_LT(second.keys->id(), third->id());
  ASSERT_EQ(third->size(), 1u);
  EXPECT_EQ(third->kid(0), "b");
}

}  // namespace
}  // namespace jwtbatch
