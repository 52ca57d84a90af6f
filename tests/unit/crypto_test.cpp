// crypto_test.cpp: the signature layer (engine/keys/prepare.cpp, engine/sig/crypto.cpp) against BoringSSL itself.
//
// Differential: keys generated and messages signed with BoringSSL; our verify_signature must accept
// them, and for every flipped bit of the signature (one bit per byte for P-521, whose verify is
// slow) and a sample of flipped message bits, give BoringSSL's own verdict (EVP_DigestVerify with
// the private key object, HMAC()). Messages and secrets come from a fixed-seed generator; keys and
// randomized signatures do not, so a mismatch prints the public key, message and signature.
// Then the edge cases of RFC 7518 / RFC 8725 and of ../shared/notes/fast-paths.md: wrong lengths,
// ECDSA r or s of 0 or n, DER signatures, Ed25519 S + L, algorithms of another family, weak keys.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/bytestring.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "engine/sig/crypto.hpp"
#include "engine/sig/force_boringssl.hpp"
#include "kernels/p256/p256.hpp"
#include "kernels/p384/p384.hpp"
#include "kernels/p521/p521.hpp"
#include "tests/support/token_builder.hpp"
#include "tests/support/wycheproof.hpp"

namespace jwtbatch::engine {
namespace {

using Bytes = std::vector<uint8_t>;
using test::from_hex;
using test::public_key_pem;
using test::to_hex;

constexpr uint64_t kSeed = 0x6a77746261746368;  // "jwtbatch"

std::mt19937_64& rng() {
  static std::mt19937_64 r(kSeed);
  return r;
}

Bytes random_bytes(size_t n) {
  Bytes b(n);
  for (uint8_t& x : b) x = static_cast<uint8_t>(rng()());
  return b;
}

Bytes unhex(std::string_view s) {
  auto b = from_hex(s);
  EXPECT_TRUE(b.has_value()) << s;
  return b.value_or(Bytes{});
}

Bytes bn_bytes(const BIGNUM* bn, size_t len) {
  Bytes b(len);
  EXPECT_TRUE(BN_bn2bin_padded(b.data(), len, bn));
  return b;
}

const EVP_MD* md_of(Alg alg) {
  switch (alg) {
    case Alg::hs256: case Alg::rs256: case Alg::ps256: case Alg::es256: return EVP_sha256();
    case Alg::hs384: case Alg::rs384: case Alg::ps384: case Alg::es384: return EVP_sha384();
    case Alg::hs512: case Alg::rs512: case Alg::ps512: case Alg::es512: return EVP_sha512();
    default: return nullptr;
  }
}

Bytes digest_of(Alg alg, std::span<const uint8_t> msg) {
  const EVP_MD* md = md_of(alg);
  Bytes d(EVP_MD_size(md));
  unsigned len = 0;
  EXPECT_TRUE(EVP_Digest(msg.data(), msg.size(), d.data(), &len, md, nullptr));
  return d;
}

bool is_pss(Alg alg) { return alg == Alg::ps256 || alg == Alg::ps384 || alg == Alg::ps512; }

// TestKey is a BoringSSL key pair (or HMAC secret) and our PreparedKey built from its public part.
struct TestKey {
  KeyFamily family = KeyFamily::hmac;
  Curve curve = Curve::p256;
  Bytes secret;
  bssl::UniquePtr<EVP_PKEY> pkey;  // RSA, EC or Ed25519 with the private key
  std::array<uint8_t, 64> ed_private{};
  std::array<uint8_t, 32> ed_public{};
  PreparedKey prepared;
  std::string describe;  // the public key, for failure messages
};

size_t curve_len(Curve c) { return c == Curve::p256 ? 32 : c == Curve::p384 ? 48 : 66; }
int nid_of(Curve c) {
  return c == Curve::p256 ? NID_X9_62_prime256v1 : c == Curve::p384 ? NID_secp384r1 : NID_secp521r1;
}
Alg alg_of(Curve c) { return c == Curve::p256 ? Alg::es256 : c == Curve::p384 ? Alg::es384 : Alg::es512; }

TestKey make_hmac_key(size_t len) {
  TestKey k;
  k.family = KeyFamily::hmac;
  k.secret = random_bytes(len);
  std::string why;
  auto p = prepare_hmac(k.secret, AlgSet{}, &why);
  EXPECT_TRUE(p.has_value()) << why;
  if (p) k.prepared = std::move(*p);
  k.describe = "secret " + to_hex(k.secret);
  return k;
}

// rsa_public_parts returns n and e of `rsa` as big-endian bytes.
std::pair<Bytes, Bytes> rsa_public_parts(const RSA* rsa) {
  const BIGNUM *n = nullptr, *e = nullptr;
  RSA_get0_key(rsa, &n, &e, nullptr);
  return {bn_bytes(n, BN_num_bytes(n)), bn_bytes(e, BN_num_bytes(e))};
}

bssl::UniquePtr<RSA> generate_rsa(int bits, uint64_t e) {
  bssl::UniquePtr<RSA> rsa(RSA_new());
  bssl::UniquePtr<BIGNUM> bn_e(BN_new());
  EXPECT_TRUE(BN_set_u64(bn_e.get(), e));
  EXPECT_TRUE(RSA_generate_key_ex(rsa.get(), bits, bn_e.get(), nullptr));
  return rsa;
}

// rsa_keys returns two cached 2048-bit keys (e = 65537 and e = 3): key generation is slow.
const std::vector<TestKey>& rsa_keys() {
  static const std::vector<TestKey> keys = [] {
    std::vector<TestKey> out;
    for (uint64_t e : {65537u, 3u}) {
      TestKey k;
      k.family = KeyFamily::rsa;
      bssl::UniquePtr<RSA> rsa = generate_rsa(2048, e);
      auto [n, e_bytes] = rsa_public_parts(rsa.get());
      std::string why;
      auto p = prepare_rsa(n, e_bytes, AlgSet{}, &why);
      EXPECT_TRUE(p.has_value()) << why;
      if (p) k.prepared = std::move(*p);
      k.pkey.reset(EVP_PKEY_new());
      EXPECT_TRUE(EVP_PKEY_set1_RSA(k.pkey.get(), rsa.get()));
      k.describe = "n " + to_hex(n) + " e " + to_hex(e_bytes);
      out.push_back(std::move(k));
    }
    return out;
  }();
  return keys;
}

TestKey make_ec_key(Curve curve) {
  TestKey k;
  k.family = KeyFamily::ec;
  k.curve = curve;
  bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(nid_of(curve)));
  EXPECT_TRUE(EC_KEY_generate_key(ec.get()));
  bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
  EXPECT_TRUE(EC_POINT_get_affine_coordinates_GFp(EC_KEY_get0_group(ec.get()),
                                                  EC_KEY_get0_public_key(ec.get()), x.get(),
                                                  y.get(), nullptr));
  Bytes bx = bn_bytes(x.get(), curve_len(curve)), by = bn_bytes(y.get(), curve_len(curve));
  std::string why;
  auto p = prepare_ec(curve, bx, by, AlgSet{}, &why);
  EXPECT_TRUE(p.has_value()) << why;
  if (p) k.prepared = std::move(*p);
  k.pkey.reset(EVP_PKEY_new());
  EXPECT_TRUE(EVP_PKEY_set1_EC_KEY(k.pkey.get(), ec.get()));
  k.describe = "x " + to_hex(bx) + " y " + to_hex(by);
  return k;
}

TestKey make_ed25519_key() {
  TestKey k;
  k.family = KeyFamily::okp;
  ED25519_keypair(k.ed_public.data(), k.ed_private.data());
  std::string why;
  auto p = prepare_ed25519(k.ed_public, AlgSet{}, &why);
  EXPECT_TRUE(p.has_value()) << why << " " << to_hex(k.ed_public);
  if (p) k.prepared = std::move(*p);
  k.pkey.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, k.ed_private.data(), 32));
  EXPECT_TRUE(k.pkey);
  k.describe = "pk " + to_hex(k.ed_public);
  return k;
}

