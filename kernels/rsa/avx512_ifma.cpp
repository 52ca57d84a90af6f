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

// clear zeroes `num` words with vector stores. The empty asm hides the zero from the compiler,
// which would otherwise turn the loop into `rep stos` (measured: three times slower here).
inline void clear(V* t, int num) {
  V zero = _mm512_setzero_si512();
  __asm__("" : "+v"(zero));
  for (int k = 0; k < num; ++k) t[k] = zero;
}

// Blocks of B rows (B = 8 when the limb count allows, else 4): column s of a block gets
// lo(src[s-r] b_r) and hi(src[s-r-1] b_r) for r = 0..B-1, so a column word is loaded and stored
// once per B rows. `rows` does the columns where every index is in range; `column` the few at the
// edges, with the range given (constant after unrolling). With Fresh, the column is written, not
// added to: the product code knows which block touches a column first (block 0's columns, and
// each block's last B columns, which tile the top half), so t needs almost no clearing.

// rows adds B rows to columns s0..s1-1 (all indices in range). The B + 1 limbs of src a column
// needs slide through registers: one load of src, one load and one store of tt per column.
template <int B, bool Fresh = false>
inline void rows(V* tt, const V* src, int s0, int s1, const V* b) {
  V br[B], w[B + 1];
#pragma GCC unroll 8
  for (int r = 0; r < B; ++r) br[r] = b[r];
#pragma GCC unroll 8
  for (int r = 1; r <= B; ++r) w[r] = src[s0 - r];
  for (int s = s0; s < s1; ++s) {
    w[0] = src[s];
    V acc = Fresh ? _mm512_setzero_si512() : tt[s];
#pragma GCC unroll 8
    for (int r = 0; r < B; ++r) {
      acc = lo(acc, w[r], br[r]);
      acc = hi(acc, w[r + 1], br[r]);
    }
    tt[s] = acc;
#pragma GCC unroll 8
    for (int r = B; r > 0; --r) w[r] = w[r - 1];
  }
}

// column adds B rows to column s, taking only src indices in [lo_idx, hi_idx].
template <int B, bool Fresh = false>
inline void column(V* tt, int s, const V* src, const V* b, int lo_idx, int hi_idx) {
  V acc = Fresh ? _mm512_setzero_si512() : tt[s];
#pragma GCC unroll 8
  for (int r = 0; r < B; ++r) {
    if (s - r >= lo_idx && s - r <= hi_idx) acc = lo(acc, src[s - r], b[r]);
    if (s - r - 1 >= lo_idx && s - r - 1 <= hi_idx) acc = hi(acc, src[s - r - 1], b[r]);
  }
  tt[s] = acc;
}

// mul_product sets t[0..2L) to the column sums of a * b (not normalised).
template <int L, int B>
inline void mul_product(V* t, const V* a, const V* b) {
  // Block 0 writes columns 0..L+B-1; block i's last B columns, i+L..i+L+B-1, are new too.
  for (int i = 0; i < L; i += B) {
    V* tt = t + i;
    const V* br = b + i;
    if (i == 0) {
#pragma GCC unroll 9
      for (int s = 0; s <= B; ++s) column<B, true>(tt, s, a, br, 0, L - 1);
      rows<B, true>(tt, a, B + 1, L, br);
    } else {
#pragma GCC unroll 9
      for (int s = 0; s <= B; ++s) column<B>(tt, s, a, br, 0, L - 1);
      rows<B>(tt, a, B + 1, L, br);
    }
#pragma GCC unroll 8
    for (int s = L; s < L + B; ++s) column<B, true>(tt, s, a, br, 0, L - 1);
  }
}

// sqr_product sets t[0..2L) to the column sums of a * a (not normalised): each product of two
// different limbs once, then everything doubled and the squares added.
template <int L, int B>
inline void sqr_product(V* t, const V* a) {
  // Columns first touched by block 0's rows and by each block's last B columns (which tile
  // L..2L-B-1) are written there; only the low 2B (block 0's own pairs) and the top B (the last
  // block's own pairs) need clearing.
  clear(t, 2 * B);
  clear(t + 2 * L - B, B);
  for (int i = 0; i < L; i += B) {
    const V* br = a + i;
    V* tt = t + 2 * i;  // a[i + r] * a[i + q] lands in column r + q of tt
    // Pairs inside the block.
#pragma GCC unroll 8
    for (int r = 0; r < B; ++r) {
#pragma GCC unroll 8
      for (int q = r + 1; q < B; ++q) {
        tt[r + q] = lo(tt[r + q], br[r], br[q]);
        tt[r + q + 1] = hi(tt[r + q + 1], br[r], br[q]);
      }
    }
    if (i + B >= L) continue;  // the last block has no later limbs
    // Pairs a[i + j] * a[i + r] with B <= j <= L-1-i: column s of tt gets ai[s-r] and ai[s-r-1].
    const V* ai = a + i;
    const int end = L - i;  // >= 2B
#pragma GCC unroll 8
    for (int s = B; s < 2 * B; ++s) column<B>(tt, s, ai, br, B, 2 * B - 1);
    if (i == 0) {
      rows<B, true>(tt, ai, 2 * B, end, br);
    } else {
      rows<B>(tt, ai, 2 * B, end, br);
    }
#pragma GCC unroll 8
    for (int u = 0; u < B; ++u) {
      // Column end + u: ai[end + u - r] is in range iff r >= u + 1, ai[end + u - r - 1] iff r >= u.
      V acc = _mm512_setzero_si512();
#pragma GCC unroll 8
      for (int r = 0; r < B; ++r) {
        if (r >= u + 1) acc = lo(acc, ai[end + u - r], br[r]);
        if (r >= u) acc = hi(acc, ai[end + u - r - 1], br[r]);
      }
      tt[end + u] = acc;
    }
  }
  for (int j = 0; j < L; ++j) {
    t[2 * j] = lo(_mm512_add_epi64(t[2 * j], t[2 * j]), a[j], a[j]);
    t[2 * j + 1] = hi(_mm512_add_epi64(t[2 * j + 1], t[2 * j + 1]), a[j], a[j]);
  }
}

