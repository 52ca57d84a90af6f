// avx512_ifma.cpp: the RSA public operation s^e mod n for 8 signatures at once (contract in rsa.hpp),
// AVX-512 IFMA (vpmadd52luq / vpmadd52huq); AVX-512 BW and VBMI for the conversions in and out.
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
// product once, doubles, and adds the squares (L^2 + L products instead of 2 L^2), and splits the
// number in halves (one level of Karatsuba: 3 (L/2)(L/2 + 1) products; sqr_karatsuba).
//
// Exponentiation as in scalar.cpp: left to right, last multiplication by s itself. The result,
// below 2n, is reduced once on the way out (all lanes at once). No dynamically initialised
// globals; the byte-permute tables are constant expressions.
#include <immintrin.h>

// GCC 12 reports the self-initialisation inside _mm512_setzero_si512 / _mm512_undefined_epi32 as
// "used uninitialized" once these helpers are inlined; it is not.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <type_traits>

#include "kernels/rsa/rsa.hpp"

namespace jwtbatch::kernels::rsa {
namespace {

using V = __m512i;

inline V lo(V acc, V a, V b) { return _mm512_madd52lo_epu64(acc, a, b); }
inline V hi(V acc, V a, V b) { return _mm512_madd52hi_epu64(acc, a, b); }

// clear zeroes `num` words with vector stores. The empty asm hides the zero from the compiler,
// which would otherwise turn the loop into `rep stos`, far slower for these short runs
// (docs/kernels/rsa.md).
inline void clear(V* t, int num) {
  V zero = _mm512_setzero_si512();
  __asm__("" : "+v"(zero));
  for (int k = 0; k < num; ++k) t[k] = zero;
}

// Blocks of B = 4 rows (faster than blocks of 8 where the limb count allows both: bench/rsa_bench.cpp,
// docs/kernels/rsa.md): column s of a block gets
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
    V acc2 = _mm512_setzero_si512();
#pragma GCC unroll 8
    for (int r = 0; r < B; ++r) {
      acc = lo(acc, w[r], br[r]);
      acc2 = hi(acc2, w[r + 1], br[r]);
    }
    tt[s] = _mm512_add_epi64(acc, acc2);
#pragma GCC unroll 8
    for (int r = B; r > 0; --r) w[r] = w[r - 1];
  }
}

