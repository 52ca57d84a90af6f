// avx512_ifma.cpp: u1*G + u2*Q for 8 P-384 signatures at once (contract in p384.hpp, LaneBatch).
//
// Each 512-bit register holds one 52-bit limb of a field element for 8 lanes; an element is 8 limbs
// (radix 2^52, 416 bits), kept in Montgomery form x * 2^416 mod p. Products use vpmadd52luq /
// vpmadd52huq (low and high 52 bits of a 52x52-bit product, accumulated into 64 bits); Montgomery
// reduction is word by word (8 steps of 52 bits, quotient digit m = t * (-p^-1) mod 2^52).
//
// Bounds (why no value is ever reduced below p inside the lanes): R = 2^416 is 2^32 times larger
// than p, so the Montgomery product of a and b is (a*b + m*p) / R < a*b / R + p < 2p whenever
// a, b < 2^16 p. Every value here stays below 10p: products come out < 2p, a difference a - b is
// computed as a + k*p - b with a multiple k*p above b's bound, and only the limbs are carried
// (arithmetic shifts take the negative ones). Only the result's X is brought below 2p at the end,
// by one multiplication by 2^416 mod p (Montgomery form of 1).
//
// Every lane adds table points (affine, canonical, gathered from its own key's table) into a
// Jacobian accumulator with the mixed addition of madd-2007-bl shape (8M + 3S). Lanes whose digit is
// zero keep their accumulator (masked blend); a lane still at infinity takes the table point itself.
// Exceptional additions (equal or opposite points) are not handled here: they leave Z = 0 (mod p),
// which the caller detects and recomputes with the scalar reference.
//
// References: Intel, "Intel 64 and IA-32 Architectures Software Developer's Manual", VPMADD52LUQ /
// VPMADD52HUQ; Gueron and Krasnov, "Accelerating Big Integer Arithmetic Using Intel IFMA
// Extensions" (ARITH 2016); Hankerson, Menezes, Vanstone, "Guide to ECC" 2.2 and 3.2.
// Constants: p's limbs in radix 2^52 from p = 2^384 - 2^128 - 2^96 + 2^32 - 1 (comments below), its
// multiples computed from them at compile time; checked by tests/unit/ecdsa_kernel_test.cpp through
// every verification.
// GCC 12 reports the deliberately undefined pass-through operand inside some AVX-512 intrinsics
// (_mm512_undefined_epi32) as uninitialized; a known false positive of the header.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "kernels/p384/p384.hpp"

namespace jwtbatch::kernels::p384 {
namespace {

using V = __m512i;
using u64 = uint64_t;
constexpr int L = kIfmaLimbs;

struct Fe {
  V l[L];
};

constexpr u64 kMask52 = (u64{1} << 52) - 1;
// p = FF..FF FFFFFFFE FFFFFFFF 00000000 00000000 FFFFFFFF (hex): bits 0..31, 96..127 and 129..383 set.
// Limb k holds bits 52k..52k+51.
constexpr u64 kP[L] = {0xFFFFFFFF, 0xFF00000000000, 0xFFFFFFEFFFFFF, 0xFFFFFFFFFFFFF,
                       0xFFFFFFFFFFFFF, 0xFFFFFFFFFFFFF, 0xFFFFFFFFFFFFF, 0xFFFFF};
// -p^-1 mod 2^52: p = 2^32 - 1 (mod 2^52), and (2^32 - 1)(2^32 + 1) = 2^64 - 1 = -1 (mod 2^52).
constexpr u64 kM0Inv = 0x100000001;
// 2^416 mod p = 2^32 * (2^128 + 2^96 - 2^32 + 1) = 2^160 + 2^128 - 2^64 + 2^32: bits 32, 64..127,
// 160 (Montgomery form of 1).
constexpr u64 kOne[L] = {0x100000000, 0xFFFFFFFFFF000, 0xFFFFFF, 0x10, 0, 0, 0, 0};

// Multiple holds k * p in normalized 52-bit limbs (the top limb takes the rest).
struct Multiple {
  u64 l[L];
};
constexpr Multiple multiple_of_p(u64 k) {
  Multiple m{};
  u64 carry = 0;
  for (int i = 0; i < L; ++i) {
    const u64 v = kP[i] * k + carry;  // kP[i] < 2^52, k <= 8: no overflow
    m.l[i] = i < L - 1 ? v & kMask52 : v;
    carry = v >> 52;
  }
  return m;
}
constexpr Multiple k2P = multiple_of_p(2), k6P = multiple_of_p(6), k8P = multiple_of_p(8);

inline V bc(u64 x) { return _mm512_set1_epi64(static_cast<long long>(x)); }
inline V lo(V acc, V a, V b) { return _mm512_madd52lo_epu64(acc, a, b); }
inline V hi(V acc, V a, V b) { return _mm512_madd52hi_epu64(acc, a, b); }

// carry propagates limbs that may be negative or wider than 52 bits (the value must be >= 0 and
// < 2^416): limbs 0..6 end in [0, 2^52), limb 7 takes the rest.
inline void carry(Fe& a) {
  const V mask = bc(kMask52);
  for (int k = 0; k < L - 1; ++k) {
    a.l[k + 1] = _mm512_add_epi64(a.l[k + 1], _mm512_srai_epi64(a.l[k], 52));
    a.l[k] = _mm512_and_si512(a.l[k], mask);
  }
}

// sub returns a + k*p - b (carried) for b < k*p: in (a, a + k*p).
inline Fe sub(const Fe& a, const Fe& b, const Multiple& kp) {
  Fe r;
  for (int k = 0; k < L; ++k) r.l[k] = _mm512_sub_epi64(_mm512_add_epi64(a.l[k], bc(kp.l[k])), b.l[k]);
  carry(r);
  return r;
}

// mul returns a * b / 2^416 mod p, < 2p with carried limbs, for a, b < 2^16 p with carried limbs.
inline Fe mul(const Fe& a, const Fe& b) {
  V t[2 * L];
  const V zero = _mm512_setzero_si512();
  for (int k = 0; k < 2 * L; ++k) t[k] = zero;
  for (int i = 0; i < L; ++i) {
    for (int j = 0; j < L; ++j) {
      t[i + j] = lo(t[i + j], a.l[i], b.l[j]);
      t[i + j + 1] = hi(t[i + j + 1], a.l[i], b.l[j]);
    }
  }
  const V m0inv = bc(kM0Inv);
  for (int i = 0; i < L; ++i) {
    // m = t[i] * (-p^-1) mod 2^52 (IFMA reads t[i]'s low 52 bits); adding m * p clears limb i.
    const V m = lo(zero, t[i], m0inv);
    for (int j = 0; j < L; ++j) {
      t[i + j] = lo(t[i + j], m, bc(kP[j]));
      t[i + j + 1] = hi(t[i + j + 1], m, bc(kP[j]));
    }
    t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64(t[i], 52));
  }
  Fe r;
  for (int k = 0; k < L; ++k) r.l[k] = t[k + L];
  const V mask = bc(kMask52);
  for (int k = 0; k < L - 1; ++k) {
    r.l[k + 1] = _mm512_add_epi64(r.l[k + 1], _mm512_srli_epi64(r.l[k], 52));
    r.l[k] = _mm512_and_si512(r.l[k], mask);
  }
  return r;
}

inline Fe sqr(const Fe& a) { return mul(a, a); }

inline Fe blend(__mmask8 m, const Fe& a, const Fe& b) {  // lanes of m from b, others from a
  Fe r;
  for (int k = 0; k < L; ++k) r.l[k] = _mm512_mask_blend_epi64(m, a.l[k], b.l[k]);
  return r;
}

// Acc is a lane group's accumulator: X < 8p, Y < 4p, Z < 2p, limbs carried.
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
  // Byte offset of the entry: entry * 128.
  const V off = _mm512_add_epi64(lane_offsets, _mm512_slli_epi64(entry, 7));
  Fe px, py;
  for (int k = 0; k < L; ++k) {
    px.l[k] = _mm512_i64gather_epi64(_mm512_add_epi64(off, bc(8 * k)), base, 1);
    py.l[k] = _mm512_i64gather_epi64(_mm512_add_epi64(off, bc(8 * (L + k))), base, 1);
  }
  // Negative digit: y -> p - y (y < p, so the result is in (0, p]).
  Fe pny;
  for (int k = 0; k < L; ++k) pny.l[k] = _mm512_sub_epi64(bc(kP[k]), py.l[k]);
  carry(pny);
  py = blend(neg, py, pny);

