// mont.hpp: fixed-width unsigned integers of N 64-bit words and Montgomery arithmetic modulo an odd
// N-word modulus, written once for the prime-field ECDSA kernels (first user: kernels/p384; the
// P-256 and P-521 references predate it). Everything is variable-time: verification handles only
// public data. constexpr where it helps derive constants at compile time.
//
// Montgomery multiplication is CIOS (Koc, Acar, Kaliski, "Analyzing and Comparing Montgomery
// Multiplication Algorithms", IEEE Micro 1996; Hankerson, Menezes, Vanstone, "Guide to Elliptic
// Curve Cryptography" 2.2), with R = 2^(64 N) and a modulus below R.
#pragma once

#include <cstddef>
#include <cstdint>

namespace jwtbatch::kernels::ecc {

using u64 = uint64_t;
using u128 = unsigned __int128;

// UInt is an N-word integer, little-endian words.
template <int N>
struct UInt {
  u64 v[N];
};

template <int N>
constexpr bool is_zero(const UInt<N>& a) {
  u64 acc = 0;
  for (u64 w : a.v) acc |= w;
  return acc == 0;
}
template <int N>
constexpr bool equal(const UInt<N>& a, const UInt<N>& b) {
  u64 acc = 0;
  for (int i = 0; i < N; ++i) acc |= a.v[i] ^ b.v[i];
  return acc == 0;
}
// less: a < b.
template <int N>
constexpr bool less(const UInt<N>& a, const UInt<N>& b) {
  for (int i = N - 1; i >= 0; --i)
    if (a.v[i] != b.v[i]) return a.v[i] < b.v[i];
  return false;
}
// add: out = a + b mod 2^(64 N), returns the carry. `out` may alias an input.
template <int N>
constexpr u64 add(UInt<N>& out, const UInt<N>& a, const UInt<N>& b) {
  u128 c = 0;
  for (int i = 0; i < N; ++i) {
    c += u128{a.v[i]} + b.v[i];
    out.v[i] = static_cast<u64>(c);
    c >>= 64;
  }
  return static_cast<u64>(c);
}
// sub: out = a - b mod 2^(64 N), returns the borrow (1 when a < b). `out` may alias an input.
template <int N>
constexpr u64 sub(UInt<N>& out, const UInt<N>& a, const UInt<N>& b) {
  u64 borrow = 0;
  for (int i = 0; i < N; ++i) {
    const u128 d = u128{a.v[i]} - b.v[i] - borrow;
    out.v[i] = static_cast<u64>(d);
    borrow = static_cast<u64>(d >> 64) & 1;
  }
  return borrow;
}
template <int N>
constexpr UInt<N> small(u64 x) {
  UInt<N> r{};
  r.v[0] = x;
  return r;
}

// from_be reads `len` (at most 8 N) big-endian bytes.
template <int N>
UInt<N> from_be(const uint8_t* b, size_t len) {
  UInt<N> r{};
  for (size_t k = 0; k < len; ++k) r.v[k / 8] |= u64{b[len - 1 - k]} << (8 * (k % 8));
  return r;
}

// bits returns the `count` (1..57) bits of `a` that start at bit `pos` (zero past the top).
template <int N>
u64 bits(const UInt<N>& a, int pos, int count) {
  if (pos >= 64 * N) return 0;
  const int w = pos / 64, off = pos % 64;
  u64 x = a.v[w] >> off;
  if (off != 0 && w + 1 < N) x |= a.v[w + 1] << (64 - off);
  return x & ((u64{1} << count) - 1);
}

// Modulus is an odd modulus m < 2^(64 N) and its Montgomery constants.
template <int N>
struct Modulus {
  UInt<N> m;
  u64 m0inv;   // -m^-1 mod 2^64
  UInt<N> r1;  // R mod m (Montgomery form of 1)
  UInt<N> r2;  // R^2 mod m
};

// mod_add returns a + b mod m for a, b < m.
template <int N>
constexpr UInt<N> mod_add(const UInt<N>& a, const UInt<N>& b, const UInt<N>& m) {
  UInt<N> s{}, t{};
  const u64 carry = add(s, a, b);
  const u64 borrow = sub(t, s, m);
  return (carry || !borrow) ? t : s;
}
// mod_sub returns a - b mod m for a, b < m.
template <int N>
constexpr UInt<N> mod_sub(const UInt<N>& a, const UInt<N>& b, const UInt<N>& m) {
  UInt<N> d{};
  if (sub(d, a, b)) add(d, d, m);
  return d;
}

template <int N>
constexpr Modulus<N> make_modulus(const UInt<N>& m) {
  Modulus<N> mod{m, 0, {}, {}};
  u64 inv = 1;  // Newton: inv = m0^-1 mod 2^64 (each step doubles the correct bits)
  for (int i = 0; i < 7; ++i) inv *= 2 - m.v[0] * inv;
  mod.m0inv = 0 - inv;
  UInt<N> x = small<N>(1);
  for (int i = 0; i < 64 * N; ++i) x = mod_add(x, x, m);
  mod.r1 = x;
  for (int i = 0; i < 64 * N; ++i) x = mod_add(x, x, m);
  mod.r2 = x;
  return mod;
}

// mont_mul returns a * b / R mod m (a, b < m), fully reduced: CIOS, one word of b at a time.
template <int N>
constexpr UInt<N> mont_mul(const UInt<N>& a, const UInt<N>& b, const Modulus<N>& mod) {
  u64 t[N + 2] = {};
  for (int i = 0; i < N; ++i) {
    u128 c = 0;
    for (int j = 0; j < N; ++j) {
      c += u128{a.v[j]} * b.v[i] + t[j];
      t[j] = static_cast<u64>(c);
      c >>= 64;
    }
    c += t[N];
    t[N] = static_cast<u64>(c);
    t[N + 1] = static_cast<u64>(c >> 64);
    // Add q*m so that the low word vanishes, then shift down one word.
    const u64 q = t[0] * mod.m0inv;
    c = u128{q} * mod.m.v[0] + t[0];
    c >>= 64;
    for (int j = 1; j < N; ++j) {
      c += u128{q} * mod.m.v[j] + t[j];
      t[j - 1] = static_cast<u64>(c);
      c >>= 64;
    }
    c += t[N];
    t[N - 1] = static_cast<u64>(c);
    t[N] = t[N + 1] + static_cast<u64>(c >> 64);
  }
  UInt<N> r{};
  for (int i = 0; i < N; ++i) r.v[i] = t[i];
  // The result is < 2m: one conditional subtraction.
  if (t[N] != 0 || !less(r, mod.m)) sub(r, r, mod.m);
  return r;
}

// mont_pow returns a^e in Montgomery form (a in Montgomery form): 4-bit fixed window.
template <int N>
UInt<N> mont_pow(const UInt<N>& a, const UInt<N>& e, const Modulus<N>& mod) {
  UInt<N> pw[16];
  pw[0] = mod.r1;
  for (int i = 1; i < 16; ++i) pw[i] = mont_mul(pw[i - 1], a, mod);
  UInt<N> r = mod.r1;
  for (int i = 16 * N - 1; i >= 0; --i) {
    for (int k = 0; k < 4; ++k) r = mont_mul(r, r, mod);
    const unsigned nib = static_cast<unsigned>(e.v[i / 16] >> (4 * (i % 16))) & 15;
    if (nib != 0) r = mont_mul(r, pw[nib], mod);
  }
  return r;
}

// mont_inv returns a^-1 in Montgomery form for a nonzero a (Montgomery form) modulo a prime m:
// Fermat, a^(m-2).
template <int N>
UInt<N> mont_inv(const UInt<N>& a, const Modulus<N>& mod) {
  UInt<N> e{};
  sub(e, mod.m, small<N>(2));
  return mont_pow(a, e, mod);
}

// recode_signed writes the signed `W`-bit digits of `u`: u = sum d[i] * 2^(W i) with d[i] in
// -(2^(W-1) - 1)..2^(W-1), `num` digits (enough for u's bits plus one, the last digit's carry).
template <int N, int W>
void recode_signed(const UInt<N>& u, int8_t* d, int num) {
  static_assert(W >= 2 && W <= 7);
  int carry = 0;
  for (int w = 0; w < num; ++w) {
    const int v = static_cast<int>(bits(u, w * W, W)) + carry;
    if (v > (1 << (W - 1))) {
      d[w] = static_cast<int8_t>(v - (1 << W));
      carry = 1;
    } else {
      d[w] = static_cast<int8_t>(v);
      carry = 0;
    }
  }
}

}  // namespace jwtbatch::kernels::ecc
