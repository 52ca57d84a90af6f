// avx2.cpp: strict base64url decode and encode with AVX2 (32 characters <-> 24 bytes per step),
// with exactly the results of scalar.cpp.
//
// Decode, per 32 characters:
//   1. validate: a byte is in the url alphabet iff lo_lut[low nibble] & hi_lut[high nibble] == 0
//      (two vpshufb, one vpand; every invalid byte of a block ORs into an error vector);
//   2. translate: add an offset chosen by the high nibble (one vpshufb), with '_' as the one
//      exception inside its nibble group (vpcmpeqb + vpblendvb);
//   3. pack 4 x 6 bits into 3 bytes: vpmaddubsw and vpmaddwd join the fields in each 32-bit lane,
//      vpshufb keeps 3 bytes of every lane, vpermd closes the gap between the 128-bit halves.
// A block with any invalid byte hands the rest of the input to base64url_decode_scalar_from, which
// finds and reports the first offending character: errors are rare, and the scalar code is the
// definition of which error wins. The last (< 32 character) block is read with vpmaskmovd plus a
// byte-wise last word, so no byte past the input is touched, and is padded with 'A' (value 0). A
// last character whose unused low bits are not zero is caught up front with one table lookup and
// left to the reference.
//
// Encode, per 24 bytes: vpshufb spreads each 3-byte group (b0 b1 b2) over a 32-bit lane as
// b1 b0 b2 b1; two masks with vpmulhuw / vpmullw move the four 6-bit fields into four bytes; a
// 16-entry offset table indexed by a saturating subtract maps each field to its ASCII character.
// The last < 28 bytes go to base64url_encode_scalar_from.
//
// References: RFC 4648 sections 5 and 10; W. Mula, D. Lemire, "Faster Base64 Encoding and
// Decoding Using AVX2 Instructions", ACM Transactions on the Web 12(3), 2018 (the nibble
// validation and the multiply-add packing ideas, here redone for the url alphabet).
// Tables: generated at compile time from the alphabet by the constexpr functions below (they are
// the generator) and checked by static_assert.
//
// ISA file: compiled with -mavx2 only; includes only intrinsics and its own header, has no
// dynamically initialised globals, and is called only through kernels/cpu once AVX2 is detected.
#include <immintrin.h>

#include "kernels/base64url/base64url.hpp"

namespace jwtbatch::kernels {
namespace {


// url_value returns the 6-bit value of `c`, or -1 if `c` is not in the url alphabet.
constexpr int url_value(int c) {
  for (int v = 0; v < 64; ++v)
    if (kBase64urlAlphabet[v] == c) return v;
  return -1;
}

struct Table16 {
  alignas(16) uint8_t b[16];
};

// Validation: bytes are classified by high nibble into groups that share the same set of invalid
// low nibbles; each group gets one bit. hi_lut[h] is h's group bit, lo_lut[l] the bits of every
// group in which low nibble l is invalid, so lo_lut[l] & hi_lut[h] != 0 iff byte (h, l) is invalid.
struct ValidationLuts {
  Table16 lo{};
  Table16 hi{};
};

constexpr ValidationLuts make_validation_luts() {
  ValidationLuts t{};
  uint32_t group_sets[8] = {};  // the invalid-low-nibble set of each group
  int num_groups = 0;
  for (int h = 0; h < 16; ++h) {
    uint32_t invalid = 0;
    for (int l = 0; l < 16; ++l)
      if (url_value(h << 4 | l) < 0) invalid |= 1u << l;
    int g = 0;
    while (g < num_groups && group_sets[g] != invalid) ++g;
    if (g == num_groups) {
      if (num_groups == 8) throw "more than 8 nibble groups";  // not a constant expression
      group_sets[num_groups++] = invalid;
    }
    t.hi.b[h] = static_cast<uint8_t>(1u << g);
  }
  for (int l = 0; l < 16; ++l)
    for (int g = 0; g < num_groups; ++g)
      if (group_sets[g] >> l & 1) t.lo.b[l] |= static_cast<uint8_t>(1u << g);
  return t;
}
constexpr ValidationLuts kValidation = make_validation_luts();

// Translation: for every high nibble, all valid bytes but '_' share one offset (value - byte).
constexpr int kUnderscoreOffset = 63 - '_';

constexpr Table16 make_decode_offsets() {
  Table16 t{};
  for (int h = 0; h < 16; ++h) {
    bool seen = false;
    int offset = 0;
    for (int l = 0; l < 16; ++l) {
      const int c = h << 4 | l;
      const int v = url_value(c);
      if (v < 0 || c == '_') continue;
      if (seen && v - c != offset) throw "offsets differ inside a nibble group";
      seen = true;
      offset = v - c;
    }
    t.b[h] = static_cast<uint8_t>(offset);
  }
  return t;
}
constexpr Table16 kDecodeOffsets = make_decode_offsets();

// Encode translation: index = saturating(value - 51), or 13 for values 0..25; entry = ASCII - value.
constexpr uint8_t kEncodeIndexUpper = 13;

constexpr int encode_index(int v) { return v < 26 ? kEncodeIndexUpper : (v > 51 ? v - 51 : 0); }

constexpr Table16 make_encode_offsets() {
  Table16 t{};
  bool seen[16] = {};
  for (int v = 0; v < 64; ++v) {
    const int i = encode_index(v);
    const int offset = kBase64urlAlphabet[v] - v;
    if (seen[i] && static_cast<uint8_t>(offset) != t.b[i]) throw "encode offsets differ";
    seen[i] = true;
    t.b[i] = static_cast<uint8_t>(offset);
  }
  return t;
}
constexpr Table16 kEncodeOffsets = make_encode_offsets();

static_assert(kValidation.hi.b['A' >> 4] != 0 && (kValidation.lo.b['@' & 15] & kValidation.hi.b[4]));
static_assert(static_cast<uint8_t>('-' + kDecodeOffsets.b['-' >> 4]) == 62);
static_assert(static_cast<uint8_t>('a' + kDecodeOffsets.b['a' >> 4]) == 26);
static_assert(static_cast<uint8_t>(63 + kEncodeOffsets.b[encode_index(63)]) == '_');

// Per-byte shuffle of the packed lanes: keep bytes 2,1,0 of every 32-bit lane (big-endian order).
constexpr Table16 kPackShuffle = {{2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 0x80, 0x80, 0x80, 0x80}};
// Encode gather: each 3-byte group g of a 12-byte half becomes the lane b1 b0 b2 b1.
constexpr Table16 kEncodeShuffle = {{1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10}};

inline __m256i broadcast(const Table16& t) {
  return _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(t.b)));
}

