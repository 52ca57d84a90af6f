// avx512_ifma.cpp: the RSA public operation s^e mod n for 8 signatures at once (contract in rsa.hpp),
// AVX-512 IFMA (vpmadd52luq / vpmadd52huq).
//
// Layout: numbers are cut into 52-bit limbs; one zmm register holds limb j of all 8 lanes, so
// every lane does the same instruction stream on its own numbers, and a lane may belong to any key
// of the same limb count (the modulus and -n^-1 mod 2^52 are per lane too). Limbs live in 64-bit
// words, so column sums of many 52-bit partial products need no carry handling until the end of a
// multiplication (at most 4 L terms of < 2^52 per column: < 2^61 for L = 80).
//
// Arithmetic: almost Montgomery multiplication (Gueron, "Efficient software implementations of
// modular exponentiation", J. Cryptographic Engineering 2012; Gueron and Krasnov, "Software
// implementation of modular exponentiation, using advanced vector instructions architectures",
// WAIFI 2012; Drucker and Gueron, "Fast modular squaring with AVX512IFMA", ITNG 2019): with
// R = 2^(52 L) >= 4n and inputs below 2n, a*b*R^-1 + m n / R stays below 2n, so no subtraction is
// needed until the very end. A multiplication is the full 2L-limb product (rows of b in blocks of
// four, so each column word is loaded and stored once per four rows) followed by L word-level
// Montgomery reduction steps, also in blocks of four (the four m values are found first on the
// lowest four columns, then their rows are added to the rest). Squaring computes each off-diagonal
// product once, doubles, and adds the squares: L^2 + L products instead of 2 L^2.
//
// Exponentiation as in scalar.cpp: left to right, last multiplication by s itself. The result,
// below 2n, is reduced once per lane on the way out. No tables, no dynamically initialised globals.
#include <immintrin.h>

// GCC 12 reports the self-initialisation inside _mm512_setzero_si512 / _mm512_undefined_epi32 as
// "used uninitialized" once these helpers are inlined; it is not.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels/rsa/rsa.hpp"

