// scalar.cpp: the portable P-256 ECDSA verification reference (contract in p256.hpp), the key and
// generator tables, and the batch driver shared by every variant (the variant list: dispatch.cpp).
//
// Arithmetic: 256-bit integers as 4 little-endian 64-bit limbs; products with unsigned __int128;
// Montgomery multiplication (CIOS, R = 2^256) modulo p for the field and modulo n for scalars. Field
// elements are kept fully reduced (canonical, < p) in Montgomery form. Points are Jacobian
// (X/Z^2, Y/Z^3) with an explicit infinity flag; the curve has a = -3.
//
// Constants: p, n, b and G are the curve's definition (FIPS 186-5 / SEC 2 "secp256r1"); the test
// checks them against BoringSSL's group. Every derived constant (R^2 mod m, -m^-1 mod 2^64, the
// tables) is computed here, at compile time or on first use.
//
// References: Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve Cryptography" (2004): 2.2
// (Montgomery multiplication), 3.2 (Jacobian formulas), 3.3 (windowed scalar multiplication with
// precomputation), 2.2.5 (simultaneous inversion, "Montgomery's trick"); the Explicit-Formulas
// Database (hyperelliptic.org/EFD): dbl-2001-b, madd-2007-bl/add-2007-bl shapes.
#include "kernels/p256/p256.hpp"

