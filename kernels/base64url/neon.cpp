// neon.cpp: strict base64url decode and encode with ARM64 Advanced SIMD (64 characters <-> 48
// bytes per step), with exactly the results of scalar.cpp.
//
// Decode, per 64 characters: vld4q_u8 de-interleaves them into the first, second, third and
// fourth characters of 16 quanta. Each vector is looked up in a 128-entry table (vqtbl4q_u8 for
// bytes 0x00..0x3f, then vqtbx4q_u8 with the byte XOR 0x40 for 0x40..0x7f; indices >= 64 leave
// the lane alone) holding the 6-bit value or 0xff. Bytes >= 0x80 carry their own top bit, so
// (value | byte) has its top bit set iff the byte is invalid. Shifts and ORs join the four
// vectors of values into three of bytes, and vst3q_u8 interleaves them into 48 output bytes
// (exactly: NEON stores never scribble past the output).
// A block with any invalid byte hands the rest of the input to base64url_decode_scalar_from, which
// finds and reports the first offending character (errors are rare, and the scalar code is the
// definition of which error wins). The last (< 64 character) block is copied into a stack buffer
// filled with 'A' (value 0), so nothing past the input is read. A last character whose unused low
// bits are not zero is caught up front with one table lookup and left to the reference.
//
// Encode, per 48 bytes: vld3q_u8 de-interleaves the three bytes of 16 groups, shifts cut the four
// 6-bit fields, vqtbl4q_u8 maps them through the 64-character alphabet and vst4q_u8 interleaves
// them into 64 characters. The last < 48 bytes go to base64url_encode_scalar_from.
//
// References: RFC 4648 sections 5 and 10; Arm, "Arm C Language Extensions for Neon" (vld4q,
// vqtbl4q, vqtbx4q); the table-lookup decoding idea as in W. Mula, D. Lemire, "Base64 encoding and
// decoding at almost the speed of a memory copy", Software: Practice and Experience 50(2), 2020.
// Tables: generated at compile time from the alphabet by the constexpr functions below (they are
// the generator) and checked by static_assert.
//
// ISA file: Advanced SIMD is in the AArch64 baseline, so no extra flag; includes only intrinsics
// and its own header and has no dynamically initialised globals.
#include <arm_neon.h>

#include "kernels/base64url/base64url.hpp"