// sign signs `msg` with BoringSSL as JWS `alg` does (ECDSA as fixed-length r||s).
Bytes sign(const TestKey& k, Alg alg, std::span<const uint8_t> msg) {
  switch (k.family) {
    case KeyFamily::hmac: {
      Bytes tag(EVP_MAX_MD_SIZE);
      unsigned len = 0;
      EXPECT_TRUE(HMAC(md_of(alg), k.secret.data(), k.secret.size(), msg.data(), msg.size(),
                       tag.data(), &len));
      tag.resize(len);
      return tag;
    }
    case KeyFamily::rsa: {
      RSA* rsa = EVP_PKEY_get0_RSA(k.pkey.get());
      Bytes d = digest_of(alg, msg), sig(RSA_size(rsa));
      size_t len = 0;
      if (is_pss(alg)) {
        EXPECT_TRUE(RSA_sign_pss_mgf1(rsa, &len, sig.data(), sig.size(), d.data(), d.size(),
                                      md_of(alg), nullptr, -1));
      } else {
        unsigned ulen = 0;
        EXPECT_TRUE(RSA_sign(EVP_MD_type(md_of(alg)), d.data(), d.size(), sig.data(), &ulen, rsa));
        len = ulen;
      }
      sig.resize(len);
      return sig;
    }
    case KeyFamily::ec: {
      Bytes d = digest_of(alg, msg);
      bssl::UniquePtr<ECDSA_SIG> s(
          ECDSA_do_sign(d.data(), d.size(), EVP_PKEY_get0_EC_KEY(k.pkey.get())));
      EXPECT_TRUE(s);
      if (!s) return {};
      Bytes r = bn_bytes(s->r, curve_len(k.curve)), ss = bn_bytes(s->s, curve_len(k.curve));
      r.insert(r.end(), ss.begin(), ss.end());
      return r;
    }
    case KeyFamily::okp: {
      Bytes sig(64);
      EXPECT_TRUE(ED25519_sign(sig.data(), msg.data(), msg.size(), k.ed_private.data()));
      return sig;
    }
  }
  return {};
}

// reference_verify is BoringSSL's verdict on the same input, by another path than ours.
bool reference_verify(const TestKey& k, Alg alg, std::span<const uint8_t> msg,
                      std::span<const uint8_t> sig) {
  if (k.family == KeyFamily::hmac) {
    Bytes tag = sign(k, alg, msg);
    return tag.size() == sig.size() && CRYPTO_memcmp(tag.data(), sig.data(), tag.size()) == 0;
  }
  Bytes der;
  std::span<const uint8_t> s = sig;
  if (k.family == KeyFamily::ec) {
    // JWS r||s to the DER that EVP takes.
    const size_t len = curve_len(k.curve);
    if (sig.size() != 2 * len) return false;
    bssl::UniquePtr<ECDSA_SIG> es(ECDSA_SIG_new());
    BN_bin2bn(sig.data(), len, es->r);
    BN_bin2bn(sig.data() + len, len, es->s);
    uint8_t* out = nullptr;
    size_t out_len = 0;
    EXPECT_TRUE(ECDSA_SIG_to_bytes(&out, &out_len, es.get()));
    der.assign(out, out + out_len);
    OPENSSL_free(out);
    s = der;
  }
  bssl::ScopedEVP_MD_CTX ctx;
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = EVP_DigestVerifyInit(ctx.get(), &pctx, md_of(alg), nullptr, k.pkey.get()) == 1;
  if (ok && is_pss(alg)) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, -1) == 1;
  }
  EXPECT_TRUE(ok);
  ok = ok && EVP_DigestVerify(ctx.get(), s.data(), s.size(), msg.data(), msg.size()) == 1;
  ERR_clear_error();
  return ok;
}

// ours calls verify_signature and checks that it left BoringSSL's error queue empty.
bool ours(const PreparedKey& key, Alg alg, std::span<const uint8_t> msg,
          std::span<const uint8_t> sig, VerifyScratch& scratch) {
  bool v = verify_signature(key, alg, msg, sig, scratch);
  EXPECT_EQ(ERR_peek_error(), 0u) << "error queue not cleared, alg " << to_string(alg);
  ERR_clear_error();
  return v;
}