// find_m computes the B Montgomery digits of one block from its B lowest columns c[0..B-1] (all
// earlier rows already added): row r adds lo(n[s-r] m_r) and hi(n[s-r-1] m_r) to column s, and a
// cleared column's high bits move up. Only a column's low 52 bits decide its digit, so the next
// column's row terms are summed in parallel and the carry added last (about ten cycles from one
// digit to the next). The carry out of column B-1 is added to `*next` (column B).
template <int B>
inline void find_m(const V* tt, V* next, const V* n, V k0, V* m) {
  const V zero = _mm512_setzero_si512();
  V c[B];
#pragma GCC unroll 8
  for (int q = 0; q < B; ++q) c[q] = tt[q];
#pragma GCC unroll 8
  for (int r = 0; r < B; ++r) {
    m[r] = lo(zero, c[r], k0);
    const V carry = _mm512_srli_epi64(lo(c[r], n[0], m[r]), 52);
    if (r + 1 == B) {
      *next = _mm512_add_epi64(*next, carry);
      break;
    }
    c[r + 1] = _mm512_add_epi64(_mm512_add_epi64(c[r + 1], carry),
                                _mm512_add_epi64(hi(zero, n[0], m[r]), lo(zero, n[1], m[r])));
#pragma GCC unroll 8
    for (int q = r + 2; q < B; ++q) c[q] = lo(hi(c[q], n[q - r - 1], m[r]), n[q - r], m[r]);
  }
}

// reduce turns the column sums t[0..2L) of a product P into `out` = (P + M n) / R (normalised
// 52-bit limbs, below 2n when P < 4n^2), M chosen limb by limb so the low L columns vanish. The
// next block's digits are found as soon as this block has reached its columns B..2B-1, so that
// short serial chain overlaps the rest of this block's columns.
template <int L, int B>
inline void reduce(V* out, V* t, const V* n, V k0) {
  V m[B], next_m[B];
  find_m<B>(t, t + B, n, k0, m);
  for (int i = 0; i < L; i += B) {
    V* tt = t + i;
    rows<B>(tt, n, B, 2 * B, m);
    if (i + B < L) find_m<B>(tt + B, tt + 2 * B, n, k0, next_m);
    rows<B>(tt, n, 2 * B, L, m);
#pragma GCC unroll 8
    for (int s = L; s < L + B; ++s) column<B>(tt, s, n, m, 0, L - 1);
#pragma GCC unroll 8
    for (int r = 0; r < B; ++r) m[r] = next_m[r];
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

template <int L, int B>
inline void amm(V* out, const V* a, const V* b, const V* n, V k0) {
  V t[2 * L];
  mul_product<L, B>(t, a, b);
  reduce<L, B>(out, t, n, k0);
}

template <int L, int B>
inline void ams(V* out, const V* a, const V* n, V k0) {
  V t[2 * L];
  sqr_product<L, B>(t, a);
  reduce<L, B>(out, t, n, k0);
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
  uint64_t w[kMaxLimbs64 + 1];
  for (size_t i = 0; i <= num64; ++i) w[i] = 0;
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
  for (size_t i = 0; i < num64; ++i) {
    const uint64_t be = __builtin_bswap64(w[i]);
    __builtin_memcpy(out + key.n_len - 8 * (i + 1), &be, 8);
  }
}

template <int L, int B = (L % 8 == 0 ? 8 : 4)>
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

  amm<L, B>(aR, a, x, n, k0);  // s R
  const uint64_t e = keys[0]->e;
  const int top = 63 - __builtin_clzll(e);
  const V* cur = aR;  // the running power, s R until the first squaring
  for (int bit = top - 1; bit >= 1; --bit) {
    ams<L, B>(x, cur, n, k0);
    cur = x;
    if ((e >> bit) & 1) amm<L, B>(x, x, aR, n, k0);
  }
  ams<L, B>(x, cur, n, k0);   // s^(e-1) R
  amm<L, B>(x, x, a, n, k0);  // s^e (+ n, maybe)

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
