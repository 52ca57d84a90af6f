// gen_keys.cpp: deterministic key generation, JWK reading and writing, and deterministic signing
// for `jwtbatch gen` (see gen_keys.hpp). Test-data signing: BoringSSL does the arithmetic, and
// every signature is checked with BoringSSL's verifier before it is used.
#include "tools/cli/gen_keys.hpp"

#include <cstring>

#include <openssl/base64.h>
#include <openssl/bn.h>
#include <openssl/bytestring.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <simdjson.h>

namespace jwtbatch::cli::gen {
namespace {

const EVP_MD* hash_of(Alg alg) {
  switch (alg) {
    case Alg::hs256: case Alg::rs256: case Alg::ps256: case Alg::es256: return EVP_sha256();
    case Alg::hs384: case Alg::rs384: case Alg::ps384: case Alg::es384: return EVP_sha384();
    case Alg::hs512: case Alg::rs512: case Alg::ps512: case Alg::es512: return EVP_sha512();
    default: return nullptr;
  }
}

int hash_nid(Alg alg) {
  const EVP_MD* md = hash_of(alg);
  return md ? EVP_MD_type(md) : NID_undef;
}

bool is_pss(Alg alg) { return alg == Alg::ps256 || alg == Alg::ps384 || alg == Alg::ps512; }

int curve_nid(Alg alg) {
  switch (alg) {
    case Alg::es256: return NID_X9_62_prime256v1;
    case Alg::es384: return NID_secp384r1;
    case Alg::es512: return NID_secp521r1;
    default: return NID_undef;
  }
}

std::string_view curve_name(Alg alg) {
  switch (alg) {
    case Alg::es256: return "P-256";
    case Alg::es384: return "P-384";
    case Alg::es512: return "P-521";
    default: return "";
  }
}

size_t hmac_secret_len(Alg alg) {
  switch (alg) {
    case Alg::hs256: return 32;
    case Alg::hs384: return 48;
    case Alg::hs512: return 64;
    default: return 0;
  }
}

int rsa_bits_for(Alg alg) { return (alg == Alg::rs384 || alg == Alg::ps384) ? 3072 : 2048; }

std::vector<uint8_t> digest(const EVP_MD* md, std::span<const uint8_t> data) {
  std::vector<uint8_t> out(EVP_MD_size(md));
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr);
  return out;
}

std::vector<uint8_t> bn_bytes(const BIGNUM* bn) {
  std::vector<uint8_t> out(BN_num_bytes(bn));
  BN_bn2bin(bn, out.data());
  return out;
}

std::vector<uint8_t> bn_bytes_padded(const BIGNUM* bn, size_t len) {
  std::vector<uint8_t> out(len);
  BN_bn2bin_padded(out.data(), len, bn);
  return out;
}

bssl::UniquePtr<BIGNUM> bn_from(std::span<const uint8_t> bytes) {
  return bssl::UniquePtr<BIGNUM>(BN_bin2bn(bytes.data(), bytes.size(), nullptr));
}

// --- RSA key generation from a DRBG ----------------------------------------------------------

// random_prime returns a prime of exactly `bits` bits (top two bits set, so a product of two has
// exactly 2 * bits bits) with p - 1 coprime to e = 65537, from DRBG candidates.
bssl::UniquePtr<BIGNUM> random_prime(HmacDrbg& drbg, int bits, BN_CTX* ctx) {
  std::vector<uint8_t> buf(static_cast<size_t>(bits) / 8);
  for (;;) {
    drbg.generate(buf);
    buf[0] |= 0xc0;
    buf.back() |= 0x01;
    bssl::UniquePtr<BIGNUM> p = bn_from(buf);
    if (!p) return nullptr;
    if (BN_mod_word(p.get(), 65537) == 1) continue;  // e would divide p - 1
    int is_prime = 0;
    if (!BN_primality_test(&is_prime, p.get(), BN_prime_checks_for_generation, ctx,
                           /*do_trial_division=*/1, nullptr)) {
      return nullptr;
    }
    if (is_prime) return p;
  }
}

bssl::UniquePtr<RSA> generate_rsa(HmacDrbg& drbg, int bits, std::string* out_why) {
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  const int half = bits / 2;
  bssl::UniquePtr<BIGNUM> p = random_prime(drbg, half, ctx.get());
  bssl::UniquePtr<BIGNUM> q;
  bssl::UniquePtr<BIGNUM> diff(BN_new());
  for (;;) {
    q = random_prime(drbg, half, ctx.get());
    if (!p || !q) break;
    // FIPS 186-4 B.3.3: |p - q| > 2^(half - 100).
    BN_sub(diff.get(), p.get(), q.get());
    if (static_cast<int>(BN_num_bits(diff.get())) > half - 100) break;
  }
  if (!p || !q) {
    *out_why = "prime search failed";
    return nullptr;
  }
  if (BN_cmp(p.get(), q.get()) < 0) std::swap(p, q);

  bssl::UniquePtr<BIGNUM> n(BN_new()), e(BN_new()), d(BN_new()), p1(BN_new()), q1(BN_new()),
      g(BN_new()), phi(BN_new()), lcm(BN_new()), dp(BN_new()), dq(BN_new()), qi(BN_new());
  bool ok = BN_set_word(e.get(), 65537) && BN_mul(n.get(), p.get(), q.get(), ctx.get()) &&
            BN_sub(p1.get(), p.get(), BN_value_one()) && BN_sub(q1.get(), q.get(), BN_value_one()) &&
            BN_gcd(g.get(), p1.get(), q1.get(), ctx.get()) &&
            BN_mul(phi.get(), p1.get(), q1.get(), ctx.get()) &&
            BN_div(lcm.get(), nullptr, phi.get(), g.get(), ctx.get()) &&
            BN_mod_inverse(d.get(), e.get(), lcm.get(), ctx.get()) != nullptr &&
            BN_nnmod(dp.get(), d.get(), p1.get(), ctx.get()) &&
            BN_nnmod(dq.get(), d.get(), q1.get(), ctx.get()) &&
            BN_mod_inverse(qi.get(), q.get(), p.get(), ctx.get()) != nullptr;
  if (!ok || static_cast<int>(BN_num_bits(n.get())) != bits) {
    ERR_clear_error();
    *out_why = "RSA key assembly failed";
    return nullptr;
  }
  bssl::UniquePtr<RSA> rsa(RSA_new());
  if (!RSA_set0_key(rsa.get(), n.release(), e.release(), d.release()) ||
      !RSA_set0_factors(rsa.get(), p.release(), q.release()) ||
      !RSA_set0_crt_params(rsa.get(), dp.release(), dq.release(), qi.release()) ||
      !RSA_check_key(rsa.get())) {
    ERR_clear_error();
    *out_why = "RSA_check_key failed on a generated key";
    return nullptr;
  }
  return rsa;
}

// --- EC --------------------------------------------------------------------------------------

// ec_key_from_private builds the EC_KEY of curve `nid` with private scalar `d` (1 <= d < n) and
// its public point d*G.
bssl::UniquePtr<EC_KEY> ec_key_from_private(int nid, const BIGNUM* d) {
  bssl::UniquePtr<EC_KEY> key(EC_KEY_new_by_curve_name(nid));
  if (!key) return nullptr;
  const EC_GROUP* group = EC_KEY_get0_group(key.get());
  if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(group)) >= 0) return nullptr;
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  bssl::UniquePtr<EC_POINT> pub(EC_POINT_new(group));
  if (!pub || !EC_POINT_mul(group, pub.get(), d, nullptr, nullptr, ctx.get()) ||
      !EC_KEY_set_private_key(key.get(), d) || !EC_KEY_set_public_key(key.get(), pub.get()) ||
      !EC_KEY_check_key(key.get())) {
    ERR_clear_error();
    return nullptr;
  }
  return key;
}

