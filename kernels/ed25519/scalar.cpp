// scalar.cpp: the portable Ed25519 reference (contract in ed25519.hpp, building blocks in
// internal.hpp): field arithmetic in radix 2^51 with unsigned __int128, extended twisted Edwards
// coordinates, tables of multiples, scalars modulo L by Barrett reduction, and verify_scalar.
//
// References: RFC 8032 (Ed25519: sections 5.1.3 decoding, 5.1.7 verification); Hisil, Wong,
// Carter, Dawson, "Twisted Edwards curves revisited" (ASIACRYPT 2008) for the a = -1 addition
// formulas; Menezes, van Oorschot, Vanstone, Handbook of Applied Cryptography, algorithm 14.42
// (Barrett reduction); Montgomery's simultaneous inversion for normalizing tables. BoringSSL's
// documented ED25519_verify behaviour (curve25519.h, and the checks listed in ed25519.hpp) is
// the definition of the verdict. Every constant here is computed by this file at first use,
// except p and L, which RFC 8032 section 5.1 states.
#include <cstring>
#include <vector>

#include <openssl/sha.h>

#include "kernels/ed25519/ed25519.hpp"
#include "kernels/ed25519/internal.hpp"

namespace jwtbatch::kernels::ed25519 {
namespace detail {
namespace {

using u128 = unsigned __int128;
constexpr uint64_t kMask51 = (uint64_t{1} << 51) - 1;

// 4p in radix 2^51: the bias that keeps f - g non-negative for limbs of g below 2^52.
constexpr uint64_t k4p0 = 4 * ((uint64_t{1} << 51) - 19);
constexpr uint64_t k4pi = 4 * ((uint64_t{1} << 51) - 1);

uint64_t load64_le(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);  // x86-64 and ARM64 are little-endian
  return v;
}
void store64_le(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }

// carry brings limbs below 2^51 (limb 0 below 2^51 + 19 * 2^13) from limbs below 2^63.
void carry(Fe& h) {
  uint64_t c;
  c = h.v[0] >> 51; h.v[0] &= kMask51; h.v[1] += c;
  c = h.v[1] >> 51; h.v[1] &= kMask51; h.v[2] += c;
  c = h.v[2] >> 51; h.v[2] &= kMask51; h.v[3] += c;
  c = h.v[3] >> 51; h.v[3] &= kMask51; h.v[4] += c;
  c = h.v[4] >> 51; h.v[4] &= kMask51; h.v[0] += 19 * c;
}

void fe_sq_n(Fe& h, const Fe& f, int n) {
  fe_sq(h, f);
  for (int i = 1; i < n; ++i) fe_sq(h, h);
}

// pow_2_250_1 returns z^(2^250 - 1) and z^11, the common prefix of inversion and pow22523.
void pow_2_250_1(Fe& out, Fe& z11, const Fe& z) {
  Fe z2, z9, t, z5_0, z10_0, z20_0, z40_0, z50_0, z100_0, z200_0;
  fe_sq(z2, z);                                   // z^2
  fe_sq_n(t, z2, 2);                              // z^8
  fe_mul(z9, t, z);                               // z^9
  fe_mul(z11, z9, z2);                            // z^11
  fe_sq(t, z11);                                  // z^22
  fe_mul(z5_0, t, z9);                            // z^(2^5 - 1)
  fe_sq_n(t, z5_0, 5);  fe_mul(z10_0, t, z5_0);   // z^(2^10 - 1)
  fe_sq_n(t, z10_0, 10); fe_mul(z20_0, t, z10_0); // z^(2^20 - 1)
  fe_sq_n(t, z20_0, 20); fe_mul(z40_0, t, z20_0); // z^(2^40 - 1)
  fe_sq_n(t, z40_0, 10); fe_mul(z50_0, t, z10_0); // z^(2^50 - 1)
  fe_sq_n(t, z50_0, 50); fe_mul(z100_0, t, z50_0);   // z^(2^100 - 1)
  fe_sq_n(t, z100_0, 100); fe_mul(z200_0, t, z100_0);  // z^(2^200 - 1)
  fe_sq_n(t, z200_0, 50); fe_mul(out, t, z50_0);       // z^(2^250 - 1)
}

// fe_pow raises `z` to the 256-bit little-endian exponent `e` (start-up constants only).
void fe_pow(Fe& out, const Fe& z, const uint8_t e[32]) {
  Fe r;
  fe_one(r);
  for (int bit = 255; bit >= 0; --bit) {
    fe_sq(r, r);
    if ((e[bit / 8] >> (bit % 8)) & 1) fe_mul(r, r, z);
  }
  out = r;
}

void fe_from_u64(Fe& h, uint64_t v) {
  fe_zero(h);
  h.v[0] = v & kMask51;
  h.v[1] = v >> 51;
}

Constants make_constants() {
  Constants c;
  Fe a, b;
  fe_from_u64(a, 121665);
  fe_from_u64(b, 121666);
  fe_invert(b, b);
  fe_mul(c.d, a, b);
  fe_neg(c.d, c.d);
  fe_canonical(c.d);
  fe_add(c.d2, c.d, c.d);
  fe_canonical(c.d2);
  // sqrt(-1) = 2^((p-1)/4): p - 1 = 2^255 - 20, so (p-1)/4 = 2^253 - 5.
  uint8_t e[32];
  std::memset(e, 0xff, sizeof(e));
  e[0] = 0xfb;
  e[31] = 0x1f;
  Fe two;
  fe_from_u64(two, 2);
  fe_pow(c.sqrtm1, two, e);
  fe_canonical(c.sqrtm1);
  return c;
}

// Cached is a point prepared to be added: (Y + X, Y - X, Z, 2 d T).
struct Cached {
  Fe ypx, ymx, z, t2d;
};

void to_cached(Cached& c, const Ge& p) {
  fe_add(c.ypx, p.Y, p.X);
  fe_sub(c.ymx, p.Y, p.X);
  c.z = p.Z;
  fe_mul(c.t2d, p.T, constants().d2);
}

// add_cached: add-2008-hwcd-3 for a = -1 (complete on this curve: d is not a square).
void add_cached(Ge& h, const Ge& p, const Cached& q) {
  Fe a, b, c, d, e, f, g, hh, t;
  fe_sub(t, p.Y, p.X);
  fe_mul(a, t, q.ymx);
  fe_add(t, p.Y, p.X);
  fe_mul(b, t, q.ypx);
  fe_mul(c, p.T, q.t2d);
  fe_mul(d, p.Z, q.z);
  fe_add(d, d, d);
  fe_sub(e, b, a);
  fe_sub(f, d, c);
  fe_add(g, d, c);
  fe_add(hh, b, a);
  fe_mul(h.X, e, f);
  fe_mul(h.Y, g, hh);
  fe_mul(h.T, e, hh);
  fe_mul(h.Z, f, g);
}

// Barrett reduction modulo L (HAC 14.42 with b = 2^64, k = 4).
// L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 section 5.1), little-endian limbs.
constexpr uint64_t kL[4] = {0x5812631a5cf5d3edULL, 0x14def9dea2f79cd6ULL, 0, 0x1000000000000000ULL};

// compute_mu returns floor(2^512 / L) by binary long division (5 limbs; it is a 260-bit number).
struct Mu {
  uint64_t v[5];
};
constexpr Mu compute_mu() {
  Mu q{};
  uint64_t r[5] = {};  // remainder < L < 2^253, room for one shift
  for (int bit = 512; bit >= 0; --bit) {
    // r = 2 r + (bit == 512 ? 1 : 0)
    for (int i = 4; i > 0; --i) r[i] = (r[i] << 1) | (r[i - 1] >> 63);
    r[0] = (r[0] << 1) | (bit == 512 ? 1 : 0);
    // if r >= L: r -= L, set quotient bit
    bool ge = r[4] != 0;
    if (!ge) {
      ge = true;
      for (int i = 3; i >= 0; --i) {
        if (r[i] != kL[i]) {
          ge = r[i] > kL[i];
          break;
        }
      }
    }
    if (ge) {
      uint64_t borrow = 0;
      for (int i = 0; i < 5; ++i) {
        const uint64_t li = i < 4 ? kL[i] : 0;
        const uint64_t d = r[i] - li - borrow;
        borrow = (r[i] < li || (r[i] == li && borrow)) ? 1 : 0;
        r[i] = d;
      }
      q.v[bit / 64] |= uint64_t{1} << (bit % 64);
    }
  }
  return q;
}
constexpr Mu kMu = compute_mu();

// ge_l returns whether the 5-limb `r` >= L.
bool ge_l(const uint64_t r[5]) {
  if (r[4] != 0) return true;
  for (int i = 3; i >= 0; --i)
    if (r[i] != kL[i]) return r[i] > kL[i];
  return true;
}

void sc_reduce_limbs(uint64_t out[4], const uint64_t x[8]) {
  // q1 = floor(x / b^3): limbs 3..7. q3 = floor(q1 mu / b^5).
  uint64_t q2[10] = {};
  for (int i = 0; i < 5; ++i) {
    uint64_t c = 0;
    for (int j = 0; j < 5; ++j) {
      const u128 t = static_cast<u128>(x[3 + i]) * kMu.v[j] + q2[i + j] + c;
      q2[i + j] = static_cast<uint64_t>(t);
      c = static_cast<uint64_t>(t >> 64);
    }
    q2[i + 5] = c;
  }
  const uint64_t* q3 = q2 + 5;
  // r2 = (q3 L) mod b^5
  uint64_t r2[5] = {};
  for (int i = 0; i < 5; ++i) {
    uint64_t c = 0;
    for (int j = 0; i + j < 5 && j < 4; ++j) {
      const u128 t = static_cast<u128>(q3[i]) * kL[j] + r2[i + j] + c;
      r2[i + j] = static_cast<uint64_t>(t);
      c = static_cast<uint64_t>(t >> 64);
    }
    if (i + 4 < 5) r2[i + 4] += c;
  }
  // r = (x mod b^5) - r2 mod b^5, then at most two subtractions of L.
  uint64_t r[5];
  uint64_t borrow = 0;
  for (int i = 0; i < 5; ++i) {
    const u128 t = static_cast<u128>(x[i]) - r2[i] - borrow;
    r[i] = static_cast<uint64_t>(t);
    borrow = static_cast<uint64_t>(t >> 64) & 1;
  }
  while (ge_l(r)) {
    borrow = 0;
    for (int i = 0; i < 5; ++i) {
      const u128 t = static_cast<u128>(r[i]) - (i < 4 ? kL[i] : 0) - borrow;
      r[i] = static_cast<uint64_t>(t);
      borrow = static_cast<uint64_t>(t >> 64) & 1;
    }
  }
  for (int i = 0; i < 4; ++i) out[i] = r[i];
}

// normalize_batch writes the affine Niels form of each of `pts` into `out` (one inversion for all).
void normalize_batch(NielsPoint* out, const Ge* pts, size_t n) {
  std::vector<Fe> prefix(n);
  Fe acc;
  fe_one(acc);
  for (size_t i = 0; i < n; ++i) {
    prefix[i] = acc;  // product of Z_0 .. Z_{i-1}
    fe_mul(acc, acc, pts[i].Z);
  }
  Fe inv;
  fe_invert(inv, acc);  // 1 / (Z_0 ... Z_{n-1}); every Z is nonzero (complete formulas)
  for (size_t i = n; i-- > 0;) {
    Fe zi, x, y;
    fe_mul(zi, inv, prefix[i]);   // 1 / Z_i
    fe_mul(inv, inv, pts[i].Z);   // 1 / (Z_0 ... Z_{i-1})
    fe_mul(x, pts[i].X, zi);
    fe_mul(y, pts[i].Y, zi);
    fe_add(out[i].ypx, y, x);
    fe_sub(out[i].ymx, y, x);
    fe_mul(out[i].xy2d, x, y);
    fe_mul(out[i].xy2d, out[i].xy2d, constants().d2);
    fe_canonical(out[i].ypx);
    fe_canonical(out[i].ymx);
    fe_canonical(out[i].xy2d);
  }
}

struct BaseData {
  Ge b;
  MultTable table;
};

const BaseData& base_data() {
  static const BaseData* data = [] {
    auto* d = new BaseData;  // lives for the process
    // B: y = 4/5 and x even (RFC 8032 section 5.1).
    Fe four, five;
    fe_from_u64(four, 4);
    fe_from_u64(five, 5);
    fe_invert(five, five);
    Fe y;
    fe_mul(y, four, five);
    uint8_t enc[32];
    fe_tobytes(enc, y);
    ge_decode(d->b, enc);
    build_table(d->table, d->b);
    return d;
  }();
  return *data;
}

}  // namespace

// ---- field ----------------------------------------------------------------------------------------

void fe_zero(Fe& h) noexcept { h = Fe{{0, 0, 0, 0, 0}}; }
void fe_one(Fe& h) noexcept { h = Fe{{1, 0, 0, 0, 0}}; }

void fe_frombytes(Fe& h, const uint8_t s[32]) noexcept {
  const uint64_t w0 = load64_le(s), w1 = load64_le(s + 8), w2 = load64_le(s + 16),
                 w3 = load64_le(s + 24);
  h.v[0] = w0 & kMask51;
  h.v[1] = ((w0 >> 51) | (w1 << 13)) & kMask51;
  h.v[2] = ((w1 >> 38) | (w2 << 26)) & kMask51;
  h.v[3] = ((w2 >> 25) | (w3 << 39)) & kMask51;
  h.v[4] = (w3 >> 12) & kMask51;  // bit 255 is dropped
}

void fe_canonical(Fe& h) noexcept {
  carry(h);
  carry(h);  // limbs 1..4 < 2^51, limb 0 < 2^51 + 19: the value is below 2p
  // q = 1 iff h >= p, i.e. iff h + 19 carries out of bit 255.
  uint64_t q = (h.v[0] + 19) >> 51;
  q = (h.v[1] + q) >> 51;
  q = (h.v[2] + q) >> 51;
  q = (h.v[3] + q) >> 51;
  q = (h.v[4] + q) >> 51;
  h.v[0] += 19 * q;  // h - q p = h + 19 q - q 2^255
  uint64_t c;
  c = h.v[0] >> 51; h.v[0] &= kMask51; h.v[1] += c;
  c = h.v[1] >> 51; h.v[1] &= kMask51; h.v[2] += c;
  c = h.v[2] >> 51; h.v[2] &= kMask51; h.v[3] += c;
  c = h.v[3] >> 51; h.v[3] &= kMask51; h.v[4] += c;
  h.v[4] &= kMask51;
}

void fe_tobytes(uint8_t s[32], const Fe& f) noexcept {
  Fe h = f;
  fe_canonical(h);
  store64_le(s, h.v[0] | (h.v[1] << 51));
  store64_le(s + 8, (h.v[1] >> 13) | (h.v[2] << 38));
  store64_le(s + 16, (h.v[2] >> 26) | (h.v[3] << 25));
  store64_le(s + 24, (h.v[3] >> 39) | (h.v[4] << 12));
}

void fe_add(Fe& h, const Fe& f, const Fe& g) noexcept {
  for (int i = 0; i < 5; ++i) h.v[i] = f.v[i] + g.v[i];
  carry(h);
}

void fe_sub(Fe& h, const Fe& f, const Fe& g) noexcept {
  h.v[0] = f.v[0] + k4p0 - g.v[0];
  for (int i = 1; i < 5; ++i) h.v[i] = f.v[i] + k4pi - g.v[i];
  carry(h);
}

void fe_neg(Fe& h, const Fe& f) noexcept {
  Fe zero;
  fe_zero(zero);
  fe_sub(h, zero, f);
}

// fe_carry_wide reduces the five 128-bit column sums of a product or square to 51-bit limbs (the
// top carry folds back times 19, as 2^255 = 19 mod p).
inline __attribute__((always_inline)) void fe_carry_wide(Fe& h, u128 r0, u128 r1, u128 r2, u128 r3,
                                                         u128 r4) noexcept {
  r1 += static_cast<uint64_t>(r0 >> 51);
  r2 += static_cast<uint64_t>(r1 >> 51);
  r3 += static_cast<uint64_t>(r2 >> 51);
  r4 += static_cast<uint64_t>(r3 >> 51);
  const u128 t0 = static_cast<u128>(static_cast<uint64_t>(r0) & kMask51) +
                  static_cast<u128>(static_cast<uint64_t>(r4 >> 51)) * 19;
  h.v[0] = static_cast<uint64_t>(t0) & kMask51;
  h.v[1] = (static_cast<uint64_t>(r1) & kMask51) + static_cast<uint64_t>(t0 >> 51);
  h.v[2] = static_cast<uint64_t>(r2) & kMask51;
  h.v[3] = static_cast<uint64_t>(r3) & kMask51;
  h.v[4] = static_cast<uint64_t>(r4) & kMask51;
}

void fe_mul(Fe& h, const Fe& f, const Fe& g) noexcept {
  const uint64_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
  const uint64_t g0 = g.v[0], g1 = g.v[1], g2 = g.v[2], g3 = g.v[3], g4 = g.v[4];
  // 2^255 = 19 (mod p): products landing at limb 5 + k wrap to limb k times 19. With limbs below
  // 2^52, 19 g < 2^57, each product < 2^109 and each column < 2^112.
  const uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
  u128 r0 = (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 + (u128)f3 * g2_19 + (u128)f4 * g1_19;
  u128 r1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 + (u128)f3 * g3_19 + (u128)f4 * g2_19;
  u128 r2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4_19 + (u128)f4 * g3_19;
  u128 r3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 + (u128)f4 * g4_19;
  u128 r4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0;
  fe_carry_wide(h, r0, r1, r2, r3, r4);
}

void fe_sq(Fe& h, const Fe& f) noexcept {
  const uint64_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
  const uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1;
  const uint64_t f1_38 = 38 * f1, f2_38 = 38 * f2, f3_38 = 38 * f3;
  const uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
  u128 r0 = (u128)f0 * f0 + (u128)f1_38 * f4 + (u128)f2_38 * f3;
  u128 r1 = (u128)f0_2 * f1 + (u128)f2_38 * f4 + (u128)f3_19 * f3;
  u128 r2 = (u128)f0_2 * f2 + (u128)f1 * f1 + (u128)f3_38 * f4;
  u128 r3 = (u128)f0_2 * f3 + (u128)f1_2 * f2 + (u128)f4_19 * f4;
  u128 r4 = (u128)f0_2 * f4 + (u128)f1_2 * f3 + (u128)f2 * f2;
  fe_carry_wide(h, r0, r1, r2, r3, r4);
}

void fe_invert(Fe& out, const Fe& z) noexcept {
  Fe t, z11;
  pow_2_250_1(t, z11, z);
  fe_sq_n(t, t, 5);     // z^(2^255 - 32)
  fe_mul(out, t, z11);  // z^(2^255 - 21) = z^(p - 2)
}

void fe_pow22523(Fe& out, const Fe& z) noexcept {
  Fe t, z11;
  pow_2_250_1(t, z11, z);
  fe_sq_n(t, t, 2);    // z^(2^252 - 4)
  fe_mul(out, t, z);   // z^(2^252 - 3) = z^((p - 5) / 8)
}

bool fe_isnegative(const Fe& f) noexcept {
  uint8_t s[32];
  fe_tobytes(s, f);
  return (s[0] & 1) != 0;
}

bool fe_iszero(const Fe& f) noexcept {
  uint8_t s[32];
  fe_tobytes(s, f);
  uint8_t acc = 0;
  for (uint8_t b : s) acc |= b;
  return acc == 0;
}

bool fe_equal(const Fe& f, const Fe& g) noexcept {
  Fe t;
  fe_sub(t, f, g);
  return fe_iszero(t);
}

const Constants& constants() noexcept {
  static const Constants c = make_constants();
  return c;
}

// ---- points ---------------------------------------------------------------------------------------

void ge_identity(Ge& h) noexcept {
  fe_zero(h.X);
  fe_one(h.Y);
  fe_one(h.Z);
  fe_zero(h.T);
}

bool ge_decode(Ge& h, const uint8_t s[32]) noexcept {
  const Constants& k = constants();
  // y from the low 255 bits, as is (a value >= p is used modulo p); RFC 8032 5.1.3 step 1 would
  // refuse it, ED25519_verify does not.
  fe_frombytes(h.Y, s);
  fe_one(h.Z);
  Fe y2, u, v, v3, uv7, x, vxx, check;
  fe_sq(y2, h.Y);
  fe_sub(u, y2, h.Z);        // u = y^2 - 1
  fe_mul(v, y2, k.d);
  fe_add(v, v, h.Z);         // v = d y^2 + 1
  // x = u v^3 (u v^7)^((p-5)/8) (RFC 8032 5.1.3 step 2)
  fe_sq(v3, v);
  fe_mul(v3, v3, v);         // v^3
  fe_sq(uv7, v3);
  fe_mul(uv7, uv7, v);
  fe_mul(uv7, uv7, u);       // u v^7
  fe_pow22523(x, uv7);
  fe_mul(x, x, v3);
  fe_mul(x, x, u);
  // step 3: v x^2 = u: x is a root; v x^2 = -u: x sqrt(-1) is; else no point.
  fe_sq(vxx, x);
  fe_mul(vxx, vxx, v);
  fe_sub(check, vxx, u);
  if (!fe_iszero(check)) {
    fe_add(check, vxx, u);
    if (!fe_iszero(check)) return false;
    fe_mul(x, x, k.sqrtm1);
  }
  // step 4: choose the root by the sign bit. x = 0 with the sign bit set is NOT refused (as in
  // ED25519_verify): -0 = 0, the same point.
  if (fe_isnegative(x) != ((s[31] >> 7) != 0)) fe_neg(x, x);
  h.X = x;
  fe_mul(h.T, h.X, h.Y);
  return true;
}

void ge_encode(uint8_t s[32], const Ge& p) noexcept {
  Fe zi, x, y;
  fe_invert(zi, p.Z);
  fe_mul(x, p.X, zi);
  fe_mul(y, p.Y, zi);
  fe_tobytes(s, y);
  s[31] ^= static_cast<uint8_t>(fe_isnegative(x) ? 0x80 : 0);
}

void ge_neg(Ge& h, const Ge& p) noexcept {
  fe_neg(h.X, p.X);
  h.Y = p.Y;
  h.Z = p.Z;
  fe_neg(h.T, p.T);
}

void ge_add(Ge& h, const Ge& p, const Ge& q) noexcept {
  Cached c;
  to_cached(c, q);
  add_cached(h, p, c);
}

void ge_add_niels(Ge& h, const Ge& p, const NielsPoint& q, int sign) noexcept {
  // madd-2008-hwcd-3 with Z2 = 1; -Q = (-x, y) swaps y+x and y-x and negates 2dxy.
  const Fe& ypx = sign > 0 ? q.ypx : q.ymx;
  const Fe& ymx = sign > 0 ? q.ymx : q.ypx;
  Fe a, b, c, d, e, f, g, hh, t;
  fe_sub(t, p.Y, p.X);
  fe_mul(a, t, ymx);
  fe_add(t, p.Y, p.X);
  fe_mul(b, t, ypx);
  fe_mul(c, p.T, q.xy2d);
  fe_add(d, p.Z, p.Z);
  fe_sub(e, b, a);
  fe_add(hh, b, a);
  if (sign > 0) {
    fe_sub(f, d, c);
    fe_add(g, d, c);
  } else {
    fe_add(f, d, c);
    fe_sub(g, d, c);
  }
  fe_mul(h.X, e, f);
  fe_mul(h.Y, g, hh);
  fe_mul(h.T, e, hh);
  fe_mul(h.Z, f, g);
}

bool ge_equal(const Ge& p, const Ge& q) noexcept {
  Fe a, b;
  fe_mul(a, p.X, q.Z);
  fe_mul(b, q.X, p.Z);
  if (!fe_equal(a, b)) return false;
  fe_mul(a, p.Y, q.Z);
  fe_mul(b, q.Y, p.Z);
  return fe_equal(a, b);
}

void ge_scalarmult(Ge& h, const uint8_t s[32], const Ge& p) noexcept {
  Ge r;
  ge_identity(r);
  for (int bit = 255; bit >= 0; --bit) {
    ge_add(r, r, r);
    if ((s[bit / 8] >> (bit % 8)) & 1) ge_add(r, r, p);
  }
  h = r;
}

const Ge& base_point() noexcept { return base_data().b; }

void build_table(MultTable& out, const Ge& p) {
  constexpr size_t kN = kTablePositions * kTableMultiples;
  std::vector<Ge> pts(kN);
  Ge row = p;  // 16^i P
  for (int i = 0; i < kTablePositions; ++i) {
    Cached c;
    to_cached(c, row);
    Ge cur = row;
    pts[i * kTableMultiples] = cur;
    for (int j = 2; j <= kTableMultiples; ++j) {
      add_cached(cur, cur, c);
      pts[i * kTableMultiples + j - 1] = cur;
    }
    to_cached(c, cur);  // 8 * 16^i P, doubled: 16^(i+1) P
    add_cached(row, cur, c);
  }
  normalize_batch(&out.entry[0][0], pts.data(), kN);
}

// ---- scalars --------------------------------------------------------------------------------------

bool sc_is_canonical(const uint8_t s[32]) noexcept {
  for (int i = 3; i >= 0; --i) {
    const uint64_t w = load64_le(s + 8 * i);
    if (w != kL[i]) return w < kL[i];
  }
  return false;  // s == L
}

void sc_reduce64(uint8_t out[32], const uint8_t in[64]) noexcept {
  uint64_t x[8], r[4];
  for (int i = 0; i < 8; ++i) x[i] = load64_le(in + 8 * i);
  sc_reduce_limbs(r, x);
  for (int i = 0; i < 4; ++i) store64_le(out + 8 * i, r[i]);
}

void sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
               const uint8_t c[32]) noexcept {
  uint64_t x[8] = {}, al[4], bl[4], r[4];
  for (int i = 0; i < 4; ++i) {
    al[i] = load64_le(a + 8 * i);
    bl[i] = load64_le(b + 8 * i);
    x[i] = load64_le(c + 8 * i);
  }
  // x = c + a b (at most 2^512 - 1 for 256-bit inputs: (2^256 - 1)^2 + 2^256 - 1 < 2^512)
  for (int i = 0; i < 4; ++i) {
    uint64_t carry_ = 0;
    for (int j = 0; j < 4; ++j) {
      const u128 t = static_cast<u128>(al[i]) * bl[j] + x[i + j] + carry_;
      x[i + j] = static_cast<uint64_t>(t);
      carry_ = static_cast<uint64_t>(t >> 64);
    }
    for (int k = i + 4; carry_ != 0 && k < 8; ++k) {
      const u128 t = static_cast<u128>(x[k]) + carry_;
      x[k] = static_cast<uint64_t>(t);
      carry_ = static_cast<uint64_t>(t >> 64);
    }
  }
  sc_reduce_limbs(r, x);
  for (int i = 0; i < 4; ++i) store64_le(out + 8 * i, r[i]);
}

void recode16(int8_t e[64], const uint8_t s[32]) noexcept {
  for (int i = 0; i < 32; ++i) {
    e[2 * i] = static_cast<int8_t>(s[i] & 15);
    e[2 * i + 1] = static_cast<int8_t>(s[i] >> 4);
  }
  int carry_ = 0;
  for (int i = 0; i < 63; ++i) {
    const int v = e[i] + carry_;
    carry_ = (v + 8) >> 4;  // digits in [-8, 7]
    e[i] = static_cast<int8_t>(v - (carry_ << 4));
  }
  e[63] = static_cast<int8_t>(e[63] + carry_);  // at most 1 + 1 for s < 2^253
}

bool lane_prologue(const PublicKey& key, const uint8_t* message, size_t message_len,
                   const uint8_t* signature, int8_t k_digits[64], int8_t s_digits[64]) noexcept {
  // S < L (RFC 8032 5.1.7 step 1; ED25519_verify checks the top three bits, then the full order).
  if (!sc_is_canonical(signature + 32)) return false;
  uint8_t h[SHA512_DIGEST_LENGTH], k[32];
  SHA512_CTX ctx;
  SHA512_Init(&ctx);
  SHA512_Update(&ctx, signature, 32);
  SHA512_Update(&ctx, key.encoded, kPublicKeyLen);
  SHA512_Update(&ctx, message, message_len);
  SHA512_Final(h, &ctx);
  sc_reduce64(k, h);
  recode16(k_digits, k);
  recode16(s_digits, signature + 32);
  return true;
}

bool lane_epilogue(const Fe& x, const Fe& y, const uint8_t r[32]) noexcept {
  uint8_t enc[32];
  fe_tobytes(enc, y);
  enc[31] ^= static_cast<uint8_t>(fe_isnegative(x) ? 0x80 : 0);
  return std::memcmp(enc, r, 32) == 0;  // public data: no need for constant time
}

}  // namespace detail

