// keyset.hpp: the verification keys, loaded and prepared once (JWKS per RFC 7517/7518/8037, PEM
// SubjectPublicKeyInfo, raw HMAC secrets).
//
// A KeySet is immutable after build() and shared read-only by every thread. Each key is prepared at
// load time (HMAC inner/outer hash states, RSA Montgomery context, validated EC point, decoded
// Ed25519 key), never per token. Keys that cannot be used are skipped with a one-line warning
// naming their kid and the reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/status.hpp"

namespace jwtbatch {

// Load-time limits (a JWKS is attacker-reachable input too: fetched from a URL, or uploaded).
// kMaxJwksBytes: a longer JWKS document is refused as a whole ("JWKS larger than ...").
inline constexpr size_t kMaxJwksBytes = size_t{4} << 20;
// kMaxKeys: keys past the first kMaxKeys of a KeySetBuilder are skipped with a warning.
inline constexpr size_t kMaxKeys = 1024;
// kMaxKidBytes: a JWK whose kid is longer is skipped with a warning; a token whose header kid is
// longer is bad_header (no key could match it) before any lookup.
inline constexpr size_t kMaxKidBytes = 256;
// RSA keys: modulus of 2048..16384 bits, exponent odd and > 1 (at most 33 bits); others are
// skipped with a warning naming the reason.

// KeyFamily groups the algorithms that may share a key.
enum class KeyFamily : uint8_t { hmac, rsa, ec, okp };

class KeySet {
 public:
  // size returns the number of usable keys.
  size_t size() const noexcept;
  // kid returns key `index`'s kid ("" when the JWK had none).
  std::string_view kid(size_t index) const noexcept;
  // algs returns the algorithms key `index` may verify (its alg, or its family's algorithms).
  AlgSet algs(size_t index) const noexcept;
  KeyFamily family(size_t index) const noexcept;
  // permitted_algs returns the union of algs() over every key: the default allow-list.
  AlgSet permitted_algs() const noexcept;
  // id returns a number unique to this KeySet in the process (ids grow with each KeySet made), so
  // a cache can tell verdicts of one key set from another's (key rotation).
  uint64_t id() const noexcept { return id_; }

  // from_jwks parses one JWKS document. On failure (unreadable JSON, no usable key) it returns
  // nullptr and sets `out_error`; skipped keys append a line each to `out_warnings` (may be null).
  static std::shared_ptr<const KeySet> from_jwks(std::string_view jwks, std::string* out_error,
                                                 std::vector<std::string>* out_warnings = nullptr);

  // Impl holds the prepared keys; it is private to the library (only declared here), and
  // impl() and the constructor are for the library's own use.
  struct Impl;
  const Impl& impl() const noexcept { return *impl_; }
  explicit KeySet(std::unique_ptr<Impl> impl);
  ~KeySet();

 private:
  std::unique_ptr<Impl> impl_;
  uint64_t id_;
};

// KeySetBuilder gathers keys from several sources, then builds one KeySet.
class KeySetBuilder {
 public:
  KeySetBuilder();
  ~KeySetBuilder();
  KeySetBuilder(const KeySetBuilder&) = delete;
  KeySetBuilder& operator=(const KeySetBuilder&) = delete;

  // add_jwks adds every usable key of a JWKS document (or of a single JWK object). It returns false
  // and sets `out_error` when the document cannot be read at all; unusable keys are skipped with a
  // warning.
  bool add_jwks(std::string_view jwks, std::string* out_error);
  // add_pem adds a PEM SubjectPublicKeyInfo (RSA, EC P-256/384/521, Ed25519) under `kid`. `alg`
  // binds it to one algorithm; Alg::unknown lets it serve its whole family.
  bool add_pem(std::string_view pem, std::string_view kid, Alg alg, std::string* out_error);
  // add_hmac_secret adds a raw HMAC secret under `kid`, bound to `alg` (or, with Alg::unknown, to
  // every HS* whose hash output is no longer than the secret).
  bool add_hmac_secret(std::span<const uint8_t> secret, std::string_view kid, Alg alg,
                       std::string* out_error);

  // warnings returns one line per skipped key.
  const std::vector<std::string>& warnings() const noexcept { return warnings_; }
  // build returns the KeySet, or nullptr with `out_error` set when no usable key was added.
  std::shared_ptr<const KeySet> build(std::string* out_error);

 private:
  std::unique_ptr<KeySet::Impl> data_;
  std::vector<std::string> warnings_;
};

}  // namespace jwtbatch