size_t ec_field_len(const EC_KEY* key) { return (EC_GROUP_get_degree(EC_KEY_get0_group(key)) + 7) / 8; }
size_t ec_order_len(const EC_KEY* key) { return BN_num_bytes(EC_GROUP_get0_order(EC_KEY_get0_group(key))); }

bool ec_public_xy(const EC_KEY* key, std::vector<uint8_t>* x, std::vector<uint8_t>* y) {
  const EC_GROUP* group = EC_KEY_get0_group(key);
  bssl::UniquePtr<BIGNUM> bx(BN_new()), by(BN_new());
  if (!EC_POINT_get_affine_coordinates_GFp(group, EC_KEY_get0_public_key(key), bx.get(), by.get(),
                                           nullptr)) {
    ERR_clear_error();
    return false;
  }
  *x = bn_bytes_padded(bx.get(), ec_field_len(key));
  *y = bn_bytes_padded(by.get(), ec_field_len(key));
  return true;
}

// ecdsa_sign_rfc6979 signs `hash` (the message digest, computed with `md`) with the nonce of
// RFC 6979 section 3.2, and returns the raw r || s of RFC 7518 section 3.4.
std::vector<uint8_t> ecdsa_sign_rfc6979(const EC_KEY* key, const EVP_MD* md,
                                        std::span<const uint8_t> hash) {
  const BIGNUM* order = EC_GROUP_get0_order(EC_KEY_get0_group(key));
  const int qlen = static_cast<int>(BN_num_bits(order));
  const size_t rlen = (static_cast<size_t>(qlen) + 7) / 8;
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());

  // bits2int(h1) mod q, as rlen octets (bits2octets).
  bssl::UniquePtr<BIGNUM> z = bn_from(hash);
  if (static_cast<int>(hash.size() * 8) > qlen) BN_rshift(z.get(), z.get(), static_cast<int>(hash.size() * 8) - qlen);
  if (BN_cmp(z.get(), order) >= 0) BN_sub(z.get(), z.get(), order);
  std::vector<uint8_t> seed = bn_bytes_padded(EC_KEY_get0_private_key(key), rlen);
  std::vector<uint8_t> h_oct = bn_bytes_padded(z.get(), rlen);
  seed.insert(seed.end(), h_oct.begin(), h_oct.end());

  HmacDrbg drbg(md, seed);  // steps b-g: K, V from int2octets(x) || bits2octets(h1)
  std::vector<uint8_t> t, block(drbg.block_len());
  for (int attempt = 0; attempt < 16; ++attempt) {
    if (attempt > 0) drbg.update({});  // step h.3: K = HMAC_K(V || 0x00), V = HMAC_K(V)
    t.clear();
    while (static_cast<int>(t.size() * 8) < qlen) {
      drbg.next_block(block);
      t.insert(t.end(), block.begin(), block.end());
    }
    bssl::UniquePtr<BIGNUM> k = bn_from(t);
    if (static_cast<int>(t.size() * 8) > qlen) BN_rshift(k.get(), k.get(), static_cast<int>(t.size() * 8) - qlen);
    if (BN_is_zero(k.get()) || BN_cmp(k.get(), order) >= 0) continue;
    std::vector<uint8_t> nonce = bn_bytes_padded(k.get(), rlen);
    bssl::UniquePtr<ECDSA_SIG> sig(ECDSA_sign_with_nonce_and_leak_private_key_for_testing(
        hash.data(), hash.size(), key, nonce.data(), nonce.size()));
    if (!sig) {
      ERR_clear_error();
      continue;
    }
    if (!ECDSA_do_verify(hash.data(), hash.size(), sig.get(), key)) {
      ERR_clear_error();
      return {};
    }
    std::vector<uint8_t> out = bn_bytes_padded(ECDSA_SIG_get0_r(sig.get()), rlen);
    std::vector<uint8_t> s = bn_bytes_padded(ECDSA_SIG_get0_s(sig.get()), rlen);
    out.insert(out.end(), s.begin(), s.end());
    return out;
  }
  return {};
}