#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace jwtbatch::kernels::p256 {
namespace {

using u64 = uint64_t;
using u128 = unsigned __int128;

struct U256 {
  u64 v[4];
};

constexpr U256 kP{{0xFFFFFFFFFFFFFFFF, 0x00000000FFFFFFFF, 0x0000000000000000, 0xFFFFFFFF00000001}};
constexpr U256 kN{{0xF3B9CAC2FC632551, 0xBCE6FAADA7179E84, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFF00000000}};
constexpr U256 kB{{0x3BCE3C3E27D2604B, 0x651D06B0CC53B0F6, 0xB3EBBD55769886BC, 0x5AC635D8AA3A93E7}};
constexpr U256 kGx{{0xF4A13945D898C296, 0x77037D812DEB33A0, 0xF8BCE6E563A440F2, 0x6B17D1F2E12C4247}};
constexpr U256 kGy{{0xCBB6406837BF51F5, 0x2BCE33576B315ECE, 0x8EE7EB4A7C0F9E16, 0x4FE342E2FE1A7F9B}};

// ---- 256-bit integers ---------------------------------------------------------------------------

constexpr bool is_zero(const U256& a) { return (a.v[0] | a.v[1] | a.v[2] | a.v[3]) == 0; }
constexpr bool equal(const U256& a, const U256& b) {
  return a.v[0] == b.v[0] && a.v[1] == b.v[1] && a.v[2] == b.v[2] && a.v[3] == b.v[3];
}
// less: a < b.
constexpr bool less(const U256& a, const U256& b) {
  for (int i = 3; i >= 0; --i)
    if (a.v[i] != b.v[i]) return a.v[i] < b.v[i];
  return false;
}
// add: out = a + b mod 2^256, returns the carry.
constexpr u64 add(U256& out, const U256& a, const U256& b) {
  u128 c = 0;
  for (int i = 0; i < 4; ++i) {
    c += u128{a.v[i]} + b.v[i];
    out.v[i] = static_cast<u64>(c);
    c >>= 64;
  }
  return static_cast<u64>(c);
}
// sub: out = a - b mod 2^256, returns the borrow (1 when a < b).
constexpr u64 sub(U256& out, const U256& a, const U256& b) {
  u64 borrow = 0;
  for (int i = 0; i < 4; ++i) {
    u128 d = u128{a.v[i]} - b.v[i] - borrow;
    out.v[i] = static_cast<u64>(d);
    borrow = static_cast<u64>(d >> 64) & 1;
  }
  return borrow;
}

U256 from_be(const uint8_t* b) {
  U256 r{};
  for (int i = 0; i < 4; ++i) {
    u64 w = 0;
    for (int j = 0; j < 8; ++j) w = (w << 8) | b[(3 - i) * 8 + j];
    r.v[i] = w;
  }
  return r;
}

// ---- modular arithmetic -------------------------------------------------------------------------

// Modulus is an odd modulus m with 2^255 < m < 2^256 and its Montgomery constants.
struct Modulus {
  U256 m;
  u64 m0inv;  // -m^-1 mod 2^64
  U256 r1;    // 2^256 mod m (Montgomery form of 1)
  U256 r2;    // 2^512 mod m
};

constexpr U256 mod_add(const U256& a, const U256& b, const U256& m) {
  U256 s{}, t{};
  u64 carry = add(s, a, b);
  u64 borrow = sub(t, s, m);
  return (carry || !borrow) ? t : s;
}
constexpr U256 mod_sub(const U256& a, const U256& b, const U256& m) {
  U256 d{}, t{};
  if (sub(d, a, b)) add(t, d, m), d = t;
  return d;
}

constexpr Modulus make_modulus(const U256& m) {
  Modulus mod{m, 0, {}, {}};
  u64 inv = 1;  // Newton: inv = m0^-1 mod 2^64 (each step doubles the correct bits)
  for (int i = 0; i < 7; ++i) inv *= 2 - m.v[0] * inv;
  mod.m0inv = 0 - inv;
  U256 zero{};
  sub(mod.r1, zero, m);  // 2^256 - m, already < m since m > 2^255
  U256 x = mod.r1;
  for (int i = 0; i < 256; ++i) x = mod_add(x, x, m);
  mod.r2 = x;
  return mod;
}

constexpr Modulus kFp = make_modulus(kP);
constexpr Modulus kFn = make_modulus(kN);

// mont_mul returns a * b / 2^256 mod m (a, b < m), fully reduced: CIOS, one limb of b at a time.
inline U256 mont_mul(const U256& a, const U256& b, const Modulus& mod) {
  u64 t[6] = {0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    u128 c = 0;
    for (int j = 0; j < 4; ++j) {
      c += u128{a.v[j]} * b.v[i] + t[j];
      t[j] = static_cast<u64>(c);
      c >>= 64;
    }
    c += t[4];
    t[4] = static_cast<u64>(c);
    t[5] = static_cast<u64>(c >> 64);
    // Add q*m so that the low limb vanishes, then shift down one limb.
    const u64 q = t[0] * mod.m0inv;
    c = u128{q} * mod.m.v[0] + t[0];
    c >>= 64;
    for (int j = 1; j < 4; ++j) {
      c += u128{q} * mod.m.v[j] + t[j];
      t[j - 1] = static_cast<u64>(c);
      c >>= 64;
    }
    c += t[4];
    t[3] = static_cast<u64>(c);
    t[4] = t[5] + static_cast<u64>(c >> 64);
  }
  U256 r{{t[0], t[1], t[2], t[3]}}, s{};
  // The result is < 2m: one conditional subtraction.
  if (t[4] != 0 || !less(r, mod.m)) sub(s, r, mod.m), r = s;
  return r;
}

// mont_pow returns a^e in Montgomery form (a in Montgomery form), 4-bit fixed window.
U256 mont_pow(const U256& a, const U256& e, const Modulus& mod) {
  U256 pw[16];
  pw[0] = mod.r1;
  for (int i = 1; i < 16; ++i) pw[i] = mont_mul(pw[i - 1], a, mod);
  U256 r = mod.r1;
  for (int i = 63; i >= 0; --i) {
    for (int k = 0; k < 4; ++k) r = mont_mul(r, r, mod);
    const unsigned nib = static_cast<unsigned>(e.v[i / 16] >> (4 * (i % 16))) & 15;
    if (nib != 0) r = mont_mul(r, pw[nib], mod);
  }
  return r;
}

// Field mod p, Montgomery form.
inline U256 fe_mul(const U256& a, const U256& b) { return mont_mul(a, b, kFp); }
inline U256 fe_sqr(const U256& a) { return mont_mul(a, a, kFp); }
inline U256 fe_add(const U256& a, const U256& b) { return mod_add(a, b, kP); }
inline U256 fe_sub(const U256& a, const U256& b) { return mod_sub(a, b, kP); }
inline U256 fe_neg(const U256& a) { return is_zero(a) ? a : mod_sub(kP, a, kP); }
inline U256 fe_to(const U256& a) { return mont_mul(a, kFp.r2, kFp); }
inline U256 fe_from(const U256& a) { return mont_mul(a, U256{{1, 0, 0, 0}}, kFp); }
U256 fe_inv(const U256& a) {
  U256 e{};
  sub(e, kP, U256{{2, 0, 0, 0}});
  return mont_pow(a, e, kFp);
}

// ---- points -------------------------------------------------------------------------------------

struct Affine {
  U256 x, y;  // Montgomery form
};
struct Jac {
  U256 x, y, z;  // Montgomery form; meaningless when inf
  bool inf = true;
};

// jac_double: dbl-2001-b (a = -3).
Jac jac_double(const Jac& p) {
  if (p.inf || is_zero(p.y)) return Jac{};
  const U256 delta = fe_sqr(p.z), gamma = fe_sqr(p.y), beta = fe_mul(p.x, gamma);
  U256 alpha = fe_mul(fe_sub(p.x, delta), fe_add(p.x, delta));
  alpha = fe_add(alpha, fe_add(alpha, alpha));
  const U256 beta4 = fe_add(fe_add(beta, beta), fe_add(beta, beta));
  Jac r;
  r.inf = false;
  r.x = fe_sub(fe_sqr(alpha), fe_add(beta4, beta4));
  r.z = fe_sub(fe_sub(fe_sqr(fe_add(p.y, p.z)), gamma), delta);
  U256 g2 = fe_sqr(gamma);
  g2 = fe_add(g2, g2);
  g2 = fe_add(g2, g2);
  g2 = fe_add(g2, g2);
  r.y = fe_sub(fe_mul(alpha, fe_sub(beta4, r.x)), g2);
  return r;
}

// jac_add_affine: p + q with q affine; complete (infinity, doubling and p = -q handled).
Jac jac_add_affine(const Jac& p, const Affine& q) {
  if (p.inf) return Jac{q.x, q.y, kFp.r1, false};
  const U256 z1z1 = fe_sqr(p.z);
  const U256 u2 = fe_mul(q.x, z1z1);
  const U256 s2 = fe_mul(q.y, fe_mul(p.z, z1z1));
  const U256 h = fe_sub(u2, p.x), rr = fe_sub(s2, p.y);
  if (is_zero(h)) return is_zero(rr) ? jac_double(p) : Jac{};
  const U256 hh = fe_sqr(h), hhh = fe_mul(h, hh), v = fe_mul(p.x, hh);
  Jac r;
  r.inf = false;
  r.x = fe_sub(fe_sub(fe_sqr(rr), hhh), fe_add(v, v));
  r.y = fe_sub(fe_mul(rr, fe_sub(v, r.x)), fe_mul(p.y, hhh));
  r.z = fe_mul(p.z, h);
  return r;
}

// jac_add: p + q, both Jacobian; complete.
Jac jac_add(const Jac& p, const Jac& q) {
  if (p.inf) return q;
  if (q.inf) return p;
  const U256 z1z1 = fe_sqr(p.z), z2z2 = fe_sqr(q.z);
  const U256 u1 = fe_mul(p.x, z2z2), u2 = fe_mul(q.x, z1z1);
  const U256 s1 = fe_mul(p.y, fe_mul(q.z, z2z2)), s2 = fe_mul(q.y, fe_mul(p.z, z1z1));
  const U256 h = fe_sub(u2, u1), rr = fe_sub(s2, s1);
  if (is_zero(h)) return is_zero(rr) ? jac_double(p) : Jac{};
  const U256 hh = fe_sqr(h), hhh = fe_mul(h, hh), v = fe_mul(u1, hh);
  Jac r;
  r.inf = false;
  r.x = fe_sub(fe_sub(fe_sqr(rr), hhh), fe_add(v, v));
  r.y = fe_sub(fe_mul(rr, fe_sub(v, r.x)), fe_mul(s1, hhh));
  r.z = fe_mul(fe_mul(p.z, q.z), h);
  return r;
}

// on_curve: y^2 == x^3 - 3x + b for plain (non-Montgomery) coordinates already < p.
bool on_curve(const U256& x_plain, const U256& y_plain) {
  const U256 x = fe_to(x_plain), y = fe_to(y_plain), b = fe_to(kB);
  U256 rhs = fe_mul(fe_sqr(x), x);
  rhs = fe_sub(rhs, fe_add(x, fe_add(x, x)));
  rhs = fe_add(rhs, b);
  return equal(fe_sqr(y), rhs);
}

// ---- tables -------------------------------------------------------------------------------------

// Conversions between mont64 (x * 2^256) and ifma52 (x * 2^260) forms, both canonical.
constexpr U256 k2pow252{{0, 0, 0, u64{1} << 60}};  // mont_mul(v, 2^252) = v * 2^-4
constexpr u64 kMask52 = (u64{1} << 52) - 1;

void to_limbs52(const U256& a, u64 out[5]) {
  out[0] = a.v[0] & kMask52;
  out[1] = ((a.v[0] >> 52) | (a.v[1] << 12)) & kMask52;
  out[2] = ((a.v[1] >> 40) | (a.v[2] << 24)) & kMask52;
  out[3] = ((a.v[2] >> 28) | (a.v[3] << 36)) & kMask52;
  out[4] = a.v[3] >> 16;
}

// from_limbs52 returns the canonical value mod p of 5 limbs of at most 52 bits (a value < 2^260
// whose top bits above 2^256 are at most 1, as the IFMA lanes produce: < 2p).
U256 from_limbs52_mod_p(const u64 in[5]) {
  U256 a{{in[0] | (in[1] << 52), (in[1] >> 12) | (in[2] << 40), (in[2] >> 24) | (in[3] << 28),
          (in[3] >> 36) | (in[4] << 16)}};
  u64 top = in[4] >> 48;  // bits 256 and up
  while (top != 0) {      // a + top * 2^256 == a + top * (2^256 - p) (mod p)
    U256 t{};
    u64 c = 0;
    for (u64 k = 0; k < top; ++k) c += add(t, a, kFp.r1), a = t;
    top = c;
  }
  if (!less(a, kP)) {
    U256 t{};
    sub(t, a, kP);
    a = t;
  }
  return a;
}

U256 mont64_to_ifma(const U256& a) {  // x * 2^256 -> x * 2^260
  U256 r = a;
  for (int i = 0; i < 4; ++i) r = fe_add(r, r);
  return r;
}
U256 ifma_to_mont64(const U256& a) { return mont_mul(a, k2pow252, kFp); }

// load_entry returns table entry (window, |digit|) as an affine point in mont64 form.
Affine load_entry(const u64* table, TableFormat format, int window, int abs_digit) {
  const size_t idx = size_t(window) * kWindowEntries + size_t(abs_digit - 1);
  Affine a;
  if (format == TableFormat::mont64) {
    std::memcpy(a.x.v, table + idx * 8, 32);
    std::memcpy(a.y.v, table + idx * 8 + 4, 32);
  } else {
    a.x = ifma_to_mont64(from_limbs52_mod_p(table + idx * 10));
    a.y = ifma_to_mont64(from_limbs52_mod_p(table + idx * 10 + 5));
  }
  return a;
}

// build_table writes d * 2^(7i) * P for every window i and d = 1..64 into `out` in `format`.
// P (Montgomery form) is not infinity; no entry is (n is prime and every multiplier is < n).
void build_table(const Affine& p, TableFormat format, u64* out) {
  std::vector<Jac> pts(kTablePoints);
  Jac base{p.x, p.y, kFp.r1, false};
  for (int w = 0; w < kNumWindows; ++w) {
    Jac* row = &pts[size_t(w) * kWindowEntries];
    row[0] = base;
    for (int d = 1; d < kWindowEntries; ++d) row[d] = jac_add(row[d - 1], base);
    base = jac_double(row[kWindowEntries - 1]);  // 128 * B = 2^7 * B
  }
  // Simultaneous inversion of every Z (Montgomery's trick), then affine coordinates.
  std::vector<U256> prefix(kTablePoints);
  U256 acc = kFp.r1;
  for (size_t i = 0; i < kTablePoints; ++i) prefix[i] = acc = fe_mul(acc, pts[i].z);
  U256 inv = fe_inv(acc);
  for (size_t i = kTablePoints; i-- > 0;) {
    const U256 zinv = i > 0 ? fe_mul(inv, prefix[i - 1]) : inv;
    inv = fe_mul(inv, pts[i].z);
    const U256 zinv2 = fe_sqr(zinv);
    const U256 x = fe_mul(pts[i].x, zinv2), y = fe_mul(pts[i].y, fe_mul(zinv2, zinv));
    if (format == TableFormat::mont64) {
      std::memcpy(out + i * 8, x.v, 32);
      std::memcpy(out + i * 8 + 4, y.v, 32);
    } else {
      to_limbs52(mont64_to_ifma(x), out + i * 10);
      to_limbs52(mont64_to_ifma(y), out + i * 10 + 5);
    }
  }
}

// ---- ECDSA pieces -------------------------------------------------------------------------------

// recode writes the signed 7-bit digits of `u` (< 2^256): u = sum d[i] * 2^(7i), d[i] in -63..64.
void recode(const U256& u, int8_t d[kNumWindows]) {
  int carry = 0;
  for (int w = 0; w < kNumWindows; ++w) {
    const int pos = w * kWindowBits;
    u64 bits = 0;
    if (pos < 256) {
      const int limb = pos / 64, off = pos % 64;
      bits = u.v[limb] >> off;
      if (off > 64 - kWindowBits && limb < 3) bits |= u.v[limb + 1] << (64 - off);
    }
    const int v = static_cast<int>(bits & 127) + carry;
    if (v > 64) {
      d[w] = static_cast<int8_t>(v - 128);
      carry = 1;
    } else {
      d[w] = static_cast<int8_t>(v);
      carry = 0;
    }
  }
}

// Parsed is one job after the checks of SEC 1 4.1.4 steps 1-3: e (the digest reduced mod n), r, s.
struct Parsed {
  U256 e, r, s;
  bool ok;
};

Parsed parse(const Job& job) {
  Parsed p;
  p.r = from_be(job.sig);
  p.s = from_be(job.sig + 32);
  p.e = from_be(job.digest);
  // 0 < r, s < n.
  p.ok = job.key != nullptr && !is_zero(p.r) && !is_zero(p.s) && less(p.r, kN) && less(p.s, kN);
  // The digest is an integer of 256 bits, so one subtraction reduces it mod n (2^256 < 2n).
  if (!less(p.e, kN)) {
    U256 t{};
    sub(t, p.e, kN);
    p.e = t;
  }
  return p;
}

// scalars computes u1 = e * w and u2 = r * w mod n from w = s^-1 in Montgomery form (mod n).
void scalars(const Parsed& p, const U256& w_mont, U256& u1, U256& u2) {
  u1 = mont_mul(p.e, w_mont, kFn);  // e * s^-1 * R / R
  u2 = mont_mul(p.r, w_mont, kFn);
}

U256 sc_inv_mont(const U256& a_mont) {
  U256 e{};
  sub(e, kN, U256{{2, 0, 0, 0}});
  return mont_pow(a_mont, e, kFn);
}

// eval_scalar computes sum dg[i] 2^(7i) G + dq[i] 2^(7i) Q with the tables (the reference).
Jac eval_scalar(const u64* g_table, const Key& key, const int8_t* dg, const int8_t* dq) {
  Jac acc;
  for (int w = 0; w < kNumWindows; ++w) {
    const u64* tables[2] = {g_table, key.table()};
    const int8_t digits[2] = {dg[w], dq[w]};
    for (int k = 0; k < 2; ++k) {
      const int d = digits[k];
      if (d == 0) continue;
      Affine t = load_entry(tables[k], key.format(), w, d < 0 ? -d : d);
      if (d < 0) t.y = fe_neg(t.y);
      acc = jac_add_affine(acc, t);
    }
  }
  return acc;
}

// x_matches_r: with R = (X, Y, Z) Jacobian, Z != 0, (X, Z in mont64 form), is x(R) mod n == r?
// x(R) = X / Z^2 is in [0, p), and p < 2n, so x(R) mod n == r iff x(R) == r or x(R) == r + n
// (the latter only possible when r + n < p). Both tests are X == c * Z^2 with no inversion.
bool x_matches_r(const U256& x, const U256& z, const U256& r) {
  const U256 z2 = fe_sqr(z);
  const U256 lhs = fe_from(x);
  if (equal(lhs, mont_mul(z2, r, kFp))) return true;  // (r Z^2 R) / R: plain r * Z^2
  U256 rn{};
  if (add(rn, r, kN) == 0 && less(rn, kP)) return equal(lhs, mont_mul(z2, rn, kFp));
  return false;
}

bool check_result(const Jac& acc, const U256& r) { return !acc.inf && x_matches_r(acc.x, acc.z, r); }

const uint64_t* g_table_for(const Key& key) { return generator_table(key.format()); }

// ---- batch driver -------------------------------------------------------------------------------

constexpr size_t kBlock = 64;  // signatures sharing one inversion mod n

// verify_block verifies up to kBlock jobs; `ifma` sends jobs with ifma52 keys to the IFMA lanes.
void verify_block(std::span<const Job> jobs, bool* out, bool ifma) noexcept {
  Parsed parsed[kBlock];
  U256 s_mont[kBlock], prefix[kBlock];
  size_t idx[kBlock];
  size_t num = 0;
  U256 acc = kFn.r1;
  for (size_t i = 0; i < jobs.size(); ++i) {
    out[i] = false;
    parsed[i] = parse(jobs[i]);
    if (!parsed[i].ok) continue;
    s_mont[num] = mont_mul(parsed[i].s, kFn.r2, kFn);
    prefix[num] = acc = mont_mul(acc, s_mont[num], kFn);
    idx[num++] = i;
  }
  if (num == 0) return;
  U256 inv = sc_inv_mont(acc);
  int8_t dg[kBlock][kNumWindows], dq[kBlock][kNumWindows];
  for (size_t k = num; k-- > 0;) {
    const U256 w = k > 0 ? mont_mul(inv, prefix[k - 1], kFn) : inv;
    inv = mont_mul(inv, s_mont[k], kFn);
    U256 u1, u2;
    scalars(parsed[idx[k]], w, u1, u2);
    recode(u1, dg[k]);
    recode(u2, dq[k]);
  }
  size_t k = 0;
#if defined(__x86_64__)
  if (ifma) {
    // Fill lanes with the jobs whose key is in ifma52 form, across keys.
    size_t lanes_idx[8];
    size_t filled = 0;
    LaneBatch lb;
    LaneResult lr;
    lb.g_table = generator_table(TableFormat::ifma52);
    auto flush = [&] {
      for (size_t l = filled; l < 8; ++l) {
        lb.q_tables[l] = lb.q_tables[0];
        for (int w = 0; w < kNumWindows; ++w) lb.g_digits[w][l] = lb.q_digits[w][l] = 0;
      }
      eval_lanes_avx512_ifma(lb, lr);
      for (size_t l = 0; l < filled; ++l) {
        const size_t kk = lanes_idx[l], i = idx[kk];
        const Parsed& p = parsed[i];
        if (lr.infinity[l]) continue;  // the sum is infinity: fails
        u64 xl[5], zl[5];
        for (int j = 0; j < 5; ++j) xl[j] = lr.x[j][l], zl[j] = lr.z[j][l];
        const U256 z = ifma_to_mont64(from_limbs52_mod_p(zl));
        if (is_zero(z)) {
          // An exceptional addition (doubling or P + -P) happened in the lane: redo it exactly.
          out[i] = check_result(eval_scalar(lb.g_table, *jobs[i].key, dg[kk], dq[kk]), p.r);
          continue;
        }
        out[i] = x_matches_r(ifma_to_mont64(from_limbs52_mod_p(xl)), z, p.r);
      }
      filled = 0;
    };
    for (; k < num; ++k) {
      const size_t i = idx[k];
      const Key& key = *jobs[i].key;
      if (key.format() != TableFormat::ifma52) {
        out[i] = check_result(eval_scalar(g_table_for(key), key, dg[k], dq[k]), parsed[i].r);
        continue;
      }
      lb.q_tables[filled] = key.table();
      for (int w = 0; w < kNumWindows; ++w) {
        lb.g_digits[w][filled] = dg[k][w];
        lb.q_digits[w][filled] = dq[k][w];
      }
      lanes_idx[filled++] = k;
      if (filled == 8) flush();
    }
    if (filled > 0) flush();
    return;
  }
#else
  (void)ifma;
#endif
  for (; k < num; ++k) {
    const size_t i = idx[k];
    const Key& key = *jobs[i].key;
    out[i] = check_result(eval_scalar(g_table_for(key), key, dg[k], dq[k]), parsed[i].r);
  }
}

void verify_batch(std::span<const Job> jobs, bool* out, bool ifma) noexcept {
  for (size_t i = 0; i < jobs.size(); i += kBlock) {
    const size_t len = jobs.size() - i < kBlock ? jobs.size() - i : kBlock;
    verify_block(jobs.subspan(i, len), out + i, ifma);
  }
}

std::atomic<size_t> g_live_keys{0};

}  // namespace

