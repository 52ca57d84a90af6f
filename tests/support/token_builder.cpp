// token_builder.cpp (tests): see token_builder.hpp.
#include "tests/support/token_builder.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdexcept>

#include "kernels/base64url/base64url.hpp"

namespace jwtbatch::test {

std::string b64url(std::span<const uint8_t> bytes) {
  std::string out(kernels::base64url_encoded_len(bytes.size()), '\0');
  out.resize(kernels::base64url_encode_scalar(bytes, out));
  return out;
}

std::string b64url(std::string_view text) {
  return b64url(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::vector<uint8_t> bn_bytes(const BIGNUM* bn, size_t len) {
  std::vector<uint8_t> out(len ? len : BN_num_bytes(bn));
  BN_bn2bin_padded(out.data(), out.size(), bn);
  return out;
}

std::string public_key_pem(EVP_PKEY* pkey) {
  bssl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PUBKEY(bio.get(), pkey)) throw std::runtime_error("PEM_write_bio_PUBKEY");
  const uint8_t* data = nullptr;
  size_t len = 0;
  BIO_mem_contents(bio.get(), &data, &len);
  return std::string(reinterpret_cast<const char*>(data), len);
}

namespace {

TestKeys make_keys() {
  TestKeys k;
  k.hmac_secret.resize(64);
  RAND_bytes(k.hmac_secret.data(), k.hmac_secret.size());
  k.rsa.reset(RSA_new());
  bssl::UniquePtr<BIGNUM> e(BN_new());
  BN_set_word(e.get(), 65537);
  if (!RSA_generate_key_ex(k.rsa.get(), 2048, e.get(), nullptr)) throw std::runtime_error("rsa keygen");
  k.p256.reset(EC_KEY_new_by_curve_name(NID_X9_62_prime256v1));
  if (!EC_KEY_generate_key(k.p256.get())) throw std::runtime_error("ec keygen");
  ED25519_keypair(k.ed25519_public, k.ed25519_private);
  return k;
}

}  // namespace

const TestKeys& test_keys() {
  static const TestKeys keys = make_keys();
  return keys;
}

std::string TestKeys::jwks() const {
  const std::string n = b64url(bn_bytes(RSA_get0_n(rsa.get())));
  const std::string e = b64url(bn_bytes(RSA_get0_e(rsa.get())));
  bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
  EC_POINT_get_affine_coordinates_GFp(EC_KEY_get0_group(p256.get()), EC_KEY_get0_public_key(p256.get()),
                                      x.get(), y.get(), nullptr);
  std::string j = "{\"keys\":[";
  j += "{\"kty\":\"oct\",\"kid\":\"hs\",\"alg\":\"HS256\",\"k\":\"" + b64url(hmac_secret) + "\"},";
  j += "{\"kty\":\"RSA\",\"kid\":\"rs\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\"" + n + "\",\"e\":\"" + e + "\"},";
  j += "{\"kty\":\"RSA\",\"kid\":\"ps\",\"alg\":\"PS256\",\"n\":\"" + n + "\",\"e\":\"" + e + "\"},";
  j += "{\"kty\":\"EC\",\"kid\":\"es\",\"alg\":\"ES256\",\"crv\":\"P-256\",\"x\":\"" + b64url(bn_bytes(x.get(), 32)) +
       "\",\"y\":\"" + b64url(bn_bytes(y.get(), 32)) + "\"},";
  j += "{\"kty\":\"OKP\",\"kid\":\"ed\",\"alg\":\"EdDSA\",\"crv\":\"Ed25519\",\"x\":\"" +
       b64url(std::span<const uint8_t>(ed25519_public, 32)) + "\"}";
  j += "]}";
  return j;
}

std::string TestKeys::rsa_public_pem() const {
  bssl::UniquePtr<EVP_PKEY> pkey(EVP_PKEY_new());
  EVP_PKEY_set1_RSA(pkey.get(), rsa.get());
  return public_key_pem(pkey.get());
}

std::vector<uint8_t> sign(std::string_view alg, std::string_view input, std::span<const uint8_t> secret) {
  const TestKeys& k = test_keys();
  const auto* msg = reinterpret_cast<const uint8_t*>(input.data());
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(msg, input.size(), digest);
  std::vector<uint8_t> sig;
  if (alg == "HS256") {
    if (secret.empty()) secret = k.hmac_secret;
    sig.resize(32);
    unsigned len = 0;
    HMAC(EVP_sha256(), secret.data(), secret.size(), msg, input.size(), sig.data(), &len);
  } else if (alg == "RS256") {
    sig.resize(RSA_size(k.rsa.get()));
    unsigned len = 0;
    RSA_sign(NID_sha256, digest, sizeof digest, sig.data(), &len, k.rsa.get());
  } else if (alg == "PS256") {
    sig.resize(RSA_size(k.rsa.get()));
    size_t len = 0;
    RSA_sign_pss_mgf1(k.rsa.get(), &len, sig.data(), sig.size(), digest, sizeof digest, EVP_sha256(), nullptr, 32);
  } else if (alg == "ES256") {
    bssl::UniquePtr<ECDSA_SIG> s(ECDSA_do_sign(digest, sizeof digest, k.p256.get()));
    sig = bn_bytes(s->r, 32);
    std::vector<uint8_t> ss = bn_bytes(s->s, 32);
    sig.insert(sig.end(), ss.begin(), ss.end());
  } else if (alg == "EdDSA") {
    sig.resize(64);
    ED25519_sign(sig.data(), msg, input.size(), k.ed25519_private);
  } else {
    throw std::runtime_error("test sign: unknown alg");
  }
  return sig;
}

std::string make_token(std::string_view alg, std::string_view header_json, std::string_view claims_json,
                       std::span<const uint8_t> secret) {
  std::string input = b64url(header_json) + "." + b64url(claims_json);
  return input + "." + b64url(sign(alg, input, secret));
}

}  // namespace jwtbatch::test
