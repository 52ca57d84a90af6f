// scalar.cpp: the reference token extractor and newline counter (the definition in extract.hpp),
// readable first: one pass over the words of the text.
#include <cstring>

#include "kernels/extract/extract.hpp"

namespace jwtbatch::kernels {

bool extract_judge_word(std::span<const char> text, size_t begin, size_t end, size_t num_dots,
                        size_t max_token_len, TokenSpan* out) noexcept {
  // A full stop after a token: drop one final dot of a three-dot word.
  if (num_dots == 3 && text[end - 1] == '.') {
    --end;
    num_dots = 2;
  }
  if (num_dots != 2) return false;
  // The header part begins with "eyJ", so it is not empty; the claims part must not be.
  const void* dot = std::memchr(text.data() + begin, '.', end - begin);
  const size_t dot1 = static_cast<size_t>(static_cast<const char*>(dot) - text.data());
  if (text[dot1 + 1] == '.') return false;
  const size_t len = end - begin;
  out->offset = begin;
  out->len = len > max_token_len ? max_token_len + 1 : len;
  return true;
}

ExtractResult extract_tokens_scalar(std::span<const char> text, size_t start, size_t max_token_len,
                                    std::span<TokenSpan> out) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = start;
  // A word that began before `start` is not ours: skip its rest.
  if (i > 0 && i < n && is_token_char(s[i - 1]))
    while (i < n && is_token_char(s[i])) ++i;
  size_t num = 0;
  while (i < n) {
    if (!is_token_char(s[i])) {
      ++i;
      continue;
    }
    const size_t begin = i;
    size_t dots = 0;
    while (i < n && is_token_char(s[i])) dots += s[i++] == '.';
    if (i - begin >= 3 && s[begin] == 'e' && s[begin + 1] == 'y' && s[begin + 2] == 'J') {
      TokenSpan t;
      if (extract_judge_word(text, begin, i, dots, max_token_len, &t)) {
        if (num == out.size()) return {num, begin};
        out[num++] = t;
      }
    }
  }
  return {num, n};
}

size_t count_newlines_scalar(std::span<const char> text) noexcept {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

}  // namespace jwtbatch::kernels
