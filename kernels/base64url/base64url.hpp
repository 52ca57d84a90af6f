// base64url.hpp: the contract of the strict base64url kernels (RFC 4648 section 5, as JWS uses it
// in RFC 7515 section 2: no padding, no whitespace, url alphabet only).
//
// Every variant (scalar reference, AVX2, AVX-512 VBMI, NEON) has exactly these semantics; the
// SIMD ones are tested against base64url_decode_scalar on random and edge inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace jwtbatch::kernels {

// DecodeStatus says whether a decode succeeded.
enum class DecodeStatus : uint8_t {
  ok = 0,
  bad_char,      // a byte outside A-Z a-z 0-9 - _ (this includes '=', '+', '/', whitespace)
  bad_length,    // input length mod 4 == 1: no whole byte can end there
  bad_trailing,  // the unused low bits of the last character are not zero (non-canonical)
  out_too_small, // `out` is shorter than base64url_decoded_len(in.size())
};

// DecodeResult is what a decode returns: on success `count` is the number of bytes written; on
// failure it is the offset in the input of the first offending character (for bad_char and
// bad_trailing) or the input length (bad_length, out_too_small).
struct DecodeResult {
  DecodeStatus status;
  size_t count;
};

// base64url_decoded_len returns how many bytes decoding `in_len` characters yields when the input is
// valid (floor(in_len * 3 / 4)).
constexpr size_t base64url_decoded_len(size_t in_len) noexcept { return in_len / 4 * 3 + (in_len % 4 * 3) / 4; }

// base64url_encoded_len returns the length of the unpadded encoding of `in_len` bytes.
constexpr size_t base64url_encoded_len(size_t in_len) noexcept { return in_len / 3 * 4 + (in_len % 3 * 4 + 2) / 3; }

// kDecodeOutSlack is how many bytes past base64url_decoded_len a SIMD decoder may scribble on in
// `out` (the bytes there are unspecified afterwards). Callers size `out` with this much slack; the
// kernels never read `in` outside [in.data(), in.data() + in.size()).
inline constexpr size_t kDecodeOutSlack = 64;

// Base64urlDecode decodes `in` into `out`, which must hold base64url_decoded_len(in.size()) +
// kDecodeOutSlack bytes (only the first `count` are meaningful afterwards). It never allocates.
using Base64urlDecode = DecodeResult (*)(std::span<const char> in, std::span<uint8_t> out) noexcept;

// Base64urlEncode writes the unpadded base64url encoding of `in` to `out` (at least
// base64url_encoded_len(in.size()) bytes) and returns the number of characters written.
using Base64urlEncode = size_t (*)(std::span<const uint8_t> in, std::span<char> out) noexcept;

// The scalar reference: the definition every other variant is tested against.
DecodeResult base64url_decode_scalar(std::span<const char> in, std::span<uint8_t> out) noexcept;
size_t base64url_encode_scalar(std::span<const uint8_t> in, std::span<char> out) noexcept;

}  // namespace jwtbatch::kernels
