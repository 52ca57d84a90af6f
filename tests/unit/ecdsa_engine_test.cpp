// ecdsa_engine_test.cpp: ES256, ES384 and ES512 through the signature layer with their kernels
// (kernels/p256, kernels/p384, kernels/p521, glued by engine/sig/ecdsa), one typed harness per curve: prepare_ec
// gives the curve's keys a kernel context, verify_signatures hands the kernel its jobs (mixed with
// other keys and algorithms, and with keys of the curve left to BoringSSL), every verdict equals the
// BoringSSL-only path's, batched and single; keys beyond the kernel's limit stay with BoringSSL; and
// whole tokens through the Verifier.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
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
#include "kernels/p256/p256.hpp"
#include "kernels/p384/p384.hpp"
#include "kernels/p521/p521.hpp"
#include "kernels/sha256/sha256.hpp"
#include "kernels/sha512/sha512.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch::engine {
namespace {

// A curve's parameters for the harness. The batch test's sizes differ per curve (P-521 signatures
// cost several times more); P-521 also sweeps r = 0.
struct P256 {
  static constexpr int kNid = NID_X9_62_prime256v1;
  static constexpr Curve kCurve = Curve::p256;
  static constexpr size_t kFieldBytes = 32;
  static constexpr size_t kDigestBytes = SHA256_DIGEST_LENGTH;
  static constexpr Alg kAlg = Alg::es256;
  static constexpr Alg kOtherEcAlg = Alg::es384;  // an alg the key does not have
  static constexpr Alg kHmacAlg = Alg::hs256;
  static constexpr size_t kHmacSecretBytes = 32;
  static constexpr const char* kJwsHeader = "eyJhbGciOiJFUzI1NiJ9";  // {"alg":"ES256"}
  static constexpr const char* kCrv = "P-256";
  static constexpr const char* kAlgName = "ES256";
  static constexpr int kNumKeys = 4;
  static constexpr int kNumItems = 700;
  static constexpr bool kZeroRCase = false;
  static constexpr size_t kMinValid = 100, kMinByKernel = 200;

  static void digest(const std::string& in, uint8_t* out) {
    SHA256(reinterpret_cast<const uint8_t*>(in.data()), in.size(), out);
  }
  using KernelKey = kernels::p256::Key;
  // The context's table is in the active variant's format.
  static void expect_kernel_details(const PreparedKey& k) {
    EXPECT_EQ(k.as<EcKey>()->kernel_key<KernelKey>()->format(), kernels::p256::active_variant().format);
  }
  static size_t prepared_key_count() { return kernels::p256::prepared_key_count(); }
  static constexpr size_t kMaxPreparedKeys = kernels::p256::kMaxPreparedKeys;
  static std::shared_ptr<const void> prepare_kernel_key(const uint8_t* x, const uint8_t* y) {
    return kernels::p256::prepare_key(std::span<const uint8_t, 32>(x, 32), std::span<const uint8_t, 32>(y, 32),
                                      kernels::p256::active_variant().format);
  }
};

struct P384 {
  static constexpr int kNid = NID_secp384r1;
  static constexpr Curve kCurve = Curve::p384;
  static constexpr size_t kFieldBytes = 48;
  static constexpr size_t kDigestBytes = SHA384_DIGEST_LENGTH;
  static constexpr Alg kAlg = Alg::es384;
  static constexpr Alg kOtherEcAlg = Alg::es512;  // an alg the key does not have
  static constexpr Alg kHmacAlg = Alg::hs384;
  static constexpr size_t kHmacSecretBytes = 48;
  static constexpr const char* kJwsHeader = "eyJhbGciOiJFUzM4NCJ9";  // {"alg":"ES384"}
  static constexpr const char* kCrv = "P-384";
  static constexpr const char* kAlgName = "ES384";
  static constexpr int kNumKeys = 4;
  static constexpr int kNumItems = 500;
  static constexpr bool kZeroRCase = false;
  static constexpr size_t kMinValid = 80, kMinByKernel = 150;

