// p521_engine_test.cpp: ES512 through the signature layer with the P-521 kernel (engine/sig_p521):
// prepare_ec gives P-521 keys a kernel context, verify_signatures hands the kernel its jobs (mixed
// with other keys and algorithms, and with P-521 keys left to BoringSSL), every verdict equals the
// BoringSSL-only path's, batched and single; and whole ES512 tokens through the Verifier.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/ecdsa.h>
#include <openssl/nid.h>
#include <openssl/sha.h>

#include "engine/sig/crypto.hpp"
#include "engine/sig/force_boringssl.hpp"
#include "jwtbatch/jwtbatch.hpp"
#include "kernels/p521/p521.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch::engine {
namespace {

struct EsKey {
  bssl::UniquePtr<EC_KEY> ec;
  PreparedKey with_kernel, boringssl_only;
};

EsKey make_key() {
  EsKey k;
  k.ec.reset(EC_KEY_new_by_curve_name(NID_secp521r1));
  EXPECT_TRUE(EC_KEY_generate_key(k.ec.get()));
  const EC_GROUP* g = EC_KEY_get0_group(k.ec.get());
  bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
  EC_POINT_get_affine_coordinates_GFp(g, EC_KEY_get0_public_key(k.ec.get()), x.get(), y.get(), nullptr);
  uint8_t xb[66], yb[66];
  BN_bn2bin_padded(xb, 66, x.get());
  BN_bn2bin_padded(yb, 66, y.get());
  std::string why;
  auto a = prepare_ec(Curve::p521, xb, yb, AlgSet{}, &why);
  auto b = prepare_ec(Curve::p521, xb, yb, AlgSet{}, &why);
  EXPECT_TRUE(a && b) << why;
  k.with_kernel = std::move(*a);
  k.boringssl_only = std::move(*b);
  k.boringssl_only.p521_kernel.reset();
  return k;
}

std::vector<uint8_t> sign(const EsKey& k, const std::string& input) {
  uint8_t d[64];
  SHA512(reinterpret_cast<const uint8_t*>(input.data()), input.size(), d);
  bssl::UniquePtr<ECDSA_SIG> sig(ECDSA_do_sign(d, 64, k.ec.get()));
  std::vector<uint8_t> out(132);
  BN_bn2bin_padded(out.data(), 66, sig->r);
  BN_bn2bin_padded(out.data() + 66, 66, sig->s);
  return out;
}

std::span<const uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(P521Engine, PrepareEcGivesP521KeysAKernelContext) {
  EsKey k = make_key();
  if (force_boringssl()) {
    EXPECT_EQ(k.with_kernel.p521_kernel, nullptr) << "JWTBATCH_FORCE_BORINGSSL=1 keeps keys with BoringSSL";
    return;
  }
  ASSERT_NE(k.with_kernel.p521_kernel, nullptr);
  EXPECT_EQ(k.with_kernel.p256_kernel, nullptr);
  // P-384 keys stay with BoringSSL.
  bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(NID_secp384r1));
  ASSERT_TRUE(EC_KEY_generate_key(ec.get()));
  bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
  EC_POINT_get_affine_coordinates_GFp(EC_KEY_get0_group(ec.get()), EC_KEY_get0_public_key(ec.get()), x.get(), y.get(), nullptr);
  uint8_t xb[48], yb[48];
  BN_bn2bin_padded(xb, 48, x.get());
  BN_bn2bin_padded(yb, 48, y.get());
  auto k384 = prepare_ec(Curve::p384, xb, yb, AlgSet{}, nullptr);
  ASSERT_TRUE(k384);
  EXPECT_EQ(k384->p521_kernel, nullptr);
}

