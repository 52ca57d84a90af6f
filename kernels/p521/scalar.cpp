// scalar.cpp: the portable P-521 ECDSA verification kernel (contract in p521.hpp): field and scalar
// arithmetic, the key and generator tables, and the batch driver.
//
// Field GF(p), p = 2^521 - 1: an element is 9 limbs of 58 bits (little-endian, value
// sum v[i] * 2^(58 i)). A product's 17 columns fold into 9 because 2^522 = 2 (mod p); the carry out
// of the top limb (bit 521 and up) folds into limb 0 because 2^521 = 1 (mod p). Elements are kept
// "weakly reduced": limbs 0..7 below 2^58 + 2^10, limb 8 below 2^57 + 2^10 (a value that may still be
// >= p); fe_canon makes the unique representative for comparisons and tables. Bounds, with weak
// inputs: a column of fe_mul is at most 18 products of two 58.01-bit limbs, < 2^121, so unsigned
// __int128 never overflows; fe_sub adds 2p limb by limb (each 2p limb exceeds any weak limb), so no
// limb goes negative.
//
// Scalars mod n: 9 x 64-bit words, Montgomery multiplication (CIOS, R = 2^576); s^-1 by the binary
// extended Euclidean algorithm.
//
// Points are Jacobian (X/Z^2, Y/Z^3); the curve has a = -3.
//
// Constants: p, n, b and G are the curve's definition (FIPS 186-5 / SEC 2 "secp521r1"); the tests
// check them against BoringSSL's group. Every derived constant (R mod n, R^2 mod n, -n^-1 mod 2^64,
// the tables) is computed here, at compile time or on first use.
//
// References: Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve Cryptography" (2004): 2.2.6
// (reduction modulo Mersenne-like primes), 2.2 (Montgomery multiplication), 2.22 (binary
// inversion), 3.2 (Jacobian formulas),
// 3.3 (fixed-base windowed multiplication with precomputation), 2.2.5 (simultaneous inversion); the
// Explicit-Formulas Database (hyperelliptic.org/EFD): dbl-2001-b, add-1998-cmo-2, madd-2004-hmv.
#include "kernels/p521/p521.hpp"