// column adds B rows to column s, taking only src indices in [lo_idx, hi_idx].
template <int B, bool Fresh = false>
inline void column(V* tt, int s, const V* src, const V* b, int lo_idx, int hi_idx) {
  V acc = Fresh ? _mm512_setzero_si512() : tt[s];
  V acc2 = _mm512_setzero_si512();
#pragma GCC unroll 8
  for (int r = 0; r < B; ++r) {
    if (s - r >= lo_idx && s - r <= hi_idx) acc = lo(acc, src[s - r], b[r]);
    if (s - r - 1 >= lo_idx && s - r - 1 <= hi_idx) acc2 = hi(acc2, src[s - r - 1], b[r]);
  }
  tt[s] = _mm512_add_epi64(acc, acc2);
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

// sqr_triangle sets t[0..2L) to the column sums of the products of two different limbs of a, each
// pair once (not normalised); sqr_karatsuba doubles them and adds the squares.
template <int L, int B>
inline void sqr_triangle(V* t, const V* a) {
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
}

// half_block is the row block for squaring halves of H limbs (H = 20, 30, 40: 4, 6, 4).
template <int H>
constexpr int half_block() {
  return H % 4 == 0 ? 4 : H % 6 == 0 ? 6 : H % 5 == 0 ? 5 : 2;
}

// half_sum sets s[0..H) to a0 + a1 (a's halves, H limbs each) less the carry out, which it returns
// as a lane mask (0 or 1 per lane: a0 + a1 = s + c X).
template <int H>
inline __mmask8 half_sum(V* s, const V* a) {
  const V mask = _mm512_set1_epi64((int64_t{1} << 52) - 1);
  V carry = _mm512_setzero_si512();
  for (int j = 0; j < H; ++j) {
    const V v = _mm512_add_epi64(_mm512_add_epi64(a[j], a[H + j]), carry);
    s[j] = _mm512_and_si512(v, mask);
    carry = _mm512_srli_epi64(v, 52);
  }
  return _mm512_test_epi64_mask(carry, carry);
}

// sqr_karatsuba sets t[0..2L) to column sums of a * a with one level of (additive) Karatsuba:
// with X = 2^(52 H), H = L / 2, a = a0 + a1 X and s = a0 + a1 = s' + c X (s' normalised, c the
// carry out, 0 or 1 per lane),
//   a^2 = a0^2 + (s^2 - a0^2 - a1^2) X + a1^2 X^2,   s^2 = s'^2 + 2 c s' X + c X^2,
// three squarings of H limbs (3 H (H + 1) products where one of L limbs takes L (L + 1) = about
// 4 H^2 + 2 H): RSA-2048 1,260 IFMA instructions instead of 1,640. The middle columns subtract,
// so column words are signed here (two's complement, |word| < 2^61): reduce's carries are
// arithmetic shifts. c = 1 needs a0 + a1 >= X, rare in an exponentiation (a1 < 2n / X is far below
// X), so tests/unit/rsa_test.cpp (ModularProductsMatchBignumOnEdgeInputs) hands it such inputs directly.
// Forced inline: GCC 12 leaves it out of line for RSA-2048, which costs more than Karatsuba saves
// (what it gains: bench/rsa_bench.cpp, docs/kernels/rsa.md).
template <int L>
[[gnu::always_inline]] inline void sqr_karatsuba(V* t, const V* a) {
  constexpr int H = L / 2;
  constexpr int HB = half_block<H>();
  static_assert(L % 2 == 0 && H % 2 == 0 && H % HB == 0 && H >= 2 * HB);
  V s[H], q[2 * H];
  const __mmask8 c = half_sum<H>(s, a);
  sqr_triangle<H, HB>(t, a);              // a0^2's pairs: t[0..2H)
  sqr_triangle<H, HB>(t + 2 * H, a + H);  // a1^2's pairs: t[2H..4H)
  sqr_triangle<H, HB>(q, s);              // s'^2's pairs
  // One pass doubles the three sets of pairs, adds their squares and combines them. Column k of a
  // square x^2 (k < 2H) is 2 pairs[k] plus lo(x_j^2) (k = 2j) or hi(x_j^2) (k = 2j + 1); H is even,
  // so k and H + k have the same parity. Iteration k settles columns k, H + k, 2H + k and 3H + k,
  // the only ones it reads or writes.
  auto settle = [&](int k, auto odd) {
    const int j = k / 2, j2 = (H + k) / 2;
    auto square = [&](V pairs, const V* x, int i) {
      const V d = _mm512_add_epi64(pairs, pairs);
      if constexpr (decltype(odd)::value) return hi(d, x[i], x[i]);
      else return lo(d, x[i], x[i]);
    };
    const V p0k = square(t[k], a, j), p0h = square(t[H + k], a, j2);
    const V p1k = square(t[2 * H + k], a + H, j), p1h = square(t[3 * H + k], a + H, j2);
    const V sk = square(q[k], s, j), sh = square(q[H + k], s, j2);
    t[k] = p0k;
    t[H + k] = _mm512_sub_epi64(_mm512_add_epi64(p0h, sk), _mm512_add_epi64(p0k, p1k));
    const V o = _mm512_sub_epi64(_mm512_add_epi64(p1k, sh), _mm512_add_epi64(p0h, p1h));
    t[2 * H + k] = _mm512_mask_add_epi64(o, c, o, _mm512_add_epi64(s[k], s[k]));  // 2 c s' X^2
    t[3 * H + k] = p1h;
  };
  for (int k = 0; k < H; k += 2) {
    settle(k, std::false_type{});
    settle(k + 1, std::true_type{});
  }
  t[3 * H] = _mm512_mask_add_epi64(t[3 * H], c, t[3 * H], _mm512_set1_epi64(1));  // c X^3
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
    const V carry = _mm512_srai_epi64(lo(c[r], n[0], m[r]), 52);  // signed: sqr_karatsuba
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
    carry = _mm512_srai_epi64(v, 52);  // column words may be negative (sqr_karatsuba)
  }
}

