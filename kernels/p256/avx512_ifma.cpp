// avx512_ifma.cpp: u1*G + u2*Q for 8 P-256 signatures at once (contract in p256.hpp, LaneBatch).
//
// Each 512-bit register holds one 52-bit limb of a field element for 8 lanes; an element is 5 limbs
// (radix 2^52), kept in Montgomery form x * 2^260 mod p. Products use vpmadd52luq / vpmadd52huq
// (low and high 52 bits of a 52x52-bit product, accumulated into 64 bits). Montgomery reduction is
// word by word (5 steps of 52 bits); since p = -1 mod 2^52 the quotient digit is just the low limb,
// and p's limb 2 is zero. Values are reduced lazily: a product of two inputs below 4p is below 2p,
// so sums and differences feed the multiplier unreduced, and only the new X and Y of a point are
// brought back below 2p, by folding the bits above 2^256 with 2^256 = 2^224 - 2^192 - 2^96 + 1
// (mod p). Every lane adds table points (affine, gathered from its own key's table) into a Jacobian
// accumulator with the mixed addition of madd-2007-bl shape (8M + 3S). Lanes whose digit is zero
// keep their accumulator (masked blend); a lane still at infinity takes the table point itself.
// Exceptional additions (equal or opposite points) are not handled here: they leave Z = 0 (mod p),
// which the caller detects and recomputes with the scalar reference.
//
// References: Intel, "Intel 64 and IA-32 Architectures Software Developer's Manual", VPMADD52LUQ /
// VPMADD52HUQ; Gueron and Krasnov, "Accelerating Big Integer Arithmetic Using Intel IFMA
// Extensions" (ARITH 2016); Hankerson, Menezes, Vanstone, "Guide to ECC" 3.2 (Jacobian formulas).
// Constants: limbs of p, 2p and 2^260 mod p in radix 2^52, derived from p = 2^256 - 2^224 + 2^192 +
// 2^96 - 1 in the comments below (and checked by tests/unit/ecdsa_kernel_test.cpp through every verification).
// GCC 12 reports the deliberately undefined pass-through operand inside some AVX-512 intrinsics
// (_mm512_undefined_epi32) as uninitialized; a known false positive of the header.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "kernels/p256/p256.hpp"

