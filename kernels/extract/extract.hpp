// extract.hpp: the contract of the token-extraction kernels: find JWT-looking substrings (compact
// JWS) in arbitrary text (log lines, HTTP headers, query strings, JSON), and count newlines.
//
// Definition (the scalar reference implements exactly this; every SIMD variant returns what it
// returns, and is tested against it):
//   - A word is a maximal run of the characters A-Z a-z 0-9 '-' '_' '.' (the base64url alphabet
//     and the dot). Words are maximal in the whole `text`; only words beginning at or after
//     `start` are looked at.
//   - A word is a token when it begins with "eyJ" (the base64url of `{"`) and, after dropping one
//     final '.' when it has exactly three dots (a sentence's full stop: "... eyJa.eyJb.c."), it
//     has exactly two dots and a non-empty middle part. The signature part may be empty (an
//     `alg: none` token ends in a dot). Five-part JWE and other dotted words are not tokens.
//   - A token longer than `max_token_len` is reported with len = max_token_len + 1 (its first
//     bytes), so a verifier with that limit answers too_large without reading the rest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace jwtbatch::kernels {

// TokenSpan is where one token lies in the text: bytes [offset, offset + len).
struct TokenSpan {
  uint64_t offset = 0;
  uint64_t len = 0;
  bool operator==(const TokenSpan&) const = default;
};

// ExtractResult: `num_tokens` spans were written to `out`; scanning stopped at `resume`: the text's
// size when the whole text was scanned, else (`out` was full) the offset of the first token not
// written. Call again with start = resume to continue.
struct ExtractResult {
  size_t num_tokens = 0;
  size_t resume = 0;
  bool operator==(const ExtractResult&) const = default;
};

// ExtractTokens writes the tokens (definition above) of the words of `text` that begin at or after
// `start`, in order, to `out` (at most out.size() of them). It never reads outside `text`, never
// allocates and never fails. `max_token_len` is at least 16.
using ExtractTokens = ExtractResult (*)(std::span<const char> text, size_t start, size_t max_token_len,
                                        std::span<TokenSpan> out) noexcept;

// CountNewlines returns the number of '\n' bytes in `text`.
using CountNewlines = size_t (*)(std::span<const char> text) noexcept;

// is_token_char says whether `c` belongs to a word (A-Z a-z 0-9 - _ .).
constexpr bool is_token_char(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// The scalar reference: the definition every other variant is tested against.
ExtractResult extract_tokens_scalar(std::span<const char> text, size_t start, size_t max_token_len,
                                    std::span<TokenSpan> out) noexcept;
size_t count_newlines_scalar(std::span<const char> text) noexcept;

// extract_judge_word decides whether the word text[begin, end) (which begins with "eyJ" and holds
// `num_dots` dots) is a token and fills `out` if so. Shared by every variant (a SIMD variant finds
// words and counts their dots; the rules live here once).
bool extract_judge_word(std::span<const char> text, size_t begin, size_t end, size_t num_dots,
                        size_t max_token_len, TokenSpan* out) noexcept;

// The SIMD variants (x86-64: avx2.cpp, avx512.cpp with AVX-512 BW; ARM64: neon.cpp), reached
// through kernels/cpu/cpu.hpp.
ExtractResult extract_tokens_avx2(std::span<const char> text, size_t start, size_t max_token_len,
                                  std::span<TokenSpan> out) noexcept;
size_t count_newlines_avx2(std::span<const char> text) noexcept;
ExtractResult extract_tokens_avx512(std::span<const char> text, size_t start, size_t max_token_len,
                                    std::span<TokenSpan> out) noexcept;
size_t count_newlines_avx512(std::span<const char> text) noexcept;
ExtractResult extract_tokens_neon(std::span<const char> text, size_t start, size_t max_token_len,
                                  std::span<TokenSpan> out) noexcept;
size_t count_newlines_neon(std::span<const char> text) noexcept;

}  // namespace jwtbatch::kernels
