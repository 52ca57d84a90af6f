// text.hpp: the text primitives around tokens, on the same SIMD kernels the engine runs: strict
// base64url (RFC 7515 section 2, RFC 4648 section 5), finding tokens in raw text (log lines, HTTP
// headers, URLs), counting lines; and which kernel variants this process runs.
//
// The command, the C API and the audit use these rather than the kernels themselves, so a host
// gets exactly the decoding and token finding that jwtbatch's own tools do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace jwtbatch {

// base64url_decode_capacity returns how many bytes `out` must hold for base64url_decode of
// `in_len` characters (the decoded length plus the slack a SIMD decoder may write past it).
size_t base64url_decode_capacity(size_t in_len) noexcept;

// base64url_decode decodes `in` strictly (no padding, no characters outside the url alphabet, the
// last character's unused bits zero) into `out`, which holds at least
// base64url_decode_capacity(in.size()) bytes; bytes of `out` past the result are unspecified
// afterwards. It returns true and sets `*out_len` to the decoded length, or returns false on any
// invalid input or a too short `out`. It never allocates.
[[nodiscard]] bool base64url_decode(std::string_view in, std::span<uint8_t> out, size_t* out_len) noexcept;

// base64url_encode appends the unpadded base64url encoding of `in` to `out`.
void base64url_encode(std::span<const uint8_t> in, std::string* out);

// TokenSpan is where one token lies in a text: bytes [offset, offset + len).
struct TokenSpan {
  uint64_t offset = 0;
  uint64_t len = 0;
  bool operator==(const TokenSpan&) const = default;
};

// FindTokensResult: `num_tokens` spans were written; scanning stopped at `resume`, the text's size
// when the whole text was scanned, else (the output was full) the offset to continue from.
struct FindTokensResult {
  size_t num_tokens = 0;
  size_t resume = 0;
};

// find_tokens writes to `out` (at most out.size()) the compact-JWS tokens among the words of `text`
// that begin at or after `start`. A word is a maximal run of A-Z a-z 0-9 - _ . ; it is a token when
// it begins with "eyJ" and (after dropping one final '.' of a sentence's full stop) holds exactly two
// dots and a non-empty middle part. A token longer than `max_token_len` (at least 16) is reported
// with len = max_token_len + 1, so a verifier with that limit answers too_large without reading the
// rest. It never reads outside `text` and never allocates.
FindTokensResult find_tokens(std::string_view text, size_t start, size_t max_token_len,
                             std::span<TokenSpan> out) noexcept;

// count_newlines returns the number of '\n' bytes in `text`.
size_t count_newlines(std::string_view text) noexcept;

// is_token_char says whether `c` can be part of a word of find_tokens (A-Z a-z 0-9 - _ .).
constexpr bool is_token_char(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// kernel_name returns the name of the SIMD level the text kernels run at ("scalar", "avx2",
// "avx512", "neon"), chosen once per process from the CPU and JWTBATCH_FORCE_ISA.
std::string_view kernel_name() noexcept;

// kernel_variants returns the variant every kernel family runs, on one line, in pipeline order
// ("base64url=avx512 extract=avx512 sha256=shani sha512=avx512 rsa=avx512_ifma p256=avx512_ifma
// p384=avx512_ifma p521=scalar ed25519=avx512_ifma"); docs/dispatch.md says how they are chosen.
std::string kernel_variants();

// kernel_selection_error returns a one-line message when JWTBATCH_FORCE_ISA names a variant that is
// unknown or that this CPU cannot run (the reference kernels run then), else "". Front ends refuse
// to run on it, so that no measurement silently runs another variant than the one asked for.
std::string_view kernel_selection_error() noexcept;

}  // namespace jwtbatch