// mul_karatsuba sets t[0..2L) to column sums of a * b the same way as sqr_karatsuba: with
// sa = a0 + a1 = sa' + ca X and sb = sb' + cb X, a b = a0 b0 + (sa sb - a0 b0 - a1 b1) X + a1 b1 X^2
// and sa sb = sa' sb' + (ca sb' + cb sa') X + ca cb X^2: three products of H limbs (3 H^2 where
// mul_product takes 4 H^2). Signed column words, as there.
template <int L>
[[gnu::always_inline]] inline void mul_karatsuba(V* t, const V* a, const V* b) {
  constexpr int H = L / 2;
  constexpr int HB = half_block<H>();
  static_assert(L % 2 == 0 && H % HB == 0 && H > HB + 1);
  V sa[H], sb[H], q[2 * H];
  const __mmask8 ca = half_sum<H>(sa, a), cb = half_sum<H>(sb, b);
  mul_product<H, HB>(t, a, b);              // a0 b0: t[0..2H)
  mul_product<H, HB>(t + 2 * H, a + H, b + H);  // a1 b1: t[2H..4H)
  mul_product<H, HB>(q, sa, sb);           // sa' sb'
  for (int k = 0; k < H; ++k) {  // iteration k reads and writes only columns k + {0, H, 2H, 3H}
    const V p0k = t[k], p0h = t[H + k], p1k = t[2 * H + k], p1h = t[3 * H + k];
    t[H + k] = _mm512_sub_epi64(_mm512_add_epi64(p0h, q[k]), _mm512_add_epi64(p0k, p1k));
    V o = _mm512_sub_epi64(_mm512_add_epi64(p1k, q[H + k]), _mm512_add_epi64(p0h, p1h));
    o = _mm512_mask_add_epi64(o, ca, o, sb[k]);  // ca sb' X^2
    t[2 * H + k] = _mm512_mask_add_epi64(o, cb, o, sa[k]);  // cb sa' X^2
  }
  t[3 * H] = _mm512_mask_add_epi64(t[3 * H], ca & cb, t[3 * H], _mm512_set1_epi64(1));  // ca cb X^3
}

template <int L, int B>
inline void amm(V* out, const V* a, const V* b, const V* n, V k0) {
  V t[2 * L];
  mul_karatsuba<L>(t, a, b);
  reduce<L, B>(out, t, n, k0);
}

template <int L, int B>
inline void ams(V* out, const V* a, const V* n, V k0) {
  V t[2 * L];
  sqr_karatsuba<L>(t, a);
  reduce<L, B>(out, t, n, k0);
}

// table_sum sets `out` to (init + sum_{j < rows} x_j row_j + M n) / 2^104 (normalised 52-bit
// limbs), the rows being L limbs each at table + j L (the same for every lane: one key), x_j below
// 2^52 and `init` (nullptr: zero) normalised and below n; the two Montgomery digits of M clear the
// low 104 bits. With rows <= L the sum is below n + L 2^52 n, so the result is below 2n.
//
// to_mont is table_sum with the key's conversion table (Key::conv52: row j is 2^(52 (L + 2 + j))
// mod n): s R mod n in L^2 products where the Montgomery multiplication by R^2 mod n takes 2 L^2.
template <int L>
inline void table_sum(V* out, const V* x, int rows, const uint64_t* table, const V* init,
                      const V* n, V k0) {
  V t[L + 2];
  if (init != nullptr) {
    for (int j = 0; j < L; ++j) t[j] = init[j];
    clear(t + L, 2);
  } else {
    clear(t, L + 2);
  }
  // Four columns at a time: lo(x_j row_j[i]) goes to column i, hi(x_j row_j[i]) to column i + 1;
  // eight accumulators, so no chain waits on the IFMA latency.
  for (int i0 = 0; i0 < L; i0 += 4) {
    V alo[4], ahi[4];
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) alo[c] = ahi[c] = _mm512_setzero_si512();
    for (int j = 0; j < rows; ++j) {
      const V xj = x[j];
      const uint64_t* row = table + j * L + i0;
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) {
        const V r = _mm512_set1_epi64(static_cast<int64_t>(row[c]));
        alo[c] = lo(alo[c], xj, r);
        ahi[c] = hi(ahi[c], xj, r);
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) {
      t[i0 + c] = _mm512_add_epi64(t[i0 + c], alo[c]);
      t[i0 + c + 1] = _mm512_add_epi64(t[i0 + c + 1], ahi[c]);
    }
  }
  // Two Montgomery digits: m_d clears column d, whose high bits move up.
  const V zero = _mm512_setzero_si512();