TEST(P521Engine, BeyondTheKernelKeyLimitKeysStayWithBoringSSL) {
  if (force_boringssl()) GTEST_SKIP() << "JWTBATCH_FORCE_BORINGSSL=1: no kernel keys";
  EsKey k = make_key();
  ASSERT_NE(k.with_kernel.p521_kernel, nullptr);
  std::vector<std::shared_ptr<const kernels::p521::Key>> held;
  // Fill the kernel's slots with copies of this key's context made through prepare_ec.
  uint8_t xb[66], yb[66];
  bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
  EC_POINT_get_affine_coordinates_GFp(EC_KEY_get0_group(k.ec.get()), EC_KEY_get0_public_key(k.ec.get()), x.get(), y.get(), nullptr);
  BN_bn2bin_padded(xb, 66, x.get());
  BN_bn2bin_padded(yb, 66, y.get());
  while (kernels::p521::prepared_key_count() < kernels::p521::kMaxPreparedKeys) {
    auto more = kernels::p521::prepare_key(xb, yb);
    ASSERT_NE(more, nullptr);
    held.push_back(std::move(more));
  }
  auto full = prepare_ec(Curve::p521, xb, yb, AlgSet{}, nullptr);
  ASSERT_TRUE(full) << "the key still loads";
  EXPECT_EQ(full->p521_kernel, nullptr) << "and is verified by BoringSSL";
  VerifyScratch scratch;
  const std::string input = "eyJhbGciOiJFUzUxMiJ9.e30";
  const auto sig = sign(k, input);
  EXPECT_TRUE(verify_signature(*full, Alg::es512, bytes(input), sig, scratch));
  std::vector<SigJob> jobs = {SigJob{&*full, Alg::es512, bytes(input), sig, false}};
  verify_signatures(jobs, scratch);
  EXPECT_TRUE(jobs[0].valid);
  EXPECT_FALSE(jobs[0].handled);
}

TEST(P521Engine, BatchAndSingleAgreeWithBoringSSL) {
  std::mt19937_64 rng(7);
  std::vector<EsKey> keys;
  for (int i = 0; i < 3; ++i) keys.push_back(make_key());
  const uint8_t secret[64] = {1, 2, 3};
  auto hmac = prepare_hmac(secret, AlgSet{}, nullptr);
  ASSERT_TRUE(hmac);
  struct Item {
    size_t key;  // keys.size(): the HMAC key
    bool kernel;
    Alg alg;
    std::string input;
    std::vector<uint8_t> sig;
  };
  std::vector<Item> items;
  for (int i = 0; i < 300; ++i) {
    Item it;
    it.key = rng() % (keys.size() + 1);
    it.kernel = rng() % 4 != 0;
    it.alg = it.key == keys.size() ? Alg::hs512 : Alg::es512;
    it.input = "eyJhbGciOiJFUzUxMiJ9." + std::to_string(rng());
    if (it.alg == Alg::es512) {
      it.sig = sign(keys[it.key], it.input);
      switch (rng() % 7) {
        case 0: it.sig[rng() % 132] ^= 0x10; break;            // corrupted
        case 1: it.input += "x"; break;                         // other message
        case 2: it.sig.resize(131); break;                      // wrong length
        case 3: it.alg = Alg::es256; break;                     // alg the key does not have
        case 4: std::fill(it.sig.begin(), it.sig.begin() + 66, 0); break;  // r = 0
        default: break;                                         // valid
      }
    } else {
      it.sig.assign(64, static_cast<uint8_t>(rng()));
    }
    items.push_back(std::move(it));
  }
  auto key_of = [&](const Item& it, bool kernel) -> const PreparedKey& {
    if (it.key == keys.size()) return *hmac;
    return kernel ? keys[it.key].with_kernel : keys[it.key].boringssl_only;
  };
  VerifyScratch scratch;
  std::vector<SigJob> jobs, reference;
  for (const Item& it : items) {
    jobs.push_back(SigJob{&key_of(it, it.kernel), it.alg, bytes(it.input), it.sig, false});
    reference.push_back(SigJob{&key_of(it, false), it.alg, bytes(it.input), it.sig, false});
  }
  verify_signatures(jobs, scratch);
  for (SigJob& j : reference) j.valid = verify_signature(*j.key, j.alg, j.signing_input, j.signature, scratch);
  size_t valid = 0, by_kernel = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(jobs[i].valid, reference[i].valid) << "job " << i;
    const bool kernel_job = jobs[i].key->p521_kernel != nullptr && items[i].alg == Alg::es512 && items[i].sig.size() == 132;
    EXPECT_EQ(jobs[i].handled, kernel_job) << "job " << i;
    // The single-shot path through verify_signature with the kernel key.
    EXPECT_EQ(verify_signature(*jobs[i].key, items[i].alg, bytes(items[i].input), items[i].sig, scratch), reference[i].valid)
        << "job " << i;
    valid += reference[i].valid;
    by_kernel += jobs[i].handled;
  }
  EXPECT_GT(valid, 40u);
  if (!force_boringssl()) {
    EXPECT_GT(by_kernel, 100u);
  }
}

