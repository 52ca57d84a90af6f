// gen_support.hpp (internal to `jwtbatch gen`): the deterministic randomness and the small text
// helpers (base64url, JSON escaping) the corpus generator is built from.
//
// Everything `gen` writes is a function of its options: keys come from an HMAC-DRBG (SP 800-90A
// section 10.1.2, SHA-256) seeded with the seed and a label, per-token choices from a xoshiro256**
// generator whose state is SHA-256(seed, label, index). Nothing here reads the clock or the OS RNG.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/digest.h>

namespace jwtbatch::cli::gen {

// HmacDrbg is the HMAC_DRBG of SP 800-90A (no reseeding, no prediction resistance) over `md`.
// gen uses it with SHA-256 for key material and, with the signature's hash, for RFC 6979 nonces.
class HmacDrbg {
 public:
  // HmacDrbg instantiates the generator from `seed_material` (entropy || nonce || personalization
  // in SP 800-90A terms: here simply the concatenation the caller chose).
  HmacDrbg(const EVP_MD* md, std::span<const uint8_t> seed_material);
  // generate fills `out` and then updates the state (SP 800-90A HMAC_DRBG_Generate).
  void generate(std::span<uint8_t> out);
  // The raw steps, for RFC 6979 section 3.2 step h, which retries with K = HMAC(K, V || 0x00).
  void update(std::span<const uint8_t> data);
  void next_block(std::span<uint8_t> out);  // V = HMAC(K, V); copies V to `out` (md size bytes)
  size_t block_len() const { return md_len_; }

 private:
  const EVP_MD* md_;
  size_t md_len_;
  std::array<uint8_t, 64> k_{};
  std::array<uint8_t, 64> v_{};
};

// key_drbg returns the SHA-256 HMAC_DRBG for the key labelled `label` under `seed` ("key/HS256").
HmacDrbg key_drbg(uint64_t seed, std::string_view label);

// Rng is xoshiro256** (Blackman and Vigna): fast, good enough for choosing claims and failures.
class Rng {
 public:
  // Rng derives its state from SHA-256("jwtbatch-gen/1" || seed || label || index).
  Rng(uint64_t seed, std::string_view label, uint64_t index);
  uint64_t next();
  // below returns a uniform integer in [0, n) (n > 0), without modulo bias.
  uint64_t below(uint64_t n);
  // range returns a uniform integer in [lo, hi].
  int64_t range(int64_t lo, int64_t hi);
  // chance returns true with probability `p`.
  bool chance(double p);
  void fill(std::span<uint8_t> out);
  template <typename T>
  const T& pick(std::span<const T> items) {
    return items[below(items.size())];
  }
  template <typename T, size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[below(N)];
  }
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }

 private:
  std::array<uint64_t, 4> s_{};
};

// b64url returns the unpadded base64url encoding of `in` (via the scalar reference kernel).
std::string b64url(std::span<const uint8_t> in);
std::string b64url(std::string_view in);
// b64url_decode decodes strict unpadded base64url; false on any error.
bool b64url_decode(std::string_view in, std::vector<uint8_t>* out);

// hex returns the lower-case hex of `in`.
std::string hex(std::span<const uint8_t> in);

// json_string returns `s` as a JSON string literal, written by jwtbatch::append_json_string
// (include/jwtbatch/json.hpp).
std::string json_string(std::string_view s);

// valid_utf8 says whether `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates).
bool valid_utf8(std::string_view s);

// as_bytes views a string's bytes.
inline std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace jwtbatch::cli::gen