namespace jwtbatch::kernels::p256 {
namespace {

using V = __m512i;
using u64 = uint64_t;

struct Fe {
  V l[5];
};

constexpr u64 kMask52 = (u64{1} << 52) - 1;
// p: bits 0..95, 192, 224..255. Limb k holds bits 52k..52k+51.
constexpr u64 kP[5] = {0xFFFFFFFFFFFFF, 0xFFFFFFFFFFF, 0, 0x1000000000, 0xFFFFFFFF0000};
// 2p, normalized limbs.
constexpr u64 k2P[5] = {0xFFFFFFFFFFFFE, 0x1FFFFFFFFFFF, 0, 0x2000000000, 0x1FFFFFFFE0000};
// 2^260 mod p = 16 * (2^224 - 2^192 - 2^96 + 1) = 2^228 - 2^196 - 2^100 + 16: bits 4, 100..195,
// 197..227 (Montgomery form of 1).
constexpr u64 kOne[5] = {0x10, 0xF000000000000, 0xFFFFFFFFFFFFF, 0xFFEFFFFFFFFFF, 0xFFFFF};

inline V bc(u64 x) { return _mm512_set1_epi64(static_cast<long long>(x)); }
inline V lo(V acc, V a, V b) { return _mm512_madd52lo_epu64(acc, a, b); }
inline V hi(V acc, V a, V b) { return _mm512_madd52hi_epu64(acc, a, b); }

// carry propagates limbs that may be negative or wider than 52 bits (the value must be >= 0 and
// < 2^260): limbs 0..3 end in [0, 2^52), limb 4 takes the rest.
inline void carry(Fe& a) {
  const V mask = bc(kMask52);
  for (int k = 0; k < 4; ++k) {
    a.l[k + 1] = _mm512_add_epi64(a.l[k + 1], _mm512_srai_epi64(a.l[k], 52));
    a.l[k] = _mm512_and_si512(a.l[k], mask);
  }
}

// reduce brings a value in [0, 2^260) (limbs as carry accepts) below 2^256 + 2^228 < 2p.
inline void reduce(Fe& a) {
  carry(a);
  const V top = _mm512_srli_epi64(a.l[4], 48);
  a.l[4] = _mm512_and_si512(a.l[4], bc((u64{1} << 48) - 1));
  // + top * (2^224 - 2^192 - 2^96 + 1): bit 16 of limb 4, bit 36 of limb 3, bit 44 of limb 1, bit 0.
  a.l[4] = _mm512_add_epi64(a.l[4], _mm512_slli_epi64(top, 16));
  a.l[3] = _mm512_sub_epi64(a.l[3], _mm512_slli_epi64(top, 36));
  a.l[1] = _mm512_sub_epi64(a.l[1], _mm512_slli_epi64(top, 44));
  a.l[0] = _mm512_add_epi64(a.l[0], top);
  carry(a);
}

// add2p_sub returns a + 2p - b (carried), in (0, 6p) for a < 4p, b <= 2p.
inline Fe sub(const Fe& a, const Fe& b) {
  Fe r;
  for (int k = 0; k < 5; ++k) r.l[k] = _mm512_sub_epi64(_mm512_add_epi64(a.l[k], bc(k2P[k])), b.l[k]);
  carry(r);
  return r;
}

// mul returns a * b / 2^260 mod p, < 2p, for a, b < 4p with carried limbs.
inline Fe mul(const Fe& a, const Fe& b) {
  V t[10];
  const V zero = _mm512_setzero_si512();
  for (int k = 0; k < 10; ++k) t[k] = zero;
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 5; ++j) {
      t[i + j] = lo(t[i + j], a.l[i], b.l[j]);
      t[i + j + 1] = hi(t[i + j + 1], a.l[i], b.l[j]);
    }
  }
  const V mask = bc(kMask52), p0 = bc(kP[0]), p1 = bc(kP[1]), p3 = bc(kP[3]), p4 = bc(kP[4]);
  for (int i = 0; i < 5; ++i) {
    // m = t[i] mod 2^52 (-p^-1 = 1 mod 2^52); adding m * p clears limb i.
    const V m = _mm512_and_si512(t[i], mask);
    t[i] = lo(t[i], m, p0);
    t[i + 1] = hi(t[i + 1], m, p0);
    t[i + 1] = lo(t[i + 1], m, p1);
    t[i + 2] = hi(t[i + 2], m, p1);
    t[i + 3] = lo(t[i + 3], m, p3);
    t[i + 4] = hi(t[i + 4], m, p3);
    t[i + 4] = lo(t[i + 4], m, p4);
    t[i + 5] = hi(t[i + 5], m, p4);
    t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64(t[i], 52));
  }
  Fe r;
  for (int k = 0; k < 5; ++k) r.l[k] = t[k + 5];
  for (int k = 0; k < 4; ++k) {
    r.l[k + 1] = _mm512_add_epi64(r.l[k + 1], _mm512_srli_epi64(r.l[k], 52));
    r.l[k] = _mm512_and_si512(r.l[k], mask);
  }
  return r;
}

inline Fe sqr(const Fe& a) { return mul(a, a); }

inline Fe blend(__mmask8 m, const Fe& a, const Fe& b) {  // lanes of m from b, others from a
  Fe r;
  for (int k = 0; k < 5; ++k) r.l[k] = _mm512_mask_blend_epi64(m, a.l[k], b.l[k]);
  return r;
}

struct Acc {
  Fe x, y, z;
  __mmask8 inf;
};