#pragma GCC unroll 2
  for (int d = 0; d < 2; ++d) {
    const V m = lo(zero, t[d], k0);
    for (int i = 0; i < L; ++i) {
      t[d + i] = lo(t[d + i], n[i], m);
      t[d + i + 1] = hi(t[d + i + 1], n[i], m);
    }
    t[d + 1] = _mm512_add_epi64(t[d + 1], _mm512_srli_epi64(t[d], 52));
  }
  const V mask = _mm512_set1_epi64((int64_t{1} << 52) - 1);
  V carry = _mm512_setzero_si512();
  for (int j = 0; j < L; ++j) {
    const V v = _mm512_add_epi64(t[2 + j], carry);
    out[j] = _mm512_and_si512(v, mask);
    carry = _mm512_srli_epi64(v, 52);
  }
}

template <int L>
inline void to_mont(V* out, const V* s, const uint64_t* table, const V* n, V k0) {
  table_sum<L>(out, s, L, table, nullptr, n, k0);
}

// reduce_once sets x (normalised, below 2n) to x mod n: x - n with the borrow carried limb by limb
// (all lanes at once); a lane keeps x where that borrows (x < n), else takes x - n.
template <int L>
inline void reduce_once(V* x, const V* n) {
  const V mask = _mm512_set1_epi64((int64_t{1} << 52) - 1);
  V d[L];
  V borrow = _mm512_setzero_si512();
  for (int j = 0; j < L; ++j) {
    const V v = _mm512_sub_epi64(_mm512_sub_epi64(x[j], n[j]), borrow);
    d[j] = _mm512_and_si512(v, mask);
    borrow = _mm512_srli_epi64(v, 63);
  }
  const __mmask8 keep = _mm512_test_epi64_mask(borrow, borrow);
  for (int j = 0; j < L; ++j) x[j] = _mm512_mask_blend_epi64(keep, d[j], x[j]);
}

// Conversions in and out of the lanes, all in vector registers (AVX-512 VBMI byte permutes):
// eight 52-bit limbs are exactly 52 bytes, so limbs 8k..8k+7 of a number are its little-endian
// bytes 52k..52k+51: limb j of a block starts at byte 6.5 j, on a byte boundary for even j and
// four bits in for odd j. A big-endian number is read in 64-byte windows (one per block, masked
// where the window runs past the number's first byte) and one vpermb both reverses the bytes and
// lays out each limb's eight bytes in its own qword; a shift and a mask finish it. That gives one
// lane's limbs side by side (lane-major); an 8x8 transposition of 64-bit words turns eight lanes'
// blocks into eight limbs of all lanes (limb-major), and back on the way out.

// kLimbByte[j]: the byte where limb j of a block starts; odd limbs start four bits into it.
constexpr int kLimbByte[8] = {0, 6, 13, 19, 26, 32, 39, 45};

// transpose8 transposes the 8x8 matrix of 64-bit words r[row][col] in place.
inline void transpose8(V r[8]) {
  V t[8], u[8];
#pragma GCC unroll 4
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm512_unpacklo_epi64(r[i], r[i + 1]);      // r_i[0] r_i+1[0] r_i[2] r_i+1[2] ...
    t[i + 1] = _mm512_unpackhi_epi64(r[i], r[i + 1]);  // r_i[1] r_i+1[1] r_i[3] r_i+1[3] ...
  }
  const V lo2 = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
  const V hi2 = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
#pragma GCC unroll 2
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm512_permutex2var_epi64(t[i], lo2, t[i + 2]);          // columns 0, 4 of 4 rows
    u[i + 1] = _mm512_permutex2var_epi64(t[i + 1], lo2, t[i + 3]);  // columns 1, 5
    u[i + 2] = _mm512_permutex2var_epi64(t[i], hi2, t[i + 2]);      // columns 2, 6
    u[i + 3] = _mm512_permutex2var_epi64(t[i + 1], hi2, t[i + 3]);  // columns 3, 7
  }
  const V lo4 = _mm512_set_epi64(11, 10, 9, 8, 3, 2, 1, 0);
  const V hi4 = _mm512_set_epi64(15, 14, 13, 12, 7, 6, 5, 4);
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {
    r[c] = _mm512_permutex2var_epi64(u[c], lo4, u[c + 4]);
    r[c + 4] = _mm512_permutex2var_epi64(u[c], hi4, u[c + 4]);
  }
}

// low_cut returns the byte mask of a 64-byte window that starts `start` bytes into a number (start
// may be negative: the window then begins before the number's first byte): the bytes from -start
// on. A window never runs past the number's end.
inline __mmask64 low_cut(long start) {
  return start >= 0 ? ~__mmask64{0} : (start <= -64 ? 0 : ~__mmask64{0} << (-start));
}