// sweep signs `msg`, checks that we accept it, then flips bits of the signature (every bit, or
// one per byte at a rotating position) and of the message, and compares our verdict with
// BoringSSL's. It returns the number of mismatches (each also reported).
int sweep(const TestKey& k, Alg alg, const Bytes& msg, bool every_bit, VerifyScratch& scratch) {
  Bytes sig = sign(k, alg, msg);
  EXPECT_EQ(sig.size(), signature_len(k.prepared, alg));
  EXPECT_TRUE(reference_verify(k, alg, msg, sig));
  int mismatches = 0;
  auto check = [&](const Bytes& m, const Bytes& s, const char* what, size_t bit) {
    bool o = ours(k.prepared, alg, m, s, scratch), r = reference_verify(k, alg, m, s);
    if (o != r && ++mismatches <= 5) {
      ADD_FAILURE() << to_string(alg) << " " << what << " bit " << bit << ": ours " << o
                    << ", BoringSSL " << r << "\n  key " << k.describe << "\n  msg "
                    << to_hex(m) << "\n  sig " << to_hex(s);
    }
  };
  if (!ours(k.prepared, alg, msg, sig, scratch)) {
    ADD_FAILURE() << to_string(alg) << ": valid signature rejected\n  key " << k.describe
                  << "\n  msg " << to_hex(msg) << "\n  sig " << to_hex(sig);
    return 1;
  }
  Bytes bad = sig;
  for (size_t bit = 0; bit < sig.size() * 8; ++bit) {
    if (!every_bit && bit % 8 != (bit / 8) % 8) continue;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    check(msg, bad, "signature", bit);
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
  if (!msg.empty()) {
    Bytes m = msg;
    std::vector<size_t> bits = {0, 7, msg.size() * 8 - 1};
    for (int i = 0; i < 13; ++i) bits.push_back(rng()() % (msg.size() * 8));
    for (size_t bit : bits) {
      m[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      check(m, sig, "message", bit);
      m[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    }
  }
  // One byte more and one less than the signature.
  Bytes longer = sig;
  longer.push_back(0);
  EXPECT_FALSE(ours(k.prepared, alg, msg, longer, scratch)) << to_string(alg);
  EXPECT_FALSE(ours(k.prepared, alg, msg, std::span(sig).first(sig.size() - 1), scratch))
      << to_string(alg);
  return mismatches;
}

// ---- family_algs, signature_len --------------------------------------------------------------

TEST(Crypto, FamilyAlgs) {
  EXPECT_EQ(family_algs(KeyFamily::hmac), (AlgSet{Alg::hs256, Alg::hs384, Alg::hs512}));
  EXPECT_EQ(family_algs(KeyFamily::rsa), (AlgSet{Alg::rs256, Alg::rs384, Alg::rs512, Alg::ps256,
                                                 Alg::ps384, Alg::ps512}));
  EXPECT_EQ(family_algs(KeyFamily::ec, Curve::p256), AlgSet{Alg::es256});
  EXPECT_EQ(family_algs(KeyFamily::ec, Curve::p384), AlgSet{Alg::es384});
  EXPECT_EQ(family_algs(KeyFamily::ec, Curve::p521), AlgSet{Alg::es512});
  EXPECT_EQ(family_algs(KeyFamily::okp), AlgSet{Alg::eddsa});
}

TEST(Crypto, SignatureLen) {
  PreparedKey none;
  EXPECT_EQ(signature_len(none, Alg::hs256), 32u);
  EXPECT_EQ(signature_len(none, Alg::hs384), 48u);
  EXPECT_EQ(signature_len(none, Alg::hs512), 64u);
  EXPECT_EQ(signature_len(none, Alg::es256), 64u);
  EXPECT_EQ(signature_len(none, Alg::es384), 96u);
  EXPECT_EQ(signature_len(none, Alg::es512), 132u);
  EXPECT_EQ(signature_len(none, Alg::eddsa), 64u);
  EXPECT_EQ(signature_len(none, Alg::rs256), 0u);  // no RSA key
  EXPECT_EQ(signature_len(none, Alg::unknown), 0u);
  EXPECT_EQ(signature_len(rsa_keys()[0].prepared, Alg::ps512), 256u);
  ASSERT_NE(rsa_keys()[0].prepared.as<RsaKey>(), nullptr);
  EXPECT_EQ(rsa_keys()[0].prepared.as<RsaKey>()->bits, 2048);
}

// ---- differential ------------------------------------------------------------------------------

TEST(CryptoDifferential, Hmac) {
  VerifyScratch scratch;
  // Around SHA-256's 64-byte and SHA-384/512's 128-byte blocks: longer secrets are hashed first.
  for (size_t secret_len : {32, 47, 48, 63, 64, 65, 100, 128, 129, 200}) {
    SCOPED_TRACE("secret_len " + std::to_string(secret_len));
    TestKey k = make_hmac_key(secret_len);
    AlgSet expected{Alg::hs256};
    if (secret_len >= 48) expected.add(Alg::hs384);
    if (secret_len >= 64) expected.add(Alg::hs512);
    EXPECT_EQ(k.prepared.algs, expected);
    for (Alg alg : {Alg::hs256, Alg::hs384, Alg::hs512}) {
      if (!expected.contains(alg)) continue;
      for (size_t msg_len : {0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 300, 1000})
        EXPECT_EQ(sweep(k, alg, random_bytes(msg_len), true, scratch), 0) << msg_len;
    }
  }
}

TEST(CryptoDifferential, Rsa) {
  VerifyScratch scratch;
  for (const TestKey& k : rsa_keys()) {
    for (Alg alg : {Alg::rs256, Alg::rs384, Alg::rs512, Alg::ps256, Alg::ps384, Alg::ps512}) {
      EXPECT_EQ(sweep(k, alg, random_bytes(rng()() % 600), true, scratch), 0);
      EXPECT_EQ(sweep(k, alg, Bytes{}, false, scratch), 0);
    }
  }
}

TEST(CryptoDifferential, Ecdsa) {
  VerifyScratch scratch;
  for (Curve curve : {Curve::p256, Curve::p384, Curve::p521}) {
    TestKey k = make_ec_key(curve);
    Alg alg = alg_of(curve);
    // Every bit for P-256 and P-384; one bit per byte for P-521 (about 1.2 ms per verify here).
    const bool every_bit = curve != Curve::p521;
    const int num_messages = curve == Curve::p256 ? 3 : 2;
    for (int i = 0; i < num_messages; ++i) {
      bool full = every_bit && (curve == Curve::p256 || i == 0);
      EXPECT_EQ(sweep(k, alg, random_bytes(rng()() % 600), full, scratch), 0);
    }
    EXPECT_EQ(sweep(k, alg, Bytes{}, false, scratch), 0);
  }
}

TEST(CryptoDifferential, Ed25519) {
  VerifyScratch scratch;
  for (int i = 0; i < 3; ++i) {
    TestKey k = make_ed25519_key();
    for (size_t msg_len : {0, 1, 64, 300})
      EXPECT_EQ(sweep(k, Alg::eddsa, random_bytes(msg_len), true, scratch), 0);
  }
}

// ---- edge cases ------------------------------------------------------------------------------

TEST(Crypto, WrongLengthsRejected) {
  VerifyScratch scratch;
  std::vector<std::pair<TestKey, Alg>> cases;
  cases.emplace_back(make_hmac_key(64), Alg::hs256);
  cases.emplace_back(make_hmac_key(64), Alg::hs512);
  cases.emplace_back(make_ec_key(Curve::p256), Alg::es256);
  cases.emplace_back(make_ec_key(Curve::p521), Alg::es512);
  cases.emplace_back(make_ed25519_key(), Alg::eddsa);
  const Bytes msg = random_bytes(100);
  for (auto& [k, alg] : cases) {
    Bytes sig = sign(k, alg, msg);
    ASSERT_TRUE(ours(k.prepared, alg, msg, sig, scratch)) << to_string(alg);
    for (size_t len : {size_t{0}, size_t{1}, sig.size() - 1, sig.size() + 1, 2 * sig.size()}) {
      Bytes s = sig;
      s.resize(len, 0);
      EXPECT_FALSE(ours(k.prepared, alg, msg, s, scratch)) << to_string(alg) << " len " << len;
    }
  }
  const TestKey& rk = rsa_keys()[0];
  Bytes sig = sign(rk, Alg::rs256, msg);
  for (size_t len : {size_t{0}, size_t{255}, size_t{257}, size_t{512}}) {
    Bytes s = sig;
    s.resize(len, 0);
    EXPECT_FALSE(ours(rk.prepared, Alg::rs256, msg, s, scratch)) << len;
  }
  // A leading zero byte keeps the value but not the length: RSA_size exactly.
  Bytes padded = sig;
  padded.insert(padded.begin(), 0);
  EXPECT_FALSE(ours(rk.prepared, Alg::rs256, msg, padded, scratch));
}

TEST(Crypto, RsaSignaturePlusModulusRejected) {
  // fast-paths.md: s + n gives the same result modulo n; it must still fail (s >= n). With a
  // 2048-bit n, s + n only fits in 256 bytes when it stays under 2^2048.
  VerifyScratch scratch;
  const TestKey& k = rsa_keys()[0];
  const RSA* rsa = EVP_PKEY_get0_RSA(k.pkey.get());
  const Bytes msg = random_bytes(50);
  for (int tries = 0, done = 0; tries < 200 && done < 3; ++tries) {
    Bytes sig = sign(k, Alg::rs256, random_bytes(50 + tries));
    bssl::UniquePtr<BIGNUM> s(BN_bin2bn(sig.data(), sig.size(), nullptr));
    ASSERT_TRUE(BN_add(s.get(), s.get(), RSA_get0_n(rsa)));
    if (BN_num_bytes(s.get()) > 256) continue;
    ++done;
    EXPECT_FALSE(ours(k.prepared, Alg::rs256, msg, bn_bytes(s.get(), 256), scratch));
  }
  // n itself and all-ones.
  EXPECT_FALSE(ours(k.prepared, Alg::rs256, msg, bn_bytes(RSA_get0_n(rsa), 256), scratch));
  EXPECT_FALSE(ours(k.prepared, Alg::rs256, msg, Bytes(256, 0xff), scratch));
  EXPECT_FALSE(ours(k.prepared, Alg::ps256, msg, Bytes(256, 0), scratch));
}

TEST(Crypto, EcdsaRangeChecks) {
  VerifyScratch scratch;
  for (Curve curve : {Curve::p256, Curve::p384, Curve::p521}) {
    TestKey k = make_ec_key(curve);
    const Alg alg = alg_of(curve);
    const size_t len = curve_len(curve);
    const Bytes msg = random_bytes(77);
    Bytes sig = sign(k, alg, msg);
    ASSERT_TRUE(ours(k.prepared, alg, msg, sig, scratch));
    const BIGNUM* order = EC_GROUP_get0_order(EC_KEY_get0_group(k.prepared.as<EcKey>()->ec.get()));
    const Bytes n = bn_bytes(order, len), zero(len, 0), ones(len, 0xff);
    bssl::UniquePtr<BIGNUM> n_minus_1(BN_dup(order));
    ASSERT_TRUE(BN_sub_word(n_minus_1.get(), 1));
    const Bytes nm1 = bn_bytes(n_minus_1.get(), len);
    auto with = [&](const Bytes& r, const Bytes& s) {
      Bytes out = r;
      out.insert(out.end(), s.begin(), s.end());
      return out;
    };
    const Bytes r(sig.begin(), sig.begin() + len), s(sig.begin() + len, sig.end());
    SCOPED_TRACE(to_string(alg));
    EXPECT_FALSE(ours(k.prepared, alg, msg, with(zero, s), scratch)) << "r = 0";
    EXPECT_FALSE(ours(k.prepared, alg, msg, with(r, zero), scratch)) << "s = 0";
    EXPECT_FALSE(ours(k.prepared, alg, msg, with(zero, zero), scratch)) << "r = s = 0";
    EXPECT_FALSE(ours(k.prepared, alg, msg, with(n, s), scratch)) << "r = n";
    EXPECT_FALSE(ours(k.prepared, alg, msg, with(r, n), scratch)) << "s = n";
    EXPECT_FALSE(ours(k.prepared, alg, msg, with(ones, s), scratch)) << "r > n";
    EXPECT_FALSE(ours(k.prepared, alg, msg, with(r, ones), scratch)) << "s > n";
    EXPECT_FALSE(ours(k.prepared, alg, msg, with(nm1, nm1), scratch)) << "r = s = n - 1";
    // r + n (when it fits in the field size) names the same x coordinate mod n: still out of range.
    bssl::UniquePtr<BIGNUM> r_plus_n(BN_bin2bn(r.data(), len, nullptr));
    ASSERT_TRUE(BN_add(r_plus_n.get(), r_plus_n.get(), order));
    if (static_cast<size_t>(BN_num_bytes(r_plus_n.get())) <= len) {
      EXPECT_FALSE(ours(k.prepared, alg, msg, with(bn_bytes(r_plus_n.get(), len), s), scratch))
          << "r + n";
    }
    // ECDSA is malleable: (r, n - s) is valid too. JWS does not ask for low s; BoringSSL agrees.
    bssl::UniquePtr<BIGNUM> bs(BN_bin2bn(s.data(), len, nullptr)), neg_s(BN_new());
    ASSERT_TRUE(BN_sub(neg_s.get(), order, bs.get()));
    const Bytes malleated = with(r, bn_bytes(neg_s.get(), len));
    EXPECT_TRUE(ours(k.prepared, alg, msg, malleated, scratch)) << "(r, n - s)";
    EXPECT_TRUE(reference_verify(k, alg, msg, malleated));
  }
}

TEST(Crypto, EcdsaDerSignatureRejected) {
  VerifyScratch scratch;
  for (Curve curve : {Curve::p256, Curve::p384, Curve::p521}) {
    TestKey k = make_ec_key(curve);
    const Alg alg = alg_of(curve);
    const size_t len = curve_len(curve);
    const Bytes msg = random_bytes(33);
    const Bytes d = digest_of(alg, msg);
    for (int i = 0; i < 4; ++i) {
      bssl::UniquePtr<ECDSA_SIG> s(
          ECDSA_do_sign(d.data(), d.size(), EVP_PKEY_get0_EC_KEY(k.pkey.get())));
      ASSERT_TRUE(s);
      uint8_t* der = nullptr;
      size_t der_len = 0;
      ASSERT_TRUE(ECDSA_SIG_to_bytes(&der, &der_len, s.get()));
      Bytes der_sig(der, der + der_len);
      OPENSSL_free(der);
      ASSERT_TRUE(reference_verify(k, alg, msg, [&] {
        Bytes raw = bn_bytes(s->r, len), ss = bn_bytes(s->s, len);
        raw.insert(raw.end(), ss.begin(), ss.end());
        return raw;
      }()));
      EXPECT_FALSE(ours(k.prepared, alg, msg, der_sig, scratch)) << "DER " << to_hex(der_sig);
      // The same DER cut or zero-padded to exactly 2 * len bytes.
      der_sig.resize(2 * len, 0);
      EXPECT_FALSE(ours(k.prepared, alg, msg, der_sig, scratch)) << "DER " << to_hex(der_sig);
    }
  }
}

TEST(Crypto, Ed25519SPlusGroupOrderRejected) {
  // fast-paths.md: S must be below L = 2^252 + 27742317777372353535851937790883648493. S + L
  // always fits in 253 bits, so the encoding stays 64 bytes with the top bits clear.
  VerifyScratch scratch;
  TestKey k = make_ed25519_key();
  bssl::UniquePtr<BIGNUM> l(BN_new());
  BIGNUM* l_raw = l.get();
  ASSERT_TRUE(BN_dec2bn(&l_raw, "7237005577332262213973186563042994240857116359379907606001950938285454250989"));
  for (int i = 0; i < 20; ++i) {
    const Bytes msg = random_bytes(40);
    Bytes sig = sign(k, Alg::eddsa, msg);
    ASSERT_TRUE(ours(k.prepared, Alg::eddsa, msg, sig, scratch));
    bssl::UniquePtr<BIGNUM> s(BN_le2bn(sig.data() + 32, 32, nullptr));
    ASSERT_TRUE(BN_add(s.get(), s.get(), l.get()));
    ASSERT_TRUE(BN_bn2le_padded(sig.data() + 32, 32, s.get()));
    EXPECT_FALSE(ours(k.prepared, Alg::eddsa, msg, sig, scratch)) << to_hex(sig);
    EXPECT_FALSE(reference_verify(k, Alg::eddsa, msg, sig));
  }
}

TEST(Crypto, AlgorithmMustBeOneOfTheKeys) {
  VerifyScratch scratch;
  const TestKey& rk = rsa_keys()[0];
  const Bytes msg = random_bytes(64);
  // The classic confusion (CVE-2015-9235 and kin): an HS256 token MACed with the RSA public key's
  // PEM text as the secret, presented to the RSA key.
  bssl::UniquePtr<EVP_PKEY> pub(EVP_PKEY_new());
  ASSERT_TRUE(EVP_PKEY_set1_RSA(pub.get(), EVP_PKEY_get0_RSA(rk.pkey.get())));
  const std::string pem = public_key_pem(pub.get());
  TestKey forged;
  forged.secret.assign(pem.begin(), pem.end());
  const Bytes tag = sign(forged, Alg::hs256, msg);
  EXPECT_FALSE(ours(rk.prepared, Alg::hs256, msg, tag, scratch));
  Bytes long_tag(256, 0x41);
  EXPECT_FALSE(ours(rk.prepared, Alg::hs256, msg, long_tag, scratch));
  EXPECT_FALSE(ours(rk.prepared, Alg::unknown, msg, sign(rk, Alg::rs256, msg), scratch));

  // A key restricted to one algorithm refuses the others of its family.
  auto [n, e] = rsa_public_parts(EVP_PKEY_get0_RSA(rk.pkey.get()));
  std::string why;
  auto rs256_only = prepare_rsa(n, e, AlgSet{Alg::rs256}, &why);
  ASSERT_TRUE(rs256_only) << why;
  EXPECT_EQ(rs256_only->algs, AlgSet{Alg::rs256});
  EXPECT_TRUE(ours(*rs256_only, Alg::rs256, msg, sign(rk, Alg::rs256, msg), scratch));
  EXPECT_FALSE(ours(*rs256_only, Alg::ps256, msg, sign(rk, Alg::ps256, msg), scratch));
  EXPECT_FALSE(ours(*rs256_only, Alg::rs384, msg, sign(rk, Alg::rs384, msg), scratch));

  TestKey h = make_hmac_key(64);
  auto hs256_only = prepare_hmac(h.secret, AlgSet{Alg::hs256, Alg::es256}, &why);
  ASSERT_TRUE(hs256_only) << why;
  EXPECT_EQ(hs256_only->algs, AlgSet{Alg::hs256});
  EXPECT_FALSE(ours(*hs256_only, Alg::hs512, msg, sign(h, Alg::hs512, msg), scratch));
  EXPECT_FALSE(ours(h.prepared, Alg::rs256, msg, Bytes(256, 1), scratch));

  // ECDSA with another curve's algorithm, EdDSA with an EC key, ES256 with an Ed25519 key.
  TestKey p256 = make_ec_key(Curve::p256), ed = make_ed25519_key();
  const Bytes es256 = sign(p256, Alg::es256, msg);
  EXPECT_FALSE(ours(p256.prepared, Alg::es384, msg, es256, scratch));
  EXPECT_FALSE(ours(p256.prepared, Alg::eddsa, msg, es256, scratch));
  EXPECT_FALSE(ours(ed.prepared, Alg::es256, msg, sign(ed, Alg::eddsa, msg), scratch));
  std::string why_ec;
  EXPECT_FALSE(prepare_ec(Curve::p256, Bytes(32, 1), Bytes(32, 1), AlgSet{Alg::es384}, &why_ec));
  EXPECT_NE(why_ec.find("P-256"), std::string::npos) << why_ec;
}

// expect_refused checks a prepare_* refusal: no key, a reason containing `needle`, no error left.
void expect_refused(const std::optional<PreparedKey>& key, const std::string& why,
                    std::string_view needle, std::string_view what) {
  EXPECT_FALSE(key.has_value()) << what;
  EXPECT_NE(why.find(needle), std::string::npos) << what << ": reason \"" << why << "\"";
  EXPECT_EQ(ERR_peek_error(), 0u) << what;
  ERR_clear_error();
}

TEST(Crypto, WeakRsaKeysRefusedWithReasons) {
  std::string why;
  bssl::UniquePtr<RSA> small = generate_rsa(1024, 65537);
  auto [n1024, e1024] = rsa_public_parts(small.get());
  expect_refused(prepare_rsa(n1024, e1024, AlgSet{}, &why), why, "1024 bits is under 2048", "RSA-1024");

  auto [n, e] = rsa_public_parts(EVP_PKEY_get0_RSA(rsa_keys()[0].pkey.get()));
  expect_refused(prepare_rsa(n, unhex("01"), AlgSet{}, &why), why, "greater than 1", "e = 1");
  expect_refused(prepare_rsa(n, unhex("00"), AlgSet{}, &why), why, "greater than 1", "e = 0");
  expect_refused(prepare_rsa(n, Bytes{}, AlgSet{}, &why), why, "greater than 1", "no e");
  expect_refused(prepare_rsa(n, unhex("010000"), AlgSet{}, &why), why, "exponent is even", "e = 65536");
  expect_refused(prepare_rsa(n, unhex("02"), AlgSet{}, &why), why, "exponent is even", "e = 2");
  // 2^34 + 1: odd, but over BoringSSL's 33 bits; 2^32 + 1 (33 bits) is accepted.
  expect_refused(prepare_rsa(n, unhex("0400000001"), AlgSet{}, &why), why, "35 bits", "e = 2^34 + 1");
  EXPECT_TRUE(prepare_rsa(n, unhex("0100000001"), AlgSet{}, &why)) << why;
  EXPECT_TRUE(prepare_rsa(n, unhex("000000010001"), AlgSet{}, &why)) << "leading zeros: " << why;

  Bytes even_n = n;
  even_n.back() &= 0xfe;
  expect_refused(prepare_rsa(even_n, e, AlgSet{}, &why), why, "modulus is even", "even n");
  expect_refused(prepare_rsa(Bytes{}, e, AlgSet{}, &why), why, "0 bits is under", "no n");
  Bytes huge(kMaxRsaBits / 8 + 1, 0xff);
  huge[0] = 0x01;  // 16385 bits, odd
  expect_refused(prepare_rsa(huge, e, AlgSet{}, &why), why, "16385 bits is over 16384", "n too big");
  expect_refused(prepare_rsa(n, e, AlgSet{Alg::hs256}, &why), why, "no RSA algorithm", "HS256 for an RSA key");
  // A null out_why is allowed.
  EXPECT_FALSE(prepare_rsa(n1024, e1024, AlgSet{}, nullptr));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(Crypto, RsaMontgomeryContextComputedAtLoad) {
  // Debian's BoringSSL still defines struct rsa_st publicly, so the cache can be looked at.
  const PreparedKey& key = rsa_keys()[0].prepared;
  ASSERT_NE(key.as<RsaKey>(), nullptr);
  ASSERT_TRUE(key.as<RsaKey>()->rsa);
  EXPECT_NE(key.as<RsaKey>()->rsa->mont_n, nullptr);
}

// Each prepare_* gives a key whose material is its family's alternative, and only that one; an EC
// key holds the kernel context of its own curve.
TEST(Crypto, PreparedKeyHoldsItsFamilysMaterial) {
  auto holds = [](const PreparedKey& k) {
    return std::array<bool, 4>{k.as<HmacKey>() != nullptr, k.as<RsaKey>() != nullptr,
                               k.as<EcKey>() != nullptr, k.as<Ed25519Key>() != nullptr};
  };
  const TestKey hmac = make_hmac_key(64);
  EXPECT_EQ(hmac.prepared.family(), KeyFamily::hmac);
  EXPECT_EQ(holds(hmac.prepared), (std::array<bool, 4>{true, false, false, false}));
  ASSERT_TRUE(hmac.prepared.as<HmacKey>()->states);
  const HmacStates& st = *hmac.prepared.as<HmacKey>()->states;
  EXPECT_TRUE(st.has_sha256 && st.has_sha384 && st.has_sha512);

  const PreparedKey& rsa = rsa_keys()[0].prepared;
  EXPECT_EQ(rsa.family(), KeyFamily::rsa);
  EXPECT_EQ(holds(rsa), (std::array<bool, 4>{false, true, false, false}));
  EXPECT_TRUE(rsa.as<RsaKey>()->rsa);

  for (Curve curve : {Curve::p256, Curve::p384, Curve::p521}) {
    const TestKey ec = make_ec_key(curve);
    SCOPED_TRACE(static_cast<int>(curve));
    EXPECT_EQ(ec.prepared.family(), KeyFamily::ec);
    EXPECT_EQ(holds(ec.prepared), (std::array<bool, 4>{false, false, true, false}));
    const EcKey& m = *ec.prepared.as<EcKey>();
    EXPECT_EQ(m.curve, curve);
    EXPECT_TRUE(m.ec);
    const bool kernel_curve = !force_boringssl();
    EXPECT_EQ(m.kernel_key<kernels::p256::Key>() != nullptr, kernel_curve && curve == Curve::p256);
    EXPECT_EQ(m.kernel_key<kernels::p384::Key>() != nullptr, kernel_curve && curve == Curve::p384);
    EXPECT_EQ(m.kernel_key<kernels::p521::Key>() != nullptr, kernel_curve && curve == Curve::p521);
    EXPECT_EQ(std::holds_alternative<std::monostate>(m.kernel), !kernel_curve);
  }

  const TestKey ed = make_ed25519_key();
  EXPECT_EQ(ed.prepared.family(), KeyFamily::okp);
  EXPECT_EQ(holds(ed.prepared), (std::array<bool, 4>{false, false, false, true}));
  EXPECT_EQ(ed.prepared.as<Ed25519Key>()->public_key, ed.ed_public);
  EXPECT_NE(ed.prepared.as<Ed25519Key>()->kernel, nullptr);
}

TEST(Crypto, ShortHmacSecretsRefusedWithReasons) {
  std::string why;
  const Bytes s31 = random_bytes(31), s47 = random_bytes(47), s48 = random_bytes(48);
  expect_refused(prepare_hmac(s31, AlgSet{}, &why), why, "31 bytes is shorter than the 32", "31 bytes");
  expect_refused(prepare_hmac(Bytes{}, AlgSet{}, &why), why, "0 bytes", "empty secret");
  expect_refused(prepare_hmac(s47, AlgSet{Alg::hs384}, &why), why, "47 bytes", "HS384, 47 bytes");
  expect_refused(prepare_hmac(s48, AlgSet{Alg::hs512}, &why), why, "48 bytes is shorter than the 64",
                 "HS512, 48 bytes");
  expect_refused(prepare_hmac(s48, AlgSet{Alg::rs256}, &why), why, "no HMAC algorithm", "RS256");
  auto k47 = prepare_hmac(s47, AlgSet{}, &why);
  ASSERT_TRUE(k47) << why;
  EXPECT_EQ(k47->algs, AlgSet{Alg::hs256});
  ASSERT_NE(k47->as<HmacKey>(), nullptr);
  const HmacStates& st47 = *k47->as<HmacKey>()->states;
  EXPECT_TRUE(st47.has_sha256);
  EXPECT_FALSE(st47.has_sha384 || st47.has_sha512);
  auto k48 = prepare_hmac(s48, AlgSet{Alg::hs384, Alg::hs512}, &why);
  ASSERT_TRUE(k48) << why;
  EXPECT_EQ(k48->algs, AlgSet{Alg::hs384});
}

TEST(Crypto, BadEcPointsRefusedWithReasons) {
  std::string why;
  for (Curve curve : {Curve::p256, Curve::p384, Curve::p521}) {
    TestKey k = make_ec_key(curve);
    const size_t len = curve_len(curve);
    const EC_GROUP* group = EC_KEY_get0_group(k.prepared.as<EcKey>()->ec.get());
    bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new()), p(BN_new());
    ASSERT_TRUE(EC_POINT_get_affine_coordinates_GFp(group, EC_KEY_get0_public_key(k.prepared.as<EcKey>()->ec.get()),
                                                    x.get(), y.get(), nullptr));
    ASSERT_TRUE(EC_GROUP_get_curve_GFp(group, p.get(), nullptr, nullptr, nullptr));
    const Bytes bx = bn_bytes(x.get(), len), by = bn_bytes(y.get(), len), bp = bn_bytes(p.get(), len);
    Bytes y1 = by;
    y1.back() ^= 1;
    expect_refused(prepare_ec(curve, bx, y1, AlgSet{}, &why), why, "not on", "off-curve point");
    expect_refused(prepare_ec(curve, Bytes(len, 0), Bytes(len, 0), AlgSet{}, &why), why, "not on",
                   "(0, 0)");
    // y + p names the same residue; it must be refused, not reduced. (Fits only when y is small
    // enough; for P-256 and P-384 the field prime is so close to 2^(8 len) that it rarely does.)
    bssl::UniquePtr<BIGNUM> y_plus_p(BN_new());
    ASSERT_TRUE(BN_add(y_plus_p.get(), y.get(), p.get()));
    if (static_cast<size_t>(BN_num_bytes(y_plus_p.get())) <= len) {
      expect_refused(prepare_ec(curve, bx, bn_bytes(y_plus_p.get(), len), AlgSet{}, &why), why,
                     "not on", "y + p");
    }
    expect_refused(prepare_ec(curve, bp, by, AlgSet{}, &why), why, "not on", "x = p");
    Bytes shortx(bx.begin() + 1, bx.end()), longx = bx;
    longx.insert(longx.begin(), 0);
    expect_refused(prepare_ec(curve, shortx, by, AlgSet{}, &why), why, "bytes each", "short x");
    expect_refused(prepare_ec(curve, longx, by, AlgSet{}, &why), why, "bytes each", "long x");
    // The right point on the wrong curve.
    Curve other = curve == Curve::p256 ? Curve::p384 : Curve::p256;
    Bytes ox = bx, oy = by;
    ox.resize(curve_len(other), 0);
    oy.resize(curve_len(other), 0);
    expect_refused(prepare_ec(other, ox, oy, AlgSet{}, &why), why, "not on", "other curve");
  }
}

TEST(Crypto, BadEd25519KeysRefusedWithReasons) {
  std::string why;
  // y = 2 has no x on the curve ((y^2 - 1) / (d y^2 + 1) is not a square mod p).
  expect_refused(prepare_ed25519(unhex("0200000000000000000000000000000000000000000000000000000000000000"), AlgSet{}, &why),
                 why, "does not decode", "y = 2");
  // Small order: the identity (0, 1), (0, -1) of order 2, (sqrt(-1), 0) of order 4, and a point of
  // order 8 (computed for this test from the curve equation).
  for (const char* hex : {"0100000000000000000000000000000000000000000000000000000000000000",
                          "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                          "0000000000000000000000000000000000000000000000000000000000000000",
                          "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"}) {
    expect_refused(prepare_ed25519(unhex(hex), AlgSet{}, &why), why, "small order", hex);
  }
  // y = p (non-canonical encoding of y = 0) and y = p + 1 (of the identity).
  expect_refused(prepare_ed25519(unhex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), AlgSet{}, &why),
                 why, "canonical", "y = p");
  expect_refused(prepare_ed25519(unhex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), AlgSet{}, &why),
                 why, "canonical", "y = p + 1");
  // x = 0 with the sign bit set (RFC 8032 5.1.3 step 4).
  expect_refused(prepare_ed25519(unhex("0100000000000000000000000000000000000000000000000000000000000080"), AlgSet{}, &why),
                 why, "x = 0", "-0");
  expect_refused(prepare_ed25519(Bytes(31, 9), AlgSet{}, &why), why, "32 bytes", "31 bytes");
  expect_refused(prepare_ed25519(Bytes(33, 9), AlgSet{}, &why), why, "32 bytes", "33 bytes");
  // Every honestly generated key is accepted, with either sign of x.
  int odd_x = 0;
  for (int i = 0; i < 200; ++i) {
    std::array<uint8_t, 32> pub;
    std::array<uint8_t, 64> priv;
    ED25519_keypair(pub.data(), priv.data());
    odd_x += pub[31] >> 7;
    EXPECT_TRUE(prepare_ed25519(pub, AlgSet{}, &why)) << why << " " << to_hex(pub);
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
  EXPECT_GT(odd_x, 50);
  EXPECT_LT(odd_x, 150);
}

// ---- PEM ---------------------------------------------------------------------------------------

TEST(Crypto, PemKeysOfEveryFamily) {
  VerifyScratch scratch;
  std::vector<TestKey> keys;
  keys.push_back(make_ec_key(Curve::p256));
  keys.push_back(make_ec_key(Curve::p384));
  keys.push_back(make_ec_key(Curve::p521));
  keys.push_back(make_ed25519_key());
  const Bytes msg = random_bytes(99);
  auto check = [&](const TestKey& k, Alg alg) {
    SCOPED_TRACE(to_string(alg));
    bssl::UniquePtr<EVP_PKEY> pub;
    if (k.family == KeyFamily::okp) {
      pub.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, k.ed_public.data(), 32));
    } else {
      pub.reset(EVP_PKEY_new());
      if (k.family == KeyFamily::rsa) {
        bssl::UniquePtr<RSA> r(RSAPublicKey_dup(EVP_PKEY_get0_RSA(k.pkey.get())));
        ASSERT_TRUE(EVP_PKEY_set1_RSA(pub.get(), r.get()));
      } else {
        ASSERT_TRUE(EVP_PKEY_set1_EC_KEY(pub.get(), EVP_PKEY_get0_EC_KEY(k.pkey.get())));
      }
    }
    std::string why;
    auto key = prepare_spki_pem(public_key_pem(pub.get()), AlgSet{}, &why);
    ASSERT_TRUE(key) << why;
    EXPECT_EQ(key->family(), k.family);
    EXPECT_EQ(key->algs, k.prepared.algs);
    if (k.family == KeyFamily::ec) {
      ASSERT_NE(key->as<EcKey>(), nullptr);
      EXPECT_EQ(key->as<EcKey>()->curve, k.curve);
    }
    const Bytes sig = sign(k, alg, msg);
    EXPECT_TRUE(ours(*key, alg, msg, sig, scratch));
    Bytes bad = sig;
    bad[bad.size() / 2] ^= 0x10;
    EXPECT_FALSE(ours(*key, alg, msg, bad, scratch));
  };
  for (const TestKey& k : keys) check(k, k.family == KeyFamily::okp ? Alg::eddsa : alg_of(k.curve));
  check(rsa_keys()[0], Alg::rs256);
  check(rsa_keys()[1], Alg::ps384);
}