namespace jwtbatch::kernels::rsa {
namespace {

using V = __m512i;

inline V lo(V acc, V a, V b) { return _mm512_madd52lo_epu64(acc, a, b); }
inline V hi(V acc, V a, V b) { return _mm512_madd52hi_epu64(acc, a, b); }

// rows4 adds four rows to columns s0..s1-1: tt[s] += lo(src[s-r] b_r) + hi(src[s-r-1] b_r) for
// r = 0..3, every index in range. The five limbs of src a column needs slide through registers,
// so each column costs one load of src, one load and one store of tt, and eight multiply-adds.
inline void rows4(V* tt, const V* src, int s0, int s1, const V* b) {
  const V b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
  V w1 = src[s0 - 1], w2 = src[s0 - 2], w3 = src[s0 - 3], w4 = src[s0 - 4];
  for (int s = s0; s < s1; ++s) {
    const V w0 = src[s];
    V acc = tt[s];
    acc = lo(acc, w0, b0);
    acc = hi(acc, w1, b0);
    acc = lo(acc, w1, b1);
    acc = hi(acc, w2, b1);
    acc = lo(acc, w2, b2);
    acc = hi(acc, w3, b2);
    acc = lo(acc, w3, b3);
    acc = hi(acc, w4, b3);
    tt[s] = acc;
    w4 = w3;
    w3 = w2;
    w2 = w1;
    w1 = w0;
  }
}

// mul_product sets t[0..2L) to the column sums of a * b (not normalised).
template <int L>
inline void mul_product(V* t, const V* a, const V* b) {
  const V zero = _mm512_setzero_si512();
  for (int k = 0; k < 2 * L; ++k) t[k] = zero;
  for (int i = 0; i < L; i += 4) {
    const V br[4] = {b[i], b[i + 1], b[i + 2], b[i + 3]};
    V* tt = t + i;
    // Column s of this block gets lo(a[s-r] b_r) and hi(a[s-r-1] b_r) for the indices in range.
#pragma GCC unroll 5
    for (int s = 0; s < 5; ++s) {
      V acc = tt[s];
#pragma GCC unroll 4
      for (int r = 0; r < 4; ++r) {
        if (s - r >= 0) acc = lo(acc, a[s - r], br[r]);
        if (s - r - 1 >= 0) acc = hi(acc, a[s - r - 1], br[r]);
      }
      tt[s] = acc;
    }
    rows4(tt, a, 5, L, br);
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) {
      const int s = L + u;
      V acc = tt[s];
#pragma GCC unroll 4
      for (int r = 0; r < 4; ++r) {
        if (s - r <= L - 1) acc = lo(acc, a[s - r], br[r]);
        if (s - r - 1 <= L - 1) acc = hi(acc, a[s - r - 1], br[r]);
      }
      tt[s] = acc;
    }
  }
}

// sqr_product sets t[0..2L) to the column sums of a * a (not normalised).
template <int L>
inline void sqr_product(V* t, const V* a) {
  const V zero = _mm512_setzero_si512();
  for (int k = 0; k < 2 * L; ++k) t[k] = zero;
  for (int i = 0; i < L; i += 4) {
    const V br[4] = {a[i], a[i + 1], a[i + 2], a[i + 3]};
    V* tt = t + 2 * i;  // a[i + r] * a[i + q] lands in column r + q of tt
    // Pairs inside the block, each once.
#pragma GCC unroll 4
    for (int r = 0; r < 4; ++r) {
#pragma GCC unroll 4
      for (int q = r + 1; q < 4; ++q) {
        tt[r + q] = lo(tt[r + q], br[r], br[q]);
        tt[r + q + 1] = hi(tt[r + q + 1], br[r], br[q]);
      }
    }
    if (i + 8 > L) continue;  // the last block has no later limbs
    // Pairs a[j] * a[i + r] with j >= i + 4: column s gets lo(ai[s-r] b_r) for 4 <= s-r <= L-1-i
    // and hi(ai[s-r-1] b_r) for 4 <= s-r-1 <= L-1-i.
    const V* ai = a + i;
#pragma GCC unroll 4
    for (int s = 4; s < 8; ++s) {
      V acc = tt[s];
#pragma GCC unroll 4
      for (int r = 0; r < 4; ++r) {
        if (s - r >= 4) acc = lo(acc, ai[s - r], br[r]);
        if (s - r - 1 >= 4) acc = hi(acc, ai[s - r - 1], br[r]);
      }
      tt[s] = acc;
    }
    const int end = L - i;
    rows4(tt, ai, 8, end, br);
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) {
      const int s = end + u;
      V acc = tt[s];
#pragma GCC unroll 4
      for (int r = 0; r < 4; ++r) {
        if (r >= u + 1) acc = lo(acc, ai[s - r], br[r]);
        if (r >= u) acc = hi(acc, ai[s - r - 1], br[r]);
      }
      tt[s] = acc;
    }
  }
  // Double the off-diagonal sums and add the squares a[j]^2 at column 2j.
  for (int j = 0; j < L; ++j) {
    t[2 * j] = lo(_mm512_add_epi64(t[2 * j], t[2 * j]), a[j], a[j]);
    t[2 * j + 1] = hi(_mm512_add_epi64(t[2 * j + 1], t[2 * j + 1]), a[j], a[j]);
  }
}

// find_m computes the four Montgomery digits m_0..m_3 of one block from its four lowest columns
// c[0..3] (all earlier rows already added): row r adds lo(n[s-r] m_r) and hi(n[s-r-1] m_r) to
// column s, and a cleared column's high bits move up. Only the columns' low 52 bits decide m, so
// the row terms are summed in parallel and the carry is added last, keeping the chain from one m to
// the next at about ten cycles. The carry out of column 3 is added to `next` (column 4).
inline void find_m(const V* c, V* next, const V* n, V k0, V* m) {
  const V zero = _mm512_setzero_si512();
  V c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
  m[0] = lo(zero, c0, k0);
  c1 = _mm512_add_epi64(hi(c1, n[0], m[0]), lo(zero, n[1], m[0]));
  c1 = _mm512_add_epi64(c1, _mm512_srli_epi64(lo(c0, n[0], m[0]), 52));
  c2 = lo(hi(c2, n[1], m[0]), n[2], m[0]);
  c3 = lo(hi(c3, n[2], m[0]), n[3], m[0]);
  m[1] = lo(zero, c1, k0);
  c2 = _mm512_add_epi64(c2, _mm512_add_epi64(hi(zero, n[0], m[1]), lo(zero, n[1], m[1])));
  c2 = _mm512_add_epi64(c2, _mm512_srli_epi64(lo(c1, n[0], m[1]), 52));
  c3 = lo(hi(c3, n[1], m[1]), n[2], m[1]);
  m[2] = lo(zero, c2, k0);
  c3 = _mm512_add_epi64(c3, _mm512_add_epi64(hi(zero, n[0], m[2]), lo(zero, n[1], m[2])));
  c3 = _mm512_add_epi64(c3, _mm512_srli_epi64(lo(c2, n[0], m[2]), 52));
  m[3] = lo(zero, c3, k0);
  *next = _mm512_add_epi64(*next, _mm512_srli_epi64(lo(c3, n[0], m[3]), 52));
}