  static void digest(const std::string& in, uint8_t* out) {
    SHA384(reinterpret_cast<const uint8_t*>(in.data()), in.size(), out);
  }
  using KernelKey = kernels::p384::Key;
  // The context's table is in the active variant's format.
  static void expect_kernel_details(const PreparedKey& k) {
    EXPECT_EQ(k.as<EcKey>()->kernel_key<KernelKey>()->format(), kernels::p384::active_variant().format);
  }
  static size_t prepared_key_count() { return kernels::p384::prepared_key_count(); }
  static constexpr size_t kMaxPreparedKeys = kernels::p384::kMaxPreparedKeys;
  static std::shared_ptr<const void> prepare_kernel_key(const uint8_t* x, const uint8_t* y) {
    return kernels::p384::prepare_key(std::span<const uint8_t, 48>(x, 48), std::span<const uint8_t, 48>(y, 48),
                                      kernels::p384::active_variant().format);
  }
};

struct P521 {
  static constexpr int kNid = NID_secp521r1;
  static constexpr Curve kCurve = Curve::p521;
  static constexpr size_t kFieldBytes = 66;
  static constexpr size_t kDigestBytes = SHA512_DIGEST_LENGTH;
  static constexpr Alg kAlg = Alg::es512;
  static constexpr Alg kOtherEcAlg = Alg::es256;  // an alg the key does not have
  static constexpr Alg kHmacAlg = Alg::hs512;
  static constexpr size_t kHmacSecretBytes = 64;
  static constexpr const char* kJwsHeader = "eyJhbGciOiJFUzUxMiJ9";  // {"alg":"ES512"}
  static constexpr const char* kCrv = "P-521";
  static constexpr const char* kAlgName = "ES512";
  static constexpr int kNumKeys = 3;
  static constexpr int kNumItems = 300;
  static constexpr bool kZeroRCase = true;
  static constexpr size_t kMinValid = 40, kMinByKernel = 100;

  static void digest(const std::string& in, uint8_t* out) {
    SHA512(reinterpret_cast<const uint8_t*>(in.data()), in.size(), out);
  }
  using KernelKey = kernels::p521::Key;
  // A P-521 key gets no P-256 context.
  static void expect_kernel_details(const PreparedKey& k) {
    EXPECT_EQ(k.as<EcKey>()->kernel_key<kernels::p256::Key>(), nullptr);
  }
  static size_t prepared_key_count() { return kernels::p521::prepared_key_count(); }
  static constexpr size_t kMaxPreparedKeys = kernels::p521::kMaxPreparedKeys;
  static std::shared_ptr<const void> prepare_kernel_key(const uint8_t* x, const uint8_t* y) {
    return kernels::p521::prepare_key(std::span<const uint8_t, 66>(x, 66), std::span<const uint8_t, 66>(y, 66));
  }
};

struct CurveNames {
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, P256> ? "P256" : std::is_same_v<T, P384> ? "P384" : "P521";
  }
};

template <class C>
class EcdsaEngine : public ::testing::Test {
 protected:
  // kernel is `k`'s context for C's kernel (null for none, or for a key of another family).
  static const void* kernel(const PreparedKey& k) {
    const EcKey* ec = k.as<EcKey>();
    return ec != nullptr ? ec->kernel_key<typename C::KernelKey>() : nullptr;
  }
  static void drop_kernel(PreparedKey& k) { k.as<EcKey>()->kernel = {}; }

  struct EsKey {
    bssl::UniquePtr<EC_KEY> ec;
    PreparedKey with_kernel, boringssl_only;
  };

  // coordinates writes the key's affine x and y, big-endian, kFieldBytes each.
  static void coordinates(const EC_KEY* ec, uint8_t* xb, uint8_t* yb) {
    bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
    EC_POINT_get_affine_coordinates_GFp(EC_KEY_get0_group(ec), EC_KEY_get0_public_key(ec), x.get(), y.get(), nullptr);
    BN_bn2bin_padded(xb, C::kFieldBytes, x.get());
    BN_bn2bin_padded(yb, C::kFieldBytes, y.get());
  }

  static EsKey make_key() {
    EsKey k;
    k.ec.reset(EC_KEY_new_by_curve_name(C::kNid));
    EXPECT_TRUE(EC_KEY_generate_key(k.ec.get()));
    uint8_t xb[C::kFieldBytes], yb[C::kFieldBytes];
    coordinates(k.ec.get(), xb, yb);
    std::string why;
    auto a = prepare_ec(C::kCurve, xb, yb, AlgSet{}, &why);
    auto b = prepare_ec(C::kCurve, xb, yb, AlgSet{}, &why);
    EXPECT_TRUE(a && b) << why;
    k.with_kernel = std::move(*a);
    k.boringssl_only = std::move(*b);
    drop_kernel(k.boringssl_only);
    return k;
  }

  static std::vector<uint8_t> sign(const EsKey& k, const std::string& input) {
    uint8_t d[C::kDigestBytes];
    C::digest(input, d);
    bssl::UniquePtr<ECDSA_SIG> sig(ECDSA_do_sign(d, C::kDigestBytes, k.ec.get()));
    std::vector<uint8_t> out(2 * C::kFieldBytes);
    BN_bn2bin_padded(out.data(), C::kFieldBytes, sig->r);
    BN_bn2bin_padded(out.data() + C::kFieldBytes, C::kFieldBytes, sig->s);
    return out;
  }
};

