// wycheproof_test.cpp: every Wycheproof file of ../shared/testvectors/wycheproof (see its SOURCE)
// through verify_signature, with each key built by the prepare_* functions from the group's raw
// key fields, and again from its PEM (prepare_spki_pem): both keys must give the same verdict.
// HMAC groups also go through verify_signatures as one batch (engine/sig/hmac.cpp).
//
// Every case is counted once (tests/support/wycheproof.hpp) and the counts must add up to the
// file's numberOfTests: valid must verify, invalid must fail; "acceptable" may go either way and
// its flags are printed. HMAC cases with a truncated tag must fail (JWS uses the full tag), and
// HMAC keys shorter than the hash output are refused by policy (RFC 7518 section 3.2) and counted
// as key_refused. Any other refused key is a failure: every other key here meets our policy.
#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <filesystem>
#include <functional>
#include <string>

#include <openssl/err.h>

#include "engine/sig/crypto.hpp"
#include "tests/support/wycheproof.hpp"

namespace jwtbatch::engine {
namespace {

using simdjson::dom::element;
using test::from_hex;
using test::WycheproofCase;
using test::WycheproofTally;

using GroupFn = std::function<void(element group, WycheproofTally& tally, VerifyScratch& scratch)>;

std::vector<uint8_t> hex_field(element obj, const char* name) {
  std::string_view s = obj[name];  // throws (test failure) when absent
  auto bytes = from_hex(s);
  if (!bytes) throw std::runtime_error(std::string("bad hex in field ") + name);
  return *bytes;
}

// run_cases verifies every case of `group` (fields msg and sig) with `raw` and `pem`.
void run_cases(element group, WycheproofTally& t, Alg alg, const std::optional<PreparedKey>& raw,
               const std::string& why_raw, const std::optional<PreparedKey>& pem,
               const std::string& why_pem, VerifyScratch& scratch) {
  EXPECT_TRUE(raw.has_value()) << t.file << ": key refused: " << why_raw;
  EXPECT_TRUE(pem.has_value()) << t.file << ": PEM key refused: " << why_pem;
  for (element test : group["tests"].get_array()) {
    WycheproofCase c;
    ASSERT_TRUE(test::read_case(test, &c)) << t.file;
    if (!raw) {
      t.record_failure(c, "key refused: " + why_raw);
      continue;
    }
    std::vector<uint8_t> msg = hex_field(test, "msg"), sig = hex_field(test, "sig");
    bool verified = verify_signature(*raw, alg, msg, sig, scratch);
    EXPECT_EQ(ERR_peek_error(), 0u) << t.file << " tcId " << c.tc_id << ": error queue not cleared";
    if (pem && verify_signature(*pem, alg, msg, sig, scratch) != verified) {
      t.record_failure(c, "the key read from PEM gives the other verdict");
      continue;
    }
    t.record(c, verified);
  }
}

// skip_group counts every case of `group` as skipped for `reason`.
void skip_group(element group, WycheproofTally& t, const std::string& reason) {
  for (element test : group["tests"].get_array()) {
    WycheproofCase c;
    ASSERT_TRUE(test::read_case(test, &c)) << t.file;
    t.record_skipped(c, reason);
  }
}

void ecdsa_group(element g, WycheproofTally& t, VerifyScratch& scratch) {
  std::string_view curve_name = g["publicKey"]["curve"], sha = g["sha"];
  Curve curve;
  Alg alg;
  std::string_view jws_sha;
  if (curve_name == "secp256r1") {
    curve = Curve::p256, alg = Alg::es256, jws_sha = "SHA-256";
  } else if (curve_name == "secp384r1") {
    curve = Curve::p384, alg = Alg::es384, jws_sha = "SHA-384";
  } else if (curve_name == "secp521r1") {
    curve = Curve::p521, alg = Alg::es512, jws_sha = "SHA-512";
  } else {
    return skip_group(g, t, "curve " + std::string(curve_name) + " is not a JWS curve");
  }
  if (sha != jws_sha) {
    return skip_group(g, t, std::string(curve_name) + " with " + std::string(sha) +
                                " is not a JWS algorithm");
  }
  // "uncompressed" is 04 || X || Y, each coordinate exactly the field size.
  std::vector<uint8_t> point = hex_field(g["publicKey"], "uncompressed");
  ASSERT_EQ(point.size() % 2, 1u);
  ASSERT_EQ(point[0], 0x04);
  const size_t len = point.size() / 2;
  std::span<const uint8_t> x(point.data() + 1, len), y(point.data() + 1 + len, len);
  std::string why_raw, why_pem;
  auto raw = prepare_ec(curve, x, y, AlgSet{}, &why_raw);
  auto pem = prepare_spki_pem(std::string_view(g["publicKeyPem"]), AlgSet{}, &why_pem);
  run_cases(g, t, alg, raw, why_raw, pem, why_pem, scratch);
}

void ed25519_group(element g, WycheproofTally& t, VerifyScratch& scratch) {
  std::vector<uint8_t> pk = hex_field(g["publicKey"], "pk");
  std::string why_raw, why_pem;
  auto raw = prepare_ed25519(pk, AlgSet{}, &why_raw);
  auto pem = prepare_spki_pem(std::string_view(g["publicKeyPem"]), AlgSet{}, &why_pem);
  run_cases(g, t, Alg::eddsa, raw, why_raw, pem, why_pem, scratch);
}

Alg rsa_alg(std::string_view sha, bool pss) {
  if (sha == "SHA-256") return pss ? Alg::ps256 : Alg::rs256;
  if (sha == "SHA-384") return pss ? Alg::ps384 : Alg::rs384;
  if (sha == "SHA-512") return pss ? Alg::ps512 : Alg::rs512;
  return Alg::unknown;
}

size_t sha_len(std::string_view sha) {
  return sha == "SHA-256" ? 32 : sha == "SHA-384" ? 48 : sha == "SHA-512" ? 64 : 0;
}

void rsa_group(element g, WycheproofTally& t, VerifyScratch& scratch, bool pss) {
  std::string_view sha = g["sha"];
  Alg alg = rsa_alg(sha, pss);
  std::string skip;
  if (alg == Alg::unknown) skip = std::string(sha) + " is not a JWS hash";
  if (pss) {
    std::string_view mgf = g["mgf"], mgf_sha = g["mgfSha"];
    int64_t salt_len = g["sLen"];
    // RFC 7518 section 3.5: MGF1 with the same hash, salt as long as the hash output.
    if (mgf != "MGF1" || mgf_sha != sha || salt_len != static_cast<int64_t>(sha_len(sha))) {
      skip = "PSS " + std::string(mgf) + "/" + std::string(mgf_sha) + " salt " +
             std::to_string(salt_len) + " is not a JWS parameter set";
    }
  }
  if (!skip.empty()) return skip_group(g, t, skip);
  std::vector<uint8_t> n = hex_field(g["publicKey"], "modulus");
  std::vector<uint8_t> e = hex_field(g["publicKey"], "publicExponent");
  std::string why_raw, why_pem;
  auto raw = prepare_rsa(n, e, AlgSet{alg}, &why_raw);
  auto pem = prepare_spki_pem(std::string_view(g["publicKeyPem"]), AlgSet{alg}, &why_pem);
  run_cases(g, t, alg, raw, why_raw, pem, why_pem, scratch);
}

// hmac_group: each case carries its own key; tagSize (bits) is the group's. Every case goes through
// verify_signature, then the whole group again as one batch through verify_signatures (the
// multi-buffer HMAC path of engine/sig/hmac.cpp where its kernel runs, keys differing between
// lanes), which must give the same verdict case by case.
void hmac_group(element g, WycheproofTally& t, VerifyScratch& scratch, Alg alg, size_t hash_len) {
  int64_t tag_bits = g["tagSize"];
  const bool truncated = static_cast<size_t>(tag_bits) / 8 < hash_len;
  std::deque<PreparedKey> keys;  // stable addresses for the jobs
  std::deque<std::vector<uint8_t>> inputs;
  std::vector<SigJob> jobs;
  std::vector<bool> single;
  std::vector<int64_t> ids;
  for (element test : g["tests"].get_array()) {
    WycheproofCase c;
    ASSERT_TRUE(test::read_case(test, &c));
    std::vector<uint8_t> secret = hex_field(test, "key"), msg = hex_field(test, "msg"),
                         tag = hex_field(test, "tag");
    std::string why;
    auto key = prepare_hmac(secret, AlgSet{alg}, &why);
    const bool short_secret = secret.size() < hash_len;
    if (!key) {
      if (short_secret) {
        t.record_refused(c, "secrets under " + std::to_string(hash_len) + " bytes (\"" + why +
                                "\")");
      } else {
        t.record_failure(c, "key refused: " + why);
      }
      continue;
    }
    if (short_secret) {
      t.record_failure(c, "secret of " + std::to_string(secret.size()) + " bytes accepted");
      continue;
    }
    bool verified = verify_signature(*key, alg, msg, tag, scratch);
    EXPECT_EQ(ERR_peek_error(), 0u) << t.file << " tcId " << c.tc_id;
    if (truncated) {
      t.record_truncated(c, verified);
    } else {
      t.record(c, verified);
    }
    keys.push_back(std::move(*key));
    inputs.push_back(std::move(msg));
    inputs.push_back(std::move(tag));
    jobs.push_back(SigJob{&keys.back(), alg, inputs[inputs.size() - 2], inputs.back(), false, false});
    single.push_back(verified);
    ids.push_back(c.tc_id);
  }
  verify_signatures(jobs, scratch);
  for (size_t i = 0; i < jobs.size(); ++i) {
    EXPECT_EQ(jobs[i].valid, single[i]) << t.file << " tcId " << ids[i] << ": the batch and verify_signature differ";
  }
}

struct FileHandler {
  const char* file;
  GroupFn group;
};

const std::vector<FileHandler>& handlers() {
  using namespace std::placeholders;
  static const std::vector<FileHandler> kHandlers = {
      {"ecdsa_secp256r1_sha256_p1363_test.json", ecdsa_group},
      {"ecdsa_secp384r1_sha384_p1363_test.json", ecdsa_group},
      {"ecdsa_secp521r1_sha512_p1363_test.json", ecdsa_group},
      {"ed25519_test.json", ed25519_group},
      {"hmac_sha256_test.json", std::bind(hmac_group, _1, _2, _3, Alg::hs256, 32)},
      {"hmac_sha384_test.json", std::bind(hmac_group, _1, _2, _3, Alg::hs384, 48)},
      {"hmac_sha512_test.json", std::bind(hmac_group, _1, _2, _3, Alg::hs512, 64)},
      {"rsa_pss_2048_sha256_mgf1_32_test.json", std::bind(rsa_group, _1, _2, _3, true)},
      {"rsa_pss_2048_sha384_mgf1_48_test.json", std::bind(rsa_group, _1, _2, _3, true)},
      {"rsa_pss_3072_sha256_mgf1_32_test.json", std::bind(rsa_group, _1, _2, _3, true)},
      {"rsa_pss_4096_sha512_mgf1_64_test.json", std::bind(rsa_group, _1, _2, _3, true)},
      {"rsa_signature_2048_sha256_test.json", std::bind(rsa_group, _1, _2, _3, false)},
      {"rsa_signature_2048_sha384_test.json", std::bind(rsa_group, _1, _2, _3, false)},
      {"rsa_signature_2048_sha512_test.json", std::bind(rsa_group, _1, _2, _3, false)},
      {"rsa_signature_3072_sha256_test.json", std::bind(rsa_group, _1, _2, _3, false)},
      {"rsa_signature_4096_sha256_test.json", std::bind(rsa_group, _1, _2, _3, false)},
  };
  return kHandlers;
}

class Wycheproof : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(test::wycheproof_dir())) {
      GTEST_SKIP() << "Wycheproof vectors not found at " << test::wycheproof_dir()
                   << " (the workplace's ../shared folder is absent)";
    }
  }

  static void RunFile(const std::string& file) {
    const FileHandler* handler = nullptr;
    for (const FileHandler& h : handlers())
      if (file == h.file) handler = &h;
    ASSERT_NE(handler, nullptr) << file;
    simdjson::dom::parser parser;
    element root;
    auto error = parser.load(test::wycheproof_dir() + file).get(root);
    ASSERT_EQ(error, simdjson::SUCCESS) << file << ": " << simdjson::error_message(error);
    WycheproofTally t;
    t.file = file;
    t.number_of_tests = root["numberOfTests"];
    VerifyScratch scratch;
    for (element group : root["testGroups"].get_array()) {
      handler->group(group, t, scratch);
      if (::testing::Test::HasFatalFailure()) return;
    }
    std::printf("[wycheproof] %s\n", t.summary().c_str());
    std::fflush(stdout);
    EXPECT_EQ(t.total(), t.number_of_tests) << "every case must be counted once";
    EXPECT_EQ(t.failures, 0);
    for (const std::string& line : t.failure_lines) ADD_FAILURE() << file << ": " << line;
    EXPECT_GT(t.valid_verified, 0);
    EXPECT_GT(t.invalid_rejected + t.truncated_tag_rejected, 0);
    EXPECT_EQ(t.group_skipped, 0) << "every file here is a JWS parameter set";
  }
};

