// avx512_ifma.cpp: Ed25519 verification of up to 8 signatures at once, one per 64-bit lane of
// AVX-512 registers, with the 52-bit multipliers of AVX-512 IFMA (vpmadd52luq / vpmadd52huq).
//
// What it computes: for each lane exactly what verify_scalar computes (see ed25519.hpp): the
// scalar work of a lane (S < L, SHA-512(R || A || M) mod L, signed radix-16 digits) and the final
// encoding comparison run in scalar code (detail::lane_prologue / lane_epilogue, scalar.cpp); the
// point arithmetic between them, R' = sum over i of T_A[i][k_i] + T_B[i][s_i] (128 mixed additions
// from the tables of -A and B) and the inversion of Z, runs here for all lanes together. Lanes
// hold different keys: each gathers its own table entries. Unfilled and rejected lanes add the
// identity and their result is ignored.
//
// Field elements are five limbs of radix 2^51 per lane (the scalar layout, so the tables serve
// both variants), kept below 2^52 so that IFMA sees whole limbs. A product a_i b_j < 2^104 splits
// into lo (bits 0..51) at weight 2^(51(i+j)) and hi (bits 52..103) at weight 2^(51(i+j+1)+1), so
// hi counts twice in the next column; columns 5..9 fold into 0..4 times 19 (2^255 = 19 mod p).
// References: RFC 8032; Hisil, Wong, Carter, Dawson 2008 (madd-2008-hwcd-3); Intel SDM for
// VPMADD52LUQ/HUQ. No tables here: the entries come from scalar.cpp's build_table.
#include <immintrin.h>

#include <cstdint>

#include "kernels/ed25519/ed25519.hpp"
#include "kernels/ed25519/internal.hpp"

namespace jwtbatch::kernels::ed25519 {
namespace {

using V = __m512i;

struct F8 {
  V v[5];
};
struct G8 {
  F8 X, Y, Z, T;
};

constexpr uint64_t kMask51 = (uint64_t{1} << 51) - 1;
constexpr uint64_t k4p0 = 4 * ((uint64_t{1} << 51) - 19);
constexpr uint64_t k4pi = 4 * ((uint64_t{1} << 51) - 1);
constexpr uint64_t k2p0 = 2 * ((uint64_t{1} << 51) - 19);
constexpr uint64_t k2pi = 2 * ((uint64_t{1} << 51) - 1);

inline V splat(uint64_t x) { return _mm512_set1_epi64(static_cast<long long>(x)); }
inline V add64(V a, V b) { return _mm512_add_epi64(a, b); }
// Shifts through the zero-masked forms with a full mask (the same instruction): GCC 12's plain
// _mm512_slli/srli_epi64 pass _mm512_undefined_epi32() and trip -Wuninitialized.
template <int kBits>
inline V shl(V x) { return _mm512_maskz_slli_epi64(static_cast<__mmask8>(0xff), x, kBits); }
template <int kBits>
inline V shr(V x) { return _mm512_maskz_srli_epi64(static_cast<__mmask8>(0xff), x, kBits); }

inline V mul19(V x) {
  return add64(add64(shl<4>(x), shl<1>(x)), x);
}

// carry: limbs below 2^63 in, limbs below 2^51 + 2^12 out (limb 0 below 2^51 + 19 * 2^12).
inline void carry(F8& h) {
  const V m = splat(kMask51);
  const V c0 = shr<51>(h.v[0]), c1 = shr<51>(h.v[1]), c2 = shr<51>(h.v[2]),
          c3 = shr<51>(h.v[3]), c4 = shr<51>(h.v[4]);
  h.v[0] = add64(_mm512_and_si512(h.v[0], m), mul19(c4));
  h.v[1] = add64(_mm512_and_si512(h.v[1], m), c0);
  h.v[2] = add64(_mm512_and_si512(h.v[2], m), c1);
  h.v[3] = add64(_mm512_and_si512(h.v[3], m), c2);
  h.v[4] = add64(_mm512_and_si512(h.v[4], m), c3);
}

inline F8 fadd(const F8& f, const F8& g) {
  F8 h;
  for (int i = 0; i < 5; ++i) h.v[i] = add64(f.v[i], g.v[i]);
  carry(h);
  return h;
}

inline F8 fsub(const F8& f, const F8& g) {
  F8 h;
  h.v[0] = _mm512_sub_epi64(add64(f.v[0], splat(k4p0)), g.v[0]);
  for (int i = 1; i < 5; ++i) h.v[i] = _mm512_sub_epi64(add64(f.v[i], splat(k4pi)), g.v[i]);
  carry(h);
  return h;
}

// reduce_columns folds t[5..9] into t[0..4] and carries: t[k] below 2^56 in.
inline F8 reduce_columns(V t[10]) {
  F8 h;
  for (int k = 0; k < 5; ++k) h.v[k] = add64(t[k], mul19(t[k + 5]));  // below 20 * 2^56
  carry(h);
  return h;
}

inline F8 fmul(const F8& a, const F8& b) {
  const V z = _mm512_setzero_si512();
  V lo[10] = {z, z, z, z, z, z, z, z, z, z}, hi[10] = {z, z, z, z, z, z, z, z, z, z};
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 5; ++j) {
      lo[i + j] = _mm512_madd52lo_epu64(lo[i + j], a.v[i], b.v[j]);
      hi[i + j + 1] = _mm512_madd52hi_epu64(hi[i + j + 1], a.v[i], b.v[j]);
    }
  }
  // Column k: at most 5 lo and 5 hi terms below 2^52 each: lo + 2 hi < 15 * 2^52 < 2^56.
  V t[10];
  for (int k = 0; k < 10; ++k) t[k] = add64(lo[k], add64(hi[k], hi[k]));
  return reduce_columns(t);
}