// reduce_column adds rows m[0..3] of one block to its column s (4 <= s <= L + 3).
template <int L>
inline void reduce_column(V* tt, int s, const V* n, const V* m) {
  V acc = tt[s];
#pragma GCC unroll 4
  for (int r = 0; r < 4; ++r) {
    if (s - r <= L - 1) acc = lo(acc, n[s - r], m[r]);
    if (s - r - 1 <= L - 1) acc = hi(acc, n[s - r - 1], m[r]);
  }
  tt[s] = acc;
}

// reduce turns the column sums t[0..2L) of a product P into `out` = (P + M n) / R (normalised
// 52-bit limbs, below 2n when P < 4n^2), M chosen limb by limb so the low L columns vanish. Rows
// go in blocks of four; the next block's digits are found as soon as this block has reached its
// columns (4..7), so that short serial chain overlaps the rest of this block's columns.
template <int L>
inline void reduce(V* out, V* t, const V* n, V k0) {
  V m[4], next_m[4];
  find_m(t, t + 4, n, k0, m);
  for (int i = 0; i < L; i += 4) {
    V* tt = t + i;
#pragma GCC unroll 4
    for (int s = 4; s < 8; ++s) reduce_column<L>(tt, s, n, m);
    if (i + 4 < L) find_m(tt + 4, tt + 8, n, k0, next_m);
    rows4(tt, n, 8, L, m);
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) reduce_column<L>(tt, L + u, n, m);
    for (int r = 0; r < 4; ++r) m[r] = next_m[r];
  }
  // Carry the high column L..2L-1 sums into 52-bit limbs.
  const V mask = _mm512_set1_epi64((int64_t{1} << 52) - 1);
  V carry = _mm512_setzero_si512();
  for (int j = 0; j < L; ++j) {
    const V v = _mm512_add_epi64(t[L + j], carry);
    out[j] = _mm512_and_si512(v, mask);
    carry = _mm512_srli_epi64(v, 52);
  }
}

template <int L>
inline void amm(V* out, const V* a, const V* b, const V* n, V k0) {
  V t[2 * L];
  mul_product<L>(t, a, b);
  reduce<L>(out, t, n, k0);
}

template <int L>
inline void ams(V* out, const V* a, const V* n, V k0) {
  V t[2 * L];
  sqr_product<L>(t, a);
  reduce<L>(out, t, n, k0);
}

// be_to_52 writes the big-endian `len`-byte number `in` (len a multiple of 8) as num52 52-bit
// limbs into lane `lane` of the lane-major array `out` (out[8 j + lane] = limb j): whole 64-bit
// words first (one byte swap each), then each limb from at most two of them.
void be_to_52(const uint8_t* in, size_t len, int num52, uint64_t* out, int lane) {
  uint64_t w[kMaxLimbs64 + 2];
  const size_t num64 = len / 8;
  for (size_t i = 0; i < num64; ++i) {
    uint64_t v;
    __builtin_memcpy(&v, in + len - 8 * (i + 1), 8);
    w[i] = __builtin_bswap64(v);
  }
  w[num64] = 0;
  w[num64 + 1] = 0;
  for (int j = 0; j < num52; ++j) {
    const size_t bit = 52 * static_cast<size_t>(j), k = bit / 64, sh = bit % 64;
    uint64_t v = k <= num64 ? w[k] >> sh : 0;
    if (sh > 12 && k + 1 <= num64) v |= w[k + 1] << (64 - sh);
    out[8 * j + lane] = v & ((uint64_t{1} << 52) - 1);
  }
}

