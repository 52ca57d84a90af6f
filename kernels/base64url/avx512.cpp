// avx512.cpp: strict base64url decode and encode with AVX-512 VBMI (64 characters <-> 48 bytes
// per step), with exactly the results of scalar.cpp.
//
// Decode, per 64 characters:
//   1. translate and validate at once: vpermi2b looks every byte up in a 128-entry table (the 7
//      low bits index it) holding the 6-bit value, or 0x80 for bytes outside the alphabet; bytes
//      >= 0x80 carry their own top bit, so (value | byte) has its top bit set iff the byte is
//      invalid;
//   2. pack 4 x 6 bits into 3 bytes: vpmaddubsw and vpmaddwd join the fields in each 32-bit lane,
//      one vpermb gathers the 3 meaningful bytes of all 16 lanes into the low 48 bytes.
// A block with any invalid byte hands the rest of the input to base64url_decode_scalar_from, which
// finds and reports the first offending character (errors are rare, and the scalar code is the
// definition of which error wins). Nothing outside the input is read: the last partial block is
// the 64 bytes that end at the input's end, moved down by a masked vpermb that fills the rest with
// 'A' (value 0); only an input shorter than 64 bytes is read with a masked load instead. (A masked
// load that reaches past the input would be safe, masked-off bytes never fault, but on some CPUs
// it waits for any in-flight store to the bytes it spans, such as the output just written when
// `out` follows `in` in memory; docs/kernels/base64url.md.) A last character whose unused low bits
// are not zero is caught up front with one table lookup and left to the reference. Stores that
// would pass the end of `out` are masked.
//
// Encode, per 48 bytes: vpermb puts each 3-byte group, big-endian, in the low 24 bits of a 32-bit
// lane; vpmultishiftqb extracts the four 6-bit fields (bit offsets 18, 12, 6, 0 of each lane) into
// bytes; vpermb maps them through the 64-character alphabet (it ignores the two top bits).
//
// References: RFC 4648 sections 5 and 10; W. Mula, D. Lemire, "Base64 encoding and decoding at
// almost the speed of a memory copy", Software: Practice and Experience 50(2), 2020 (the
// vpermi2b / vpmultishiftqb approach, here redone for the url alphabet and strict decoding).
// Tables: generated at compile time from the alphabet by the constexpr functions below (they are
// the generator) and checked by static_assert.
//
// ISA file: compiled with -mavx2 -mavx512f -mavx512bw -mavx512vl -mavx512vbmi only; includes only
// intrinsics and its own header, has no dynamically initialised globals, and is called only
// through kernels/cpu once AVX-512 F/BW/VL/VBMI and the OS's ZMM state are detected.
#include <immintrin.h>

// GCC 12's AVX-512 VBMI intrinsics pass an intentionally undefined vector to their builtins and
// then warn about it when inlined (GCC bug 105593, fixed in GCC 13); nothing here is uninitialised.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kernels/base64url/base64url.hpp"

