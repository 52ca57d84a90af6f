// jws_check.hpp (test support): an independent JWS signature check straight on BoringSSL, for the
// tests of generated and known-answer data. It shares no code with the engine or with `gen`:
// base64url goes through EVP_DecodeBase64, JWKs through simdjson's DOM, signatures through
// HMAC / RSA_verify / RSA_verify_pss_mgf1 / ECDSA_do_verify / ED25519_verify.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/base.h>
#include <openssl/ec_key.h>
#include <openssl/rsa.h>
#include <simdjson.h>

namespace jwtbatch::test {

// b64url_decode decodes unpadded base64url by translating it for EVP_DecodeBase64. nullopt on
// characters outside the url alphabet, a length of 4k+1, or what EVP_DecodeBase64 refuses.
std::optional<std::vector<uint8_t>> b64url_decode(std::string_view in);

// read_text returns the whole file at `path` ("" when it cannot be read).
std::string read_text(const std::string& path);

// split_lines splits on LF; a final LF does not make an empty last line.
std::vector<std::string> split_lines(std::string_view text);

// split_dots splits a compact JWS on '.'.
std::vector<std::string> split_dots(std::string_view token);

// CheckKey is one public JWK made usable by BoringSSL.
struct CheckKey {
  std::string kid, alg, kty;
  std::vector<uint8_t> secret;       // oct
  bssl::UniquePtr<RSA> rsa;          // RSA
  bssl::UniquePtr<EC_KEY> ec;        // EC
  std::vector<uint8_t> ed25519;      // OKP
};

// parse_jwk builds a CheckKey from one JWK object (public members only are read). On failure
// returns nullopt and sets `out_why`.
std::optional<CheckKey> parse_jwk(simdjson::dom::object jwk, std::string* out_why);

// parse_jwks builds every key of a JWKS document; false and `out_why` on the first bad key.
bool parse_jwks(std::string_view json, std::vector<CheckKey>* out, std::string* out_why);

// verify_jws returns true iff `signature` is a valid JWS signature by `key` with `alg` over
// `signing_input` (RFC 7518: ECDSA as raw r || s).
bool verify_jws(const CheckKey& key, std::string_view alg, std::string_view signing_input,
                std::span<const uint8_t> signature);

}  // namespace jwtbatch::test