using Curves = ::testing::Types<P256, P384, P521>;
TYPED_TEST_SUITE(EcdsaEngine, Curves, CurveNames);

// default_policy is Policy{}, made outside the templates: GCC 12 stops with an internal error on
// Policy{} (its default member initialisers) inside a typed test's body.
Policy default_policy() { return Policy{}; }

std::span<const uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TYPED_TEST(EcdsaEngine, PrepareEcGivesKernelContext) {
  using C = TypeParam;
  auto k = this->make_key();
  if (force_boringssl()) {
    EXPECT_EQ(this->kernel(k.with_kernel), nullptr) << "JWTBATCH_FORCE_BORINGSSL=1 keeps keys with BoringSSL";
    return;
  }
  ASSERT_NE(this->kernel(k.with_kernel), nullptr);
  C::expect_kernel_details(k.with_kernel);
  // A key of another curve gets no context of this curve's kernel (its own curve's instead).
  const int other_nid = C::kNid == NID_secp384r1 ? NID_secp521r1 : NID_secp384r1;
  const Curve other_curve = other_nid == NID_secp384r1 ? Curve::p384 : Curve::p521;
  const size_t other_len = other_nid == NID_secp384r1 ? 48 : 66;
  bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(other_nid));
  ASSERT_TRUE(EC_KEY_generate_key(ec.get()));
  bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
  EC_POINT_get_affine_coordinates_GFp(EC_KEY_get0_group(ec.get()), EC_KEY_get0_public_key(ec.get()), x.get(), y.get(), nullptr);
  std::vector<uint8_t> xb(other_len), yb(other_len);
  BN_bn2bin_padded(xb.data(), other_len, x.get());
  BN_bn2bin_padded(yb.data(), other_len, y.get());
  auto other = prepare_ec(other_curve, xb, yb, AlgSet{}, nullptr);
  ASSERT_TRUE(other);
  ASSERT_NE(other->as<EcKey>(), nullptr);
  EXPECT_EQ(this->kernel(*other), nullptr);
  EXPECT_FALSE(std::holds_alternative<std::monostate>(other->as<EcKey>()->kernel));
}

TYPED_TEST(EcdsaEngine, BeyondTheKernelKeyLimitKeysStayWithBoringSSL) {
  using C = TypeParam;
  if (force_boringssl()) GTEST_SKIP() << "JWTBATCH_FORCE_BORINGSSL=1: no kernel keys";
  auto k = this->make_key();
  ASSERT_NE(this->kernel(k.with_kernel), nullptr);
  std::vector<std::shared_ptr<const void>> held;
  // Fill the kernel's slots with copies of this key's context made through the kernel.
  uint8_t xb[C::kFieldBytes], yb[C::kFieldBytes];
  this->coordinates(k.ec.get(), xb, yb);
  while (C::prepared_key_count() < C::kMaxPreparedKeys) {
    auto more = C::prepare_kernel_key(xb, yb);
    ASSERT_NE(more, nullptr);
    held.push_back(std::move(more));
  }
  auto full = prepare_ec(C::kCurve, xb, yb, AlgSet{}, nullptr);
  ASSERT_TRUE(full) << "the key still loads";
  EXPECT_EQ(this->kernel(*full), nullptr) << "and is verified by BoringSSL";
  VerifyScratch scratch;
  const std::string input = std::string(C::kJwsHeader) + ".e30";
  const auto sig = this->sign(k, input);
  EXPECT_TRUE(verify_signature(*full, C::kAlg, bytes(input), sig, scratch));
  std::vector<SigJob> jobs = {SigJob{&*full, C::kAlg, bytes(input), sig, false}};
  verify_signatures(jobs, scratch);
  EXPECT_TRUE(jobs[0].valid);
  EXPECT_FALSE(jobs[0].handled);
}