inline F8 fsq(const F8& a) {
  const V z = _mm512_setzero_si512();
  // Diagonal terms a_i^2 once, cross terms a_i a_j (i < j) once and doubled at the end.
  V dlo[10] = {z, z, z, z, z, z, z, z, z, z}, dhi[10] = {z, z, z, z, z, z, z, z, z, z};
  V clo[10] = {z, z, z, z, z, z, z, z, z, z}, chi[10] = {z, z, z, z, z, z, z, z, z, z};
  for (int i = 0; i < 5; ++i) {
    dlo[2 * i] = _mm512_madd52lo_epu64(dlo[2 * i], a.v[i], a.v[i]);
    dhi[2 * i + 1] = _mm512_madd52hi_epu64(dhi[2 * i + 1], a.v[i], a.v[i]);
    for (int j = i + 1; j < 5; ++j) {
      clo[i + j] = _mm512_madd52lo_epu64(clo[i + j], a.v[i], a.v[j]);
      chi[i + j + 1] = _mm512_madd52hi_epu64(chi[i + j + 1], a.v[i], a.v[j]);
    }
  }
  // t = dlo + 2 clo + 2 dhi + 4 chi: at most 1 + 2*2 + 2*1 + 4*2 = 15 terms below 2^52 per column.
  V t[10];
  for (int k = 0; k < 10; ++k) {
    const V c2 = add64(clo[k], add64(chi[k], chi[k]));  // clo + 2 chi
    t[k] = add64(add64(dlo[k], add64(dhi[k], dhi[k])), add64(c2, c2));
  }
  return reduce_columns(t);
}

inline F8 fsq_n(F8 a, int n) {
  for (int i = 0; i < n; ++i) a = fsq(a);
  return a;
}

// finvert: z^(p-2) by the addition chain of scalar.cpp (254 squarings, 11 multiplications).
F8 finvert(const F8& z) {
  const F8 z2 = fsq(z);
  const F8 z9 = fmul(fsq_n(z2, 2), z);
  const F8 z11 = fmul(z9, z2);
  const F8 z5_0 = fmul(fsq(z11), z9);
  const F8 z10_0 = fmul(fsq_n(z5_0, 5), z5_0);
  const F8 z20_0 = fmul(fsq_n(z10_0, 10), z10_0);
  const F8 z40_0 = fmul(fsq_n(z20_0, 20), z20_0);
  const F8 z50_0 = fmul(fsq_n(z40_0, 10), z10_0);
  const F8 z100_0 = fmul(fsq_n(z50_0, 50), z50_0);
  const F8 z200_0 = fmul(fsq_n(z100_0, 100), z100_0);
  const F8 z250_0 = fmul(fsq_n(z200_0, 50), z50_0);
  return fmul(fsq_n(z250_0, 5), z11);
}

// gather_limbs loads limbs [first, first + 5) of each lane's entry at `addr` (absolute addresses:
// the gather's base operand is just the limb's byte offset).
inline F8 gather_fe(V addr, int first) {
  F8 f;
  for (int q = 0; q < 5; ++q) {
    // The masked form with an explicit zero source: GCC 12's unmasked intrinsic trips
    // -Wuninitialized on its internal source operand.
    f.v[q] = _mm512_mask_i64gather_epi64(
        _mm512_setzero_si512(), static_cast<__mmask8>(0xff), addr,
        reinterpret_cast<const void*>(static_cast<uintptr_t>(8 * (first + q))), 1);
  }
  return f;
}