// load_block returns limbs 8k..8k+7 of the big-endian `len`-byte number `in`, side by side.
inline V load_block(const uint8_t* in, size_t len, int k) {
  // vpermb index: qword j takes window bytes 63 - (kLimbByte[j] + b), b = 0..7 (little-endian
  // byte kLimbByte[j] + b of the block sits at window byte 63 - that).
  alignas(64) static constexpr uint8_t kIdx[64] = {
#define JWTBATCH_RSA_Q(j) 63 - kLimbByte[j], 62 - kLimbByte[j], 61 - kLimbByte[j], 60 - kLimbByte[j], \
    59 - kLimbByte[j], 58 - kLimbByte[j], 57 - kLimbByte[j], 56 - kLimbByte[j]
      JWTBATCH_RSA_Q(0), JWTBATCH_RSA_Q(1), JWTBATCH_RSA_Q(2), JWTBATCH_RSA_Q(3),
      JWTBATCH_RSA_Q(4), JWTBATCH_RSA_Q(5), JWTBATCH_RSA_Q(6), JWTBATCH_RSA_Q(7)
#undef JWTBATCH_RSA_Q
  };
  const long start = static_cast<long>(len) - 52 * k - 64;  // window's first byte in `in`
  const uint8_t* p = reinterpret_cast<const uint8_t*>(reinterpret_cast<uintptr_t>(in) + start);
  const V w = _mm512_maskz_loadu_epi8(low_cut(start), p);  // masked bytes are never read
  const V x = _mm512_permutexvar_epi8(_mm512_load_si512(kIdx), w);
  return _mm512_and_si512(_mm512_srlv_epi64(x, _mm512_set_epi64(4, 0, 4, 0, 4, 0, 4, 0)),
                          _mm512_set1_epi64((int64_t{1} << 52) - 1));
}

// store_block writes limbs 8k..8k+7 (`x`, side by side, each below 2^52) into the big-endian
// `len`-byte number `out`: bytes len-52k-52 .. len-52k-1, those below 0 left out (they are zero).
inline void store_block(V x, uint8_t* out, size_t len, int k) {
  // After shifting odd limbs up four bits, window byte w holds little-endian block byte 51 - w:
  // from qword j byte (51 - w - kLimbByte[j]) for the limb j that owns it, and for the four bytes
  // an even and an odd limb share, the odd limb's byte 0 is or-ed in (second permute).
  alignas(64) static constexpr uint8_t kIdxA[64] = {
#define JWTBATCH_RSA_B(p) static_cast<uint8_t>( \
    (p) < 7 ? (p) : (p) < 13 ? 8 + (p) - 6 : (p) < 20 ? 16 + (p) - 13 : (p) < 26 ? 24 + (p) - 19 : \
    (p) < 33 ? 32 + (p) - 26 : (p) < 39 ? 40 + (p) - 32 : (p) < 46 ? 48 + (p) - 39 : 56 + (p) - 45)
#define JWTBATCH_RSA_W(w) JWTBATCH_RSA_B(51 - (w))
      JWTBATCH_RSA_W(0), JWTBATCH_RSA_W(1), JWTBATCH_RSA_W(2), JWTBATCH_RSA_W(3), JWTBATCH_RSA_W(4),
      JWTBATCH_RSA_W(5), JWTBATCH_RSA_W(6), JWTBATCH_RSA_W(7), JWTBATCH_RSA_W(8), JWTBATCH_RSA_W(9),
      JWTBATCH_RSA_W(10), JWTBATCH_RSA_W(11), JWTBATCH_RSA_W(12), JWTBATCH_RSA_W(13),
      JWTBATCH_RSA_W(14), JWTBATCH_RSA_W(15), JWTBATCH_RSA_W(16), JWTBATCH_RSA_W(17),
      JWTBATCH_RSA_W(18), JWTBATCH_RSA_W(19), JWTBATCH_RSA_W(20), JWTBATCH_RSA_W(21),
      JWTBATCH_RSA_W(22), JWTBATCH_RSA_W(23), JWTBATCH_RSA_W(24), JWTBATCH_RSA_W(25),
      JWTBATCH_RSA_W(26), JWTBATCH_RSA_W(27), JWTBATCH_RSA_W(28), JWTBATCH_RSA_W(29),
      JWTBATCH_RSA_W(30), JWTBATCH_RSA_W(31), JWTBATCH_RSA_W(32), JWTBATCH_RSA_W(33),
      JWTBATCH_RSA_W(34), JWTBATCH_RSA_W(35), JWTBATCH_RSA_W(36), JWTBATCH_RSA_W(37),
      JWTBATCH_RSA_W(38), JWTBATCH_RSA_W(39), JWTBATCH_RSA_W(40), JWTBATCH_RSA_W(41),
      JWTBATCH_RSA_W(42), JWTBATCH_RSA_W(43), JWTBATCH_RSA_W(44), JWTBATCH_RSA_W(45),
      JWTBATCH_RSA_W(46), JWTBATCH_RSA_W(47), JWTBATCH_RSA_W(48), JWTBATCH_RSA_W(49),
      JWTBATCH_RSA_W(50), JWTBATCH_RSA_W(51), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#undef JWTBATCH_RSA_W
#undef JWTBATCH_RSA_B
  };
  // The shared bytes: little-endian block bytes 6, 19, 32, 45 (window bytes 45, 32, 19, 6) take
  // byte 0 of qwords 1, 3, 5, 7.
  alignas(64) static constexpr uint8_t kIdxB[64] = {
      0, 0, 0, 0, 0, 0, 56, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  constexpr __mmask64 kShared = (__mmask64{1} << 6) | (__mmask64{1} << 19) |
                                (__mmask64{1} << 32) | (__mmask64{1} << 45);
  const V q = _mm512_sllv_epi64(x, _mm512_set_epi64(4, 0, 4, 0, 4, 0, 4, 0));
  const V bytes = _mm512_or_si512(_mm512_permutexvar_epi8(_mm512_load_si512(kIdxA), q),
                                  _mm512_maskz_permutexvar_epi8(kShared, _mm512_load_si512(kIdxB), q));
  const long start = static_cast<long>(len) - 52 * k - 52;
  uint8_t* p = reinterpret_cast<uint8_t*>(reinterpret_cast<uintptr_t>(out) + start);
  _mm512_mask_storeu_epi8(p, low_cut(start) & ((__mmask64{1} << 52) - 1), bytes);
}