namespace jwtbatch::kernels {
namespace {

constexpr uint8_t kInvalid = 0x80;

struct Table64 {
  alignas(64) uint8_t b[64];
};

// kDecodeLo / kDecodeHi: the value of bytes 0x00..0x3f / 0x40..0x7f, or kInvalid.
constexpr Table64 make_decode_table(int first) {
  Table64 t{};
  for (int c = 0; c < 64; ++c) {
    t.b[c] = kInvalid;
    for (int v = 0; v < 64; ++v)
      if (kBase64urlAlphabet[v] == first + c) t.b[c] = static_cast<uint8_t>(v);
  }
  return t;
}
constexpr Table64 kDecodeLo = make_decode_table(0x00);
constexpr Table64 kDecodeHi = make_decode_table(0x40);

constexpr Table64 make_iota() {
  Table64 t{};
  for (int k = 0; k < 64; ++k) t.b[k] = static_cast<uint8_t>(k);
  return t;
}
constexpr Table64 kIota = make_iota();

// kPackGather: output byte k is byte 2 - k % 3 of 32-bit lane k / 3 (each lane holds its 24 bits
// little-endian); bytes 48..63 are never stored.
constexpr Table64 make_pack_gather() {
  Table64 t{};
  for (int k = 0; k < 48; ++k) t.b[k] = static_cast<uint8_t>(4 * (k / 3) + 2 - k % 3);
  return t;
}
constexpr Table64 kPackGather = make_pack_gather();

// kEncodeGather: lane g (bytes 4g..4g+3) gets input bytes 3g+2, 3g+1, 3g, 3g, i.e. the group's
// 24 bits little-endian in its low three bytes.
constexpr Table64 make_encode_gather() {
  Table64 t{};
  for (int g = 0; g < 16; ++g) {
    t.b[4 * g + 0] = static_cast<uint8_t>(3 * g + 2);
    t.b[4 * g + 1] = static_cast<uint8_t>(3 * g + 1);
    t.b[4 * g + 2] = static_cast<uint8_t>(3 * g);
    t.b[4 * g + 3] = static_cast<uint8_t>(3 * g);
  }
  return t;
}
constexpr Table64 kEncodeGather = make_encode_gather();

// kEncodeShifts: vpmultishiftqb bit offsets inside each 64-bit word (two lanes): the fields of
// lane 0 start at bits 18, 12, 6, 0, those of lane 1 at 50, 44, 38, 32.
constexpr Table64 make_encode_shifts() {
  Table64 t{};
  constexpr uint8_t kShifts[8] = {18, 12, 6, 0, 50, 44, 38, 32};
  for (int k = 0; k < 64; ++k) t.b[k] = kShifts[k % 8];
  return t;
}
constexpr Table64 kEncodeShifts = make_encode_shifts();

constexpr Table64 make_alphabet() {
  Table64 t{};
  for (int v = 0; v < 64; ++v) t.b[v] = static_cast<uint8_t>(kBase64urlAlphabet[v]);
  return t;
}
constexpr Table64 kEncodeAlphabet = make_alphabet();

static_assert(kDecodeLo.b['-'] == 62 && kDecodeLo.b['0'] == 52 && kDecodeLo.b['='] == kInvalid);
static_assert(kDecodeHi.b['_' - 0x40] == 63 && kDecodeHi.b['z' - 0x40] == 51 &&
              kDecodeHi.b['@' - 0x40] == kInvalid && kDecodeHi.b[0x7f - 0x40] == kInvalid);
static_assert(kPackGather.b[0] == 2 && kPackGather.b[3] == 6 && kPackGather.b[47] == 60);

inline __m512i load64(const Table64& t) { return _mm512_load_si512(t.b); }

// mask_below returns a mask of the `len` (<= 64) low bits.
inline __mmask64 mask_below(size_t len) { return len >= 64 ? ~__mmask64{0} : (__mmask64{1} << len) - 1; }

struct DecodeConsts {
  __m512i lo, hi, gather, top_bit;
};

// translate returns the 6-bit values of the 64 characters in `c`; a byte of (value | c) has its
// top bit set iff that character is invalid.
inline __m512i translate(__m512i c, const DecodeConsts& k) { return _mm512_permutex2var_epi8(k.lo, c, k.hi); }

// load_tail returns the `len` (< 64) characters at in[i..n) in the low bytes, 'A' above, reading
// nothing outside in[0..n).
inline __m512i load_tail(const char* s, size_t i, size_t n) {
  const size_t len = n - i;
  const __m512i fill = _mm512_set1_epi8('A');
  if (n < 64) return _mm512_mask_loadu_epi8(fill, mask_below(len), s + i);
  const __m512i last = _mm512_loadu_si512(s + n - 64);
  const __m512i index = _mm512_add_epi8(load64(kIota), _mm512_set1_epi8(static_cast<char>(64 - len)));
  return _mm512_mask_permutexvar_epi8(fill, mask_below(len), index, last);
}

// pack joins 64 6-bit values into 48 bytes, in the low 48 bytes of the result.
inline __m512i pack(__m512i v, const DecodeConsts& k) {
  // [a b c d] -> a<<6|b, c<<6|d (16 bits each) -> (a<<6|b)<<12 | (c<<6|d) (24 bits per lane).
  const __m512i pairs = _mm512_maddubs_epi16(v, _mm512_set1_epi32(0x01400140));
  const __m512i lanes = _mm512_madd_epi16(pairs, _mm512_set1_epi32(0x00011000));
  return _mm512_permutexvar_epi8(k.gather, lanes);
}

}  // namespace

DecodeResult base64url_decode_avx512(std::span<const char> in, std::span<uint8_t> out) noexcept {
  const size_t n = in.size();
  if (!base64url_simd_may_decode(in, out.size())) return base64url_decode_scalar(in, out);

  const char* s = in.data();
  uint8_t* d = out.data();
  const size_t room = out.size();
  const DecodeConsts k{load64(kDecodeLo), load64(kDecodeHi), load64(kPackGather),
                       _mm512_set1_epi8(static_cast<char>(0x80))};
  size_t i = 0, o = 0;

  // Two blocks per step; each 64-byte store writes 48 meaningful bytes, so stay 16 inside `out`.
  for (; i + 128 <= n && o + 112 <= room; i += 128, o += 96) {
    const __m512i c0 = _mm512_loadu_si512(s + i);
    const __m512i c1 = _mm512_loadu_si512(s + i + 64);
    const __m512i v0 = translate(c0, k);
    const __m512i v1 = translate(c1, k);
    // 0xfe: a | b | c.
    const __m512i any = _mm512_or_si512(_mm512_ternarylogic_epi32(c0, v0, c1, 0xfe), v1);
    if (_mm512_test_epi8_mask(any, k.top_bit) != 0) return base64url_decode_scalar_from(in, out, i);
    _mm512_storeu_si512(d + o, pack(v0, k));
    _mm512_storeu_si512(d + o + 48, pack(v1, k));
  }

  // The rest, one block at a time; the last one may be partial or too close to the end of `out`.
  while (i < n) {
    const size_t len = n - i < 64 ? n - i : 64;
    const __m512i c = len == 64 ? _mm512_loadu_si512(s + i) : load_tail(s, i, n);
    const __m512i v = translate(c, k);
    if (_mm512_test_epi8_mask(_mm512_or_si512(c, v), k.top_bit) != 0)
      return base64url_decode_scalar_from(in, out, i);
    const __m512i bytes = pack(v, k);
    const size_t out_len = base64url_decoded_len(len);
    if (o + 64 <= room) {
      _mm512_storeu_si512(d + o, bytes);
    } else {
      _mm512_mask_storeu_epi8(d + o, mask_below(out_len), bytes);
    }
    i += len;
    o += out_len;
  }
  return {DecodeStatus::ok, o};
}

size_t base64url_encode_avx512(std::span<const uint8_t> in, std::span<char> out) noexcept {
  const size_t n = in.size();
  const uint8_t* s = in.data();
  char* d = out.data();
  const __m512i gather = load64(kEncodeGather);
  const __m512i shifts = load64(kEncodeShifts);
  const __m512i alphabet = load64(kEncodeAlphabet);
  size_t i = 0, o = 0;
  while (i < n) {
    const size_t len = n - i < 48 ? n - i : 48;
    // Masked: read only the bytes that are there (the zeros past them encode the way unpadded
    // base64 wants the last partial group).
    const __m512i raw = _mm512_maskz_loadu_epi8(mask_below(len), s + i);
    const __m512i lanes = _mm512_permutexvar_epi8(gather, raw);
    const __m512i fields = _mm512_multishift_epi64_epi8(shifts, lanes);
    const __m512i chars = _mm512_permutexvar_epi8(fields, alphabet);
    const size_t out_len = base64url_encoded_len(len);
    if (out_len == 64) {
      _mm512_storeu_si512(d + o, chars);
    } else {
      _mm512_mask_storeu_epi8(d + o, mask_below(out_len), chars);
    }
    i += len;
    o += out_len;
  }
  return o;
}

}  // namespace jwtbatch::kernels