// madd_lookup adds to `p` each lane's table entry at `addrs`, negated in lanes of `neg` and
// replaced by the identity in lanes of `zero` (madd-2008-hwcd-3 with Z2 = 1).
inline void madd_lookup(G8& p, const uint64_t* addrs, __mmask8 neg, __mmask8 zero) {
  const V addr = _mm512_load_si512(addrs);
  static_assert(sizeof(NielsPoint) == 15 * sizeof(uint64_t), "NielsPoint is 15 packed limbs");
  const F8 e_ypx = gather_fe(addr, 0), e_ymx = gather_fe(addr, 5);
  F8 xy2d = gather_fe(addr, 10);
  F8 ypx, ymx;
  for (int q = 0; q < 5; ++q) {
    // -Q = (-x, y): y + x and y - x swap, 2 d x y changes sign (entries are canonical, so
    // 2p - limb stays in [0, 2^52)).
    ypx.v[q] = _mm512_mask_blend_epi64(neg, e_ypx.v[q], e_ymx.v[q]);
    ymx.v[q] = _mm512_mask_blend_epi64(neg, e_ymx.v[q], e_ypx.v[q]);
    xy2d.v[q] = _mm512_mask_sub_epi64(xy2d.v[q], neg, splat(q == 0 ? k2p0 : k2pi), xy2d.v[q]);
    // Identity (y + x, y - x, 2dxy) = (1, 1, 0).
    const V one = splat(q == 0 ? 1 : 0);
    ypx.v[q] = _mm512_mask_mov_epi64(ypx.v[q], zero, one);
    ymx.v[q] = _mm512_mask_mov_epi64(ymx.v[q], zero, one);
    xy2d.v[q] = _mm512_maskz_mov_epi64(static_cast<__mmask8>(~zero), xy2d.v[q]);
  }
  const F8 a = fmul(fsub(p.Y, p.X), ymx);
  const F8 b = fmul(fadd(p.Y, p.X), ypx);
  const F8 c = fmul(p.T, xy2d);
  const F8 d = fadd(p.Z, p.Z);
  const F8 e = fsub(b, a), f = fsub(d, c), g = fadd(d, c), h = fadd(b, a);
  p.X = fmul(e, f);
  p.Y = fmul(g, h);
  p.T = fmul(e, h);
  p.Z = fmul(f, g);
}

inline F8 fe_const(uint64_t limb0) {
  F8 f;
  f.v[0] = splat(limb0);
  for (int q = 1; q < 5; ++q) f.v[q] = _mm512_setzero_si512();
  return f;
}

// LaneTables is each position's per-lane entry addresses and sign/zero masks for both scalars.
struct LaneTables {
  alignas(64) uint64_t addr_k[kTablePositions][kMaxLanes];
  alignas(64) uint64_t addr_s[kTablePositions][kMaxLanes];
  uint8_t neg_k[kTablePositions], zero_k[kTablePositions];
  uint8_t neg_s[kTablePositions], zero_s[kTablePositions];
};

inline void set_digit(uint64_t* addr, uint8_t* neg, uint8_t* zero, const MultTable& t, int i, int d,
                      unsigned lane) {
  const int a = d < 0 ? -d : d;
  addr[lane] = reinterpret_cast<uintptr_t>(&t.entry[i][a == 0 ? 0 : a - 1]);
  if (d < 0) *neg = static_cast<uint8_t>(*neg | (1u << lane));
  if (d == 0) *zero = static_cast<uint8_t>(*zero | (1u << lane));
}

}  // namespace

void verify_lanes_avx512_ifma(Job* jobs, size_t num_jobs) noexcept {
  if (num_jobs > kMaxLanes) num_jobs = kMaxLanes;
  const MultTable& base = base_table();
  LaneTables lt;
  for (int i = 0; i < kTablePositions; ++i) lt.neg_k[i] = lt.zero_k[i] = lt.neg_s[i] = lt.zero_s[i] = 0;
  bool live[kMaxLanes] = {};
  for (unsigned l = 0; l < kMaxLanes; ++l) {
    int8_t kd[kTablePositions] = {}, sd[kTablePositions] = {};
    const MultTable* ta = &base;  // any valid table for lanes that only add the identity
    if (l < num_jobs) {
      const Job& j = jobs[l];
      live[l] = detail::lane_prologue(*j.key, j.message, j.message_len, j.signature, kd, sd);
      if (live[l]) {
        ta = &j.key->neg_a;
      } else {
        for (int i = 0; i < kTablePositions; ++i) kd[i] = sd[i] = 0;
      }
    }
    for (int i = 0; i < kTablePositions; ++i) {
      set_digit(lt.addr_k[i], &lt.neg_k[i], &lt.zero_k[i], *ta, i, kd[i], l);
      set_digit(lt.addr_s[i], &lt.neg_s[i], &lt.zero_s[i], base, i, sd[i], l);
    }
  }

  G8 acc{fe_const(0), fe_const(1), fe_const(1), fe_const(0)};
  for (int i = 0; i < kTablePositions; ++i) {
    madd_lookup(acc, lt.addr_k[i], lt.neg_k[i], lt.zero_k[i]);
    madd_lookup(acc, lt.addr_s[i], lt.neg_s[i], lt.zero_s[i]);
  }
  const F8 zi = finvert(acc.Z);
  const F8 x = fmul(acc.X, zi), y = fmul(acc.Y, zi);
  alignas(64) uint64_t xs[5][kMaxLanes], ys[5][kMaxLanes];
  for (int q = 0; q < 5; ++q) {
    _mm512_store_si512(xs[q], x.v[q]);
    _mm512_store_si512(ys[q], y.v[q]);
  }
  for (size_t l = 0; l < num_jobs; ++l) {
    Fe fx, fy;
    for (int q = 0; q < 5; ++q) {
      fx.v[q] = xs[q][l];
      fy.v[q] = ys[q][l];
    }
    jobs[l].valid = live[l] && detail::lane_epilogue(fx, fy, jobs[l].signature);
  }
}

}  // namespace jwtbatch::kernels::ed25519
