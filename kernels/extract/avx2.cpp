// avx2.cpp: token extraction and newline counting with AVX2 (32 bytes per step), with exactly the
// results of scalar.cpp (definition in extract.hpp).
//
// The method of avx512.cpp on 32-byte vectors: three unaligned loads compared with 'e', 'y', 'J'
// find "eyJ" starts (vpmovmskb gives the bit mask); a word's end is the first byte outside
// A-Z a-z 0-9 - _ . (letters as ((c | 0x20) - 'a') <= 25 unsigned, tested as min(x, 25) == x since
// AVX2 has no unsigned byte compare), dots counted with popcnt. The rules for a word
// (extract_judge_word) are shared with the reference. Every scalar tail stays inside the text.
//
// References: Intel 64 and IA-32 Architectures Software Developer's Manual (VPCMPEQB, VPMINUB,
// VPMOVMSKB); RFC 4648 section 5, RFC 7515 section 7.1. No tables.
//
// ISA file: compiled with -mavx2 -mbmi -mpopcnt only; includes only intrinsics and its own header,
// has no dynamically initialised globals, and is called only through kernels/cpu.
#include <immintrin.h>

#include "kernels/extract/extract.hpp"
#include "kernels/extract/simd_driver.hpp"

namespace jwtbatch::kernels {
namespace {

inline uint32_t le_u8(__m256i x, char bound) {
  return static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(bound)), x)));
}

inline uint32_t word_mask(__m256i v) {
  const __m256i lower = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
  const uint32_t alpha = le_u8(_mm256_sub_epi8(lower, _mm256_set1_epi8('a')), 25);
  const uint32_t digit = le_u8(_mm256_sub_epi8(v, _mm256_set1_epi8('0')), 9);
  const __m256i other = _mm256_or_si256(
      _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('-')), _mm256_cmpeq_epi8(v, _mm256_set1_epi8('_'))),
      _mm256_cmpeq_epi8(v, _mm256_set1_epi8('.')));
  return alpha | digit | static_cast<uint32_t>(_mm256_movemask_epi8(other));
}

size_t word_end(const char* s, size_t p, size_t n, size_t* dots) {
  const __m256i dot = _mm256_set1_epi8('.');
  while (p + 32 <= n) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + p));
    const uint32_t stop = ~word_mask(v);
    const uint32_t dm = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, dot)));
    if (stop) {
      const unsigned k = _tzcnt_u32(stop);
      *dots += static_cast<size_t>(_mm_popcnt_u32(dm & ((uint32_t{1} << k) - 1)));
      return p + k;
    }
    *dots += static_cast<size_t>(_mm_popcnt_u32(dm));
    p += 32;
  }
  for (; p < n && is_token_char(static_cast<unsigned char>(s[p])); ++p) *dots += s[p] == '.';
  return p;
}

size_t find_eyj(const char* s, size_t i, size_t n) {
  const __m256i e = _mm256_set1_epi8('e'), y = _mm256_set1_epi8('y'), j = _mm256_set1_epi8('J');
  while (i + 34 <= n) {
    const __m256i m = _mm256_and_si256(
        _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i)), e),
                         _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + 1)), y)),
        _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + 2)), j));
    const uint32_t bits = static_cast<uint32_t>(_mm256_movemask_epi8(m));
    if (bits) return i + _tzcnt_u32(bits);
    i += 32;
  }
  for (; i + 3 <= n; ++i)
    if (s[i] == 'e' && s[i + 1] == 'y' && s[i + 2] == 'J') return i;
  return n;
}

}  // namespace

ExtractResult extract_tokens_avx2(std::span<const char> text, size_t start, size_t max_token_len,
                                  std::span<TokenSpan> out) noexcept {
  // Lambdas, not function pointers: each call is resolved at compile time and inlined.
  return extract_tokens_with(
      text, start, max_token_len, out, [](const char* s, size_t i, size_t n) { return find_eyj(s, i, n); },
      [](const char* s, size_t p, size_t n, size_t* dots) { return word_end(s, p, n, dots); });
}

size_t count_newlines_avx2(std::span<const char> text) noexcept {
  const char* s = text.data();
  const size_t n = text.size();
  const __m256i nl = _mm256_set1_epi8('\n');
  size_t count = 0, i = 0;
  for (; i + 32 <= n; i += 32)
    count += static_cast<size_t>(_mm_popcnt_u32(static_cast<uint32_t>(
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i)), nl)))));
  for (; i < n; ++i) count += s[i] == '\n';
  return count;
}

}  // namespace jwtbatch::kernels