// add_points adds the table points of one window (digits `d8`, 8 lanes) into `acc`.
inline void add_points(Acc& acc, const u64* base, V lane_offsets, const int8_t* d8, int window) {
  const V d = _mm512_cvtepi8_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(d8)));
  const V zero = _mm512_setzero_si512();
  const __mmask8 nz = _mm512_test_epi64_mask(d, d);
  if (nz == 0) return;
  const __mmask8 neg = _mm512_cmplt_epi64_mask(d, zero);
  const V idx = _mm512_max_epi64(_mm512_sub_epi64(_mm512_abs_epi64(d), bc(1)), zero);
  const V entry = _mm512_add_epi64(idx, bc(static_cast<u64>(window) * kWindowEntries));
  // Byte offset of the entry: entry * 80 = entry * 64 + entry * 16.
  const V off = _mm512_add_epi64(lane_offsets,
                                 _mm512_add_epi64(_mm512_slli_epi64(entry, 6), _mm512_slli_epi64(entry, 4)));
  Fe px, py;
  for (int k = 0; k < 5; ++k) {
    px.l[k] = _mm512_i64gather_epi64(_mm512_add_epi64(off, bc(8 * k)), base, 1);
    py.l[k] = _mm512_i64gather_epi64(_mm512_add_epi64(off, bc(40 + 8 * k)), base, 1);
  }
  // Negative digit: y -> p - y (y < p, so the result is in (0, p]).
  Fe pny;
  for (int k = 0; k < 5; ++k) pny.l[k] = _mm512_sub_epi64(bc(kP[k]), py.l[k]);
  carry(pny);
  py = blend(neg, py, pny);

  // Mixed addition (X1, Y1, Z1) + (x2, y2); bounds in comments (inputs < 2p).
  const Fe z1z1 = sqr(acc.z);                    // < 2p
  const Fe u2 = mul(px, z1z1);                   // < 2p
  const Fe s2 = mul(py, mul(acc.z, z1z1));       // < 2p
  const Fe h = sub(u2, acc.x);                   // (0, 4p)
  const Fe r = sub(s2, acc.y);                   // (0, 4p)
  const Fe hh = sqr(h), hhh = mul(h, hh), v = mul(acc.x, hh);  // < 2p each
  Fe x3;
  const Fe r2 = sqr(r);
  for (int k = 0; k < 5; ++k) {
    // r^2 + 6p - hhh - 2v, in (0, 8p).
    const V six_p = _mm512_add_epi64(bc(k2P[k] * 3), zero);
    x3.l[k] = _mm512_sub_epi64(_mm512_add_epi64(r2.l[k], six_p),
                               _mm512_add_epi64(hhh.l[k], _mm512_add_epi64(v.l[k], v.l[k])));
  }
  reduce(x3);                                    // < 2p
  Fe y3 = sub(mul(r, sub(v, x3)), mul(acc.y, hhh));  // (0, 4p)
  reduce(y3);                                    // < 2p
  const Fe z3 = mul(acc.z, h);                   // < 2p

  const __mmask8 take = nz & static_cast<__mmask8>(~acc.inf);
  const __mmask8 init = nz & acc.inf;
  acc.x = blend(init, blend(take, acc.x, x3), px);
  acc.y = blend(init, blend(take, acc.y, y3), py);
  Fe one;
  for (int k = 0; k < 5; ++k) one.l[k] = bc(kOne[k]);
  acc.z = blend(init, blend(take, acc.z, z3), one);
  acc.inf = acc.inf & static_cast<__mmask8>(~nz);
}

}  // namespace

void eval_lanes_avx512_ifma(const LaneBatch& in, LaneResult& out) noexcept {
  Acc acc;
  for (int k = 0; k < 5; ++k) acc.x.l[k] = acc.y.l[k] = acc.z.l[k] = _mm512_setzero_si512();
  acc.inf = 0xFF;
  // Lane l's key table as a byte offset from lane 0's (the gathers use lane 0's table as base).
  alignas(64) long long q_off[8];
  const auto q0 = reinterpret_cast<uintptr_t>(in.q_tables[0]);
  for (int l = 0; l < 8; ++l) q_off[l] = static_cast<long long>(reinterpret_cast<uintptr_t>(in.q_tables[l]) - q0);
  const V q_offsets = _mm512_load_si512(q_off);
  const V g_offsets = _mm512_setzero_si512();
  for (int w = 0; w < kNumWindows; ++w) {
    add_points(acc, in.g_table, g_offsets, in.g_digits[w], w);
    add_points(acc, in.q_tables[0], q_offsets, in.q_digits[w], w);
  }
  for (int k = 0; k < 5; ++k) {
    _mm512_storeu_si512(out.x[k], acc.x.l[k]);
    _mm512_storeu_si512(out.z[k], acc.z.l[k]);
  }
  for (int l = 0; l < 8; ++l) out.infinity[l] = (acc.inf >> l) & 1;
}

}  // namespace jwtbatch::kernels::p256
