// prepare.cpp: key validation and preparation (contract in prepared_key.hpp): each key is checked
// and prepared once, at load time, for BoringSSL and, where one takes it, for jwtbatch's own
// kernel (its tables); tokens never pay for it.
//
// References: RFC 7518 section 6 (JWK parameters), RFC 2104 (HMAC), RFC 8017 (RSA), RFC 8032
// section 5.1.3 (Ed25519 point decoding), RFC 8725 section 3.5 (key strength).
#include "engine/keys/prepared_key.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/pem.h>

#include "engine/sig/force_boringssl.hpp"
#include "kernels/ed25519/ed25519.hpp"
#include "kernels/p256/p256.hpp"
#include "kernels/p384/p384.hpp"
#include "kernels/p521/p521.hpp"
#include "kernels/rsa/rsa.hpp"

namespace jwtbatch::engine {
namespace {

constexpr AlgSet kHmacAlgs{Alg::hs256, Alg::hs384, Alg::hs512};
constexpr AlgSet kRsaAlgs{Alg::rs256, Alg::rs384, Alg::rs512,
                          Alg::ps256, Alg::ps384, Alg::ps512};

// fail sets `out_why` (when given) and clears whatever BoringSSL queued on the way.
std::nullopt_t fail(std::string* out_why, std::string why) {
  ERR_clear_error();
  if (out_why != nullptr) *out_why = std::move(why);
  return std::nullopt;
}

// restrict_algs intersects the caller's `algs` with `family` (an empty request means all of it).
AlgSet restrict_algs(AlgSet algs, AlgSet family) {
  return algs.empty() ? family : algs.intersect(family);
}

std::string_view curve_name(Curve curve) {
  switch (curve) {
    case Curve::p256: return "P-256";
    case Curve::p384: return "P-384";
    case Curve::p521: return "P-521";
  }
  return "?";
}

std::string alg_list(AlgSet algs) {
  std::string s;
  for (size_t i = 1; i < kNumAlgs; ++i) {
    auto a = static_cast<Alg>(i);
    if (!algs.contains(a)) continue;
    if (!s.empty()) s += ", ";
    s += to_string(a);
  }
  return s;
}

// ---- HMAC ---------------------------------------------------------------------------------------

// hmac_states absorbs key^ipad into `inner` and key^opad into `outer` (RFC 2104 section 2); a key
// longer than the block is hashed first. The temporary key block is wiped.
template <typename H>
void hmac_states(std::span<const uint8_t> secret, typename H::Context* inner,
                 typename H::Context* outer) {
  uint8_t block[H::block_len] = {};
  if (secret.size() > H::block_len) {
    typename H::Context c;
    H::init(&c);
    H::update(&c, secret.data(), secret.size());
    H::final(block, &c);
    OPENSSL_cleanse(&c, sizeof(c));
  } else if (!secret.empty()) {
    std::memcpy(block, secret.data(), secret.size());
  }
  uint8_t pad[H::block_len];
  for (size_t i = 0; i < H::block_len; ++i) pad[i] = block[i] ^ 0x36;
  H::init(inner);
  H::update(inner, pad, H::block_len);
  for (size_t i = 0; i < H::block_len; ++i) pad[i] = block[i] ^ 0x5c;
  H::init(outer);
  H::update(outer, pad, H::block_len);
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(pad, sizeof(pad));
}

// ---- Ed25519 key decoding -----------------------------------------------------------------------

// ed25519_point_check decodes `pk` as RFC 8032 section 5.1.3 does and refuses what no honestly
// generated key can be: an encoding that is not a point, a non-canonical y (>= p), x = 0 with the
// sign bit set, and points of small order (every multiple of such a key is one of 8 points, so
// signatures "by" it are forgeable). BoringSSL has no public Ed25519 point decoder, so this uses
// its BIGNUM arithmetic; load time only. Returns "" when the key is fine, else the reason.
std::string ed25519_point_check(std::span<const uint8_t, 32> pk) {
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  bssl::UniquePtr<BIGNUM> p(BN_new()), d(BN_new()), y(BN_new()), x(BN_new()), u(BN_new()),
      v(BN_new()), w(BN_new()), t(BN_new()), x2(BN_new()), y2(BN_new());
  if (!ctx || !p || !d || !y || !x || !u || !v || !w || !t || !x2 || !y2) return "out of memory";
  // p = 2^255 - 19; d = -121665 / 121666 mod p.
  if (!(BN_set_bit(p.get(), 255) && BN_set_word(t.get(), 19) &&
             BN_sub(p.get(), p.get(), t.get()) && BN_set_word(t.get(), 121666) &&
             BN_mod_inverse(d.get(), t.get(), p.get(), ctx.get()) != nullptr &&
             BN_set_word(t.get(), 121665) && BN_sub(t.get(), p.get(), t.get()) &&
             BN_mod_mul(d.get(), d.get(), t.get(), p.get(), ctx.get()))) {
    return "BoringSSL arithmetic failed";
  }
  uint8_t le[32];
  std::memcpy(le, pk.data(), 32);
  const bool x_odd = (le[31] & 0x80) != 0;
  le[31] &= 0x7f;
  if (BN_le2bn(le, 32, y.get()) == nullptr) return "BoringSSL arithmetic failed";
  if (BN_cmp(y.get(), p.get()) >= 0) return "Ed25519 key is not canonically encoded (y >= p)";
  // x^2 = (y^2 - 1) / (d y^2 + 1). The denominator is never 0 since d is not a square mod p.
  if (!(BN_mod_sqr(y2.get(), y.get(), p.get(), ctx.get()) &&
             BN_mod_sub(u.get(), y2.get(), BN_value_one(), p.get(), ctx.get()) &&
             BN_mod_mul(v.get(), d.get(), y2.get(), p.get(), ctx.get()) &&
             BN_mod_add(v.get(), v.get(), BN_value_one(), p.get(), ctx.get()) &&
             BN_mod_inverse(t.get(), v.get(), p.get(), ctx.get()) != nullptr &&
             BN_mod_mul(w.get(), u.get(), t.get(), p.get(), ctx.get()))) {
    return "BoringSSL arithmetic failed";
  }
  BIGNUM* root = BN_mod_sqrt(x.get(), w.get(), p.get(), ctx.get());
  if (root == nullptr) return "Ed25519 key does not decode to a curve point";
  if (!BN_mod_sqr(t.get(), x.get(), p.get(), ctx.get()) || BN_cmp(t.get(), w.get()) != 0) {
    return "Ed25519 key does not decode to a curve point";
  }
  if (BN_is_zero(x.get()) && x_odd) return "Ed25519 key encodes x = 0 with the sign bit set";
  if ((BN_is_odd(x.get()) != 0) != x_odd && !BN_sub(x.get(), p.get(), x.get())) {
    return "BoringSSL arithmetic failed";
  }
  // Small order: the order divides 8 iff [4]A has x = 0 (it is then (0, 1) or (0, -1)). Affine
  // doubling on -x^2 + y^2 = 1 + d x^2 y^2: x' = 2xy / (y^2 - x^2), y' = (x^2 + y^2) / (2 + x^2 - y^2);
  // both denominators equal 1 +- d x^2 y^2, never 0 on this curve.
  for (int i = 0; i < 2; ++i) {
    if (!(BN_mod_sqr(x2.get(), x.get(), p.get(), ctx.get()) &&
               BN_mod_sqr(y2.get(), y.get(), p.get(), ctx.get()) &&
               // u = 2xy / (y^2 - x^2)
               BN_mod_mul(u.get(), x.get(), y.get(), p.get(), ctx.get()) &&
               BN_mod_add(u.get(), u.get(), u.get(), p.get(), ctx.get()) &&
               BN_mod_sub(t.get(), y2.get(), x2.get(), p.get(), ctx.get()) &&
               BN_mod_inverse(t.get(), t.get(), p.get(), ctx.get()) != nullptr &&
               BN_mod_mul(u.get(), u.get(), t.get(), p.get(), ctx.get()) &&
               // v = (x^2 + y^2) / (2 + x^2 - y^2)
               BN_mod_add(v.get(), x2.get(), y2.get(), p.get(), ctx.get()) &&
               BN_set_word(t.get(), 2) &&
               BN_mod_add(t.get(), t.get(), x2.get(), p.get(), ctx.get()) &&
               BN_mod_sub(t.get(), t.get(), y2.get(), p.get(), ctx.get()) &&
               BN_mod_inverse(t.get(), t.get(), p.get(), ctx.get()) != nullptr &&
               BN_mod_mul(v.get(), v.get(), t.get(), p.get(), ctx.get()) &&
               BN_copy(x.get(), u.get()) != nullptr && BN_copy(y.get(), v.get()) != nullptr)) {
      return "BoringSSL arithmetic failed";
    }
  }
  if (BN_is_zero(x.get())) return "Ed25519 key is a point of small order";
  return "";
}

}  // namespace

// ---- public functions ---------------------------------------------------------------------------

int curve_nid(Curve curve) noexcept {
  switch (curve) {
    case Curve::p256: return NID_X9_62_prime256v1;
    case Curve::p384: return NID_secp384r1;
    case Curve::p521: return NID_secp521r1;
  }
  return NID_undef;
}

AlgSet family_algs(KeyFamily family, Curve curve) noexcept {
  switch (family) {
    case KeyFamily::hmac: return kHmacAlgs;
    case KeyFamily::rsa: return kRsaAlgs;
    case KeyFamily::ec: return AlgSet{curve_alg(curve)};
    case KeyFamily::okp: return AlgSet{Alg::eddsa};
  }
  return AlgSet{};
}

std::optional<PreparedKey> prepare_hmac(std::span<const uint8_t> secret, AlgSet algs,
                                        std::string* out_why) {
  AlgSet wanted = restrict_algs(algs, kHmacAlgs);
  if (wanted.empty()) {
    return fail(out_why, "no HMAC algorithm among the requested (" + alg_list(algs) + ")");
  }
  // RFC 7518 section 3.2: a key of the same size as the hash output or larger.
  struct Need { Alg alg; size_t len; };
  constexpr Need kNeeds[] = {{Alg::hs256, 32}, {Alg::hs384, 48}, {Alg::hs512, 64}};
  AlgSet kept;
  size_t shortest_need = 0;
  for (const Need& n : kNeeds) {
    if (!wanted.contains(n.alg)) continue;
    if (secret.size() >= n.len) {
      kept.add(n.alg);
    } else if (shortest_need == 0) {
      shortest_need = n.len;
    }
  }
  if (kept.empty()) {
    return fail(out_why, "HMAC secret of " + std::to_string(secret.size()) +
                             " bytes is shorter than the " + std::to_string(shortest_need) +
                             " bytes " + alg_list(wanted) + " needs");
  }
  auto hk = std::make_unique<HmacStates>();
  if (kept.contains(Alg::hs256)) {
    hmac_states<HmacSha256>(secret, &hk->inner256, &hk->outer256);
    hk->has_sha256 = true;
  }
  if (kept.contains(Alg::hs384)) {
    hmac_states<HmacSha384>(secret, &hk->inner384, &hk->outer384);
    hk->has_sha384 = true;
  }
  if (kept.contains(Alg::hs512)) {
    hmac_states<HmacSha512>(secret, &hk->inner512, &hk->outer512);
    hk->has_sha512 = true;
  }
  PreparedKey key;
  key.algs = kept;
  key.material = HmacKey{std::move(hk)};
  return key;
}

std::optional<PreparedKey> prepare_rsa(std::span<const uint8_t> n, std::span<const uint8_t> e,
                                       AlgSet algs, std::string* out_why) {
  AlgSet wanted = restrict_algs(algs, kRsaAlgs);
  if (wanted.empty()) {
    return fail(out_why, "no RSA algorithm among the requested (" + alg_list(algs) + ")");
  }
  bssl::UniquePtr<BIGNUM> bn_n(BN_bin2bn(n.data(), n.size(), nullptr));
  bssl::UniquePtr<BIGNUM> bn_e(BN_bin2bn(e.data(), e.size(), nullptr));
  if (!bn_n || !bn_e) return fail(out_why, "out of memory");
  const int bits = static_cast<int>(BN_num_bits(bn_n.get()));
  if (bits < kMinRsaBits) {
    return fail(out_why, "RSA modulus of " + std::to_string(bits) + " bits is under " +
                             std::to_string(kMinRsaBits));
  }
  if (bits > kMaxRsaBits) {
    return fail(out_why, "RSA modulus of " + std::to_string(bits) + " bits is over " +
                             std::to_string(kMaxRsaBits));
  }
  if (!BN_is_odd(bn_n.get())) return fail(out_why, "RSA modulus is even");
  if (BN_is_zero(bn_e.get()) || BN_is_one(bn_e.get())) {
    return fail(out_why, "RSA exponent must be greater than 1");
  }
  if (!BN_is_odd(bn_e.get())) return fail(out_why, "RSA exponent is even");
  const int e_bits = static_cast<int>(BN_num_bits(bn_e.get()));
  if (e_bits > kMaxRsaExponentBits) {
    return fail(out_why, "RSA exponent of " + std::to_string(e_bits) +
                             " bits is over BoringSSL's limit of " +
                             std::to_string(kMaxRsaExponentBits));
  }
  bssl::UniquePtr<RSA> rsa(RSA_new());
  if (!rsa || !RSA_set0_key(rsa.get(), bn_n.get(), bn_e.get(), nullptr)) {
    return fail(out_why, "out of memory");
  }
  bn_n.release();  // owned by rsa now
  bn_e.release();
  // One raw public operation on the value 1 makes BoringSSL compute and cache the Montgomery
  // context of n now (RSA_verify_raw -> BN_MONT_CTX_set_locked), so the first token pays no lock
  // upgrade nor allocation. 1^e = 1 doubles as a self-check.
  std::vector<uint8_t> one(RSA_size(rsa.get()), 0), out(RSA_size(rsa.get()), 0);
  one.back() = 1;
  size_t out_len = 0;
  if (RSA_verify_raw(rsa.get(), &out_len, out.data(), out.size(), one.data(), one.size(),
                     RSA_NO_PADDING) != 1 ||
      out_len != out.size() || out != one) {
    return fail(out_why, "BoringSSL cannot use this RSA key");
  }
  RsaKey material{std::move(rsa), bits, nullptr};
  // The kernel context (its tables: 17-60 KB and 0.4-1.4 ms a key) only where the engine uses it
  // (kernels::rsa::engine_uses_kernels); nullptr also for sizes the kernel does not take.
  if (kernels::rsa::engine_uses_kernels()) material.kernel = kernels::rsa::prepare_key(n, e);
  PreparedKey key;
  key.algs = wanted;
  key.material = std::move(material);
  return key;
}

std::optional<PreparedKey> prepare_ec(Curve curve, std::span<const uint8_t> x,
                                      std::span<const uint8_t> y, AlgSet algs,
                                      std::string* out_why) {
  const std::string name(curve_name(curve));
  AlgSet wanted = restrict_algs(algs, family_algs(KeyFamily::ec, curve));
  if (wanted.empty()) {
    return fail(out_why, "no algorithm for a " + name + " key among the requested (" +
                             alg_list(algs) + ")");
  }
  const size_t len = field_len(curve);
  if (len == 0) return fail(out_why, "unknown curve");
  if (x.size() != len || y.size() != len) {
    return fail(out_why, name + " coordinates must be " + std::to_string(len) + " bytes each, not " +
                             std::to_string(x.size()) + " and " + std::to_string(y.size()));
  }
  bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(curve_nid(curve)));
  bssl::UniquePtr<BIGNUM> bx(BN_bin2bn(x.data(), x.size(), nullptr));
  bssl::UniquePtr<BIGNUM> by(BN_bin2bn(y.data(), y.size(), nullptr));
  if (!ec || !bx || !by) return fail(out_why, "out of memory");
  // Rejects coordinates >= p and points off the curve; affine coordinates cannot name infinity.
  if (!EC_KEY_set_public_key_affine_coordinates(ec.get(), bx.get(), by.get())) {
    return fail(out_why, "point is not on " + name);
  }
  if (!EC_KEY_check_key(ec.get())) return fail(out_why, name + " public key fails validation");
  EcKey material{curve, std::move(ec), {}};
  if (curve == Curve::p256 && !force_boringssl()) {
    // The kernel validates the point again (its own check) and builds the key's table; beyond its
    // key limit it returns null and this key stays with BoringSSL.
    if (auto k = kernels::p256::prepare_key(std::span<const uint8_t, 32>(x.data(), 32),
                                            std::span<const uint8_t, 32>(y.data(), 32),
                                            kernels::p256::active_variant().format)) {
      material.kernel = std::move(k);
    }
  }
  if (curve == Curve::p384 && !force_boringssl()) {
    // Likewise for P-384 (kernels/p384), in the table format of the active variant.
    if (auto k = kernels::p384::prepare_key(std::span<const uint8_t, 48>(x.data(), 48),
                                            std::span<const uint8_t, 48>(y.data(), 48),
                                            kernels::p384::active_variant().format)) {
      material.kernel = std::move(k);
    }
  }
  if (curve == Curve::p521 && !force_boringssl()) {
    // Likewise for P-521 (kernels/p521): beyond its key limit this key stays with BoringSSL.
    if (auto k = kernels::p521::prepare_key(std::span<const uint8_t, 66>(x.data(), 66),
                                            std::span<const uint8_t, 66>(y.data(), 66))) {
      material.kernel = std::move(k);
    }
  }
  PreparedKey key;
  key.algs = wanted;
  key.material = std::move(material);
  return key;
}

