// text.cpp: include/jwtbatch/text.hpp over kernels/base64url, kernels/extract and kernels/cpu.
#include "jwtbatch/text.hpp"

#include <cstddef>

#include "kernels/base64url/base64url.hpp"
#include "kernels/cpu/cpu.hpp"
#include "kernels/extract/extract.hpp"

namespace jwtbatch {

static_assert(sizeof(TokenSpan) == sizeof(kernels::TokenSpan) &&
              offsetof(TokenSpan, offset) == offsetof(kernels::TokenSpan, offset) &&
              offsetof(TokenSpan, len) == offsetof(kernels::TokenSpan, len));

size_t base64url_decode_capacity(size_t in_len) noexcept {
  return kernels::base64url_decoded_len(in_len) + kernels::kDecodeOutSlack;
}

bool base64url_decode(std::string_view in, std::span<uint8_t> out, size_t* out_len) noexcept {
  const kernels::DecodeResult r = kernels::active_kernels().base64url_decode({in.data(), in.size()}, out);
  if (r.status != kernels::DecodeStatus::ok) return false;
  *out_len = r.count;
  return true;
}

void base64url_encode(std::span<const uint8_t> in, std::string* out) {
  const size_t old = out->size();
  out->resize(old + kernels::base64url_encoded_len(in.size()));
  const size_t n = kernels::active_kernels().base64url_encode(in, std::span<char>(out->data() + old, out->size() - old));
  out->resize(old + n);
}

FindTokensResult find_tokens(std::string_view text, size_t start, size_t max_token_len,
                             std::span<TokenSpan> out) noexcept {
  // TokenSpan has kernels::TokenSpan's layout (asserted above): the kernel writes the caller's array.
  const kernels::ExtractResult r = kernels::active_kernels().extract_tokens(
      {text.data(), text.size()}, start, max_token_len,
      std::span<kernels::TokenSpan>(reinterpret_cast<kernels::TokenSpan*>(out.data()), out.size()));
  return {r.num_tokens, r.resume};
}

size_t count_newlines(std::string_view text) noexcept {
  return kernels::active_kernels().count_newlines({text.data(), text.size()});
}

std::string_view kernel_name() noexcept { return kernels::active_kernels().name; }

std::string kernel_variants() { return kernels::describe_active_variants(); }

std::string_view kernel_selection_error() noexcept { return kernels::kernel_selection_error(); }

}  // namespace jwtbatch
