// scalar.cpp: the reference base64url decoder and encoder (RFC 4648 section 5, strict, unpadded).
// Readable first: every SIMD variant is defined as "returns what this returns".
#include <array>

#include "kernels/base64url/base64url.hpp"

namespace jwtbatch::kernels {
namespace {

constexpr uint8_t kInvalid = 0xff;

constexpr std::array<uint8_t, 256> make_decode_table() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (int v = 0; v < 64; ++v) t[static_cast<uint8_t>(kBase64urlAlphabet[v])] = static_cast<uint8_t>(v);
  return t;
}
constexpr std::array<uint8_t, 256> kDecode = make_decode_table();

}  // namespace

DecodeResult base64url_decode_scalar(std::span<const char> in, std::span<uint8_t> out) noexcept {
  const size_t n = in.size();
  // Report the first bad character before a bad length, so callers can point at it.
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  size_t full = n / 4 * 4;
  size_t o = 0;
  const size_t need = base64url_decoded_len(n);
  for (size_t i = 0; i < n; ++i) {
    if (kDecode[s[i]] == kInvalid) return {DecodeStatus::bad_char, i};
  }
  if (n % 4 == 1) return {DecodeStatus::bad_length, n};
  if (out.size() < need) return {DecodeStatus::out_too_small, n};
  for (size_t i = 0; i < full; i += 4) {
    uint32_t v = uint32_t{kDecode[s[i]]} << 18 | uint32_t{kDecode[s[i + 1]]} << 12 |
                 uint32_t{kDecode[s[i + 2]]} << 6 | uint32_t{kDecode[s[i + 3]]};
    out[o++] = static_cast<uint8_t>(v >> 16);
    out[o++] = static_cast<uint8_t>(v >> 8);
    out[o++] = static_cast<uint8_t>(v);
  }
  switch (n % 4) {
    case 2: {  // 12 bits: one byte, the low 4 bits of the second character must be zero
      uint32_t a = kDecode[s[full]], b = kDecode[s[full + 1]];
      if (b & 0x0f) return {DecodeStatus::bad_trailing, full + 1};
      out[o++] = static_cast<uint8_t>(a << 2 | b >> 4);
      break;
    }
    case 3: {  // 18 bits: two bytes, the low 2 bits of the third character must be zero
      uint32_t a = kDecode[s[full]], b = kDecode[s[full + 1]], c = kDecode[s[full + 2]];
      if (c & 0x03) return {DecodeStatus::bad_trailing, full + 2};
      uint32_t v = a << 18 | b << 12 | c << 6;
      out[o++] = static_cast<uint8_t>(v >> 16);
      out[o++] = static_cast<uint8_t>(v >> 8);
      break;
    }
    default:
      break;
  }
  return {DecodeStatus::ok, o};
}

DecodeResult base64url_decode_scalar_from(std::span<const char> in, std::span<uint8_t> out,
                                          size_t pos) noexcept {
  const size_t written = pos / 4 * 3;
  DecodeResult r = base64url_decode_scalar(in.subspan(pos), out.subspan(written));
  switch (r.status) {
    case DecodeStatus::ok: r.count += written; break;
    case DecodeStatus::bad_char:
    case DecodeStatus::bad_trailing: r.count += pos; break;
    case DecodeStatus::bad_length:
    case DecodeStatus::out_too_small: r.count = in.size(); break;
  }
  return r;
}

size_t base64url_encode_scalar_from(std::span<const uint8_t> in, std::span<char> out,
                                    size_t pos) noexcept {
  const size_t written = pos / 3 * 4;
  return written + base64url_encode_scalar(in.subspan(pos), out.subspan(written));
}

size_t base64url_encode_scalar(std::span<const uint8_t> in, std::span<char> out) noexcept {
  const size_t n = in.size();
  size_t i = 0, o = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8 | in[i + 2];
    out[o++] = kBase64urlAlphabet[v >> 18 & 63];
    out[o++] = kBase64urlAlphabet[v >> 12 & 63];
    out[o++] = kBase64urlAlphabet[v >> 6 & 63];
    out[o++] = kBase64urlAlphabet[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = uint32_t{in[i]} << 16;
    out[o++] = kBase64urlAlphabet[v >> 18 & 63];
    out[o++] = kBase64urlAlphabet[v >> 12 & 63];
  } else if (n - i == 2) {
    uint32_t v = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8;
    out[o++] = kBase64urlAlphabet[v >> 18 & 63];
    out[o++] = kBase64urlAlphabet[v >> 12 & 63];
    out[o++] = kBase64urlAlphabet[v >> 6 & 63];
  }
  return o;
}

}  // namespace jwtbatch::kernels