std::optional<PreparedKey> prepare_ed25519(std::span<const uint8_t> public_key, AlgSet algs,
                                           std::string* out_why) {
  AlgSet wanted = restrict_algs(algs, AlgSet{Alg::eddsa});
  if (wanted.empty()) {
    return fail(out_why, "no algorithm for an Ed25519 key among the requested (" +
                             alg_list(algs) + ")");
  }
  if (public_key.size() != 32) {
    return fail(out_why, "Ed25519 public key must be 32 bytes, not " +
                             std::to_string(public_key.size()));
  }
  std::string why = ed25519_point_check(public_key.first<32>());
  if (!why.empty()) return fail(out_why, std::move(why));
  Ed25519Key material;
  std::copy(public_key.begin(), public_key.end(), material.public_key.begin());
  // The kernel's table of multiples of -A (about 60 KiB), built now, never per token. It decodes
  // A as ED25519_verify does, so it cannot refuse a key that passed the checks above.
  material.kernel = kernels::ed25519::prepare_public_key(public_key.first<32>());
  if (!material.kernel) return fail(out_why, "Ed25519 key does not decode to a curve point");
  ERR_clear_error();  // leave the queue as empty as on every other path
  PreparedKey key;
  key.algs = wanted;
  key.material = std::move(material);
  return key;
}