namespace jwtbatch::kernels {
namespace {

constexpr uint8_t kInvalid = 0xff;

struct Table128 {
  alignas(16) uint8_t b[128];
};

// kDecode: the value of bytes 0x00..0x7f, or kInvalid.
constexpr Table128 make_decode_table() {
  Table128 t{};
  for (int c = 0; c < 128; ++c) {
    t.b[c] = kInvalid;
    for (int v = 0; v < 64; ++v)
      if (kBase64urlAlphabet[v] == c) t.b[c] = static_cast<uint8_t>(v);
  }
  return t;
}
constexpr Table128 kDecode = make_decode_table();

struct Table64 {
  alignas(16) uint8_t b[64];
};

constexpr Table64 make_alphabet() {
  Table64 t{};
  for (int v = 0; v < 64; ++v) t.b[v] = static_cast<uint8_t>(kBase64urlAlphabet[v]);
  return t;
}
constexpr Table64 kEncodeAlphabet = make_alphabet();

static_assert(kDecode.b['-'] == 62 && kDecode.b['_'] == 63 && kDecode.b['A'] == 0 &&
              kDecode.b['z'] == 51 && kDecode.b['='] == kInvalid && kDecode.b[0x7f] == kInvalid);

inline uint8x16x4_t load_table(const uint8_t* t) {
  uint8x16x4_t r;
  r.val[0] = vld1q_u8(t);
  r.val[1] = vld1q_u8(t + 16);
  r.val[2] = vld1q_u8(t + 32);
  r.val[3] = vld1q_u8(t + 48);
  return r;
}

struct DecodeConsts {
  uint8x16x4_t lo, hi;
};

// translate returns the 6-bit values of the 16 characters in `c` and ORs (value | c) into `err`
// (its top bit marks an invalid character).
inline uint8x16_t translate(uint8x16_t c, const DecodeConsts& k, uint8x16_t& err) {
  const uint8x16_t lo = vqtbl4q_u8(k.lo, c);
  const uint8x16_t v = vqtbx4q_u8(lo, k.hi, veorq_u8(c, vdupq_n_u8(0x40)));
  err = vorrq_u8(err, vorrq_u8(c, v));
  return v;
}

// decode_block decodes the 64 characters at `s` into 48 bytes at `d`; false (and nothing written)
// if any is invalid.
inline bool decode_block(const uint8_t* s, uint8_t* d, const DecodeConsts& k) {
  const uint8x16x4_t c = vld4q_u8(s);
  uint8x16_t err = vdupq_n_u8(0);
  const uint8x16_t a = translate(c.val[0], k, err);
  const uint8x16_t b = translate(c.val[1], k, err);
  const uint8x16_t e = translate(c.val[2], k, err);
  const uint8x16_t f = translate(c.val[3], k, err);
  if (vmaxvq_u8(err) >= 0x80) return false;
  uint8x16x3_t out;
  out.val[0] = vorrq_u8(vshlq_n_u8(a, 2), vshrq_n_u8(b, 4));
  out.val[1] = vorrq_u8(vshlq_n_u8(b, 4), vshrq_n_u8(e, 2));
  out.val[2] = vorrq_u8(vshlq_n_u8(e, 6), f);
  vst3q_u8(d, out);
  return true;
}

}  // namespace

DecodeResult base64url_decode_neon(std::span<const char> in, std::span<uint8_t> out) noexcept {
  const size_t n = in.size();
  const size_t need = base64url_decoded_len(n);
  // Lengths and sizes that fail are rare; the reference orders their errors against bad chars.
  if (n % 4 == 1 || out.size() < need || !base64url_last_char_canonical(in))
    return base64url_decode_scalar(in, out);

  const auto* s = reinterpret_cast<const uint8_t*>(in.data());
  uint8_t* d = out.data();
  const DecodeConsts k{load_table(kDecode.b), load_table(kDecode.b + 64)};
  size_t i = 0, o = 0;
  for (; i + 64 <= n; i += 64, o += 48)
    if (!decode_block(s + i, d + o, k)) return base64url_decode_scalar_from(in, out, i);
  if (i == n) return {DecodeStatus::ok, o};

  const size_t len = n - i;
  const size_t out_len = base64url_decoded_len(len);
  alignas(16) uint8_t chars[64];
  alignas(16) uint8_t bytes[48];
  for (size_t j = 0; j < len; ++j) chars[j] = s[i + j];
  for (size_t j = len; j < 64; ++j) chars[j] = 'A';
  if (!decode_block(chars, bytes, k)) return base64url_decode_scalar_from(in, out, i);
  for (size_t j = 0; j < out_len; ++j) d[o + j] = bytes[j];
  return {DecodeStatus::ok, o + out_len};
}

size_t base64url_encode_neon(std::span<const uint8_t> in, std::span<char> out) noexcept {
  const size_t n = in.size();
  const uint8_t* s = in.data();
  auto* d = reinterpret_cast<uint8_t*>(out.data());
  const uint8x16x4_t alphabet = load_table(kEncodeAlphabet.b);
  const uint8x16_t low6 = vdupq_n_u8(0x3f);
  size_t i = 0, o = 0;
  for (; i + 48 <= n; i += 48, o += 64) {
    const uint8x16x3_t b = vld3q_u8(s + i);
    uint8x16x4_t f;
    f.val[0] = vshrq_n_u8(b.val[0], 2);
    f.val[1] = vandq_u8(vorrq_u8(vshlq_n_u8(b.val[0], 4), vshrq_n_u8(b.val[1], 4)), low6);
    f.val[2] = vandq_u8(vorrq_u8(vshlq_n_u8(b.val[1], 2), vshrq_n_u8(b.val[2], 6)), low6);
    f.val[3] = vandq_u8(b.val[2], low6);
    for (auto& v : f.val) v = vqtbl4q_u8(alphabet, v);
    vst4q_u8(d + o, f);
  }
  return base64url_encode_scalar_from(in, out, i);
}

}  // namespace jwtbatch::kernels