// ---- public ---------------------------------------------------------------------------------------

std::unique_ptr<PublicKey> prepare_public_key(std::span<const uint8_t, kPublicKeyLen> encoded) {
  detail::Ge a;
  if (!detail::ge_decode(a, encoded.data())) return nullptr;
  auto key = std::make_unique<PublicKey>();
  std::memcpy(key->encoded, encoded.data(), kPublicKeyLen);
  detail::ge_neg(a, a);
  detail::build_table(key->neg_a, a);
  return key;
}

const MultTable& base_table() noexcept { return detail::base_data().table; }

bool verify_scalar(const PublicKey& key, std::span<const uint8_t> message,
                   std::span<const uint8_t, kSignatureLen> signature) noexcept {
  int8_t kd[64], sd[64];
  if (!detail::lane_prologue(key, message.data(), message.size(), signature.data(), kd, sd)) {
    return false;
  }
  const MultTable& b = base_table();
  // R' = [S]B + [k](-A), one table entry per nonzero digit.
  detail::Ge acc;
  detail::ge_identity(acc);
  for (int i = 0; i < kTablePositions; ++i) {
    if (kd[i] != 0) {
      detail::ge_add_niels(acc, acc, key.neg_a.entry[i][(kd[i] > 0 ? kd[i] : -kd[i]) - 1], kd[i]);
    }
    if (sd[i] != 0) {
      detail::ge_add_niels(acc, acc, b.entry[i][(sd[i] > 0 ? sd[i] : -sd[i]) - 1], sd[i]);
    }
  }
  Fe zi, x, y;
  detail::fe_invert(zi, acc.Z);
  detail::fe_mul(x, acc.X, zi);
  detail::fe_mul(y, acc.Y, zi);
  return detail::lane_epilogue(x, y, signature.data());
}

void verify_lanes_scalar(Job* jobs, size_t num_jobs) noexcept {
  for (size_t i = 0; i < num_jobs; ++i) {
    Job& j = jobs[i];
    j.valid = verify_scalar(*j.key, {j.message, j.message_len},
                            std::span<const uint8_t, kSignatureLen>(j.signature, kSignatureLen));
  }
}

}  // namespace jwtbatch::kernels::ed25519
