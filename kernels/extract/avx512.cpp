// avx512.cpp: token extraction and newline counting with AVX-512 BW (64 bytes per step), with
// exactly the results of scalar.cpp (definition in extract.hpp).
//
// Finding words that may be tokens: three unaligned loads at i, i+1, i+2 compared with 'e', 'y',
// 'J' and ANDed give a 64-bit mask of "eyJ" starts; a start whose previous byte is a word character
// is inside a longer word and skipped. Log text rarely holds "eyJ" outside tokens, so this loop
// runs at a few loads and compares per 64 bytes. The end of a word: each 64-byte block is
// classified at once (letters as ((c | 0x20) - 'a') <= 25 unsigned, digits as (c - '0') <= 9, and
// '-', '_', '.' by equality); the first byte outside the class ends the word, and the dots before
// it are counted with popcnt. The rules for a word (extract_judge_word) are shared with the
// reference. The last < 66 bytes of the "eyJ" search run in scalar code; word ends and newline
// counts read the last partial block with a masked load (masked-off bytes never fault).
//
// References: Intel 64 and IA-32 Architectures Software Developer's Manual (VPCMPB/VPCMPUB,
// VMOVDQU8 with zero-masking); RFC 4648 section 5 (the alphabet), RFC 7515 section 7.1 (compact
// serialization). No tables.
//
// ISA file: compiled with -mavx512f -mavx512bw only; includes only intrinsics and its own header,
// has no dynamically initialised globals, and is called only through kernels/cpu.
#include <immintrin.h>

#include "kernels/extract/extract.hpp"
#include "kernels/extract/simd_driver.hpp"

namespace jwtbatch::kernels {
namespace {

inline __mmask64 word_mask(__m512i v) {
  const __m512i lower = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
  const __mmask64 alpha = _mm512_cmple_epu8_mask(_mm512_sub_epi8(lower, _mm512_set1_epi8('a')), _mm512_set1_epi8(25));
  const __mmask64 digit = _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')), _mm512_set1_epi8(9));
  const __mmask64 other = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('-')) |
                          _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('_')) |
                          _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('.'));
  return alpha | digit | other;
}

inline __mmask64 tail_mask(size_t n) { return n >= 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1; }

// word_end returns the end of the word that begins at or before `p` and runs through p, counting
// its dots from p on into *dots.
size_t word_end(const char* s, size_t p, size_t n, size_t* dots) {
  const __m512i dot = _mm512_set1_epi8('.');
  while (p < n) {
    const __mmask64 valid = tail_mask(n - p);
    const __m512i v = _mm512_maskz_loadu_epi8(valid, s + p);
    const __mmask64 stop = ~word_mask(v) | ~valid;
    const __mmask64 dm = _mm512_cmpeq_epi8_mask(v, dot);
    if (stop) {
      const unsigned k = static_cast<unsigned>(_tzcnt_u64(stop));
      *dots += static_cast<size_t>(_mm_popcnt_u64(dm & ((__mmask64{1} << k) - 1)));
      return p + k;
    }
    *dots += static_cast<size_t>(_mm_popcnt_u64(dm));
    p += 64;
  }
  return n;
}

// find_eyj returns the first offset >= i where "eyJ" begins, or n.
size_t find_eyj(const char* s, size_t i, size_t n) {
  const __m512i e = _mm512_set1_epi8('e'), y = _mm512_set1_epi8('y'), j = _mm512_set1_epi8('J');
  while (i + 66 <= n) {
    const __mmask64 m = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s + i), e) &
                        _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s + i + 1), y) &
                        _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s + i + 2), j);
    if (m) return i + static_cast<size_t>(_tzcnt_u64(m));
    i += 64;
  }
  for (; i + 3 <= n; ++i)
    if (s[i] == 'e' && s[i + 1] == 'y' && s[i + 2] == 'J') return i;
  return n;
}

}  // namespace

ExtractResult extract_tokens_avx512(std::span<const char> text, size_t start, size_t max_token_len,
                                    std::span<TokenSpan> out) noexcept {
  // Lambdas, not function pointers: each call is resolved at compile time and inlined.
  return extract_tokens_with(
      text, start, max_token_len, out, [](const char* s, size_t i, size_t n) { return find_eyj(s, i, n); },
      [](const char* s, size_t p, size_t n, size_t* dots) { return word_end(s, p, n, dots); });
}

size_t count_newlines_avx512(std::span<const char> text) noexcept {
  const char* s = text.data();
  const size_t n = text.size();
  const __m512i nl = _mm512_set1_epi8('\n');
  size_t count = 0, i = 0;
  for (; i + 64 <= n; i += 64)
    count += static_cast<size_t>(_mm_popcnt_u64(_mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s + i), nl)));
  if (i < n) {
    const __m512i v = _mm512_maskz_loadu_epi8(tail_mask(n - i), s + i);
    count += static_cast<size_t>(_mm_popcnt_u64(_mm512_mask_cmpeq_epi8_mask(tail_mask(n - i), v, nl)));
  }
  return count;
}

}  // namespace jwtbatch::kernels
