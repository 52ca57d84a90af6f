// kat_test.cpp: known answers from the RFCs (corpus/rfc, typed from RFC 7515 appendix A, RFC 8037
// appendix A.4 and RFC 7520 section 4) through jwtbatch's own layers: the signature layer for every
// vector, and the whole pipeline (Verifier) where the payload is a JWT claims set. Every bit flip of
// each signature must fail.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <simdjson.h>

#include "engine/sig/crypto.hpp"
#include "engine/keys/keyset_data.hpp"
#include "jwtbatch/jwtbatch.hpp"
#include "kernels/base64url/base64url.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

struct Vector {
  std::string id, alg, kid, jws, jwks;
};

Vector load(const std::string& id) {
  const fs::path dir = fs::path(JWTBATCH_SOURCE_DIR) / "corpus" / "rfc";
  Vector v;
  v.id = id;
  v.jwks = slurp(dir / (id + ".jwks.json"));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string text = slurp(dir / (id + ".jws.json"));
  EXPECT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << id;
  std::string_view s;
  if (doc["alg"].get(s) == simdjson::SUCCESS) v.alg = s;
  if (doc["kid"].get(s) == simdjson::SUCCESS) v.kid = s;
  if (doc["jws"].get(s) == simdjson::SUCCESS) v.jws = s;
  return v;
}

std::vector<uint8_t> decode(std::string_view s) {
  std::vector<uint8_t> out(kernels::base64url_decoded_len(s.size()) + kernels::kDecodeOutSlack);
  auto r = kernels::base64url_decode_scalar({s.data(), s.size()}, out);
  EXPECT_EQ(r.status, kernels::DecodeStatus::ok);
  out.resize(r.count);
  return out;
}

class Kat : public ::testing::TestWithParam<const char*> {};

TEST_P(Kat, SignatureLayerVerifiesAndEveryBitFlipFails) {
  const Vector v = load(GetParam());
  std::string error;
  auto keys = KeySet::from_jwks(v.jwks, &error);
  ASSERT_TRUE(keys) << error;
  const engine::PreparedKey* key = nullptr;
  for (const auto& k : keys->impl().keys)
    if (k.kid == v.kid) key = &k;
  ASSERT_NE(key, nullptr) << v.kid;
  const Alg alg = alg_from_string(v.alg);
  const size_t dot2 = v.jws.rfind('.');
  std::span<const uint8_t> input(reinterpret_cast<const uint8_t*>(v.jws.data()), dot2);
  std::vector<uint8_t> sig = decode(std::string_view(v.jws).substr(dot2 + 1));
  engine::VerifyScratch scratch;
  EXPECT_TRUE(engine::verify_signature(*key, alg, input, sig, scratch)) << v.id;
  for (size_t bit = 0; bit < sig.size() * 8; ++bit) {
    sig[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    ASSERT_FALSE(engine::verify_signature(*key, alg, input, sig, scratch)) << v.id << " bit " << bit;
    sig[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc, Kat,
                         ::testing::Values("rfc7515_a1_hs256", "rfc7515_a2_rs256", "rfc7515_a3_es256",
                                           "rfc7515_a4_es512", "rfc8037_a4_eddsa", "rfc7520_4_1_rs256",
                                           "rfc7520_4_3_es512", "rfc7520_4_4_hs256"));

// RFC 7515 A.1-A.3 sign the claims set {"iss":"joe","exp":1300819380,...}: whole pipeline.
class KatPipeline : public ::testing::TestWithParam<const char*> {};

TEST_P(KatPipeline, VerifiesBeforeExpiryOnly) {
  const Vector v = load(GetParam());
  std::string error;
  auto keys = KeySet::from_jwks(v.jwks, &error);
  ASSERT_TRUE(keys) << error;
  Policy policy;
  policy.issuers = {"joe"};
  Verifier verifier(keys, policy);
  Verdict ok = verifier.verify(v.jws, 1300819379);
  EXPECT_EQ(ok.status, Status::ok) << v.id << ": " << explain(ok, policy);
  EXPECT_EQ(to_string(ok.alg), v.alg);
  EXPECT_EQ(ok.exp, 1300819380);
  EXPECT_EQ(verifier.verify(v.jws, 1300819380).status, Status::expired);
  // A forged copy stays forged after expiry.
  std::string forged = v.jws;
  forged[forged.size() - 4] = forged[forged.size() - 4] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verifier.verify(forged, 1300819390).status, Status::bad_signature);
}

INSTANTIATE_TEST_SUITE_P(Rfc7515, KatPipeline,
                         ::testing::Values("rfc7515_a1_hs256", "rfc7515_a2_rs256", "rfc7515_a3_es256"));

TEST(KatPipelineOther, NonJsonPayloadsAreBadJsonButSigned) {
  // RFC 7515 A.4 ("Payload"), RFC 8037 A.4 and RFC 7520 4.x sign payloads that are not JWT claims:
  // the pipeline must call them bad_json (structure first), never ok.
  for (const char* id : {"rfc7515_a4_es512", "rfc8037_a4_eddsa", "rfc7520_4_1_rs256", "rfc7520_4_3_es512",
                         "rfc7520_4_4_hs256"}) {
    const Vector v = load(id);
    std::string error;
    auto keys = KeySet::from_jwks(v.jwks, &error);
    ASSERT_TRUE(keys) << error;
    Verifier verifier(keys, Policy{});
    EXPECT_EQ(verifier.verify(v.jws, 1300819379).status, Status::bad_json) << id;
  }
}

}  // namespace
}  // namespace jwtbatch