// --- RSASSA-PSS with a caller-chosen salt ----------------------------------------------------

std::vector<uint8_t> mgf1(const EVP_MD* md, std::span<const uint8_t> seed, size_t len) {
  std::vector<uint8_t> out;
  std::vector<uint8_t> buf(seed.begin(), seed.end());
  buf.resize(seed.size() + 4);
  for (uint32_t counter = 0; out.size() < len; ++counter) {
    for (int i = 0; i < 4; ++i) buf[seed.size() + i] = static_cast<uint8_t>(counter >> (24 - 8 * i));
    std::vector<uint8_t> h = digest(md, buf);
    out.insert(out.end(), h.begin(), h.end());
  }
  out.resize(len);
  return out;
}

// pss_encode is EMSA-PSS-ENCODE (RFC 8017 section 9.1.1) with MGF1 over the same hash, returned
// as RSA_size(rsa) bytes ready for the raw private operation.
std::vector<uint8_t> pss_encode(const RSA* rsa, const EVP_MD* md, std::span<const uint8_t> m_hash,
                                std::span<const uint8_t> salt) {
  const size_t h_len = EVP_MD_size(md);
  const size_t mod_bits = RSA_bits(rsa);
  const size_t em_bits = mod_bits - 1;
  const size_t em_len = (em_bits + 7) / 8;
  if (em_len < h_len + salt.size() + 2) return {};
  std::vector<uint8_t> m_prime(8, 0);
  m_prime.insert(m_prime.end(), m_hash.begin(), m_hash.end());
  m_prime.insert(m_prime.end(), salt.begin(), salt.end());
  std::vector<uint8_t> h = digest(md, m_prime);
  std::vector<uint8_t> db(em_len - h_len - 1, 0);
  db[em_len - salt.size() - h_len - 2] = 0x01;
  std::memcpy(db.data() + db.size() - salt.size(), salt.data(), salt.size());
  std::vector<uint8_t> mask = mgf1(md, h, db.size());
  for (size_t i = 0; i < db.size(); ++i) db[i] ^= mask[i];
  db[0] &= static_cast<uint8_t>(0xff >> (8 * em_len - em_bits));
  std::vector<uint8_t> em(RSA_size(rsa) - em_len, 0);  // a leading zero when em_len < k
  em.insert(em.end(), db.begin(), db.end());
  em.insert(em.end(), h.begin(), h.end());
  em.push_back(0xbc);
  return em;
}

