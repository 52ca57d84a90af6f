// neon.cpp: token extraction and newline counting with ARM64 Advanced SIMD (16 bytes per step),
// with exactly the results of scalar.cpp (definition in extract.hpp).
//
// The method of avx512.cpp on 16-byte vectors. NEON has no byte mask move: a compare result is
// narrowed with vshrn_n_u16(..., 4) into a 64-bit value holding 4 bits per byte, so the first set
// byte is ctz / 4 and a popcount of the dot compare is a horizontal add (vaddvq_u8) of its low bit.
// Letters are ((c | 0x20) - 'a') <= 25 and digits (c - '0') <= 9, as unsigned compares (vcleq_u8).
// The rules for a word (extract_judge_word) are shared with the reference. Every scalar tail stays
// inside the text.
//
// References: Arm, "Arm C Language Extensions for Neon" (vceqq_u8, vcleq_u8, vshrn_n_u16,
// vaddvq_u8); RFC 4648 section 5, RFC 7515 section 7.1. No tables.
//
// ISA file: Advanced SIMD is in the AArch64 baseline, so no extra flag; includes only intrinsics
// and its own header and has no dynamically initialised globals.
#include <arm_neon.h>

#include "kernels/extract/extract.hpp"
#include "kernels/extract/simd_driver.hpp"

namespace jwtbatch::kernels {
namespace {

inline uint64_t nibble_mask(uint8x16_t cmp) {
  return vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(cmp), 4)), 0);
}

inline uint8x16_t word_bytes(uint8x16_t v) {
  const uint8x16_t lower = vorrq_u8(v, vdupq_n_u8(0x20));
  const uint8x16_t alpha = vcleq_u8(vsubq_u8(lower, vdupq_n_u8('a')), vdupq_n_u8(25));
  const uint8x16_t digit = vcleq_u8(vsubq_u8(v, vdupq_n_u8('0')), vdupq_n_u8(9));
  const uint8x16_t other = vorrq_u8(vorrq_u8(vceqq_u8(v, vdupq_n_u8('-')), vceqq_u8(v, vdupq_n_u8('_'))),
                                    vceqq_u8(v, vdupq_n_u8('.')));
  return vorrq_u8(vorrq_u8(alpha, digit), other);
}

size_t word_end(const char* s, size_t p, size_t n, size_t* dots) {
  const uint8x16_t dot = vdupq_n_u8('.');
  while (p + 16 <= n) {
    const uint8x16_t v = vld1q_u8(reinterpret_cast<const uint8_t*>(s + p));
    const uint64_t stop = ~nibble_mask(word_bytes(v));
    const uint8x16_t dm = vandq_u8(vceqq_u8(v, dot), vdupq_n_u8(1));
    if (stop) {
      const unsigned k = static_cast<unsigned>(__builtin_ctzll(stop)) / 4;
      for (unsigned b = 0; b < k; ++b) *dots += s[p + b] == '.';
      return p + k;
    }
    *dots += vaddvq_u8(dm);
    p += 16;
  }
  for (; p < n && is_token_char(static_cast<unsigned char>(s[p])); ++p) *dots += s[p] == '.';
  return p;
}

size_t find_eyj(const char* s, size_t i, size_t n) {
  const auto* u = reinterpret_cast<const uint8_t*>(s);
  while (i + 18 <= n) {
    const uint8x16_t m = vandq_u8(vandq_u8(vceqq_u8(vld1q_u8(u + i), vdupq_n_u8('e')),
                                           vceqq_u8(vld1q_u8(u + i + 1), vdupq_n_u8('y'))),
                                  vceqq_u8(vld1q_u8(u + i + 2), vdupq_n_u8('J')));
    const uint64_t bits = nibble_mask(m);
    if (bits) return i + static_cast<size_t>(__builtin_ctzll(bits)) / 4;
    i += 16;
  }
  for (; i + 3 <= n; ++i)
    if (s[i] == 'e' && s[i + 1] == 'y' && s[i + 2] == 'J') return i;
  return n;
}

}  // namespace

ExtractResult extract_tokens_neon(std::span<const char> text, size_t start, size_t max_token_len,
                                  std::span<TokenSpan> out) noexcept {
  // Lambdas, not function pointers: each call is resolved at compile time and inlined.
  return extract_tokens_with(
      text, start, max_token_len, out, [](const char* s, size_t i, size_t n) { return find_eyj(s, i, n); },
      [](const char* s, size_t p, size_t n, size_t* dots) { return word_end(s, p, n, dots); });
}

size_t count_newlines_neon(std::span<const char> text) noexcept {
  const auto* u = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  size_t count = 0, i = 0;
  for (; i + 16 <= n; i += 16)
    count += vaddvq_u8(vandq_u8(vceqq_u8(vld1q_u8(u + i), vdupq_n_u8('\n')), vdupq_n_u8(1)));
  for (; i < n; ++i) count += u[i] == '\n';
  return count;
}

}  // namespace jwtbatch::kernels