#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace jwtbatch::kernels::p521 {
namespace {

using u64 = uint64_t;
using u128 = unsigned __int128;

// ---- 576-bit integers (parsing, scalars) --------------------------------------------------------

constexpr int kWords = 9;

struct U576 {
  u64 v[kWords];
};

constexpr U576 kP{{0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF,
                   0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x00000000000001FF}};
constexpr U576 kN{{0xBB6FB71E91386409, 0x3BB5C9B8899C47AE, 0x7FCC0148F709A5D0, 0x51868783BF2F966B, 0xFFFFFFFFFFFFFFFA,
                   0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x00000000000001FF}};
constexpr U576 kB{{0xEF451FD46B503F00, 0x3573DF883D2C34F1, 0x1652C0BD3BB1BF07, 0x56193951EC7E937B, 0xB8B489918EF109E1,
                   0xA2DA725B99B315F3, 0x929A21A0B68540EE, 0x953EB9618E1C9A1F, 0x0000000000000051}};
constexpr U576 kGx{{0xF97E7E31C2E5BD66, 0x3348B3C1856A429B, 0xFE1DC127A2FFA8DE, 0xA14B5E77EFE75928, 0xF828AF606B4D3DBA,
                    0x9C648139053FB521, 0x9E3ECB662395B442, 0x858E06B70404E9CD, 0x00000000000000C6}};
constexpr U576 kGy{{0x88BE94769FD16650, 0x353C7086A272C240, 0xC550B9013FAD0761, 0x97EE72995EF42640, 0x17AFBD17273E662C,
                    0x98F54449579B4468, 0x5C8A5FB42C7D1BD9, 0x39296A789A3BC004, 0x0000000000000118}};

constexpr bool is_zero(const U576& a) {
  u64 acc = 0;
  for (u64 w : a.v) acc |= w;
  return acc == 0;
}
// less: a < b.
constexpr bool less(const U576& a, const U576& b) {
  for (int i = kWords - 1; i >= 0; --i)
    if (a.v[i] != b.v[i]) return a.v[i] < b.v[i];
  return false;
}
// add: out = a + b mod 2^576, returns the carry.
constexpr u64 add(U576& out, const U576& a, const U576& b) {
  u128 c = 0;
  for (int i = 0; i < kWords; ++i) {
    c += u128{a.v[i]} + b.v[i];
    out.v[i] = static_cast<u64>(c);
    c >>= 64;
  }
  return static_cast<u64>(c);
}
// sub: out = a - b mod 2^576, returns the borrow (1 when a < b).
constexpr u64 sub(U576& out, const U576& a, const U576& b) {
  u64 borrow = 0;
  for (int i = 0; i < kWords; ++i) {
    const u128 d = u128{a.v[i]} - b.v[i] - borrow;
    out.v[i] = static_cast<u64>(d);
    borrow = static_cast<u64>(d >> 64) & 1;
  }
  return borrow;
}

// from_be reads `len` (<= 72) big-endian bytes.
U576 from_be(const uint8_t* b, size_t len) {
  U576 r{};
  for (size_t k = 0; k < len; ++k) r.v[k / 8] |= u64{b[len - 1 - k]} << (8 * (k % 8));
  return r;
}

// ---- scalars mod n: Montgomery, R = 2^576 -------------------------------------------------------

struct Modulus {
  U576 m;
  u64 m0inv;  // -m^-1 mod 2^64
  U576 r1;    // 2^576 mod m (Montgomery form of 1)
  U576 r2;    // 2^1152 mod m
};

// mod_double returns 2a mod m for a < m < 2^575.
constexpr U576 mod_double(const U576& a, const U576& m) {
  U576 s{}, t{};
  add(s, a, a);
  return sub(t, s, m) ? s : t;
}

constexpr Modulus make_modulus(const U576& m) {
  Modulus mod{m, 0, {}, {}};
  u64 inv = 1;  // Newton: inv = m0^-1 mod 2^64 (each step doubles the correct bits)
  for (int i = 0; i < 7; ++i) inv *= 2 - m.v[0] * inv;
  mod.m0inv = 0 - inv;
  U576 x{{1}};
  for (int i = 0; i < 576; ++i) x = mod_double(x, m);
  mod.r1 = x;
  for (int i = 0; i < 576; ++i) x = mod_double(x, m);
  mod.r2 = x;
  return mod;
}

constexpr Modulus kFn = make_modulus(kN);

// mont_mul returns a * b / 2^576 mod m (a, b < m), fully reduced: CIOS, one word of b at a time.
constexpr U576 mont_mul(const U576& a, const U576& b, const Modulus& mod) {
  u64 t[kWords + 2] = {};
  for (int i = 0; i < kWords; ++i) {
    u128 c = 0;
    for (int j = 0; j < kWords; ++j) {
      c += u128{a.v[j]} * b.v[i] + t[j];
      t[j] = static_cast<u64>(c);
      c >>= 64;
    }
    c += t[kWords];
    t[kWords] = static_cast<u64>(c);
    t[kWords + 1] = static_cast<u64>(c >> 64);
    // Add q*m so that the low word vanishes, then shift down one word.
    const u64 q = t[0] * mod.m0inv;
    c = u128{q} * mod.m.v[0] + t[0];
    c >>= 64;
    for (int j = 1; j < kWords; ++j) {
      c += u128{q} * mod.m.v[j] + t[j];
      t[j - 1] = static_cast<u64>(c);
      c >>= 64;
    }
    c += t[kWords];
    t[kWords - 1] = static_cast<u64>(c);
    t[kWords] = t[kWords + 1] + static_cast<u64>(c >> 64);
  }
  U576 r{}, s{};
  for (int i = 0; i < kWords; ++i) r.v[i] = t[i];
  // The result is < 2m: one conditional subtraction.
  if (t[kWords] != 0 || !less(r, mod.m)) sub(s, r, mod.m), r = s;
  return r;
}

constexpr U576 kR3 = mont_mul(kFn.r2, kFn.r2, kFn);  // 2^(3*576) mod n

// shr1 halves `a` (with `top` as the bit above word 8).
inline void shr1(U576& a, u64 top = 0) {
  for (int i = 0; i < kWords - 1; ++i) a.v[i] = (a.v[i] >> 1) | (a.v[i + 1] << 63);
  a.v[kWords - 1] = (a.v[kWords - 1] >> 1) | (top << 63);
}

// half_mod_n returns x / 2 mod n for x < n.
inline U576 half_mod_n(U576 x) {
  if (x.v[0] & 1) {
    const u64 c = add(x, x, kN);  // x + n is even; n < 2^521, so c is 0, kept for clarity
    shr1(x, c);
  } else {
    shr1(x);
  }
  return x;
}

// sc_inv_mont returns a^-1 in Montgomery form for a (nonzero, < n) in Montgomery form: the binary
// extended Euclidean algorithm (HMV algorithm 2.22; variable-time, public data) gives the plain
// inverse of a * R, and one Montgomery multiplication by R^3 turns it into a^-1 * R.
U576 sc_inv_mont(const U576& a) {
  if (is_zero(a)) return a;  // no inverse (callers never ask: s != 0 and n is prime)
  U576 u = a, v = kN, x1{{1}}, x2{};
  auto is_one = [](const U576& z) {
    u64 acc = z.v[0] ^ 1;
    for (int i = 1; i < kWords; ++i) acc |= z.v[i];
    return acc == 0;
  };
  while (!is_one(u) && !is_one(v)) {
    while ((u.v[0] & 1) == 0) shr1(u), x1 = half_mod_n(x1);
    while ((v.v[0] & 1) == 0) shr1(v), x2 = half_mod_n(x2);
    if (!less(u, v)) {
      sub(u, u, v);
      if (sub(x1, x1, x2)) add(x1, x1, kN);
    } else {
      sub(v, v, u);
      if (sub(x2, x2, x1)) add(x2, x2, kN);
    }
  }
  return mont_mul(is_one(u) ? x1 : x2, kR3, kFn);
}

// ---- the field GF(2^521 - 1) --------------------------------------------------------------------

constexpr u64 kMask58 = (u64{1} << 58) - 1;
constexpr u64 kMask57 = (u64{1} << 57) - 1;

struct Fe {
  u64 v[kLimbs];
};

constexpr Fe kFeOne{{1}};
// 2p limb by limb: 2 * (2^58 - 1) for limbs 0..7, 2 * (2^57 - 1) for limb 8.
constexpr u64 k2p[kLimbs] = {2 * kMask58, 2 * kMask58, 2 * kMask58, 2 * kMask58, 2 * kMask58,
                             2 * kMask58, 2 * kMask58, 2 * kMask58, 2 * kMask57};

// fe_carry brings limbs below 2^63 back to weak form: one pass, the top carry folded into limb 0
// (2^521 = 1); limb 0 then exceeds 58 bits by at most the fold (< 2^6).
inline void fe_carry(Fe& a) {
  for (int i = 0; i < kLimbs - 1; ++i) {
    a.v[i + 1] += a.v[i] >> 58;
    a.v[i] &= kMask58;
  }
  const u64 c = a.v[kLimbs - 1] >> 57;
  a.v[kLimbs - 1] &= kMask57;
  a.v[0] += c;
}

inline Fe fe_add(const Fe& a, const Fe& b) {
  Fe r;
  for (int i = 0; i < kLimbs; ++i) r.v[i] = a.v[i] + b.v[i];
  fe_carry(r);
  return r;
}

inline Fe fe_sub(const Fe& a, const Fe& b) {
  Fe r;
  for (int i = 0; i < kLimbs; ++i) r.v[i] = a.v[i] + k2p[i] - b.v[i];
  fe_carry(r);
  return r;
}

// fe_scale returns k * a for a small k (<= 16).
inline Fe fe_scale(const Fe& a, u64 k) {
  Fe r;
  for (int i = 0; i < kLimbs; ++i) r.v[i] = a.v[i] * k;
  fe_carry(r);
  return r;
}

inline Fe fe_neg(const Fe& a) { return fe_sub(Fe{}, a); }

// fe_fold turns the 9 columns of a product (already folded by 2^522 = 2) into a weak element.
inline Fe fe_fold(u128 t[kLimbs]) {
  Fe r;
  for (int i = 0; i < kLimbs - 1; ++i) {
    t[i + 1] += t[i] >> 58;
    r.v[i] = static_cast<u64>(t[i]) & kMask58;
  }
  r.v[kLimbs - 1] = static_cast<u64>(t[kLimbs - 1]) & kMask57;
  const u128 x = (t[kLimbs - 1] >> 57) + r.v[0];  // 2^521 = 1
  r.v[0] = static_cast<u64>(x) & kMask58;
  r.v[1] += static_cast<u64>(x >> 58);
  return r;
}

inline Fe fe_mul(const Fe& a, const Fe& b) {
  u64 b2[kLimbs];
  for (int i = 0; i < kLimbs; ++i) b2[i] = 2 * b.v[i];
  u128 t[kLimbs] = {};
  // Column i + j; above limb 8 it wraps to i + j - 9 with a factor 2 (2^522 = 2 mod p).
#pragma GCC unroll 9
  for (int i = 0; i < kLimbs; ++i) {
#pragma GCC unroll 9
    for (int j = 0; j < kLimbs; ++j) {
      if (i + j < kLimbs)
        t[i + j] += u128{a.v[i]} * b.v[j];
      else
        t[i + j - kLimbs] += u128{a.v[i]} * b2[j];
    }
  }
  return fe_fold(t);
}

inline Fe fe_sqr(const Fe& a) {
  u64 a2[kLimbs], a4[kLimbs];
  for (int i = 0; i < kLimbs; ++i) a2[i] = 2 * a.v[i], a4[i] = 4 * a.v[i];
  u128 t[kLimbs] = {};
#pragma GCC unroll 9
  for (int i = 0; i < kLimbs; ++i) {
    if (2 * i < kLimbs)
      t[2 * i] += u128{a.v[i]} * a.v[i];
    else
      t[2 * i - kLimbs] += u128{a.v[i]} * a2[i];
#pragma GCC unroll 9
    for (int j = i + 1; j < kLimbs; ++j) {  // a_i a_j appears twice
      if (i + j < kLimbs)
        t[i + j] += u128{a.v[i]} * a2[j];
      else
        t[i + j - kLimbs] += u128{a.v[i]} * a4[j];
    }
  }
  return fe_fold(t);
}

// fe_canon returns the representative in [0, p): two carry passes leave every limb in its width and
// the value <= p; p itself becomes 0.
Fe fe_canon(Fe a) {
  fe_carry(a);
  fe_carry(a);
  bool all_ones = a.v[kLimbs - 1] == kMask57;
  for (int i = 0; i < kLimbs - 1; ++i) all_ones &= a.v[i] == kMask58;
  if (all_ones) a = Fe{};
  return a;
}

bool fe_is_zero(const Fe& a) {
  const Fe c = fe_canon(a);
  u64 acc = 0;
  for (u64 w : c.v) acc |= w;
  return acc == 0;
}

bool fe_equal(const Fe& a, const Fe& b) { return fe_is_zero(fe_sub(a, b)); }

// fe_from returns the field element of an integer a < 2^522 (each limb 58 bits of it).
Fe fe_from(const U576& a) {
  Fe r;
  for (int i = 0; i < kLimbs; ++i) {
    const int bit = 58 * i, w = bit / 64, off = bit % 64;
    u64 x = a.v[w] >> off;
    if (off > 64 - 58 && w + 1 < kWords) x |= a.v[w + 1] << (64 - off);
    r.v[i] = x & kMask58;
  }
  return r;
}

// fe_inv returns a^(p-2) (a nonzero), square-and-multiply over p - 2 = 2^521 - 3 (load time only).
Fe fe_inv(const Fe& a) {
  Fe r = a;  // bit 520 of p - 2
  for (int bit = 519; bit >= 0; --bit) {
    r = fe_sqr(r);
    if (bit != 1) r = fe_mul(r, a);  // every bit of 2^521 - 3 is 1 but bit 1
  }
  return r;
}

// ---- points -------------------------------------------------------------------------------------

struct Affine {
  Fe x, y;
};
struct Jac {
  Fe x, y, z;  // meaningless when inf
  bool inf = true;
};

// jac_double: dbl-2001-b (a = -3), complete.
Jac jac_double(const Jac& p) {
  if (p.inf || fe_is_zero(p.y)) return Jac{};
  const Fe delta = fe_sqr(p.z), gamma = fe_sqr(p.y), beta = fe_mul(p.x, gamma);
  const Fe alpha = fe_scale(fe_mul(fe_sub(p.x, delta), fe_add(p.x, delta)), 3);
  const Fe beta4 = fe_scale(beta, 4);
  Jac r;
  r.inf = false;
  r.x = fe_sub(fe_sqr(alpha), fe_scale(beta, 8));
  r.z = fe_sub(fe_sub(fe_sqr(fe_add(p.y, p.z)), gamma), delta);
  r.y = fe_sub(fe_mul(alpha, fe_sub(beta4, r.x)), fe_scale(fe_sqr(gamma), 8));
  return r;
}

// jac_add: p + q, add-1998-cmo-2, complete (infinity, doubling and p = -q handled).
Jac jac_add(const Jac& p, const Jac& q) {
  if (p.inf) return q;
  if (q.inf) return p;
  const Fe z1z1 = fe_sqr(p.z), z2z2 = fe_sqr(q.z);
  const Fe u1 = fe_mul(p.x, z2z2), u2 = fe_mul(q.x, z1z1);
  const Fe s1 = fe_mul(p.y, fe_mul(q.z, z2z2)), s2 = fe_mul(q.y, fe_mul(p.z, z1z1));
  const Fe h = fe_sub(u2, u1), rr = fe_sub(s2, s1);
  if (fe_is_zero(h)) return fe_is_zero(rr) ? jac_double(p) : Jac{};
  const Fe hh = fe_sqr(h), hhh = fe_mul(h, hh), v = fe_mul(u1, hh);
  Jac r;
  r.inf = false;
  r.x = fe_sub(fe_sub(fe_sqr(rr), hhh), fe_add(v, v));
  r.y = fe_sub(fe_mul(rr, fe_sub(v, r.x)), fe_mul(s1, hhh));
  r.z = fe_mul(fe_mul(p.z, q.z), h);
  return r;
}

// madd_fast: p + q with q affine, madd-2004-hmv (8M + 3S), p not infinity, no case tests: when
// p = +-q (h = 0) the result has Z = 0, and so has every sum after it.
inline void madd_fast(Jac& p, const Fe& qx, const Fe& qy) {
  const Fe z1z1 = fe_sqr(p.z);
  const Fe u2 = fe_mul(qx, z1z1), s2 = fe_mul(qy, fe_mul(p.z, z1z1));
  const Fe h = fe_sub(u2, p.x), rr = fe_sub(s2, p.y);
  const Fe hh = fe_sqr(h), hhh = fe_mul(h, hh), v = fe_mul(p.x, hh);
  const Fe x3 = fe_sub(fe_sub(fe_sqr(rr), hhh), fe_add(v, v));
  p.y = fe_sub(fe_mul(rr, fe_sub(v, x3)), fe_mul(p.y, hhh));
  p.x = x3;
  p.z = fe_mul(p.z, h);
}

// on_curve: y^2 == x^3 - 3x + b.
bool on_curve(const Fe& x, const Fe& y) {
  Fe rhs = fe_mul(fe_sqr(x), x);
  rhs = fe_sub(rhs, fe_scale(x, 3));
  rhs = fe_add(rhs, fe_from(kB));
  return fe_equal(fe_sqr(y), rhs);
}

// ---- tables -------------------------------------------------------------------------------------

// build_table writes d * 2^(kWindowBits i) * P for every window i and d = 1..kWindowEntries into
// `out`. P is not infinity; no entry is (n is prime and every multiplier is < n).
void build_table(const Affine& p, u64* out) {
  std::vector<Jac> pts(kTablePoints);
  Jac base{p.x, p.y, kFeOne, false};
  for (int w = 0; w < kNumWindows; ++w) {
    Jac* row = &pts[size_t(w) * kWindowEntries];
    row[0] = base;
    for (int d = 1; d < kWindowEntries; ++d) row[d] = jac_add(row[d - 1], base);
    base = jac_double(row[kWindowEntries - 1]);  // 2 * kWindowEntries * B = 2^kWindowBits * B
  }
  // Simultaneous inversion of every Z (Montgomery's trick), then affine coordinates.
  std::vector<Fe> prefix(kTablePoints);
  Fe acc = kFeOne;
  for (size_t i = 0; i < kTablePoints; ++i) prefix[i] = acc = fe_mul(acc, pts[i].z);
  Fe inv = fe_inv(acc);
  for (size_t i = kTablePoints; i-- > 0;) {
    const Fe zinv = i > 0 ? fe_mul(inv, prefix[i - 1]) : inv;
    inv = fe_mul(inv, pts[i].z);
    const Fe zinv2 = fe_sqr(zinv);
    const Fe x = fe_canon(fe_mul(pts[i].x, zinv2)), y = fe_canon(fe_mul(pts[i].y, fe_mul(zinv2, zinv)));
    std::memcpy(out + i * kEntryWords, x.v, sizeof x.v);
    std::memcpy(out + i * kEntryWords + kLimbs, y.v, sizeof y.v);
  }
}

// load_entry reads entry (window, |digit|) of `table`, negated for a negative digit.
inline void load_entry(const u64* table, int window, int digit, Fe& x, Fe& y) {
  const int abs_digit = digit < 0 ? -digit : digit;
  const u64* e = table + (size_t(window) * kWindowEntries + size_t(abs_digit - 1)) * kEntryWords;
  std::memcpy(x.v, e, sizeof x.v);
  std::memcpy(y.v, e + kLimbs, sizeof y.v);
  if (digit < 0) y = fe_neg(y);
}

// ---- ECDSA pieces -------------------------------------------------------------------------------

// recode writes the signed digits of `u` (< 2^521): u = sum d[i] * 2^(kWindowBits i), d[i] in
// -(kWindowEntries - 1)..kWindowEntries. The top window holds at most kWindowBits - 1 bits of u, so
// no carry leaves it.
void recode(const U576& u, int8_t d[kNumWindows]) {
  constexpr u64 kMask = (u64{1} << kWindowBits) - 1;
  int carry = 0;
  for (int w = 0; w < kNumWindows; ++w) {
    const int pos = w * kWindowBits, word = pos / 64, off = pos % 64;
    u64 bits = u.v[word] >> off;
    if (off > 64 - kWindowBits && word + 1 < kWords) bits |= u.v[word + 1] << (64 - off);
    const int v = static_cast<int>(bits & kMask) + carry;
    if (v > kWindowEntries) {
      d[w] = static_cast<int8_t>(v - 2 * kWindowEntries);
      carry = 1;
    } else {
      d[w] = static_cast<int8_t>(v);
      carry = 0;
    }
  }
}

// Parsed is one job after the checks of SEC 1 4.1.4 steps 1-3: e (the digest as an integer), r, s.
struct Parsed {
  U576 e, r, s;
  bool ok;
};

Parsed parse(const Job& job) {
  Parsed p;
  p.r = from_be(job.sig, kFieldBytes);
  p.s = from_be(job.sig + kFieldBytes, kFieldBytes);
  // SHA-512's 512 bits are fewer than n's 521: the whole digest is e, and e < 2^512 < n.
  p.e = from_be(job.digest, kDigestBytes);
  // 0 < r, s < n.
  p.ok = job.key != nullptr && !is_zero(p.r) && !is_zero(p.s) && less(p.r, kN) && less(p.s, kN);
  return p;
}

std::atomic<uint64_t> g_complete{0};

// eval_complete computes sum dg[i] 2^(w i) G + dq[i] 2^(w i) Q with complete additions.
Jac eval_complete(const u64* g_table, const u64* q_table, const int8_t* dg, const int8_t* dq) {
  Jac acc;
  for (int w = 0; w < kNumWindows; ++w) {
    const u64* tables[2] = {g_table, q_table};
    const int8_t digits[2] = {dg[w], dq[w]};
    for (int k = 0; k < 2; ++k) {
      if (digits[k] == 0) continue;
      Jac t;
      t.inf = false;
      t.z = kFeOne;
      load_entry(tables[k], w, digits[k], t.x, t.y);
      acc = jac_add(acc, t);
    }
  }
  return acc;
}

// eval computes the same sum with the fast additions, and again with complete ones when the fast
// result has Z = 0 (an exceptional addition, or a sum at infinity).
Jac eval(const u64* g_table, const u64* q_table, const int8_t* dg, const int8_t* dq) {
  Jac acc;
  for (int w = 0; w < kNumWindows; ++w) {
    const u64* tables[2] = {g_table, q_table};
    const int8_t digits[2] = {dg[w], dq[w]};
    if (w + 1 < kNumWindows) {
      // The next window's entries (3 cache lines each) are random reads from tables larger than
      // L1: ask for them one window ahead.
      for (int k = 0; k < 2; ++k) {
        const int d = (k == 0 ? dg : dq)[w + 1];
        if (d == 0) continue;
        const u64* e = tables[k] + (size_t(w + 1) * kWindowEntries + size_t((d < 0 ? -d : d) - 1)) * kEntryWords;
        __builtin_prefetch(e);
        __builtin_prefetch(e + 8);
        __builtin_prefetch(e + 16);
      }
    }
    for (int k = 0; k < 2; ++k) {
      if (digits[k] == 0) continue;
      Fe x, y;
      load_entry(tables[k], w, digits[k], x, y);
      if (acc.inf) {
        acc = Jac{x, y, kFeOne, false};
      } else {
        madd_fast(acc, x, y);
      }
    }
  }
  if (!acc.inf && fe_is_zero(acc.z)) {
    g_complete.fetch_add(1, std::memory_order_relaxed);
    return eval_complete(g_table, q_table, dg, dq);
  }
  return acc;
}

// x_matches_r: with R = (X, Y, Z) Jacobian, Z != 0, is x(R) mod n == r? x(R) = X / Z^2 is in
// [0, p) and p < 2n, so x(R) mod n == r iff x(R) == r or x(R) == r + n (the latter only possible
// when r + n < p). Both tests are X == c * Z^2 with no inversion.
bool x_matches_r(const Fe& x, const Fe& z, const U576& r) {
  const Fe z2 = fe_sqr(z);
  if (fe_equal(x, fe_mul(fe_from(r), z2))) return true;
  U576 rn{};
  add(rn, r, kN);
  if (less(rn, kP)) return fe_equal(x, fe_mul(fe_from(rn), z2));
  return false;
}

bool check_result(const Jac& acc, const U576& r) { return !acc.inf && x_matches_r(acc.x, acc.z, r); }

// ---- batch driver -------------------------------------------------------------------------------

constexpr size_t kBlock = 64;  // signatures sharing one inversion mod n

void verify_block(std::span<const Job> jobs, bool* out) noexcept {
  Parsed parsed[kBlock];
  U576 s_mont[kBlock], prefix[kBlock];
  size_t idx[kBlock];
  size_t num = 0;
  U576 acc = kFn.r1;
  for (size_t i = 0; i < jobs.size(); ++i) {
    out[i] = false;
    parsed[i] = parse(jobs[i]);
    if (!parsed[i].ok) continue;
    s_mont[num] = mont_mul(parsed[i].s, kFn.r2, kFn);
    prefix[num] = acc = mont_mul(acc, s_mont[num], kFn);
    idx[num++] = i;
  }
  if (num == 0) return;
  U576 inv = sc_inv_mont(acc);
  const u64* g_table = generator_table();
  for (size_t k = num; k-- > 0;) {
    // w = s^-1 * R; u1 = e * w / R, u2 = r * w / R (mod n).
    const U576 w = k > 0 ? mont_mul(inv, prefix[k - 1], kFn) : inv;
    inv = mont_mul(inv, s_mont[k], kFn);
    const size_t i = idx[k];
    const Parsed& p = parsed[i];
    const U576 u1 = mont_mul(p.e, w, kFn), u2 = mont_mul(p.r, w, kFn);
    int8_t dg[kNumWindows], dq[kNumWindows];
    recode(u1, dg);
    recode(u2, dq);
    out[i] = check_result(eval(g_table, jobs[i].key->table(), dg, dq), p.r);
  }
}

std::atomic<size_t> g_live_keys{0};

}  // namespace

