// jws_check.cpp (test support): see jws_check.hpp.
#include "tests/support/jws_check.hpp"

#include <fstream>
#include <sstream>

#include <openssl/base64.h>
#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/nid.h>

namespace jwtbatch::test {
namespace {

const EVP_MD* md_for(std::string_view alg) {
  if (alg.size() != 5 || alg == "EdDSA") return nullptr;
  std::string_view bits = alg.substr(2);
  if (bits == "256") return EVP_sha256();
  if (bits == "384") return EVP_sha384();
  if (bits == "512") return EVP_sha512();
  return nullptr;
}

std::optional<std::vector<uint8_t>> member_bytes(simdjson::dom::object obj, std::string_view name) {
  std::string_view s;
  if (obj[name].get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  return b64url_decode(s);
}

bssl::UniquePtr<BIGNUM> bn_of(const std::vector<uint8_t>& b) {
  return bssl::UniquePtr<BIGNUM>(BN_bin2bn(b.data(), b.size(), nullptr));
}

}  // namespace

std::optional<std::vector<uint8_t>> b64url_decode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string std64(in);
  for (char& c : std64) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/' || c == '=') return std::nullopt;
  }
  std64.append((4 - std64.size() % 4) % 4, '=');
  size_t max_len = 0;
  if (!EVP_DecodedLength(&max_len, std64.size())) return std::nullopt;
  std::vector<uint8_t> out(max_len);
  size_t len = 0;
  if (!EVP_DecodeBase64(out.data(), &len, out.size(), reinterpret_cast<const uint8_t*>(std64.data()),
                        std64.size())) {
    ERR_clear_error();
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::vector<std::string> split_dots(std::string_view token) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = token.find('.', start);
    if (dot == std::string_view::npos) {
      parts.emplace_back(token.substr(start));
      return parts;
    }
    parts.emplace_back(token.substr(start, dot - start));
    start = dot + 1;
  }
}

std::optional<CheckKey> parse_jwk(simdjson::dom::object jwk, std::string* out_why) {
  CheckKey key;
  std::string_view s;
  if (jwk["kty"].get_string().get(s) != simdjson::SUCCESS) {
    *out_why = "no kty";
    return std::nullopt;
  }
  key.kty = s;
  if (jwk["kid"].get_string().get(s) == simdjson::SUCCESS) key.kid = s;
  if (jwk["alg"].get_string().get(s) == simdjson::SUCCESS) key.alg = s;
  if (key.kty == "oct") {
    auto k = member_bytes(jwk, "k");
    if (!k) {
      *out_why = "bad k";
      return std::nullopt;
    }
    key.secret = *k;
  } else if (key.kty == "RSA") {
    auto n = member_bytes(jwk, "n"), e = member_bytes(jwk, "e");
    if (!n || !e) {
      *out_why = "bad n or e";
      return std::nullopt;
    }
    key.rsa.reset(RSA_new());
    if (!RSA_set0_key(key.rsa.get(), bn_of(*n).release(), bn_of(*e).release(), nullptr)) {
      *out_why = "RSA_set0_key failed";
      return std::nullopt;
    }
  } else if (key.kty == "EC") {
    std::string_view crv;
    auto x = member_bytes(jwk, "x"), y = member_bytes(jwk, "y");
    if (jwk["crv"].get_string().get(crv) != simdjson::SUCCESS || !x || !y) {
      *out_why = "bad crv, x or y";
      return std::nullopt;
    }
    int nid = crv == "P-256" ? NID_X9_62_prime256v1 : crv == "P-384" ? NID_secp384r1
            : crv == "P-521" ? NID_secp521r1 : NID_undef;
    key.ec.reset(EC_KEY_new_by_curve_name(nid));
    if (!key.ec || !EC_KEY_set_public_key_affine_coordinates(key.ec.get(), bn_of(*x).get(), bn_of(*y).get())) {
      ERR_clear_error();
      *out_why = "not a point of " + std::string(crv);
      return std::nullopt;
    }
  } else if (key.kty == "OKP") {
    std::string_view crv;
    auto x = member_bytes(jwk, "x");
    if (jwk["crv"].get_string().get(crv) != simdjson::SUCCESS || crv != "Ed25519" || !x || x->size() != 32) {
      *out_why = "bad Ed25519 key";
      return std::nullopt;
    }
    key.ed25519 = *x;
  } else {
    *out_why = "unknown kty " + key.kty;
    return std::nullopt;
  }
  return key;
}

bool parse_jwks(std::string_view json, std::vector<CheckKey>* out, std::string* out_why) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element doc;
  simdjson::dom::array keys;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS || doc["keys"].get_array().get(keys) != simdjson::SUCCESS) {
    *out_why = "not a JWKS";
    return false;
  }
  for (simdjson::dom::element el : keys) {
    simdjson::dom::object obj;
    if (el.get_object().get(obj) != simdjson::SUCCESS) {
      *out_why = "a key is not an object";
      return false;
    }
    auto key = parse_jwk(obj, out_why);
    if (!key) return false;
    out->push_back(std::move(*key));
  }
  return true;
}

bool verify_jws(const CheckKey& key, std::string_view alg, std::string_view signing_input,
                std::span<const uint8_t> signature) {
  const auto* in = reinterpret_cast<const uint8_t*>(signing_input.data());
  if (alg == "EdDSA") {
    return key.kty == "OKP" && signature.size() == 64 &&
           ED25519_verify(in, signing_input.size(), signature.data(), key.ed25519.data());
  }
  const EVP_MD* md = md_for(alg);
  if (!md) return false;
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned digest_len = 0;
  EVP_Digest(in, signing_input.size(), digest, &digest_len, md, nullptr);
  bool ok = false;
  if (alg.starts_with("HS") && key.kty == "oct") {
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    HMAC(md, key.secret.data(), key.secret.size(), in, signing_input.size(), mac, &mac_len);
    ok = mac_len == signature.size() && CRYPTO_memcmp(mac, signature.data(), mac_len) == 0;
  } else if (alg.starts_with("RS") && key.kty == "RSA") {
    ok = RSA_verify(EVP_MD_type(md), digest, digest_len, signature.data(), signature.size(), key.rsa.get());
  } else if (alg.starts_with("PS") && key.kty == "RSA") {
    ok = RSA_verify_pss_mgf1(key.rsa.get(), digest, digest_len, md, md, /*salt_len=hash*/ -1,
                             signature.data(), signature.size());
  } else if (alg.starts_with("ES") && key.kty == "EC") {
    const size_t n = (EC_GROUP_get_degree(EC_KEY_get0_group(key.ec.get())) + 7) / 8;
    if (signature.size() == 2 * n) {
      bssl::UniquePtr<ECDSA_SIG> sig(ECDSA_SIG_new());
      BIGNUM* r = BN_bin2bn(signature.data(), n, nullptr);
      BIGNUM* s = BN_bin2bn(signature.data() + n, n, nullptr);
      if (ECDSA_SIG_set0(sig.get(), r, s)) {
        ok = ECDSA_do_verify(digest, digest_len, sig.get(), key.ec.get());
      } else {
        BN_free(r);
        BN_free(s);
      }
    }
  }
  ERR_clear_error();
  return ok;
}

}  // namespace jwtbatch::test