TEST(Crypto, BadPemRefusedWithReasons) {
  std::string why;
  expect_refused(prepare_spki_pem("", AlgSet{}, &why), why, "PUBLIC KEY", "empty");
  expect_refused(prepare_spki_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                                  AlgSet{}, &why),
                 why, "PUBLIC KEY", "garbage DER");

  const RSA* rsa = EVP_PKEY_get0_RSA(rsa_keys()[0].pkey.get());
  bssl::UniquePtr<EVP_PKEY> rsa_pub(EVP_PKEY_new());
  bssl::UniquePtr<RSA> rsa_pub_only(RSAPublicKey_dup(rsa));
  ASSERT_TRUE(EVP_PKEY_set1_RSA(rsa_pub.get(), rsa_pub_only.get()));
  const std::string good = public_key_pem(rsa_pub.get());
  ASSERT_TRUE(prepare_spki_pem(good, AlgSet{}, &why)) << why;
  expect_refused(prepare_spki_pem(good + good, AlgSet{}, &why), why, "more than one", "two keys");

  // PKCS#1 "RSA PUBLIC KEY" is not SubjectPublicKeyInfo.
  {
    bssl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
    ASSERT_TRUE(PEM_write_bio_RSAPublicKey(bio.get(), rsa));
    const uint8_t* data;
    size_t len;
    BIO_mem_contents(bio.get(), &data, &len);
    expect_refused(prepare_spki_pem(std::string_view(reinterpret_cast<const char*>(data), len),
                                    AlgSet{}, &why),
                   why, "PUBLIC KEY", "RSA PUBLIC KEY");
  }
  // A private key is not read as a public key.
  {
    bssl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
    ASSERT_TRUE(PEM_write_bio_PrivateKey(bio.get(), rsa_keys()[0].pkey.get(), nullptr, nullptr, 0,
                                         nullptr, nullptr));
    const uint8_t* data;
    size_t len;
    BIO_mem_contents(bio.get(), &data, &len);
    expect_refused(prepare_spki_pem(std::string_view(reinterpret_cast<const char*>(data), len),
                                    AlgSet{}, &why),
                   why, "PUBLIC KEY", "PRIVATE KEY");
  }
  // Weak keys are refused through PEM with the same reasons.
  {
    bssl::UniquePtr<RSA> small = generate_rsa(1024, 65537);
    bssl::UniquePtr<RSA> small_pub(RSAPublicKey_dup(small.get()));
    bssl::UniquePtr<EVP_PKEY> pkey(EVP_PKEY_new());
    ASSERT_TRUE(EVP_PKEY_set1_RSA(pkey.get(), small_pub.get()));
    expect_refused(prepare_spki_pem(public_key_pem(pkey.get()), AlgSet{}, &why), why, "1024 bits", "RSA-1024 PEM");
  }
  // A curve JWS does not use.
  {
    bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(NID_secp224r1));
    ASSERT_TRUE(ec && EC_KEY_generate_key(ec.get()));
    bssl::UniquePtr<EVP_PKEY> pkey(EVP_PKEY_new());
    ASSERT_TRUE(EVP_PKEY_set1_EC_KEY(pkey.get(), ec.get()));
    expect_refused(prepare_spki_pem(public_key_pem(pkey.get()), AlgSet{}, &why), why, "not P-256", "P-224");
  }
  // An algorithm of another family.
  expect_refused(prepare_spki_pem(good, AlgSet{Alg::es256}, &why), why, "no RSA algorithm", "ES256 for RSA");
}

