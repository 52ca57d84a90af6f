// prepared_key.hpp (internal): a verification key as the engine keeps it, validated and prepared
// once at load time (DESIGN.md "Keys"), and the prepare_* functions that make one
// (engine/keys/prepare.cpp). The signature layer (engine/sig/) only reads prepared keys.
//
// Nothing here throws except std::bad_alloc while preparing. BoringSSL failures are mapped to
// nullopt with a reason, and the thread's error queue is cleared (ERR_clear_error).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

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
namespace jwtbatch::kernels::p384 {
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

// HmacStates are the HMAC states after absorbing key^ipad and key^opad, one pair per hash the key
// may use; a token's MAC starts from a copy of them (never re-keying).
struct HmacStates {
  bool has_sha256 = false, has_sha384 = false, has_sha512 = false;
  SHA256_CTX inner256, outer256;
  SHA512_CTX inner384, outer384;
  SHA512_CTX inner512, outer512;
  // The states are as good as the secret: wiped when the key set goes away.
  HmacStates() = default;
  HmacStates(const HmacStates&) = delete;
  HmacStates& operator=(const HmacStates&) = delete;
  ~HmacStates() { OPENSSL_cleanse(this, sizeof *this); }
};

// The per-family key material of a PreparedKey. A kernel context (`kernel`) is a shared, immutable
// table built once at load; null where the family's kernel does not take the key (its size, its
// key limit, JWTBATCH_FORCE_BORINGSSL=1), and the key then verifies through BoringSSL.

// HmacKey: an "oct" key (HS256/384/512). Never null once prepared.
struct HmacKey {
  std::unique_ptr<const HmacStates> states;
};

// RsaKey: BoringSSL's key (its Montgomery context computed at load) and the RSA kernel's context
// (kernels/rsa: 2048/3072/4096-bit moduli, where kernels::rsa::engine_uses_kernels()).
struct RsaKey {
  bssl::UniquePtr<RSA> rsa;
  int bits = 0;
  std::shared_ptr<const kernels::rsa::Key> kernel;
};

// EcKey: a validated point on `curve` as BoringSSL's EC_KEY, and the curve kernel's context where
// the curve has one (kernels/p256, kernels/p384, kernels/p521).
struct EcKey {
  using Kernel = std::variant<std::monostate, std::shared_ptr<const kernels::p256::Key>,
                              std::shared_ptr<const kernels::p384::Key>, std::shared_ptr<const kernels::p521::Key>>;
  Curve curve = Curve::p256;
  bssl::UniquePtr<EC_KEY> ec;
  Kernel kernel;
  // kernel_key<K> is the context of kernel type K (kernels::p256::Key, p384::Key or p521::Key), or
  // null when this key has none of that type.
  template <class K>
  const K* kernel_key() const noexcept {
    const auto* p = std::get_if<std::shared_ptr<const K>>(&kernel);
    return p != nullptr ? p->get() : nullptr;
  }
};

// Ed25519Key: an "OKP" Ed25519 key: its 32 bytes (RFC 8032) and the kernel's table of multiples
// of -A (kernels/ed25519), which prepare_ed25519 always builds.
struct Ed25519Key {
  std::array<uint8_t, 32> public_key{};
  std::shared_ptr<const kernels::ed25519::PublicKey> kernel;
};

// PreparedKey is one usable verification key: its kid, the algorithms it may verify (already
// intersected with its family's) and its family's material. Move-only.
struct PreparedKey {
  // The alternatives in the order of KeyFamily (hmac, rsa, ec, okp): family() is the index.
  using Material = std::variant<HmacKey, RsaKey, EcKey, Ed25519Key>;

  std::string kid;
  AlgSet algs;
  Material material;

  KeyFamily family() const noexcept { return static_cast<KeyFamily>(material.index()); }
  // as<T> is the material when it is a T (HmacKey, RsaKey, EcKey, Ed25519Key), else null.
  template <class T>
  const T* as() const noexcept { return std::get_if<T>(&material); }
  template <class T>
  T* as() noexcept { return std::get_if<T>(&material); }
};
static_assert(std::variant_size_v<PreparedKey::Material> == 4 &&
              static_cast<size_t>(KeyFamily::hmac) == 0 && static_cast<size_t>(KeyFamily::rsa) == 1 &&
              static_cast<size_t>(KeyFamily::ec) == 2 && static_cast<size_t>(KeyFamily::okp) == 3,
              "PreparedKey::Material follows KeyFamily's order");

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

// HmacHash is one of SHA-256/384/512 behind the common interface the HMAC code uses, on the
// context types of HmacKey's states.
template <typename Ctx, int (*Init)(Ctx*), int (*Update)(Ctx*, const void*, size_t),
          int (*Final)(uint8_t*, Ctx*), size_t kBlockLen, size_t kOutLen>
struct HmacHash {
  using Context = Ctx;
  static constexpr size_t block_len = kBlockLen;
  static constexpr size_t out_len = kOutLen;
  static void init(Ctx* c) { Init(c); }
  static void update(Ctx* c, const uint8_t* p, size_t n) { Update(c, p, n); }
  static void final(uint8_t* out, Ctx* c) { Final(out, c); }
};
using HmacSha256 = HmacHash<SHA256_CTX, SHA256_Init, SHA256_Update, SHA256_Final, SHA256_CBLOCK,
                            SHA256_DIGEST_LENGTH>;
using HmacSha384 = HmacHash<SHA512_CTX, SHA384_Init, SHA384_Update, SHA384_Final, SHA512_CBLOCK,
                            SHA384_DIGEST_LENGTH>;
using HmacSha512 = HmacHash<SHA512_CTX, SHA512_Init, SHA512_Update, SHA512_Final, SHA512_CBLOCK,
                            SHA512_DIGEST_LENGTH>;

// field_len is the byte length of one affine coordinate (and of r and s) on `curve`.
constexpr size_t field_len(Curve curve) noexcept {
  return curve == Curve::p256 ? 32 : curve == Curve::p384 ? 48 : 66;
}

// curve_alg is the one JWS algorithm of `curve` (RFC 7518 section 3.4).
constexpr Alg curve_alg(Curve curve) noexcept {
  return curve == Curve::p256 ? Alg::es256 : curve == Curve::p384 ? Alg::es384 : Alg::es512;
}

// curve_nid is BoringSSL's NID of `curve`.
int curve_nid(Curve curve) noexcept;

}  // namespace jwtbatch::engine