struct DecodeConsts {
  __m256i lo_lut, hi_lut, offsets, nibble, underscore, underscore_offset, pack_shuffle, pack_lanes;
};

inline DecodeConsts decode_consts() {
  return {broadcast(kValidation.lo),
          broadcast(kValidation.hi),
          broadcast(kDecodeOffsets),
          _mm256_set1_epi8(0x0f),
          _mm256_set1_epi8('_'),
          _mm256_set1_epi8(static_cast<char>(kUnderscoreOffset)),
          broadcast(kPackShuffle),
          _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7)};
}

// translate returns the 6-bit values of the 32 characters in `c` and ORs a non-zero byte into
// `err` for every invalid one (whose value is then meaningless).
inline __m256i translate(__m256i c, const DecodeConsts& k, __m256i& err) {
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi32(c, 4), k.nibble);
  const __m256i lo = _mm256_and_si256(c, k.nibble);
  err = _mm256_or_si256(
      err, _mm256_and_si256(_mm256_shuffle_epi8(k.lo_lut, lo), _mm256_shuffle_epi8(k.hi_lut, hi)));
  __m256i offset = _mm256_shuffle_epi8(k.offsets, hi);
  offset = _mm256_blendv_epi8(offset, k.underscore_offset, _mm256_cmpeq_epi8(c, k.underscore));
  return _mm256_add_epi8(c, offset);
}

// pack joins 32 6-bit values into 24 bytes, in the low 24 bytes of the result (the rest zero).
inline __m256i pack(__m256i v, const DecodeConsts& k) {
  // [a b c d] -> a<<6|b, c<<6|d (16 bits each) -> (a<<6|b)<<12 | (c<<6|d) (24 bits per lane).
  const __m256i pairs = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
  const __m256i lanes = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
  return _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(lanes, k.pack_shuffle), k.pack_lanes);
}

// load_partial reads the `len` (< 32) characters at `s` without touching any byte past them and
// pads the vector with 'A'. Whole 4-byte words come in through vpmaskmovd, which does not fault
// on masked-off words; the last 0-3 bytes are read one by one.
inline __m256i load_partial(const char* s, size_t len) {
  const int num_words = static_cast<int>(len / 4);
  const __m256i word_index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i in_words = _mm256_cmpgt_epi32(_mm256_set1_epi32(num_words), word_index);
  const __m256i words = _mm256_maskload_epi32(reinterpret_cast<const int*>(s), in_words);
  uint32_t last = 0x41414141;  // "AAAA"
  for (size_t k = 0; k < len % 4; ++k) {
    last &= ~(0xffu << (8 * k));
    last |= uint32_t{static_cast<uint8_t>(s[num_words * 4 + k])} << (8 * k);
  }
  const __m256i fill = _mm256_blendv_epi8(_mm256_set1_epi32(0x41414141),
                                          _mm256_set1_epi32(static_cast<int>(last)),
                                          _mm256_cmpeq_epi32(word_index, _mm256_set1_epi32(num_words)));
  return _mm256_or_si256(words, _mm256_andnot_si256(in_words, fill));
}

}  // namespace

