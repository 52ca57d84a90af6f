// crypto.cpp: the signature layer's single-token path on BoringSSL and jwtbatch's kernels
// (contract in crypto.hpp). Every BoringSSL failure is turned into false and the thread's error
// queue is cleared. Nothing throws, prints or aborts.
//
// References: RFC 7518 section 3 (JWS algorithms), RFC 2104 (HMAC), RFC 8017 (RSASSA-PKCS1-v1_5,
// RSASSA-PSS), RFC 8725 (JWT best practices).
#include "engine/sig/crypto.hpp"

#include <cstring>

#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/nid.h>

#include "engine/sig/ecdsa.hpp"
#include "engine/sig/force_boringssl.hpp"
#include "engine/sig/rsa.hpp"
#include "kernels/ed25519/ed25519.hpp"
#include "kernels/rsa/rsa.hpp"

namespace jwtbatch::engine {
namespace {

// The longest digest (SHA-512) any algorithm hashes the signing input into.
constexpr size_t kMaxDigestLen = SHA512_DIGEST_LENGTH;

// ---- HMAC ---------------------------------------------------------------------------------------

// hmac_verify computes HMAC over `msg` from copies of the prepared states and compares it with
// `tag` in constant time. The copies need no wiping: by the end they hold only the hash outputs.
template <typename H>
bool hmac_verify(const typename H::Context& inner, const typename H::Context& outer,
                 std::span<const uint8_t> msg, std::span<const uint8_t> tag) {
  if (tag.size() != H::out_len) return false;
  uint8_t mac[H::out_len];
  typename H::Context c = inner;
  H::update(&c, msg.data(), msg.size());
  H::final(mac, &c);
  c = outer;
  H::update(&c, mac, H::out_len);
  H::final(mac, &c);
  return CRYPTO_memcmp(mac, tag.data(), H::out_len) == 0;
}

// ---- RSA ----------------------------------------------------------------------------------------

struct RsaParams {
  int hash_nid;
  const EVP_MD* md;
  bool pss;
};

bool rsa_params(Alg alg, RsaParams* out) {
  switch (alg) {
    case Alg::rs256: *out = {NID_sha256, EVP_sha256(), false}; return true;
    case Alg::rs384: *out = {NID_sha384, EVP_sha384(), false}; return true;
    case Alg::rs512: *out = {NID_sha512, EVP_sha512(), false}; return true;
    case Alg::ps256: *out = {NID_sha256, EVP_sha256(), true}; return true;
    case Alg::ps384: *out = {NID_sha384, EVP_sha384(), true}; return true;
    case Alg::ps512: *out = {NID_sha512, EVP_sha512(), true}; return true;
    default: return false;
  }
}

// digest hashes `msg` with the SHA-2 function of `hash_nid` into `out` (kMaxDigestLen bytes) and
// returns the digest length (0 for an unknown nid).
size_t digest(int hash_nid, std::span<const uint8_t> msg, uint8_t* out) {
  switch (hash_nid) {
    case NID_sha256: SHA256(msg.data(), msg.size(), out); return SHA256_DIGEST_LENGTH;
    case NID_sha384: SHA384(msg.data(), msg.size(), out); return SHA384_DIGEST_LENGTH;
    case NID_sha512: SHA512(msg.data(), msg.size(), out); return SHA512_DIGEST_LENGTH;
    default: return 0;
  }
}

bool verify_rsa(const RsaKey& key, Alg alg, std::span<const uint8_t> msg,
                std::span<const uint8_t> sig) {
  RsaParams p;
  RSA* rsa = key.rsa.get();
  if (rsa == nullptr || !rsa_params(alg, &p)) return false;
  // Exactly the modulus length (RFC 8017 8.2.2 step 1); BoringSSL also rejects s >= n.
  if (sig.size() != RSA_size(rsa)) return false;
  uint8_t d[kMaxDigestLen];
  size_t d_len = digest(p.hash_nid, msg, d);
  int ok = p.pss ? RSA_verify_pss_mgf1(rsa, d, d_len, p.md, p.md, static_cast<int>(d_len),
                                       sig.data(), sig.size())
                 : RSA_verify(p.hash_nid, d, d_len, sig.data(), sig.size(), rsa);
  if (ok != 1) {
    ERR_clear_error();
    return false;
  }
  return true;
}

// ---- ECDSA --------------------------------------------------------------------------------------

bool verify_ecdsa(const PreparedKey& key, const EcKey& ec_key, Alg alg, std::span<const uint8_t> msg,
                  std::span<const uint8_t> sig, VerifyScratch& scratch) {
  const EC_KEY* ec = ec_key.ec.get();
  ECDSA_SIG* s = scratch.ecdsa_sig;
  if (ec == nullptr || s == nullptr || s->r == nullptr || s->s == nullptr) return false;
  if (alg != curve_alg(ec_key.curve)) return false;
  const size_t n_len = field_len(ec_key.curve);
  // Raw fixed-length r||s (RFC 7518 section 3.4); DER or any other length is rejected.
  if (sig.size() != 2 * n_len) return false;
  if (const std::optional<bool> by_kernel = verify_ecdsa_kernel_one(key, alg, msg, sig)) return *by_kernel;
  if (BN_bin2bn(sig.data(), n_len, s->r) == nullptr ||
      BN_bin2bn(sig.data() + n_len, n_len, s->s) == nullptr) {
    ERR_clear_error();
    return false;
  }
  // 0 < r, s < n (SEC 1 4.1.4 step 1), checked here rather than trusted to the callee.
  const BIGNUM* order = EC_GROUP_get0_order(EC_KEY_get0_group(ec));
  if (BN_is_zero(s->r) || BN_is_zero(s->s) || BN_cmp(s->r, order) >= 0 ||
      BN_cmp(s->s, order) >= 0) {
    return false;
  }
  uint8_t d[kMaxDigestLen];
  int hash_nid = alg == Alg::es256 ? NID_sha256 : alg == Alg::es384 ? NID_sha384 : NID_sha512;
  size_t d_len = digest(hash_nid, msg, d);
  if (ECDSA_do_verify(d, d_len, s, ec) != 1) {
    ERR_clear_error();
    return false;
  }
  return true;
}

}  // namespace

// ---- public functions ---------------------------------------------------------------------------

VerifyScratch::VerifyScratch() {
  ecdsa_sig = ECDSA_SIG_new();
  // Grow r and s to P-521's size once, so BN_bin2bn never reallocates them per token.
  if (ecdsa_sig != nullptr && ecdsa_sig->r != nullptr && ecdsa_sig->s != nullptr &&
      (!BN_set_bit(ecdsa_sig->r, 66 * 8 - 1) || !BN_set_bit(ecdsa_sig->s, 66 * 8 - 1))) {
    ECDSA_SIG_free(ecdsa_sig);
    ecdsa_sig = nullptr;
  }
  if (ecdsa_sig != nullptr) {
    BN_zero(ecdsa_sig->r);
    BN_zero(ecdsa_sig->s);
  }
  ERR_clear_error();
}

VerifyScratch::~VerifyScratch() { ECDSA_SIG_free(ecdsa_sig); }

size_t signature_len(const PreparedKey& key, Alg alg) noexcept {
  switch (alg) {
    case Alg::hs256: return SHA256_DIGEST_LENGTH;
    case Alg::hs384: return SHA384_DIGEST_LENGTH;
    case Alg::hs512: return SHA512_DIGEST_LENGTH;
    case Alg::rs256: case Alg::rs384: case Alg::rs512:
    case Alg::ps256: case Alg::ps384: case Alg::ps512:
      if (const RsaKey* rsa = key.as<RsaKey>(); rsa != nullptr && rsa->rsa) return RSA_size(rsa->rsa.get());
      return 0;
    case Alg::es256: return 64;
    case Alg::es384: return 96;
    case Alg::es512: return 132;
    case Alg::eddsa: return ED25519_SIGNATURE_LEN;
    case Alg::unknown: return 0;
  }
  return 0;
}

bool verify_signature(const PreparedKey& key, Alg alg, std::span<const uint8_t> signing_input,
                      std::span<const uint8_t> signature, VerifyScratch& scratch) noexcept {
  // The algorithm must be one this key was prepared for; this is also what keeps a key inside
  // its family (no HS256 with an RSA key).
  if (alg == Alg::unknown || !key.algs.contains(alg)) return false;
  if (signature.size() != signature_len(key, alg)) return false;
  const HmacStates* hmac = nullptr;
  if (const HmacKey* h = key.as<HmacKey>()) hmac = h->states.get();
  switch (alg) {
    case Alg::hs256:
      return hmac != nullptr && hmac->has_sha256 &&
             hmac_verify<HmacSha256>(hmac->inner256, hmac->outer256, signing_input, signature);
    case Alg::hs384:
      return hmac != nullptr && hmac->has_sha384 &&
             hmac_verify<HmacSha384>(hmac->inner384, hmac->outer384, signing_input, signature);
    case Alg::hs512:
      return hmac != nullptr && hmac->has_sha512 &&
             hmac_verify<HmacSha512>(hmac->inner512, hmac->outer512, signing_input, signature);
    case Alg::rs256: case Alg::rs384: case Alg::rs512:
    case Alg::ps256: case Alg::ps384: case Alg::ps512: {
      const RsaKey* rsa = key.as<RsaKey>();
      if (rsa == nullptr) return false;
      if (rsa->kernel && !force_boringssl() && kernels::rsa::engine_uses_kernels()) {
        return verify_rsa_single(key, alg, signing_input, signature,
                                 kernels::rsa::active_variant());
      }
      return verify_rsa(*rsa, alg, signing_input, signature);
    }
    case Alg::es256: case Alg::es384: case Alg::es512: {
      const EcKey* ec = key.as<EcKey>();
      return ec != nullptr && verify_ecdsa(key, *ec, alg, signing_input, signature, scratch);
    }
    case Alg::eddsa: {
      // ED25519_verify rejects S >= L itself; keys that do not decode were refused at load.
      const Ed25519Key* ed = key.as<Ed25519Key>();
      if (ed == nullptr) return false;
      if (ed->kernel && !force_boringssl()) {
        // The kernel's single-shot path: ED25519_verify's verdict with the key's table.
        return kernels::ed25519::verify_scalar(*ed->kernel, signing_input,
                                               signature.first<kernels::ed25519::kSignatureLen>());
      }
      if (ED25519_verify(signing_input.data(), signing_input.size(), signature.data(),
                         ed->public_key.data()) != 1) {
        ERR_clear_error();
        return false;
      }
      return true;
    }
    case Alg::unknown:
      return false;
  }
  return false;
}

}  // namespace jwtbatch::engine
