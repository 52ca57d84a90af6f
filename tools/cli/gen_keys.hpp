// gen_keys.hpp (internal to `jwtbatch gen`): deterministic test keys, their JWK forms, and
// deterministic JWS signing with BoringSSL.
//
// Signing is deterministic for every algorithm so that the same options give the same bytes:
// HMAC, RSASSA-PKCS1-v1_5 and Ed25519 are deterministic already; ECDSA takes its nonce from
// RFC 6979 section 3.2 (HMAC_DRBG over the private key and the message hash); RSASSA-PSS takes
// its salt (as long as the hash, RFC 7518 section 3.5) from the caller's Rng and is padded here
// (EMSA-PSS-ENCODE, RFC 8017 section 9.1.1) before the raw RSA private operation.
// Every signature is verified with BoringSSL before it is returned.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/base.h>
#include <openssl/ec_key.h>
#include <openssl/rsa.h>

#include "jwtbatch/status.hpp"
#include "tools/cli/gen_support.hpp"

namespace jwtbatch::cli::gen {

enum class Kty : uint8_t { oct, rsa, ec, okp };

// GenKey is one signing key bound to one algorithm.
struct GenKey {
  Alg alg = Alg::unknown;
  Kty kty = Kty::oct;
  std::string kid;
  std::vector<uint8_t> secret;  // oct
  bssl::UniquePtr<RSA> rsa;     // rsa
  bssl::UniquePtr<EC_KEY> ec;   // ec
  std::array<uint8_t, 32> ed_seed{};          // okp: the RFC 8032 private key (JWK "d")
  std::array<uint8_t, 32> ed_public{};        // okp: JWK "x"
  std::array<uint8_t, 64> ed_private{};       // okp: BoringSSL's seed || public form
};

// kty_of returns the key type algorithm `alg` needs.
Kty kty_of(Alg alg) noexcept;

// default_kid returns gen's kid for `alg`'s key: "hs256-1", "rs256-1", ..., "eddsa-1".
std::string default_kid(Alg alg);

// generate_key derives `alg`'s key from `seed` alone (label "key/<ALG>"), so a key does not depend
// on which other algorithms are generated. RSA: 2048 bits for RS256/PS256/RS512/PS512, 3072 for
// RS384/PS384, e = 65537, primes searched from DRBG candidates. On failure returns nullopt and
// sets `out_why`.
std::optional<GenKey> generate_key(Alg alg, uint64_t seed, std::string* out_why);

// load_private_jwks reads a private JWKS (as gen writes it) and returns one key per algorithm of
// `algs`, in that order: the first key whose "alg" matches. Each key is checked (RSA_check_key,
// the EC point and the Ed25519 public key recomputed from "d"). On failure returns false and sets
// `out_why`.
bool load_private_jwks(std::string_view json, std::span<const Alg> algs, std::vector<GenKey>* out,
                       std::string* out_why);

// jwk_json returns `key` as one JWK object on one line: kty, use "sig", alg, kid, then the
// public members (k for oct: HMAC verification needs the secret), and with `with_private` the
// private members (RSA d p q dp dq qi; EC and OKP d).
std::string jwk_json(const GenKey& key, bool with_private);

// spki_pem returns the public key of an RSA, EC or OKP `key` as a PEM "PUBLIC KEY" block with
// 64-column lines and a final newline (the bytes an algorithm-confusion attacker HMACs with).
std::string spki_pem(const GenKey& key);

// signature_len returns the JWS signature length `key` produces for its alg.
size_t signature_len(const GenKey& key);

// sign returns the JWS signature of `signing_input` with `key` and its alg (HMAC key: `alg`
// overrides). `rng` supplies the PSS salt. Returns an empty vector if BoringSSL fails or the
// signature does not verify.
std::vector<uint8_t> sign(const GenKey& key, std::string_view signing_input, Rng& rng);

// hmac_sign returns HMAC-SHA-2 (`alg` one of HS256/HS384/HS512) of `data` under `secret`.
std::vector<uint8_t> hmac_sign(Alg alg, std::span<const uint8_t> secret, std::string_view data);

}  // namespace jwtbatch::cli::gen