// --- JWK reading -----------------------------------------------------------------------------

bool member_string(simdjson::dom::object obj, std::string_view name, std::string_view* out) {
  return obj[name].get_string().get(*out) == simdjson::SUCCESS;
}

bool member_bytes(simdjson::dom::object obj, std::string_view name, std::vector<uint8_t>* out) {
  std::string_view s;
  return member_string(obj, name, &s) && b64url_decode(s, out) && !out->empty();
}

bool key_from_jwk(simdjson::dom::object obj, Alg alg, std::string_view kid, GenKey* key,
                  std::string* out_why) {
  std::string_view kty;
  if (!member_string(obj, "kty", &kty)) {
    *out_why = "key \"" + std::string(kid) + "\": no kty";
    return false;
  }
  const std::string who = "key \"" + std::string(kid) + "\" (" + std::string(to_string(alg)) + "): ";
  key->alg = alg;
  key->kty = kty_of(alg);
  key->kid = std::string(kid);
  static constexpr std::string_view kKtyNames[] = {"oct", "RSA", "EC", "OKP"};
  if (kty != kKtyNames[static_cast<int>(key->kty)]) {
    *out_why = who + "kty \"" + std::string(kty) + "\" does not fit the algorithm";
    return false;
  }
  switch (key->kty) {
    case Kty::oct:
      if (!member_bytes(obj, "k", &key->secret)) {
        *out_why = who + "missing or invalid \"k\"";
        return false;
      }
      if (key->secret.size() < hmac_secret_len(alg)) {
        *out_why = who + "secret shorter than the hash output (a verifier refuses it)";
        return false;
      }
      return true;
    case Kty::rsa: {
      static constexpr std::string_view kNames[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
      bssl::UniquePtr<BIGNUM> bn[8];
      for (size_t i = 0; i < 8; ++i) {
        std::vector<uint8_t> bytes;
        if (!member_bytes(obj, kNames[i], &bytes)) {
          *out_why = who + "missing or invalid \"" + std::string(kNames[i]) + "\" (a private JWK is needed)";
          return false;
        }
        bn[i] = bn_from(bytes);
      }
      bssl::UniquePtr<RSA> rsa(RSA_new());
      if (!RSA_set0_key(rsa.get(), bn[0].release(), bn[1].release(), bn[2].release()) ||
          !RSA_set0_factors(rsa.get(), bn[3].release(), bn[4].release()) ||
          !RSA_set0_crt_params(rsa.get(), bn[5].release(), bn[6].release(), bn[7].release()) ||
          !RSA_check_key(rsa.get())) {
        ERR_clear_error();
        *out_why = who + "RSA_check_key failed";
        return false;
      }
      if (RSA_bits(rsa.get()) < 2048) {
        *out_why = who + "RSA modulus under 2048 bits (a verifier refuses it)";
        return false;
      }
      key->rsa = std::move(rsa);
      return true;
    }
    case Kty::ec: {
      std::string_view crv;
      std::vector<uint8_t> d, x, y;
      if (!member_string(obj, "crv", &crv) || crv != curve_name(alg)) {
        *out_why = who + "crv must be " + std::string(curve_name(alg));
        return false;
      }
      if (!member_bytes(obj, "d", &d) || !member_bytes(obj, "x", &x) || !member_bytes(obj, "y", &y)) {
        *out_why = who + "missing or invalid \"d\", \"x\" or \"y\"";
        return false;
      }
      bssl::UniquePtr<BIGNUM> bd = bn_from(d);
      key->ec = ec_key_from_private(curve_nid(alg), bd.get());
      std::vector<uint8_t> cx, cy;
      if (!key->ec || !ec_public_xy(key->ec.get(), &cx, &cy) || cx != x || cy != y) {
        *out_why = who + "\"d\" is not the private key of (\"x\", \"y\")";
        return false;
      }
      return true;
    }
    case Kty::okp: {
      std::string_view crv;
      std::vector<uint8_t> d, x;
      if (!member_string(obj, "crv", &crv) || crv != "Ed25519") {
        *out_why = who + "crv must be Ed25519";
        return false;
      }
      if (!member_bytes(obj, "d", &d) || !member_bytes(obj, "x", &x) || d.size() != 32 ||
          x.size() != 32) {
        *out_why = who + "missing or invalid \"d\" or \"x\"";
        return false;
      }
      std::memcpy(key->ed_seed.data(), d.data(), 32);
      ED25519_keypair_from_seed(key->ed_public.data(), key->ed_private.data(), key->ed_seed.data());
      if (std::memcmp(key->ed_public.data(), x.data(), 32) != 0) {
        *out_why = who + "\"d\" is not the private key of \"x\"";
        return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace

Kty kty_of(Alg alg) noexcept {
  switch (alg) {
    case Alg::hs256: case Alg::hs384: case Alg::hs512: return Kty::oct;
    case Alg::rs256: case Alg::rs384: case Alg::rs512:
    case Alg::ps256: case Alg::ps384: case Alg::ps512: return Kty::rsa;
    case Alg::es256: case Alg::es384: case Alg::es512: return Kty::ec;
    default: return Kty::okp;
  }
}

std::string default_kid(Alg alg) {
  std::string kid(to_string(alg));
  for (char& c : kid) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return kid + "-1";
}

std::optional<GenKey> generate_key(Alg alg, uint64_t seed, std::string* out_why) {
  GenKey key;
  key.alg = alg;
  key.kty = kty_of(alg);
  key.kid = default_kid(alg);
  HmacDrbg drbg = key_drbg(seed, "key/" + std::string(to_string(alg)));
  switch (key.kty) {
    case Kty::oct:
      key.secret.resize(hmac_secret_len(alg));
      drbg.generate(key.secret);
      break;
    case Kty::rsa:
      key.rsa = generate_rsa(drbg, rsa_bits_for(alg), out_why);
      if (!key.rsa) return std::nullopt;
      break;
    case Kty::ec: {
      bssl::UniquePtr<EC_GROUP> group(EC_GROUP_new_by_curve_name(curve_nid(alg)));
      const BIGNUM* order = EC_GROUP_get0_order(group.get());
      const int bits = static_cast<int>(BN_num_bits(order));
      std::vector<uint8_t> buf(BN_num_bytes(order));
      for (;;) {  // rejection sampling: uniform in [1, n)
        drbg.generate(buf);
        if (bits % 8 != 0) buf[0] &= static_cast<uint8_t>((1u << (bits % 8)) - 1);
        bssl::UniquePtr<BIGNUM> d = bn_from(buf);
        if (BN_is_zero(d.get()) || BN_cmp(d.get(), order) >= 0) continue;
        key.ec = ec_key_from_private(curve_nid(alg), d.get());
        break;
      }
      if (!key.ec) {
        *out_why = "EC key assembly failed";
        return std::nullopt;
      }
      break;
    }
    case Kty::okp:
      drbg.generate(key.ed_seed);
      ED25519_keypair_from_seed(key.ed_public.data(), key.ed_private.data(), key.ed_seed.data());
      break;
  }
  return key;
}

bool load_private_jwks(std::string_view json, std::span<const Alg> algs, std::vector<GenKey>* out,
                       std::string* out_why) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element doc;
  simdjson::dom::array keys;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS || doc["keys"].get_array().get(keys) != simdjson::SUCCESS) {
    *out_why = "not a JWKS (a JSON object with a \"keys\" array)";
    return false;
  }
  out->clear();
  for (Alg alg : algs) {
    bool found = false;
    for (simdjson::dom::element el : keys) {
      simdjson::dom::object obj;
      std::string_view key_alg, kid;
      if (el.get_object().get(obj) != simdjson::SUCCESS || !member_string(obj, "alg", &key_alg) ||
          key_alg != to_string(alg)) {
        continue;
      }
      if (!member_string(obj, "kid", &kid) || kid.empty()) {
        *out_why = "the " + std::string(key_alg) + " key has no kid";
        return false;
      }
      if (kid.starts_with("unknown-")) {
        *out_why = "kid \"" + std::string(kid) + "\" collides with gen's key_not_found kids";
        return false;
      }
      for (const GenKey& k : *out) {
        if (k.kid == kid) {
          *out_why = "kid \"" + std::string(kid) + "\" is used by two keys";
          return false;
        }
      }
      GenKey key;
      if (!key_from_jwk(obj, alg, kid, &key, out_why)) return false;
      out->push_back(std::move(key));
      found = true;
      break;
    }
    if (!found) {
      *out_why = "no key with \"alg\":\"" + std::string(to_string(alg)) + "\"";
      return false;
    }
  }
  return true;
}

std::string jwk_json(const GenKey& key, bool with_private) {
  static constexpr std::string_view kKtyNames[] = {"oct", "RSA", "EC", "OKP"};
  std::string s = "{\"kty\":\"";
  s += kKtyNames[static_cast<int>(key.kty)];
  s += "\",\"use\":\"sig\",\"alg\":\"";
  s += to_string(key.alg);
  s += "\",\"kid\":" + json_string(key.kid);
  auto add = [&s](std::string_view name, std::span<const uint8_t> bytes) {
    s += ",\"";
    s += name;
    s += "\":\"" + b64url(bytes) + "\"";
  };
  switch (key.kty) {
    case Kty::oct:
      add("k", key.secret);
      break;
    case Kty::rsa: {
      const BIGNUM *n, *e, *d, *p, *q, *dp, *dq, *qi;
      RSA_get0_key(key.rsa.get(), &n, &e, &d);
      RSA_get0_factors(key.rsa.get(), &p, &q);
      RSA_get0_crt_params(key.rsa.get(), &dp, &dq, &qi);
      add("n", bn_bytes(n));
      add("e", bn_bytes(e));
      if (with_private) {
        add("d", bn_bytes(d));
        add("p", bn_bytes(p));
        add("q", bn_bytes(q));
        add("dp", bn_bytes(dp));
        add("dq", bn_bytes(dq));
        add("qi", bn_bytes(qi));
      }
      break;
    }
    case Kty::ec: {
      std::vector<uint8_t> x, y;
      ec_public_xy(key.ec.get(), &x, &y);
      s += ",\"crv\":\"";
      s += curve_name(key.alg);
      s += "\"";
      add("x", x);
      add("y", y);
      if (with_private) add("d", bn_bytes_padded(EC_KEY_get0_private_key(key.ec.get()), ec_order_len(key.ec.get())));
      break;
    }
    case Kty::okp:
      s += ",\"crv\":\"Ed25519\"";
      add("x", key.ed_public);
      if (with_private) add("d", key.ed_seed);
      break;
  }
  s += "}";
  return s;
}

std::string spki_pem(const GenKey& key) {
  bssl::UniquePtr<EVP_PKEY> pkey;
  switch (key.kty) {
    case Kty::rsa:
      pkey.reset(EVP_PKEY_new());
      EVP_PKEY_set1_RSA(pkey.get(), key.rsa.get());
      break;
    case Kty::ec:
      pkey.reset(EVP_PKEY_new());
      EVP_PKEY_set1_EC_KEY(pkey.get(), key.ec.get());
      break;
    case Kty::okp:
      pkey.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.ed_public.data(), 32));
      break;
    case Kty::oct:
      return {};
  }
  CBB cbb;
  uint8_t* der = nullptr;
  size_t der_len = 0;
  if (!pkey || !CBB_init(&cbb, 0) || !EVP_marshal_public_key(&cbb, pkey.get()) ||
      !CBB_finish(&cbb, &der, &der_len)) {
    CBB_cleanup(&cbb);
    ERR_clear_error();
    return {};
  }
  size_t b64_len = 0;
  EVP_EncodedLength(&b64_len, der_len);
  std::string b64(b64_len, '\0');
  b64.resize(EVP_EncodeBlock(reinterpret_cast<uint8_t*>(b64.data()), der, der_len));
  OPENSSL_free(der);
  std::string pem = "-----BEGIN PUBLIC KEY-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  pem += "-----END PUBLIC KEY-----\n";
  return pem;
}

size_t signature_len(const GenKey& key) {
  switch (key.kty) {
    case Kty::oct: return EVP_MD_size(hash_of(key.alg));
    case Kty::rsa: return RSA_size(key.rsa.get());
    case Kty::ec: return 2 * ec_order_len(key.ec.get());
    case Kty::okp: return 64;
  }
  return 0;
}

std::vector<uint8_t> hmac_sign(Alg alg, std::span<const uint8_t> secret, std::string_view data) {
  const EVP_MD* md = hash_of(alg);
  std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  if (!md || !HMAC(md, secret.data(), secret.size(), reinterpret_cast<const uint8_t*>(data.data()),
                   data.size(), out.data(), &len)) {
    return {};
  }
  out.resize(len);
  return out;
}

std::vector<uint8_t> sign(const GenKey& key, std::string_view signing_input, Rng& rng) {
  const std::span<const uint8_t> input = as_bytes(signing_input);
  switch (key.kty) {
    case Kty::oct:
      return hmac_sign(key.alg, key.secret, signing_input);
    case Kty::okp: {
      std::vector<uint8_t> sig(64);
      if (!ED25519_sign(sig.data(), input.data(), input.size(), key.ed_private.data()) ||
          !ED25519_verify(input.data(), input.size(), sig.data(), key.ed_public.data())) {
        return {};
      }
      return sig;
    }
    case Kty::ec:
      return ecdsa_sign_rfc6979(key.ec.get(), hash_of(key.alg), digest(hash_of(key.alg), input));
    case Kty::rsa: {
      const EVP_MD* md = hash_of(key.alg);
      std::vector<uint8_t> h = digest(md, input);
      std::vector<uint8_t> sig(RSA_size(key.rsa.get()));
      size_t sig_len = 0;
      bool ok;
      if (is_pss(key.alg)) {
        std::vector<uint8_t> salt(EVP_MD_size(md));
        rng.fill(salt);
        std::vector<uint8_t> em = pss_encode(key.rsa.get(), md, h, salt);
        ok = !em.empty() &&
             RSA_sign_raw(key.rsa.get(), &sig_len, sig.data(), sig.size(), em.data(), em.size(),
                          RSA_NO_PADDING) &&
             sig_len == sig.size() &&
             RSA_verify_pss_mgf1(key.rsa.get(), h.data(), h.size(), md, md, -1, sig.data(), sig_len);
      } else {
        unsigned len = 0;
        ok = RSA_sign(hash_nid(key.alg), h.data(), h.size(), sig.data(), &len, key.rsa.get()) &&
             len == sig.size() &&
             RSA_verify(hash_nid(key.alg), h.data(), h.size(), sig.data(), len, key.rsa.get());
      }
      if (!ok) {
        ERR_clear_error();
        return {};
      }
      return sig;
    }
  }
  return {};
}

}  // namespace jwtbatch::cli::gen