// gather_limbs sets v[0..L) to limbs of the eight lanes' numbers, given as little-endian 52-bit
// limb arrays src[lane] (at least L rounded up to 8 limbs each).
template <int L>
inline void gather_limbs(V* v, const uint64_t* const* src) {
  for (int k = 0; 8 * k < L; ++k) {
    V r[8];
#pragma GCC unroll 8
    for (int lane = 0; lane < 8; ++lane) r[lane] = _mm512_loadu_si512(src[lane] + 8 * k);
    transpose8(r);
#pragma GCC unroll 8
    for (int c = 0; c < 8; ++c)
      if (8 * k + c < L) v[8 * k + c] = r[c];
  }
}

// load_lanes sets v[0..L) to the limbs of the big-endian `len`-byte numbers in[lane] (lanes past
// num_lanes repeat lane 0).
template <int L>
inline void load_lanes(V* v, const uint8_t* const* in, size_t len, size_t num_lanes) {
  for (int k = 0; 8 * k < L; ++k) {
    V r[8];
#pragma GCC unroll 8
    for (int lane = 0; lane < 8; ++lane)
      r[lane] = load_block(in[static_cast<size_t>(lane) < num_lanes ? lane : 0], len, k);
    transpose8(r);
#pragma GCC unroll 8
    for (int c = 0; c < 8; ++c)
      if (8 * k + c < L) v[8 * k + c] = r[c];
  }
}