DecodeResult base64url_decode_avx2(std::span<const char> in, std::span<uint8_t> out) noexcept {
  const size_t n = in.size();
  const size_t need = base64url_decoded_len(n);
  // Lengths and sizes that fail are rare; the reference orders their errors against bad chars.
  if (n % 4 == 1 || out.size() < need || !base64url_last_char_canonical(in))
    return base64url_decode_scalar(in, out);

  const char* s = in.data();
  uint8_t* d = out.data();
  const size_t room = out.size();
  const DecodeConsts k = decode_consts();
  size_t i = 0, o = 0;

  // Two blocks per step; each 32-byte store writes 24 meaningful bytes, so stay 8 inside `out`.
  for (; i + 64 <= n && o + 56 <= room; i += 64, o += 48) {
    __m256i err = _mm256_setzero_si256();
    const __m256i v0 = translate(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i)), k, err);
    const __m256i v1 =
        translate(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + 32)), k, err);
    if (!_mm256_testz_si256(err, err)) return base64url_decode_scalar_from(in, out, i);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + o), pack(v0, k));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + o + 24), pack(v1, k));
  }

  // The rest, one block at a time; the last one may be partial or too close to the end of `out`.
  while (i < n) {
    const size_t len = n - i < 32 ? n - i : 32;
    __m256i err = _mm256_setzero_si256();
    const __m256i c = len == 32 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i))
                                : load_partial(s + i, len);
    const __m256i bytes = pack(translate(c, k, err), k);
    if (!_mm256_testz_si256(err, err)) return base64url_decode_scalar_from(in, out, i);
    const size_t out_len = base64url_decoded_len(len);
    if (o + 32 <= room) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + o), bytes);
    } else {
      alignas(32) uint8_t block[32];
      _mm256_store_si256(reinterpret_cast<__m256i*>(block), bytes);
      for (size_t j = 0; j < out_len; ++j) d[o + j] = block[j];
    }
    i += len;
    o += out_len;
  }
  return {DecodeStatus::ok, o};
}

size_t base64url_encode_avx2(std::span<const uint8_t> in, std::span<char> out) noexcept {
  const size_t n = in.size();
  const uint8_t* s = in.data();
  char* d = out.data();
  const __m256i gather = broadcast(kEncodeShuffle);
  const __m256i offsets = broadcast(kEncodeOffsets);
  size_t i = 0, o = 0;
  // Each step reads 28 bytes (two 16-byte loads 12 apart) and uses the first 24.
  for (; i + 28 <= n; i += 24, o += 32) {
    const __m256i raw = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))),
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 12)), 1);
    const __m256i lanes = _mm256_shuffle_epi8(raw, gather);  // b1 b0 b2 b1 per lane
    // Low 16 bits b0<<8|b1: field 0 is bits 10..15 (>>10 via mulhi by 2^6), field 1 bits 4..9
    // (<<4 via mullo by 2^4). High 16 bits b1<<8|b2: field 2 bits 6..11 (>>6 via mulhi by 2^10),
    // field 3 bits 0..5 (<<8 via mullo by 2^8).
    const __m256i f02 = _mm256_mulhi_epu16(_mm256_and_si256(lanes, _mm256_set1_epi32(0x0fc0fc00)),
                                           _mm256_set1_epi32(0x04000040));
    const __m256i f13 = _mm256_mullo_epi16(_mm256_and_si256(lanes, _mm256_set1_epi32(0x003f03f0)),
                                           _mm256_set1_epi32(0x01000010));
    const __m256i values = _mm256_or_si256(f02, f13);
    __m256i index = _mm256_subs_epu8(values, _mm256_set1_epi8(51));
    const __m256i upper = _mm256_cmpgt_epi8(_mm256_set1_epi8(26), values);
    index = _mm256_or_si256(index, _mm256_and_si256(upper, _mm256_set1_epi8(kEncodeIndexUpper)));
    const __m256i chars = _mm256_add_epi8(values, _mm256_shuffle_epi8(offsets, index));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + o), chars);
  }
  return base64url_encode_scalar_from(in, out, i);
}

}  // namespace jwtbatch::kernels
