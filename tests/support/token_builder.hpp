// token_builder.hpp (tests): building compact JWS tokens by hand, signed with BoringSSL as it is,
// for the engine and command tests (any header, any claims, any corruption).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/bn.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

namespace jwtbatch::test {

std::string b64url(std::span<const uint8_t> bytes);
std::string b64url(std::string_view text);

// bn_bytes returns `bn` big-endian, left-padded with zeros to `len` bytes (0: its own length).
std::vector<uint8_t> bn_bytes(const BIGNUM* bn, size_t len = 0);
// public_key_pem returns the SubjectPublicKeyInfo PEM of `pkey`.
std::string public_key_pem(EVP_PKEY* pkey);

// TestKeys: one key of each family, generated once per process (RSA-2048 keygen is slow).
struct TestKeys {
  std::vector<uint8_t> hmac_secret;  // 64 bytes
  bssl::UniquePtr<RSA> rsa;
  bssl::UniquePtr<EC_KEY> p256;
  uint8_t ed25519_private[64];
  uint8_t ed25519_public[32];

  // jwks returns a JWKS with kids "hs", "rs", "ps", "es", "ed" bound to HS256, RS256, PS256, ES256,
  // EdDSA (the RSA key appears twice, once per binding).
  std::string jwks() const;
  // rsa_public_pem is the RSA key's SubjectPublicKeyInfo PEM (the algorithm-confusion secret).
  std::string rsa_public_pem() const;
};
const TestKeys& test_keys();

// sign returns the JWS signature of `signing_input` for `alg` ("HS256", "RS256", "PS256", "ES256",
// "EdDSA") with the test keys, or with `hmac_secret` for HS* when it is not empty.
std::vector<uint8_t> sign(std::string_view alg, std::string_view signing_input,
                          std::span<const uint8_t> hmac_secret = {});

// make_token builds b64(header).b64(claims).b64(sign(alg, ...)).
std::string make_token(std::string_view alg, std::string_view header_json, std::string_view claims_json,
                       std::span<const uint8_t> hmac_secret = {});

}  // namespace jwtbatch::test