// ---- threads -----------------------------------------------------------------------------------

TEST(Crypto, KeysAreSharedReadOnlyAcrossThreads) {
  // Each thread has its own VerifyScratch; the keys are shared. Run under TSan for races.
  struct Case {
    const TestKey* key;
    Alg alg;
    Bytes msg, sig;
  };
  TestKey hmac = make_hmac_key(64), p256 = make_ec_key(Curve::p256), ed = make_ed25519_key();
  std::vector<Case> cases;
  for (auto [k, alg] : std::vector<std::pair<const TestKey*, Alg>>{
           {&hmac, Alg::hs256}, {&hmac, Alg::hs512}, {&rsa_keys()[0], Alg::rs256},
           {&rsa_keys()[0], Alg::ps256}, {&p256, Alg::es256}, {&ed, Alg::eddsa}}) {
    Bytes msg = random_bytes(200);
    Bytes sig = sign(*k, alg, msg);
    cases.push_back({k, alg, std::move(msg), std::move(sig)});
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      VerifyScratch scratch;
      for (int i = 0; i < 40; ++i) {
        for (const Case& c : cases) {
          Bytes sig = c.sig;
          const bool flip = (i + t) % 2 == 1;
          if (flip) sig[i % sig.size()] ^= 1;
          if (verify_signature(c.key->prepared, c.alg, c.msg, sig, scratch) == flip) ++wrong;
          if (ERR_peek_error() != 0) ++wrong;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace jwtbatch::engine