std::optional<PreparedKey> prepare_spki_pem(std::string_view pem, AlgSet algs,
                                            std::string* out_why) {
  if (pem.size() > static_cast<size_t>(INT_MAX)) return fail(out_why, "PEM text is too large");
  bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(out_why, "out of memory");
  bssl::UniquePtr<EVP_PKEY> pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return fail(out_why, "no readable PEM \"PUBLIC KEY\" (SubjectPublicKeyInfo) block");
  // A second key in the same text would be silently ignored: refuse the ambiguity instead.
  bssl::UniquePtr<EVP_PKEY> second(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (second) return fail(out_why, "PEM text holds more than one PUBLIC KEY block");
  ERR_clear_error();

  switch (EVP_PKEY_id(pkey.get())) {
    case EVP_PKEY_RSA: {
      const RSA* rsa = EVP_PKEY_get0_RSA(pkey.get());
      const BIGNUM *bn_n = nullptr, *bn_e = nullptr;
      if (rsa != nullptr) RSA_get0_key(rsa, &bn_n, &bn_e, nullptr);
      if (bn_n == nullptr || bn_e == nullptr) return fail(out_why, "RSA key without n or e");
      std::vector<uint8_t> n(BN_num_bytes(bn_n)), e(BN_num_bytes(bn_e));
      BN_bn2bin(bn_n, n.data());
      BN_bn2bin(bn_e, e.data());
      return prepare_rsa(n, e, algs, out_why);
    }
    case EVP_PKEY_EC: {
      const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(pkey.get());
      const EC_GROUP* group = ec != nullptr ? EC_KEY_get0_group(ec) : nullptr;
      const EC_POINT* point = ec != nullptr ? EC_KEY_get0_public_key(ec) : nullptr;
      if (group == nullptr || point == nullptr) return fail(out_why, "EC key without a point");
      Curve curve;
      switch (EC_GROUP_get_curve_name(group)) {
        case NID_X9_62_prime256v1: curve = Curve::p256; break;
        case NID_secp384r1: curve = Curve::p384; break;
        case NID_secp521r1: curve = Curve::p521; break;
        default:
          return fail(out_why, "EC curve " + std::to_string(EC_GROUP_get_curve_name(group)) +
                                   " is not P-256, P-384 or P-521");
      }
      bssl::UniquePtr<BIGNUM> bx(BN_new()), by(BN_new());
      if (!bx || !by ||
          !EC_POINT_get_affine_coordinates_GFp(group, point, bx.get(), by.get(), nullptr)) {
        return fail(out_why, "EC point has no affine coordinates");
      }
      const size_t len = field_len(curve);
      std::vector<uint8_t> x(len), y(len);
      if (!BN_bn2bin_padded(x.data(), len, bx.get()) || !BN_bn2bin_padded(y.data(), len, by.get())) {
        return fail(out_why, "EC coordinate longer than the field");
      }
      return prepare_ec(curve, x, y, algs, out_why);
    }
    case EVP_PKEY_ED25519: {
      uint8_t raw[32];
      size_t raw_len = sizeof(raw);
      if (!EVP_PKEY_get_raw_public_key(pkey.get(), raw, &raw_len) || raw_len != sizeof(raw)) {
        return fail(out_why, "Ed25519 key without its 32 raw bytes");
      }
      return prepare_ed25519(std::span<const uint8_t>(raw, raw_len), algs, out_why);
    }
    default:
      return fail(out_why, "unsupported public key type (NID " +
                               std::to_string(EVP_PKEY_id(pkey.get())) +
                               "): only RSA, EC P-256/384/521 and Ed25519");
  }
}

}  // namespace jwtbatch::engine
