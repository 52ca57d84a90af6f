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
    for (int s = 5; s < L; ++s) {
      V acc = tt[s];
      acc = lo(acc, a[s], br[0]);
      acc = hi(acc, a[s - 1], br[0]);
      acc = lo(acc, a[s - 1], br[1]);
      acc = hi(acc, a[s - 2], br[1]);
      acc = lo(acc, a[s - 2], br[2]);
      acc = hi(acc, a[s - 3], br[2]);
      acc = lo(acc, a[s - 3], br[3]);
      acc = hi(acc, a[s - 4], br[3]);
      tt[s] = acc;
    }
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
    for (int s = 8; s < end; ++s) {
      V acc = tt[s];
      acc = lo(acc, ai[s], br[0]);
      acc = hi(acc, ai[s - 1], br[0]);
      acc = lo(acc, ai[s - 1], br[1]);
      acc = hi(acc, ai[s - 2], br[1]);
      acc = lo(acc, ai[s - 2], br[2]);
      acc = hi(acc, ai[s - 3], br[2]);
      acc = lo(acc, ai[s - 3], br[3]);
      acc = hi(acc, ai[s - 4], br[3]);
      tt[s] = acc;
    }
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

// reduce turns the column sums t[0..2L) of a product P into `out` = (P + M n) / R (normalised
// 52-bit limbs, below 2n when P < 4n^2), M chosen limb by limb so the low L columns vanish.
template <int L>
inline void reduce(V* out, V* t, const V* n, V k0) {
  const V zero = _mm512_setzero_si512();
  for (int i = 0; i < L; i += 4) {
    V* tt = t + i;
    // The four m values first, on the four lowest columns: row r adds lo(n[s-r] m_r) and
    // hi(n[s-r-1] m_r) to column s; a column's high bits move up once it is cleared.
    V c0 = tt[0], c1 = tt[1], c2 = tt[2], c3 = tt[3];
    const V m0 = lo(zero, c0, k0);
    c0 = lo(c0, n[0], m0);
    c1 = _mm512_add_epi64(c1, _mm512_srli_epi64(c0, 52));
    c1 = hi(c1, n[0], m0);
    c1 = lo(c1, n[1], m0);
    c2 = hi(c2, n[1], m0);
    c2 = lo(c2, n[2], m0);
    c3 = hi(c3, n[2], m0);
    c3 = lo(c3, n[3], m0);
    const V m1 = lo(zero, c1, k0);
    c1 = lo(c1, n[0], m1);
    c2 = _mm512_add_epi64(c2, _mm512_srli_epi64(c1, 52));
    c2 = hi(c2, n[0], m1);
    c2 = lo(c2, n[1], m1);
    c3 = hi(c3, n[1], m1);
    c3 = lo(c3, n[2], m1);
    const V m2 = lo(zero, c2, k0);
    c2 = lo(c2, n[0], m2);
    c3 = _mm512_add_epi64(c3, _mm512_srli_epi64(c2, 52));
    c3 = hi(c3, n[0], m2);
    c3 = lo(c3, n[1], m2);
    const V m3 = lo(zero, c3, k0);
    c3 = lo(c3, n[0], m3);
    tt[4] = _mm512_add_epi64(tt[4], _mm512_srli_epi64(c3, 52));
    const V mr[4] = {m0, m1, m2, m3};
    // The rest of the four rows: columns 4..L+3 of this block.
    for (int s = 4; s < L; ++s) {
      V acc = tt[s];
      acc = lo(acc, n[s], mr[0]);
      acc = hi(acc, n[s - 1], mr[0]);
      acc = lo(acc, n[s - 1], mr[1]);
      acc = hi(acc, n[s - 2], mr[1]);
      acc = lo(acc, n[s - 2], mr[2]);
      acc = hi(acc, n[s - 3], mr[2]);
      acc = lo(acc, n[s - 3], mr[3]);
      acc = hi(acc, n[s - 4], mr[3]);
      tt[s] = acc;
    }
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) {
      const int s = L + u;
      V acc = tt[s];
#pragma GCC unroll 4
      for (int r = 0; r < 4; ++r) {
        if (s - r <= L - 1) acc = lo(acc, n[s - r], mr[r]);
        if (s - r - 1 <= L - 1) acc = hi(acc, n[s - r - 1], mr[r]);
      }
      tt[s] = acc;
    }
  }
  // Carry the high column L..2L-1 sums into 52-bit limbs.
  const V mask = _mm512_set1_epi64((int64_t{1} << 52) - 1);
  V carry = zero;
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

// be_to_52 writes the big-endian `len`-byte number `in` as L 52-bit limbs into lane `lane` of the
// lane-major array `out` (out[8 j + lane] = limb j).
void be_to_52(const uint8_t* in, size_t len, int num52, uint64_t* out, int lane) {
  for (int j = 0; j < num52; ++j) out[8 * j + lane] = 0;
  for (size_t i = 0; i < len; ++i) {
    const size_t bit = 8 * (len - 1 - i);
    const size_t j = bit / 52, sh = bit % 52;
    out[8 * j + lane] |= (static_cast<uint64_t>(in[i]) << sh) & ((uint64_t{1} << 52) - 1);
    if (sh > 44) out[8 * (j + 1) + lane] |= static_cast<uint64_t>(in[i]) >> (52 - sh);
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
