// avx2.cpp: SHA-512/384 in 4 lanes of YMM registers (contract in sha512.hpp): one message a 64-bit
// lane. AVX2 has no 64-bit rotation: a rotation is two shifts and an or, except by 8 bits, which
// is a byte shuffle. Compiled with -mavx2; dispatch.cpp calls it only where the CPU has AVX2.
#include <immintrin.h>

#include "kernels/sha512/lanes.hpp"

namespace jwtbatch::kernels::sha512 {
namespace {

struct Avx2Ops {
  using V = __m256i;
  static constexpr size_t kLanes = 4;

  static V load(const uint64_t* p) { return _mm256_load_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store(uint64_t* p, V v) { _mm256_store_si256(reinterpret_cast<__m256i*>(p), v); }
  static V add(V a, V b) { return _mm256_add_epi64(a, b); }
  static V constant(uint64_t k) { return _mm256_set1_epi64x(static_cast<long long>(k)); }
  template <int N>
  static V ror(V x) {
    if constexpr (N == 8) {
      // Each byte moves down one place within its word.
      const V rot8 = _mm256_set_epi64x(0x080f0e0d0c0b0a09, 0x0007060504030201, 0x080f0e0d0c0b0a09,
                                       0x0007060504030201);
      return _mm256_shuffle_epi8(x, rot8);
    } else {
      return _mm256_or_si256(_mm256_srli_epi64(x, N), _mm256_slli_epi64(x, 64 - N));
    }
  }
  template <int N>
  static V shr(V x) { return _mm256_srli_epi64(x, N); }
  static V xor3(V a, V b, V c) { return _mm256_xor_si256(_mm256_xor_si256(a, b), c); }
  static V ch(V e, V f, V g) { return _mm256_xor_si256(_mm256_and_si256(e, f), _mm256_andnot_si256(e, g)); }
  static V maj(V a, V b, V c) {
    return _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)));
  }

  // load_words: lane i's block as four rows of four big-endian words, byte-swapped, each 4x4 of
  // words transposed (unpack pairs, then 128-bit halves) so that w[t] holds word t of every lane.
  static void load_words(const uint8_t* const* blocks, V w[16]) {
    const V bswap = _mm256_set_epi64x(0x08090a0b0c0d0e0f, 0x0001020304050607, 0x08090a0b0c0d0e0f,
                                      0x0001020304050607);
    for (int q = 0; q < 4; ++q) {
      V r[4];
      for (int i = 0; i < 4; ++i) {
        r[i] = _mm256_shuffle_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blocks[i] + 32 * q)), bswap);
      }
      const V t0 = _mm256_unpacklo_epi64(r[0], r[1]), t1 = _mm256_unpackhi_epi64(r[0], r[1]);
      const V t2 = _mm256_unpacklo_epi64(r[2], r[3]), t3 = _mm256_unpackhi_epi64(r[2], r[3]);
      w[4 * q + 0] = _mm256_permute2x128_si256(t0, t2, 0x20);
      w[4 * q + 1] = _mm256_permute2x128_si256(t1, t3, 0x20);
      w[4 * q + 2] = _mm256_permute2x128_si256(t0, t2, 0x31);
      w[4 * q + 3] = _mm256_permute2x128_si256(t1, t3, 0x31);
    }
  }
};

}  // namespace

void sha512_many_avx2(const Sha512Msg* msgs, size_t num_msgs) noexcept {
  hash_in_lanes<Avx2Ops>(msgs, num_msgs);
}

}  // namespace jwtbatch::kernels::sha512