// ---- public -------------------------------------------------------------------------------------

Key::~Key() { g_live_keys.fetch_sub(1, std::memory_order_relaxed); }

size_t prepared_key_count() noexcept { return g_live_keys.load(std::memory_order_relaxed); }

uint64_t complete_recomputations() noexcept { return g_complete.load(std::memory_order_relaxed); }

std::shared_ptr<const Key> prepare_key(std::span<const uint8_t, kFieldBytes> x,
                                       std::span<const uint8_t, kFieldBytes> y,
                                       const char** out_why) noexcept {
  const char* dummy = nullptr;
  const char*& why = out_why != nullptr ? *out_why : dummy;
  const U576 px = from_be(x.data(), kFieldBytes), py = from_be(y.data(), kFieldBytes);
  if (!less(px, kP) || !less(py, kP)) return why = "coordinate >= p", nullptr;
  const Affine a{fe_from(px), fe_from(py)};
  if (!on_curve(a.x, a.y)) return why = "point is not on P-521", nullptr;
  if (g_live_keys.fetch_add(1, std::memory_order_relaxed) >= kMaxPreparedKeys) {
    g_live_keys.fetch_sub(1, std::memory_order_relaxed);
    return why = "too many prepared P-521 keys", nullptr;
  }
  Key* raw = new (std::nothrow) Key();
  if (raw == nullptr) {
    g_live_keys.fetch_sub(1, std::memory_order_relaxed);
    return why = "out of memory", nullptr;
  }
  try {
    std::shared_ptr<Key> key(raw);  // deletes raw if it throws; ~Key gives the count back
    key->table_.reset(new uint64_t[kTablePoints * kEntryWords]);
    build_table(a, key->table_.get());
    generator_table();  // G's table too, at load time rather than on the first token
    return key;
  } catch (const std::bad_alloc&) {
    why = "out of memory";
    return nullptr;
  }
}

