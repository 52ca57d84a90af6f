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

// kBase64urlAlphabet lists the characters of the url alphabet by value (RFC 4648 section 5).
inline constexpr char kBase64urlAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

namespace base64url_detail {
struct ByteTable {
  uint8_t b[256];
};
// kUnusedBits[c]: the bits of `c`'s value that a last character leaves unused, as
// (value & 0x0f) for a 2-character final quantum | (value & 0x03) << 4 for a 3-character one;
// zero for bytes outside the alphabet (those fail as bad_char anyway).
constexpr ByteTable make_unused_bits() {
  ByteTable t{};
  for (int v = 0; v < 64; ++v)
    t.b[static_cast<uint8_t>(kBase64urlAlphabet[v])] = static_cast<uint8_t>((v & 0x0f) | (v & 0x03) << 4);
  return t;
}
inline constexpr ByteTable kUnusedBits = make_unused_bits();
}  // namespace base64url_detail

// base64url_last_char_canonical says whether the last character of `in` leaves its unused low bits
// zero (true when `in` ends on a whole quantum or that character is not in the alphabet). The SIMD
// variants check it up front, one table lookup, and leave the rare non-canonical input to the
// reference, which reports it as bad_trailing.
constexpr bool base64url_last_char_canonical(std::span<const char> in) noexcept {
  const uint8_t mask = in.size() % 4 == 2 ? 0x0f : in.size() % 4 == 3 ? 0x30 : 0;
  return mask == 0 || (base64url_detail::kUnusedBits.b[static_cast<uint8_t>(in.back())] & mask) == 0;
}
static_assert(base64url_last_char_canonical(std::span<const char>("Zw", 2)) &&
              !base64url_last_char_canonical(std::span<const char>("Zx", 2)) &&
              base64url_last_char_canonical(std::span<const char>("Zm8", 3)) &&
              !base64url_last_char_canonical(std::span<const char>("Zm9", 3)));

// kDecodeOutSlack is how many bytes past base64url_decoded_len a SIMD decoder may scribble on in
// `out` (the bytes there are unspecified afterwards). Callers size `out` with this much slack; the
// kernels never read `in` outside [in.data(), in.data() + in.size()).
inline constexpr size_t kDecodeOutSlack = 64;

// Base64urlDecode decodes `in` into `out`, which must hold base64url_decoded_len(in.size()) +
// kDecodeOutSlack bytes (only the first `count` are meaningful afterwards). It never allocates and
// never writes outside `out`: a shorter `out` (at least base64url_decoded_len) is still decoded
// correctly, only more slowly at the end, and a too short one gets out_too_small.
using Base64urlDecode = DecodeResult (*)(std::span<const char> in, std::span<uint8_t> out) noexcept;

// Base64urlEncode writes the unpadded base64url encoding of `in` to `out` (at least
// base64url_encoded_len(in.size()) bytes) and returns the number of characters written.
using Base64urlEncode = size_t (*)(std::span<const uint8_t> in, std::span<char> out) noexcept;

// The scalar reference: the definition every other variant is tested against.
DecodeResult base64url_decode_scalar(std::span<const char> in, std::span<uint8_t> out) noexcept;
size_t base64url_encode_scalar(std::span<const uint8_t> in, std::span<char> out) noexcept;

// base64url_decode_scalar_from finishes a decode that a SIMD variant began: `in[0..pos)` (`pos` a
// multiple of 4) is known to be valid and its base64url_decoded_len(pos) bytes are already in
// `out`. It decodes the rest with the reference and returns what base64url_decode_scalar(in, out)
// returns, offsets counted from in.data().
DecodeResult base64url_decode_scalar_from(std::span<const char> in, std::span<uint8_t> out,
                                          size_t pos) noexcept;

// base64url_encode_scalar_from finishes an encode that a SIMD variant began: `in[0..pos)` (`pos`
// a multiple of 3) is already encoded at the start of `out`. It returns the total length, as
// base64url_encode_scalar(in, out) does.
size_t base64url_encode_scalar_from(std::span<const uint8_t> in, std::span<char> out,
                                    size_t pos) noexcept;

// The SIMD variants, each defined only where its architecture is compiled (x86-64: avx2.cpp,
// avx512.cpp; ARM64: neon.cpp) and callable only when the CPU has the instructions: reach them
// through kernels/cpu/cpu.hpp, never directly outside tests of the dispatch itself.
DecodeResult base64url_decode_avx2(std::span<const char> in, std::span<uint8_t> out) noexcept;
size_t base64url_encode_avx2(std::span<const uint8_t> in, std::span<char> out) noexcept;
DecodeResult base64url_decode_avx512(std::span<const char> in, std::span<uint8_t> out) noexcept;
size_t base64url_encode_avx512(std::span<const uint8_t> in, std::span<char> out) noexcept;
DecodeResult base64url_decode_neon(std::span<const char> in, std::span<uint8_t> out) noexcept;
size_t base64url_encode_neon(std::span<const uint8_t> in, std::span<char> out) noexcept;

}  // namespace jwtbatch::kernels