  // Mixed addition (X1, Y1, Z1) + (x2, y2); bounds in comments (X1 < 8p, Y1 < 4p, Z1 < 2p).
  const Fe z1z1 = sqr(acc.z);                    // < 2p
  const Fe u2 = mul(px, z1z1);                   // < 2p
  const Fe s2 = mul(py, mul(acc.z, z1z1));       // < 2p
  const Fe h = sub(u2, acc.x, k8P);              // (0, 10p)
  const Fe r = sub(s2, acc.y, k6P);              // (0, 8p)
  const Fe hh = sqr(h), hhh = mul(h, hh), v = mul(acc.x, hh);  // < 2p each
  Fe t;                                          // hhh + 2v < 6p (limbs uncarried, < 3 * 2^52)
  for (int k = 0; k < L; ++k) t.l[k] = _mm512_add_epi64(hhh.l[k], _mm512_add_epi64(v.l[k], v.l[k]));
  const Fe x3 = sub(sqr(r), t, k6P);             // (0, 8p)
  const Fe y3 = sub(mul(r, sub(v, x3, k8P)), mul(acc.y, hhh), k2P);  // (0, 4p)
  const Fe z3 = mul(acc.z, h);                   // < 2p

  const __mmask8 take = nz & static_cast<__mmask8>(~acc.inf);
  const __mmask8 init = nz & acc.inf;
  acc.x = blend(init, blend(take, acc.x, x3), px);
  acc.y = blend(init, blend(take, acc.y, y3), py);
  Fe one;
  for (int k = 0; k < L; ++k) one.l[k] = bc(kOne[k]);
  acc.z = blend(init, blend(take, acc.z, z3), one);
  acc.inf = acc.inf & static_cast<__mmask8>(~nz);
}

}  // namespace

void eval_lanes_avx512_ifma(const LaneBatch& in, LaneResult& out) noexcept {
  Acc acc;
  for (int k = 0; k < L; ++k) acc.x.l[k] = acc.y.l[k] = acc.z.l[k] = _mm512_setzero_si512();
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
  // X < 8p: times 2^416 mod p (Montgomery form of 1) brings it below 2p, as the contract says.
  Fe one;
  for (int k = 0; k < L; ++k) one.l[k] = bc(kOne[k]);
  const Fe x = mul(acc.x, one);
  for (int k = 0; k < L; ++k) {
    _mm512_storeu_si512(out.x[k], x.l[k]);
    _mm512_storeu_si512(out.z[k], acc.z.l[k]);
  }
  for (int l = 0; l < 8; ++l) out.infinity[l] = (acc.inf >> l) & 1;
}

}  // namespace jwtbatch::kernels::p384