// ---- public -------------------------------------------------------------------------------------

Key::~Key() { g_live_keys.fetch_sub(1, std::memory_order_relaxed); }

size_t prepared_key_count() noexcept { return g_live_keys.load(std::memory_order_relaxed); }

std::shared_ptr<const Key> prepare_key(std::span<const uint8_t, 32> x, std::span<const uint8_t, 32> y,
                                       TableFormat format, const char** out_why) noexcept {
  const char* dummy = nullptr;
  const char*& why = out_why != nullptr ? *out_why : dummy;
  const U256 px = from_be(x.data()), py = from_be(y.data());
  if (!less(px, kP) || !less(py, kP)) return why = "coordinate >= p", nullptr;
  if (!on_curve(px, py)) return why = "point is not on P-256", nullptr;
  if (g_live_keys.fetch_add(1, std::memory_order_relaxed) >= kMaxPreparedKeys) {
    g_live_keys.fetch_sub(1, std::memory_order_relaxed);
    return why = "too many prepared P-256 keys", nullptr;
  }
  Key* raw = new (std::nothrow) Key();
  if (raw == nullptr) {
    g_live_keys.fetch_sub(1, std::memory_order_relaxed);
    return why = "out of memory", nullptr;
  }
  try {
    std::shared_ptr<Key> key(raw);  // deletes raw if it throws; ~Key gives the count back
    key->format_ = format;
    key->table_.reset(new uint64_t[kTablePoints * table_entry_words(format)]);
    build_table(Affine{fe_to(px), fe_to(py)}, format, key->table_.get());
    generator_table(format);  // G's table too, at load time rather than on the first token
    return key;
  } catch (const std::bad_alloc&) {
    why = "out of memory";
    return nullptr;
  }
}