template <int L, int B = 4>
void batch(const Key* const* keys, const uint8_t* const* s, uint8_t* const* out,
           size_t num_lanes) {
  V n[L], a[L], aR[L], x[L];
  // Lanes past num_lanes repeat lane 0 (a valid input); their results are dropped.
  const Key* lane_key[8];
  bool one_key = true;
  for (int lane = 0; lane < 8; ++lane) {
    lane_key[lane] = keys[static_cast<size_t>(lane) < num_lanes ? lane : 0];
    one_key = one_key && lane_key[lane] == keys[0];
  }
  V k0;
  if (one_key) {  // the usual case (a chunk's tokens sorted by key): broadcast the key's limbs
    const Key& k = *keys[0];
    for (int j = 0; j < L; ++j) n[j] = _mm512_set1_epi64(static_cast<int64_t>(k.n52[j]));
    k0 = _mm512_set1_epi64(static_cast<int64_t>(k.n0inv52));
  } else {
    const uint64_t* src[8];
    alignas(64) uint64_t k0buf[8];
    for (int lane = 0; lane < 8; ++lane) {
      src[lane] = lane_key[lane]->n52;
      k0buf[lane] = lane_key[lane]->n0inv52;
    }
    gather_limbs<L>(n, src);
    for (int lane = 0; lane < 8; ++lane) src[lane] = lane_key[lane]->rr52;
    gather_limbs<L>(x, src);  // R^2 mod n
    k0 = _mm512_load_si512(k0buf);
  }
  const size_t len = keys[0]->n_len;
  load_lanes<L>(a, s, len, num_lanes);

  if (one_key) {
    to_mont<L>(aR, a, keys[0]->conv52.data(), n, k0);  // s R
  } else {
    amm<L, B>(aR, a, x, n, k0);  // s R
  }
  const uint64_t e = keys[0]->e;
  const int top = 63 - __builtin_clzll(e);
  const V* cur = aR;  // the running power, s R until the first squaring
  for (int bit = top - 1; bit >= 1; --bit) {
    ams<L, B>(x, cur, n, k0);
    cur = x;
    if ((e >> bit) & 1) amm<L, B>(x, x, aR, n, k0);
  }
  ams<L, B>(x, cur, n, k0);   // s^(e-1) R
  amm<L, B>(x, x, a, n, k0);  // s^e, below 2n

  reduce_once<L>(x, n);
  for (int k = 0; 8 * k < L; ++k) {
    V r[8];
#pragma GCC unroll 8
    for (int c = 0; c < 8; ++c) r[c] = 8 * k + c < L ? x[8 * k + c] : _mm512_setzero_si512();
    transpose8(r);
    for (size_t lane = 0; lane < num_lanes; ++lane) store_block(r[lane], out[lane], len, k);
  }
}

// pkcs1_batch: Pkcs1CheckBatch (rsa.hpp) for one key. Starting from x = s (not s R), the same
// left-to-right exponentiation with s as the multiplier keeps x = s^E R^-(E-1) for the exponent E
// read so far, and ends at Z = s^e R^-(e-1) mod n, below 2n: no conversion into the Montgomery
// domain and none out of it. EM = EM_h + H (EM_h: the encoding with a zero digest, H: the digest,
// its low bytes), so EM K 2^104 = base_h + sum_j H_j row_j with the key's tables, and table_sum's
// two Montgomery digits make it EM K mod n (below 2n), K = R^-(e-1). Both reduced mod n, a lane
// passes iff all its limbs are equal (every limb compared, whatever differs).
template <int L, int B = 4>
uint32_t pkcs1_batch(const Key& key, const uint8_t* const* s, const uint8_t* const* digests,
                     const size_t* digest_lens, size_t num_lanes) {
  V n[L], a[L], x[L], t[L];
  for (int j = 0; j < L; ++j) n[j] = _mm512_set1_epi64(static_cast<int64_t>(key.n52[j]));
  const V k0 = _mm512_set1_epi64(static_cast<int64_t>(key.n0inv52));
  load_lanes<L>(a, s, key.n_len, num_lanes);

  // The target first (its inputs are ready): the digests' limbs, up to kPkcs1Rows. A lane whose
  // digest length is not a PKCS#1 one fails; it (like the lanes past num_lanes) computes on the
  // first usable lane's input, so every lane reads a 32-, 48- or 64-byte digest.
  auto row_of = [](size_t len) { return len == 32 ? 0 : len == 48 ? 1 : len == 64 ? 2 : -1; };
  uint32_t usable = 0;
  for (size_t lane = 0; lane < num_lanes; ++lane)
    if (row_of(digest_lens[lane]) >= 0) usable |= uint32_t{1} << lane;
  if (usable == 0) return 0;
  const size_t ref = static_cast<size_t>(__builtin_ctz(usable));
  size_t lane_len[8];
  int base_row[8];
  const uint8_t* dig[8];
  size_t max_len = 0;
  for (size_t lane = 0; lane < 8; ++lane) {
    const size_t src = (usable >> lane) & 1 ? lane : ref;
    lane_len[lane] = digest_lens[src];
    dig[lane] = digests[src];
    base_row[lane] = row_of(lane_len[lane]);
    max_len = lane_len[lane] > max_len ? lane_len[lane] : max_len;
  }
  V h[16];
  for (int k = 0; k < 2; ++k) {
    V r[8];
#pragma GCC unroll 8
    for (int lane = 0; lane < 8; ++lane) r[lane] = load_block(dig[lane], lane_len[lane], k);
    transpose8(r);
#pragma GCC unroll 8
    for (int c = 0; c < 8; ++c) h[8 * k + c] = r[c];
  }
  V base[L];
  bool one_base = true;
  for (int lane = 1; lane < 8; ++lane) one_base = one_base && base_row[lane] == base_row[0];
  if (one_base) {
    const uint64_t* b = key.pkcs1_base52.data() + static_cast<size_t>(base_row[0]) * L;
    for (int j = 0; j < L; ++j) base[j] = _mm512_set1_epi64(static_cast<int64_t>(b[j]));
  } else {
    const uint64_t* src[8];
    for (int lane = 0; lane < 8; ++lane)
      src[lane] = key.pkcs1_base52.data() + static_cast<size_t>(base_row[lane]) * L;
    gather_limbs<L>(base, src);
  }
  const int rows = static_cast<int>((8 * max_len + 51) / 52);
  table_sum<L>(t, h, rows, key.pkcs1_rows52.data(), base, n, k0);
  reduce_once<L>(t, n);

  const uint64_t e = key.e;
  const int top = 63 - __builtin_clzll(e);
  const V* cur = a;
  for (int bit = top - 1; bit >= 0; --bit) {
    ams<L, B>(x, cur, n, k0);
    cur = x;
    if ((e >> bit) & 1) amm<L, B>(x, x, a, n, k0);
  }
  reduce_once<L>(x, n);

  V diff = _mm512_setzero_si512();
  for (int j = 0; j < L; ++j) diff = _mm512_or_si512(diff, _mm512_xor_si512(x[j], t[j]));
  const uint32_t differ = _mm512_test_epi64_mask(diff, diff);
  return ~differ & usable;
}