// lane_out reads lane `lane` of the result (below 2n), reduces it below n and writes it big-endian.
void lane_out(const uint64_t* x, int num52, const Key& key, int lane, uint8_t* out) {
  const size_t num64 = key.num_limbs64;
  uint64_t w[kMaxLimbs64 + 1] = {};
  for (int j = 0; j < num52; ++j) {
    const uint64_t v = x[8 * j + lane];
    const size_t bit = 52 * static_cast<size_t>(j), k = bit / 64, sh = bit % 64;
    if (k <= num64) w[k] |= v << sh;
    if (sh > 12 && k + 1 <= num64) w[k + 1] |= v >> (64 - sh);
  }
  bool geq = w[num64] != 0;
  if (!geq) {
    geq = true;
    for (size_t i = num64; i-- > 0;)
      if (w[i] != key.n64[i]) {
        geq = w[i] > key.n64[i];
        break;
      }
  }
  if (geq) {
    uint64_t borrow = 0;
    for (size_t i = 0; i < num64; ++i) {
      const uint64_t d = w[i] - key.n64[i] - borrow;
      borrow = (w[i] < key.n64[i]) || (w[i] - key.n64[i] < borrow) ? 1 : 0;
      w[i] = d;
    }
  }
  for (size_t i = 0; i < num64; ++i)
    for (size_t b = 0; b < 8; ++b)
      out[key.n_len - 8 * (i + 1) + b] = static_cast<uint8_t>(w[i] >> (56 - 8 * b));
}

template <int L>
void batch(const Key* const* keys, const uint8_t* const* s, uint8_t* const* out,
           size_t num_lanes) {
  alignas(64) uint64_t buf[L * 8];
  V n[L], a[L], aR[L], x[L];
  alignas(64) uint64_t k0buf[8];
  // Lanes past num_lanes repeat lane 0 (a valid input); their results are dropped.
  for (int lane = 0; lane < 8; ++lane) {
    const Key& k = *keys[static_cast<size_t>(lane) < num_lanes ? lane : 0];
    for (int j = 0; j < L; ++j) buf[8 * j + lane] = k.n52[j];
    k0buf[lane] = k.n0inv52;
  }
  for (int j = 0; j < L; ++j) n[j] = _mm512_load_si512(buf + 8 * j);
  const V k0 = _mm512_load_si512(k0buf);
  for (int lane = 0; lane < 8; ++lane) {
    const Key& k = *keys[static_cast<size_t>(lane) < num_lanes ? lane : 0];
    for (int j = 0; j < L; ++j) buf[8 * j + lane] = k.rr52[j];
  }
  for (int j = 0; j < L; ++j) x[j] = _mm512_load_si512(buf + 8 * j);  // R^2 mod n
  for (int lane = 0; lane < 8; ++lane) {
    const size_t src = static_cast<size_t>(lane) < num_lanes ? lane : 0;
    be_to_52(s[src], keys[src]->n_len, L, buf, lane);
  }
  for (int j = 0; j < L; ++j) a[j] = _mm512_load_si512(buf + 8 * j);

  amm<L>(aR, a, x, n, k0);  // s R
  for (int j = 0; j < L; ++j) x[j] = aR[j];
  const uint64_t e = keys[0]->e;
  const int top = 63 - __builtin_clzll(e);
  for (int bit = top - 1; bit >= 1; --bit) {
    ams<L>(x, x, n, k0);
    if ((e >> bit) & 1) amm<L>(x, x, aR, n, k0);
  }
  ams<L>(x, x, n, k0);     // s^(e-1) R
  amm<L>(x, x, a, n, k0);  // s^e (+ n, maybe)

  for (int j = 0; j < L; ++j) _mm512_store_si512(buf + 8 * j, x[j]);
  for (size_t lane = 0; lane < num_lanes; ++lane)
    lane_out(buf, L, *keys[lane], static_cast<int>(lane), out[lane]);
}

}  // namespace

void public_op_batch_avx512_ifma(const Key* const* keys, const uint8_t* const* s,
                                 uint8_t* const* out, size_t num_lanes) noexcept {
  if (num_lanes == 0) return;
  switch (keys[0]->num_limbs52) {
    case 40: return batch<40>(keys, s, out, num_lanes);
    case 60: return batch<60>(keys, s, out, num_lanes);
    case 80: return batch<80>(keys, s, out, num_lanes);
    default: return public_op_batch_scalar(keys, s, out, num_lanes);
  }
}

}  // namespace jwtbatch::kernels::rsa