TEST(P521Engine, TokensThroughTheVerifier) {
  // ES512 tokens of two keys through Verifier::verify_batch (the whole pipeline, chunks of many
  // tokens, signatures grouped by key) and Verifier::verify, against the statuses they were built
  // to have: valid, signature corrupted, other claims, expired (and expired with a forged signature:
  // the signature group wins), and signed by the other key.
  EsKey k1 = make_key(), k2 = make_key();
  auto jwk = [](const EsKey& k, const char* kid) {
    bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
    EC_POINT_get_affine_coordinates_GFp(EC_KEY_get0_group(k.ec.get()), EC_KEY_get0_public_key(k.ec.get()), x.get(),
                                        y.get(), nullptr);
    uint8_t xb[66], yb[66];
    BN_bn2bin_padded(xb, 66, x.get());
    BN_bn2bin_padded(yb, 66, y.get());
    return std::string(R"({"kty":"EC","crv":"P-521","alg":"ES512","kid":")") + kid + R"(","x":")" +
           test::b64url(std::span<const uint8_t>(xb, 66)) + R"(","y":")" + test::b64url(std::span<const uint8_t>(yb, 66)) +
           R"("})";
  };
  const std::string jwks = R"({"keys":[)" + jwk(k1, "e1") + "," + jwk(k2, "e2") + "]}";
  std::string error;
  auto keyset = KeySet::from_jwks(jwks, &error);
  ASSERT_TRUE(keyset) << error;
  Verifier verifier(keyset, Policy{});
  constexpr UnixSeconds kNow = 1767225600;
  std::mt19937_64 rng(11);
  std::vector<std::string> tokens;
  std::vector<Status> want;
  for (int i = 0; i < 400; ++i) {
    const bool first = rng() % 2 == 0;
    const EsKey& signer = first ? k1 : k2;
    const int kind = static_cast<int>(rng() % 5);
    const std::string header = test::b64url(std::string(R"({"alg":"ES512","kid":")") + (first ? "e1" : "e2") + "\"}");
    const long exp = kind == 3 ? kNow - 10 : kNow + 3600;
    const std::string claims = test::b64url(R"({"sub":"u)" + std::to_string(i) + R"(","exp":)" + std::to_string(exp) + "}");
    const std::string input = header + "." + claims;
    std::vector<uint8_t> sig = sign(kind == 4 ? (first ? k2 : k1) : signer, input);
    Status st = kind == 3 ? Status::expired : Status::ok;
    if (kind == 1 || (kind == 3 && i % 2 == 0)) {
      sig[rng() % sig.size()] ^= 0x40;
      st = Status::bad_signature;
    }
    if (kind == 4) st = Status::bad_signature;
    tokens.push_back(input + "." + test::b64url(std::span<const uint8_t>(sig)));
    want.push_back(st);
  }
  std::vector<std::string_view> views(tokens.begin(), tokens.end());
  std::vector<Verdict> verdicts(tokens.size());
  verifier.verify_batch(views, verdicts, kNow);
  size_t ok = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_EQ(verdicts[i].status, want[i]) << "token " << i;
    if (i % 8 == 0) {
      EXPECT_EQ(verifier.verify(tokens[i], kNow).status, want[i]) << "token " << i << " alone";
    }
    ok += verdicts[i].status == Status::ok;
  }
  EXPECT_GT(ok, 100u);
}

}  // namespace
}  // namespace jwtbatch::engine
