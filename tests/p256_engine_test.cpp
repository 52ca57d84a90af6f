// p256_engine_test.cpp: ES256 through the signature layer with the P-256 kernel (engine/sig_p256):
// prepare_ec gives P-256 keys a kernel context, verify_signatures hands the kernel its jobs (mixed
// with other keys and algorithms, and with P-256 keys left to BoringSSL), and every verdict equals
// the BoringSSL-only path's, batched and single.
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
#include "kernels/p256/p256.hpp"
#include "kernels/sha256/sha256.hpp"

namespace jwtbatch::engine {
namespace {

struct EsKey {
  bssl::UniquePtr<EC_KEY> ec;
  PreparedKey with_kernel, boringssl_only;
};

EsKey make_key() {
  EsKey k;
  k.ec.reset(EC_KEY_new_by_curve_name(NID_X9_62_prime256v1));
  EXPECT_TRUE(EC_KEY_generate_key(k.ec.get()));
  const EC_GROUP* g = EC_KEY_get0_group(k.ec.get());
  bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
  EC_POINT_get_affine_coordinates_GFp(g, EC_KEY_get0_public_key(k.ec.get()), x.get(), y.get(), nullptr);
  uint8_t xb[32], yb[32];
  BN_bn2bin_padded(xb, 32, x.get());
  BN_bn2bin_padded(yb, 32, y.get());
  std::string why;
  auto a = prepare_ec(Curve::p256, xb, yb, AlgSet{}, &why);
  auto b = prepare_ec(Curve::p256, xb, yb, AlgSet{}, &why);
  EXPECT_TRUE(a && b) << why;
  k.with_kernel = std::move(*a);
  k.boringssl_only = std::move(*b);
  k.boringssl_only.p256_kernel.reset();
  return k;
}

std::vector<uint8_t> sign(const EsKey& k, const std::string& input) {
  uint8_t d[32];
  SHA256(reinterpret_cast<const uint8_t*>(input.data()), input.size(), d);
  bssl::UniquePtr<ECDSA_SIG> sig(ECDSA_do_sign(d, 32, k.ec.get()));
  std::vector<uint8_t> out(64);
  BN_bn2bin_padded(out.data(), 32, sig->r);
  BN_bn2bin_padded(out.data() + 32, 32, sig->s);
  return out;
}

std::span<const uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(P256Engine, PrepareEcGivesP256KeysAKernelContext) {
  EsKey k = make_key();
  if (force_boringssl()) {
    EXPECT_EQ(k.with_kernel.p256_kernel, nullptr) << "JWTBATCH_FORCE_BORINGSSL=1 keeps keys with BoringSSL";
    return;
  }
  ASSERT_NE(k.with_kernel.p256_kernel, nullptr);
  EXPECT_EQ(k.with_kernel.p256_kernel->format(), kernels::p256::active_variant().format);
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
  EXPECT_EQ(k384->p256_kernel, nullptr);
}

TEST(P256Engine, BatchAndSingleAgreeWithBoringSSL) {
  std::mt19937_64 rng(7);
  std::vector<EsKey> keys;
  for (int i = 0; i < 4; ++i) keys.push_back(make_key());
  const uint8_t secret[32] = {1, 2, 3};
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
  for (int i = 0; i < 700; ++i) {
    Item it;
    it.key = rng() % (keys.size() + 1);
    it.kernel = rng() % 4 != 0;
    it.alg = it.key == keys.size() ? Alg::hs256 : Alg::es256;
    it.input = "eyJhbGciOiJFUzI1NiJ9." + std::to_string(rng());
    if (it.alg == Alg::es256) {
      it.sig = sign(keys[it.key], it.input);
      switch (rng() % 6) {
        case 0: it.sig[rng() % 64] ^= 0x10; break;            // corrupted
        case 1: it.input += "x"; break;                        // other message
        case 2: it.sig.resize(63); break;                      // wrong length
        case 3: it.alg = Alg::es384; break;                    // alg the key does not have
        default: break;                                        // valid
      }
    } else {
      it.sig.assign(32, static_cast<uint8_t>(rng()));
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
    const bool kernel_job = jobs[i].key->p256_kernel != nullptr && items[i].alg == Alg::es256 && items[i].sig.size() == 64;
    // The HS256 jobs riding along have their own batch path (engine/sig/hmac.cpp) where it runs.
    const bool hs256_batch = items[i].alg == Alg::hs256 && !force_boringssl() && kernels::sha256::engine_uses_kernels();
    EXPECT_EQ(jobs[i].handled, kernel_job || hs256_batch) << "job " << i;
    // The single-shot path through verify_signature with the kernel key.
    EXPECT_EQ(verify_signature(*jobs[i].key, items[i].alg, bytes(items[i].input), items[i].sig, scratch), reference[i].valid)
        << "job " << i;
    valid += reference[i].valid;
    by_kernel += kernel_job && jobs[i].handled;
  }
  EXPECT_GT(valid, 100u);
  if (!force_boringssl()) {
    EXPECT_GT(by_kernel, 200u);
  }
}

}  // namespace
}  // namespace jwtbatch::engine