const uint64_t* generator_table() noexcept {
  // One table for the whole process, never freed (no destruction-order hazard at exit).
  static std::once_flag once;
  static uint64_t* table;
  std::call_once(once, [] {
    table = new uint64_t[kTablePoints * kEntryWords];
    build_table(Affine{fe_from(kGx), fe_from(kGy)}, table);
  });
  return table;
}

void verify_batch(std::span<const Job> jobs, bool* out) noexcept {
  for (size_t i = 0; i < jobs.size(); i += kBlock) {
    const size_t len = jobs.size() - i < kBlock ? jobs.size() - i : kBlock;
    verify_block(jobs.subspan(i, len), out + i);
  }
}

bool verify_one(const Key& key, const uint8_t digest[kDigestBytes], const uint8_t sig[kSigBytes]) noexcept {
  const Parsed p = parse(Job{&key, digest, sig});
  if (!p.ok) return false;
  const U576 w = sc_inv_mont(mont_mul(p.s, kFn.r2, kFn));
  const U576 u1 = mont_mul(p.e, w, kFn), u2 = mont_mul(p.r, w, kFn);
  int8_t dg[kNumWindows], dq[kNumWindows];
  recode(u1, dg);
  recode(u2, dq);
  return check_result(eval(generator_table(), key.table(), dg, dq), p.r);
}

}  // namespace jwtbatch::kernels::p521