template <int L>
void mont_mul(const Key& key, const uint64_t* const* a, const uint64_t* const* b,
              uint64_t* const* out, size_t num_lanes) {
  V n[L], x[L], y[L], z[L];
  for (int j = 0; j < L; ++j) n[j] = _mm512_set1_epi64(static_cast<int64_t>(key.n52[j]));
  const V k0 = _mm512_set1_epi64(static_cast<int64_t>(key.n0inv52));
  const uint64_t* src[8];
  for (size_t lane = 0; lane < 8; ++lane) src[lane] = a[lane < num_lanes ? lane : 0];
  gather_limbs<L>(x, src);
  if (b == nullptr) {
    ams<L, 4>(y, x, n, k0);
  } else {
    for (size_t lane = 0; lane < 8; ++lane) src[lane] = b[lane < num_lanes ? lane : 0];
    gather_limbs<L>(z, src);
    amm<L, 4>(y, x, z, n, k0);
  }
  reduce_once<L>(y, n);
  alignas(64) uint64_t w[8];
  for (int j = 0; j < L; ++j) {
    _mm512_store_si512(w, y[j]);
    for (size_t lane = 0; lane < num_lanes; ++lane) out[lane][j] = w[lane];
  }
}

}  // namespace

void mont_mul_avx512_ifma(const Key& key, const uint64_t* const* a, const uint64_t* const* b,
                          uint64_t* const* out, size_t num_lanes) noexcept {
  if (num_lanes == 0) return;
  switch (key.num_limbs52) {
    case 40: return mont_mul<40>(key, a, b, out, num_lanes);
    case 60: return mont_mul<60>(key, a, b, out, num_lanes);
    case 80: return mont_mul<80>(key, a, b, out, num_lanes);
    default: return;
  }
}

uint32_t pkcs1_check_batch_avx512_ifma(const Key& key, const uint8_t* const* s,
                                       const uint8_t* const* digests, const size_t* digest_lens,
                                       size_t num_lanes) noexcept {
  if (num_lanes == 0) return 0;
  switch (key.num_limbs52) {
    case 40: return pkcs1_batch<40>(key, s, digests, digest_lens, num_lanes);
    case 60: return pkcs1_batch<60>(key, s, digests, digest_lens, num_lanes);
    case 80: return pkcs1_batch<80>(key, s, digests, digest_lens, num_lanes);
    default: return pkcs1_check_batch_scalar(key, s, digests, digest_lens, num_lanes);
  }
}

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