const uint64_t* generator_table(TableFormat format) noexcept {
  // One table per format for the whole process, never freed (no destruction-order hazard at exit).
  static std::once_flag once[2];
  static uint64_t* tables[2];
  const int f = format == TableFormat::mont64 ? 0 : 1;
  std::call_once(once[f], [&] {
    tables[f] = new uint64_t[kTablePoints * table_entry_words(format)];
    build_table(Affine{fe_to(kGx), fe_to(kGy)}, format, tables[f]);
  });
  return tables[f];
}

bool verify_one(const Key& key, const uint8_t digest[32], const uint8_t sig[64]) noexcept {
  const Parsed p = parse(Job{&key, digest, sig});
  if (!p.ok) return false;
  const U256 w = sc_inv_mont(mont_mul(p.s, kFn.r2, kFn));
  U256 u1, u2;
  scalars(p, w, u1, u2);
  int8_t dg[kNumWindows], dq[kNumWindows];
  recode(u1, dg);
  recode(u2, dq);
  return check_result(eval_scalar(g_table_for(key), key, dg, dq), p.r);
}

void verify_batch_scalar(std::span<const Job> jobs, bool* out) noexcept { verify_batch(jobs, out, false); }

#if defined(__x86_64__)
void verify_batch_avx512_ifma(std::span<const Job> jobs, bool* out) noexcept { verify_batch(jobs, out, true); }
#endif

}  // namespace jwtbatch::kernels::p256
