// avx512.cpp: SHA-512/384 in 8 lanes of ZMM registers (contract in sha512.hpp): one message a
// 64-bit lane, vprorq for the rotations, vpternlogq for Ch, Maj and the three-way xors, vpshufb
// (AVX-512 BW) for the byte order. Compiled with -mavx512f -mavx512bw -mavx512vl; dispatch.cpp
// calls it only where the CPU has all three.
#include <immintrin.h>

// GCC 12 reports the self-initialisation inside _mm512_undefined_epi32 (behind the unpack and
// permute intrinsics) as "may be used uninitialized" once they are inlined; it is not.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels/sha512/lanes.hpp"

namespace jwtbatch::kernels::sha512 {
namespace {

struct Avx512Ops {
  using V = __m512i;
  static constexpr size_t kLanes = 8;

  static V load(const uint64_t* p) { return _mm512_load_si512(p); }
  static void store(uint64_t* p, V v) { _mm512_store_si512(p, v); }
  static V add(V a, V b) { return _mm512_add_epi64(a, b); }
  static V constant(uint64_t k) { return _mm512_set1_epi64(static_cast<long long>(k)); }
  template <int N>
  static V ror(V x) { return _mm512_ror_epi64(x, N); }
  template <int N>
  static V shr(V x) { return _mm512_srli_epi64(x, N); }
  // vpternlogq truth tables, indexed by (a << 2) | (b << 1) | c: odd parity 0x96, a ? b : c 0xca,
  // majority 0xe8.
  static V xor3(V a, V b, V c) { return _mm512_ternarylogic_epi64(a, b, c, 0x96); }
  static V ch(V e, V f, V g) { return _mm512_ternarylogic_epi64(e, f, g, 0xca); }
  static V maj(V a, V b, V c) { return _mm512_ternarylogic_epi64(a, b, c, 0xe8); }

  // load_words: lane i's block as two rows of eight big-endian words, byte-swapped, then each 8x8
  // of words transposed (unpack pairs, interleave 128-bit pairs, then 256-bit halves) so that
  // w[t] holds word t of every lane.
  static void load_words(const uint8_t* const* blocks, V w[16]) {
    const V bswap = _mm512_set_epi64(0x08090a0b0c0d0e0f, 0x0001020304050607, 0x08090a0b0c0d0e0f,
                                     0x0001020304050607, 0x08090a0b0c0d0e0f, 0x0001020304050607,
                                     0x08090a0b0c0d0e0f, 0x0001020304050607);
    const V even = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    const V odd = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    for (int half = 0; half < 2; ++half) {
      V r[8];
      for (int i = 0; i < 8; ++i) r[i] = _mm512_shuffle_epi8(_mm512_loadu_si512(blocks[i] + 64 * half), bswap);
      V t[8];
      for (int k = 0; k < 4; ++k) {
        t[2 * k] = _mm512_unpacklo_epi64(r[2 * k], r[2 * k + 1]);      // words 0 2 4 6 of two rows
        t[2 * k + 1] = _mm512_unpackhi_epi64(r[2 * k], r[2 * k + 1]);  // words 1 3 5 7
      }
      V u[8];  // u[0..3] rows 0-3, u[4..7] rows 4-7: words (0,4) (2,6) (1,5) (3,7)
      for (int k = 0; k < 2; ++k) {
        u[4 * k + 0] = _mm512_permutex2var_epi64(t[4 * k], even, t[4 * k + 2]);
        u[4 * k + 1] = _mm512_permutex2var_epi64(t[4 * k], odd, t[4 * k + 2]);
        u[4 * k + 2] = _mm512_permutex2var_epi64(t[4 * k + 1], even, t[4 * k + 3]);
        u[4 * k + 3] = _mm512_permutex2var_epi64(t[4 * k + 1], odd, t[4 * k + 3]);
      }
      V* out = w + 8 * half;
      out[0] = _mm512_shuffle_i64x2(u[0], u[4], 0x44);
      out[4] = _mm512_shuffle_i64x2(u[0], u[4], 0xee);
      out[2] = _mm512_shuffle_i64x2(u[1], u[5], 0x44);
      out[6] = _mm512_shuffle_i64x2(u[1], u[5], 0xee);
      out[1] = _mm512_shuffle_i64x2(u[2], u[6], 0x44);
      out[5] = _mm512_shuffle_i64x2(u[2], u[6], 0xee);
      out[3] = _mm512_shuffle_i64x2(u[3], u[7], 0x44);
      out[7] = _mm512_shuffle_i64x2(u[3], u[7], 0xee);
    }
  }
};

}  // namespace

void sha512_many_avx512(const Sha512Msg* msgs, size_t num_msgs) noexcept {
  hash_in_lanes<Avx512Ops>(msgs, num_msgs);
}

}  // namespace jwtbatch::kernels::sha512
