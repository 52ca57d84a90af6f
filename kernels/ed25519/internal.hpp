// internal.hpp: the Ed25519 kernel's building blocks, shared by its variants and its tests (not a
// public contract). Field arithmetic modulo p = 2^255 - 19 in radix 2^51, points of the twisted
// Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 in extended coordinates (X : Y : Z : T) with
// x = X/Z, y = Y/Z, x y = T/Z (Hisil, Wong, Carter, Dawson, "Twisted Edwards curves revisited",
// ASIACRYPT 2008), and scalars modulo the group order L (RFC 8032 section 5.1).
//
// Limb bounds: every Fe handed to or returned by these functions has limbs below 2^52 (results of
// fe_add/fe_sub/fe_mul are carried), which is what both the __int128 multiplication here and the
// 52-bit IFMA multipliers of avx512_ifma.cpp require.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/ed25519/ed25519.hpp"

namespace jwtbatch::kernels::ed25519::detail {

// ---- field ----------------------------------------------------------------------------------------
void fe_frombytes(Fe& h, const uint8_t s[32]) noexcept;  // low 255 bits, not reduced mod p
void fe_tobytes(uint8_t s[32], const Fe& h) noexcept;     // canonical (fully reduced) encoding
void fe_canonical(Fe& h) noexcept;                        // fully reduce: limbs < 2^51, value < p
void fe_zero(Fe& h) noexcept;
void fe_one(Fe& h) noexcept;
void fe_add(Fe& h, const Fe& f, const Fe& g) noexcept;
void fe_sub(Fe& h, const Fe& f, const Fe& g) noexcept;
void fe_neg(Fe& h, const Fe& f) noexcept;
void fe_mul(Fe& h, const Fe& f, const Fe& g) noexcept;
void fe_sq(Fe& h, const Fe& f) noexcept;
void fe_invert(Fe& out, const Fe& z) noexcept;     // z^(p-2); 0 for z = 0
void fe_pow22523(Fe& out, const Fe& z) noexcept;   // z^((p-5)/8)
bool fe_isnegative(const Fe& f) noexcept;          // the low bit of the canonical value
bool fe_iszero(const Fe& f) noexcept;
bool fe_equal(const Fe& f, const Fe& g) noexcept;

// Constants, derived at first use by this file's own arithmetic (no transcribed tables):
// d = -121665 / 121666, 2d, sqrt(-1) = 2^((p-1)/4), and the base point B (y = 4/5, x even).
struct Constants {
  Fe d, d2, sqrtm1;
};
const Constants& constants() noexcept;

// ---- points ---------------------------------------------------------------------------------------
struct Ge {
  Fe X, Y, Z, T;
};

void ge_identity(Ge& h) noexcept;
// ge_decode decodes `s` exactly as BoringSSL's x25519_ge_frombytes_vartime does (see ed25519.hpp);
// false iff the bytes name no point.
bool ge_decode(Ge& h, const uint8_t s[32]) noexcept;
// ge_encode writes the canonical encoding of `p` (y, with x's low bit in the top bit).
void ge_encode(uint8_t s[32], const Ge& p) noexcept;
void ge_neg(Ge& h, const Ge& p) noexcept;
void ge_add(Ge& h, const Ge& p, const Ge& q) noexcept;  // complete: also doubles, adds identity
// ge_add_niels adds (sign > 0) or subtracts (sign < 0) the affine point `q` to/from `p`.
void ge_add_niels(Ge& h, const Ge& p, const NielsPoint& q, int sign) noexcept;
bool ge_equal(const Ge& p, const Ge& q) noexcept;  // same group element
// ge_scalarmult returns [s]P for a 256-bit little-endian `s` taken as an integer (not reduced),
// by plain double-and-add: slow, for tests and table checks.
void ge_scalarmult(Ge& h, const uint8_t s[32], const Ge& p) noexcept;
const Ge& base_point() noexcept;

// build_table fills `out` with j * 16^i * P (see MultTable).
void build_table(MultTable& out, const Ge& p);

// ---- scalars modulo L -------------------------------------------------------------------------------
bool sc_is_canonical(const uint8_t s[32]) noexcept;                  // s < L
void sc_reduce64(uint8_t out[32], const uint8_t in[64]) noexcept;    // in mod L (in: 512-bit LE)
void sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
               const uint8_t c[32]) noexcept;                        // (a b + c) mod L
// recode16 writes the signed radix-16 digits e[0..63] (each in [-8, 8]) of `s` < 2^253, with
// s = sum e[i] 16^i.
void recode16(int8_t e[64], const uint8_t s[32]) noexcept;

// lane_prologue does a verification's per-signature scalar work: it returns false when S >= L
// (reject), else computes k = SHA-512(R || A || M) mod L and writes the digits of k and of S.
bool lane_prologue(const PublicKey& key, const uint8_t* message, size_t message_len,
                   const uint8_t* signature, int8_t k_digits[64], int8_t s_digits[64]) noexcept;

// lane_epilogue returns whether the point with affine coordinates (`x`, `y`) (limbs < 2^52)
// encodes to the 32 bytes `r`.
bool lane_epilogue(const Fe& x, const Fe& y, const uint8_t r[32]) noexcept;

}  // namespace jwtbatch::kernels::ed25519::detail