TYPED_TEST(EcdsaEngine, BatchAndSingleAgreeWithBoringSSL) {
  using C = TypeParam;
  constexpr size_t kSig = 2 * C::kFieldBytes;
  std::mt19937_64 rng(7);
  std::vector<typename TestFixture::EsKey> keys;
  for (int i = 0; i < C::kNumKeys; ++i) keys.push_back(this->make_key());
  uint8_t secret[C::kHmacSecretBytes] = {1, 2, 3};
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
  for (int i = 0; i < C::kNumItems; ++i) {
    Item it;
    it.key = rng() % (keys.size() + 1);
    it.kernel = rng() % 4 != 0;
    it.alg = it.key == keys.size() ? C::kHmacAlg : C::kAlg;
    it.input = std::string(C::kJwsHeader) + "." + std::to_string(rng());
    if (it.alg == C::kAlg) {
      it.sig = this->sign(keys[it.key], it.input);
      switch (rng() % (C::kZeroRCase ? 7 : 6)) {
        case 0: it.sig[rng() % kSig] ^= 0x10; break;  // corrupted
        case 1: it.input += "x"; break;               // other message
        case 2: it.sig.resize(kSig - 1); break;       // wrong length
        case 3: it.alg = C::kOtherEcAlg; break;       // alg the key does not have
        case 4:                                       // r = 0 (where swept; else valid)
          if (C::kZeroRCase) std::fill(it.sig.begin(), it.sig.begin() + C::kFieldBytes, 0);
          break;
        default: break;  // valid
      }
    } else {
      it.sig.assign(C::kHmacSecretBytes, static_cast<uint8_t>(rng()));
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
    const bool kernel_job = this->kernel(*jobs[i].key) != nullptr && items[i].alg == C::kAlg && items[i].sig.size() == kSig;
    // HMAC jobs riding along have their own batch path (engine/sig/hmac.cpp) where its kernel runs:
    // kernels/sha256 for the HS256 jobs beside ES256, kernels/sha512 for the HS384 and HS512 ones
    // beside ES384 and ES512.
    const bool hmac_batch =
        !force_boringssl() &&
        ((items[i].alg == Alg::hs256 && kernels::sha256::engine_uses_kernels()) ||
         ((items[i].alg == Alg::hs384 || items[i].alg == Alg::hs512) && kernels::sha512::engine_uses_kernels()));
    EXPECT_EQ(jobs[i].handled, kernel_job || hmac_batch) << "job " << i;
    // The single-shot path through verify_signature with the kernel key.
    EXPECT_EQ(verify_signature(*jobs[i].key, items[i].alg, bytes(items[i].input), items[i].sig, scratch), reference[i].valid)
        << "job " << i;
    valid += reference[i].valid;
    by_kernel += kernel_job && jobs[i].handled;
  }
  EXPECT_GT(valid, C::kMinValid);
  if (!force_boringssl()) {
    EXPECT_GT(by_kernel, C::kMinByKernel);
  }
}

TYPED_TEST(EcdsaEngine, TokensThroughTheVerifier) {
  using C = TypeParam;
  // Tokens of two keys through Verifier::verify_batch (the whole pipeline, chunks of many tokens,
  // signatures grouped by key) and Verifier::verify, against the statuses they were built to have:
  // valid, signature corrupted, other claims, expired (and expired with a forged signature: the
  // signature group wins), and signed by the other key.
  auto k1 = this->make_key(), k2 = this->make_key();
  auto jwk = [](const typename TestFixture::EsKey& k, const char* kid) {
    uint8_t xb[C::kFieldBytes], yb[C::kFieldBytes];
    TestFixture::coordinates(k.ec.get(), xb, yb);
    return std::string(R"({"kty":"EC","crv":")") + C::kCrv + R"(","alg":")" + C::kAlgName + R"(","kid":")" + kid +
           R"(","x":")" + test::b64url(std::span<const uint8_t>(xb, C::kFieldBytes)) + R"(","y":")" +
           test::b64url(std::span<const uint8_t>(yb, C::kFieldBytes)) + R"("})";
  };
  const std::string jwks = R"({"keys":[)" + jwk(k1, "e1") + "," + jwk(k2, "e2") + "]}";
  std::string error;
  auto keyset = KeySet::from_jwks(jwks, &error);
  ASSERT_TRUE(keyset) << error;
  Verifier verifier(keyset, default_policy());
  constexpr UnixSeconds kNow = 1767225600;
  std::mt19937_64 rng(11);
  std::vector<std::string> tokens;
  std::vector<Status> want;
  for (int i = 0; i < 400; ++i) {
    const bool first = rng() % 2 == 0;
    const auto& signer = first ? k1 : k2;
    const int kind = static_cast<int>(rng() % 5);
    const std::string header =
        test::b64url(std::string(R"({"alg":")") + C::kAlgName + R"(","kid":")" + (first ? "e1" : "e2") + "\"}");
    const long exp = kind == 3 ? kNow - 10 : kNow + 3600;
    const std::string claims = test::b64url(R"({"sub":"u)" + std::to_string(i) + R"(","exp":)" + std::to_string(exp) + "}");
    const std::string input = header + "." + claims;
    std::vector<uint8_t> sig = this->sign(kind == 4 ? (first ? k2 : k1) : signer, input);
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