TEST_F(Wycheproof, EveryFileHasATest) {
  size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::wycheproof_dir())) {
    if (entry.path().extension() != ".json") continue;
    ++seen;
    bool known = false;
    for (const FileHandler& h : handlers()) known |= entry.path().filename() == h.file;
    EXPECT_TRUE(known) << entry.path() << " has no handler in wycheproof_test.cpp";
  }
  EXPECT_EQ(seen, handlers().size()) << "a file named in wycheproof_test.cpp is missing";
}

TEST_F(Wycheproof, EcdsaSecp256r1Sha256P1363) { RunFile("ecdsa_secp256r1_sha256_p1363_test.json"); }
TEST_F(Wycheproof, EcdsaSecp384r1Sha384P1363) { RunFile("ecdsa_secp384r1_sha384_p1363_test.json"); }
TEST_F(Wycheproof, EcdsaSecp521r1Sha512P1363) { RunFile("ecdsa_secp521r1_sha512_p1363_test.json"); }
TEST_F(Wycheproof, Ed25519) { RunFile("ed25519_test.json"); }
TEST_F(Wycheproof, HmacSha256) { RunFile("hmac_sha256_test.json"); }
TEST_F(Wycheproof, HmacSha384) { RunFile("hmac_sha384_test.json"); }
TEST_F(Wycheproof, HmacSha512) { RunFile("hmac_sha512_test.json"); }
TEST_F(Wycheproof, RsaPss2048Sha256Mgf1Salt32) { RunFile("rsa_pss_2048_sha256_mgf1_32_test.json"); }
TEST_F(Wycheproof, RsaPss2048Sha384Mgf1Salt48) { RunFile("rsa_pss_2048_sha384_mgf1_48_test.json"); }
TEST_F(Wycheproof, RsaPss3072Sha256Mgf1Salt32) { RunFile("rsa_pss_3072_sha256_mgf1_32_test.json"); }
TEST_F(Wycheproof, RsaPss4096Sha512Mgf1Salt64) { RunFile("rsa_pss_4096_sha512_mgf1_64_test.json"); }
TEST_F(Wycheproof, RsaSignature2048Sha256) { RunFile("rsa_signature_2048_sha256_test.json"); }
TEST_F(Wycheproof, RsaSignature2048Sha384) { RunFile("rsa_signature_2048_sha384_test.json"); }
TEST_F(Wycheproof, RsaSignature2048Sha512) { RunFile("rsa_signature_2048_sha512_test.json"); }
TEST_F(Wycheproof, RsaSignature3072Sha256) { RunFile("rsa_signature_3072_sha256_test.json"); }
TEST_F(Wycheproof, RsaSignature4096Sha256) { RunFile("rsa_signature_4096_sha256_test.json"); }

}  // namespace
}  // namespace jwtbatch::engine
