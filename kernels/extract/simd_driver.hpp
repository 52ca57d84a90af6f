// simd_driver.hpp: the loop every SIMD extraction variant shares (avx2.cpp, avx512.cpp, neon.cpp):
// find the next "eyJ", pass over it when it starts inside a word, take the whole word, judge it
// with the reference's rules (extract_judge_word). Each variant brings its own two kernels; this
// template is instantiated in the variant's file, so it is compiled with that file's ISA flags.
#pragma once

#include <cstddef>
#include <span>

#include "kernels/extract/extract.hpp"

namespace jwtbatch::kernels {

// FindEyj: size_t(const char* s, size_t from, size_t n), the first "eyJ" at or after `from`, or n.
// WordEnd: size_t(const char* s, size_t p, size_t n, size_t* dots), the end of the word running
// through p, its dots from p on added to *dots.
template <class FindEyj, class WordEnd>
inline ExtractResult extract_tokens_with(std::span<const char> text, size_t start, size_t max_token_len,
                                         std::span<TokenSpan> out, FindEyj find_eyj, WordEnd word_end) noexcept {
  const char* s = text.data();
  const size_t n = text.size();
  size_t i = start, num = 0, ignored = 0;
  if (i > 0 && i < n && is_token_char(static_cast<unsigned char>(s[i - 1]))) i = word_end(s, i, n, &ignored);
  while (i < n) {
    const size_t p = find_eyj(s, i, n);
    if (p >= n) break;
    if (p > 0 && is_token_char(static_cast<unsigned char>(s[p - 1]))) {
      i = p + 1;
      continue;
    }
    size_t dots = 0;
    const size_t e = word_end(s, p, n, &dots);
    TokenSpan t;
    if (extract_judge_word(text, p, e, dots, max_token_len, &t)) {
      if (num == out.size()) return {num, p};
      out[num++] = t;
    }
    i = e;
  }
  return {num, n};
}

}  // namespace jwtbatch::kernels
