// crypto.hpp (internal): jwtbatch's signature layer. Keys are prepared once (prepare_*), then
// verify_signature checks one JWS signature with a prepared key. BoringSSL does the arithmetic for
// now; the batch kernels of kernels/ (P-256, RSA, Ed25519) plug in behind the same calls.
//
// Nothing here throws. BoringSSL failures are mapped to false and the thread's error queue is
// cleared (ERR_clear_error), so threads that see many bad tokens do not grow it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <openssl/ec_key.h>
#include <openssl/mem.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "jwtbatch/keyset.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch::kernels::ed25519 {
struct PublicKey;  // kernels/ed25519/ed25519.hpp
}  // namespace jwtbatch::kernels::ed25519
namespace jwtbatch::kernels::p256 {
class Key;
}
namespace jwtbatch::kernels::p521 {
class Key;
}

namespace jwtbatch::kernels::rsa {
struct Key;
}  // namespace jwtbatch::kernels::rsa

namespace jwtbatch::engine {

// Limits of key preparation (RFC 8725 section 3.5, DESIGN.md "Security stance").
inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 16384;
// BoringSSL refuses public operations with an exponent of more than 33 bits (RSA_R_BAD_E_VALUE,
// measured on Debian's 13.0.0+r24), so keys with a longer e are refused at load.
inline constexpr int kMaxRsaExponentBits = 33;

enum class Curve : uint8_t { p256, p384, p521 };

// HmacKey holds the HMAC states after absorbing key^ipad and key^opad, one pair per hash the key
// may use; a token's MAC starts from a copy of them (never re-keying).
struct HmacKey {
  bool has_sha256 = false, has_sha384 = false, has_sha512 = false;
  SHA256_CTX inner256, outer256;
  SHA512_CTX inner384, outer384;
  SHA512_CTX inner512, outer512;
  // The states are as good as the secret: wiped when the key set goes away.
  HmacKey() = default;
  HmacKey(const HmacKey&) = delete;
  HmacKey& operator=(const HmacKey&) = delete;
  ~HmacKey() { OPENSSL_cleanse(this, sizeof *this); }
};

// PreparedKey is one usable verification key. Exactly the member of its family is set.
struct PreparedKey {
  std::string kid;
  KeyFamily family = KeyFamily::hmac;
  AlgSet algs;  // what this key may verify (already intersected with its family)
  std::unique_ptr<HmacKey> hmac;
  bssl::UniquePtr<RSA> rsa;
  int rsa_bits = 0;
  // The RSA kernel's context (kernels/rsa), when it takes this key (2048/3072/4096-bit moduli).
  std::shared_ptr<const kernels::rsa::Key> rsa_kernel;
  bssl::UniquePtr<EC_KEY> ec;
  Curve curve = Curve::p256;
  std::array<uint8_t, 32> ed25519{};
  // The Ed25519 kernel's prepared key (table of multiples of -A), set by prepare_ed25519.
  std::shared_ptr<const kernels::ed25519::PublicKey> ed25519_kernel;
  // P-256 kernel context (kernels/p256: validated point and its table of multiples), set by
  // prepare_ec unless JWTBATCH_FORCE_BORINGSSL=1 or the kernel's key limit is reached; ES256 then
  // goes through the kernel, else through `ec` and BoringSSL.
  std::shared_ptr<const kernels::p256::Key> p256_kernel;
  // P-521 kernel context (kernels/p521), likewise for ES512 (kernels::p521::kMaxPreparedKeys keys).
  std::shared_ptr<const kernels::p521::Key> p521_kernel;
};

// family_algs returns every algorithm of `family` (for EC: the one algorithm of `curve`).
AlgSet family_algs(KeyFamily family, Curve curve = Curve::p256) noexcept;

// The prepare_* functions validate a public key and prepare it for verification. On failure they
// return nullopt and set `out_why` to a short reason ("RSA modulus of 1024 bits is under 2048").
// Big-endian unsigned integers throughout (as JWK and DER carry them). `algs` restricts the key to
// those algorithms (intersected with its family's); an empty set means the whole family.

// prepare_hmac: `secret` must be at least as long as the hash output of every alg kept; algorithms
// whose hash is longer than the secret are dropped, and a key left with none fails.
std::optional<PreparedKey> prepare_hmac(std::span<const uint8_t> secret, AlgSet algs,
                                        std::string* out_why);
// prepare_rsa: modulus `n` of kMinRsaBits..kMaxRsaBits bits and odd; exponent `e` odd and > 1
// (at most kMaxRsaExponentBits bits). Leading zero bytes are allowed. The Montgomery context is
// computed here, not on first use.
std::optional<PreparedKey> prepare_rsa(std::span<const uint8_t> n, std::span<const uint8_t> e,
                                       AlgSet algs, std::string* out_why);
// prepare_ec: affine coordinates `x`, `y` (each exactly the field size: 32, 48 or 66 bytes) of a
// point on `curve`, not the point at infinity.
std::optional<PreparedKey> prepare_ec(Curve curve, std::span<const uint8_t> x,
                                      std::span<const uint8_t> y, AlgSet algs,
                                      std::string* out_why);
// prepare_ed25519: the 32-byte public key of RFC 8032 (its decoding is checked here). Also refused,
// though ED25519_verify would take them: a non-canonical y (>= p), x = 0 with the sign bit set, and
// points of small order (no honest key is one, and signatures by one are forgeable).
std::optional<PreparedKey> prepare_ed25519(std::span<const uint8_t> public_key, AlgSet algs,
                                           std::string* out_why);
// prepare_spki_pem: a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) of RSA, EC P-256/384/521 or Ed25519,
// validated as by prepare_rsa / prepare_ec / prepare_ed25519. Text with a second PUBLIC KEY block is
// refused.
std::optional<PreparedKey> prepare_spki_pem(std::string_view pem, AlgSet algs,
                                            std::string* out_why);

// VerifyScratch is one thread's reusable BoringSSL objects (an ECDSA_SIG whose BIGNUMs are
// overwritten per token), so the steady state allocates nothing in jwtbatch's own code.
struct VerifyScratch {
  VerifyScratch();
  ~VerifyScratch();
  VerifyScratch(const VerifyScratch&) = delete;
  VerifyScratch& operator=(const VerifyScratch&) = delete;
  ECDSA_SIG* ecdsa_sig = nullptr;
};

// signature_len returns the exact JWS signature length of `alg` with `key` (HMAC: the hash output;
// RSA: the modulus length; ECDSA: 64/96/132; EdDSA: 64).
size_t signature_len(const PreparedKey& key, Alg alg) noexcept;

// verify_signature returns true iff `signature` is a valid JWS signature by `key` with `alg` over
// `signing_input` (the ASCII bytes "BASE64URL(header).BASE64URL(payload)"). False when `alg` is
// not in key.algs, the length is wrong, ECDSA r or s is not in [1, n-1], or the check fails.
// HMAC tags are compared in constant time. Thread-safe: `key` is only read.
bool verify_signature(const PreparedKey& key, Alg alg, std::span<const uint8_t> signing_input,
                      std::span<const uint8_t> signature, VerifyScratch& scratch) noexcept;

// SigJob is one signature check of a batch: inputs, and `valid` written by verify_signatures.
struct SigJob {
  const PreparedKey* key = nullptr;
  Alg alg = Alg::unknown;
  std::span<const uint8_t> signing_input;
  std::span<const uint8_t> signature;
  bool valid = false;
  bool handled = false;  // set by a batch kernel that claimed the job (valid is then final)
};

// verify_signatures sets `valid` of every job, as verify_signature would. Jobs may mix keys and
// algorithms; stage 6 passes them ordered by key. This is the seam for batch kernels (several
// signatures at once in SIMD lanes, lanes filled across keys of one family): the default checks
// one job at a time.
void verify_signatures(std::span<SigJob> jobs, VerifyScratch& scratch) noexcept;

}  // namespace jwtbatch::engine
