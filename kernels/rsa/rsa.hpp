// rsa.hpp: the contract of the RSA public-operation kernels: out = s^e mod n for moduli of 256, 384
// or 512 bytes (RSA-2048/3072/4096) and any odd public exponent 1 < e < 2^64.
//
// Keys are prepared once (prepare_key: the modulus as 64-bit and 52-bit limbs, the Montgomery
// constants R^2 mod n and -n^-1 mod 2^64 / 2^52). Then:
//   - public_op_scalar: the portable reference (Montgomery multiplication on 64-bit limbs), the
//     definition every other variant is tested against;
//   - public_op_batch_*: up to kMaxLanes signatures at once; lanes may hold different keys of the
//     same modulus length and exponent. The AVX-512 IFMA variant keeps 8 lanes of 52-bit limbs
//     (it runs where AVX-512 F, IFMA, BW and VBMI all are).
// Variants are chosen once at run time by kernels/cpu/dispatch.hpp (avx512_ifma is level avx512).
//
// Only the raw operation lives here: s < n (below_modulus) is the caller's check before calling,
// and so is the padding (EMSA-PKCS1-v1_5 / EMSA-PSS) of the result. Public data only: the code is
// variable-time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace jwtbatch::kernels::rsa {

inline constexpr size_t kMaxLanes = 8;
inline constexpr size_t kMaxModulusLen = 512;          // bytes (RSA-4096)
inline constexpr size_t kMaxLimbs64 = kMaxModulusLen / 8;
inline constexpr size_t kMaxLimbs52 = 80;              // 4096 bits + 2 in 52-bit limbs, rounded up to 4

// Key is one prepared public key: plain arrays, and one vector for the larger per-key table.
struct Key {
  size_t n_len = 0;       // modulus length in bytes: 256, 384 or 512
  int num_bits = 0;       // exact bit length of n
  uint64_t e = 0;         // public exponent, odd, > 1

  // 64-bit limbs, least significant first; R64 = 2^(64 * num_limbs64).
  size_t num_limbs64 = 0;  // n_len / 8
  uint64_t n64[kMaxLimbs64] = {};
  uint64_t rr64[kMaxLimbs64] = {};  // R64^2 mod n
  uint64_t n0inv64 = 0;             // -n^-1 mod 2^64

  // 52-bit limbs, least significant first; R52 = 2^(52 * num_limbs52) >= 4n, num_limbs52 a multiple
  // of 4 (40, 60, 80) so the IFMA code can work in blocks of four rows. Limbs past n are zero.
  size_t num_limbs52 = 0;
  uint64_t n52[kMaxLimbs52] = {};
  uint64_t rr52[kMaxLimbs52] = {};  // R52^2 mod n
  uint64_t n0inv52 = 0;             // -n^-1 mod 2^52
  // The table that takes a number into the Montgomery domain without a Montgomery multiplication:
  // row j (num_limbs52 limbs at conv52[j * num_limbs52]) is 2^(52 (L + 2 + j)) mod n, L =
  // num_limbs52, so s R mod n is the sum of s's 52-bit limbs times the rows, divided by 2^104 with
  // two Montgomery digits (avx512_ifma.cpp, to_mont): L^2 products instead of the 2 L^2 of
  // s * R^2 * R^-1.
  std::vector<uint64_t> conv52;
  // The tables of the PKCS#1 v1.5 check (Pkcs1CheckBatch), K = R52^-(e-1) mod n: row j of
  // pkcs1_rows52 (j < kPkcs1Rows, num_limbs52 limbs each) is K 2^(52 j) 2^104 mod n; row h of
  // pkcs1_base52 (h = 0, 1, 2 for SHA-256, 384, 512) is EM_h K 2^104 mod n, EM_h the encoding with
  // the digest bytes zero. Followed by 8 zero limbs (lanes read rows in blocks of eight).
  std::vector<uint64_t> pkcs1_rows52;
  std::vector<uint64_t> pkcs1_base52;
};

inline constexpr size_t kPkcs1Rows = 10;  // 52-bit limbs of the longest digest (SHA-512, 512 bits)

// prepare_key returns the prepared key of modulus `n` and exponent `e` (big-endian, leading zero
// bytes allowed), or nullptr when this kernel does not take it: n not odd or not 256/384/512 bytes
// long (after leading zeros), e even, e <= 1 or e >= 2^64. The caller validates policy (minimum
// size) itself; a nullptr only means "use another implementation".
std::shared_ptr<const Key> prepare_key(std::span<const uint8_t> n, std::span<const uint8_t> e);

// below_modulus returns true iff the big-endian `s` of key.n_len bytes is less than n.
bool below_modulus(const Key& key, const uint8_t* s) noexcept;

// PublicOp writes s^e mod n as key.n_len big-endian bytes to `out`. `s` (key.n_len big-endian bytes)
// must be below n (below_modulus). `s` and `out` may alias.
using PublicOp = void (*)(const Key& key, const uint8_t* s, uint8_t* out) noexcept;

// PublicOpBatch does PublicOp for lanes 0..num_lanes-1 (1 <= num_lanes <= kMaxLanes): keys[i], s[i],
// out[i]. All keys must have the same n_len and the same e.
using PublicOpBatch = void (*)(const Key* const* keys, const uint8_t* const* s, uint8_t* const* out,
                               size_t num_lanes) noexcept;

void public_op_scalar(const Key& key, const uint8_t* s, uint8_t* out) noexcept;
void public_op_batch_scalar(const Key* const* keys, const uint8_t* const* s, uint8_t* const* out,
                            size_t num_lanes) noexcept;
#if defined(__x86_64__)
void public_op_batch_avx512_ifma(const Key* const* keys, const uint8_t* const* s,
                                 uint8_t* const* out, size_t num_lanes) noexcept;
// mont_mul_avx512_ifma sets out[i] = a[i] b[i] R52^-1 mod n (b == nullptr: a[i]^2 R52^-1, by the
// squaring code), fully reduced, for lanes i < num_lanes <= kMaxLanes of the one key `key`; a[i],
// b[i] and out[i] are key.num_limbs52 little-endian 52-bit limbs rounded up to a multiple of 8 (64
// for RSA-3072), a[i] and b[i] below 2n. The kernel's Montgomery products alone, so tests can give
// them the inputs an exponentiation rarely reaches (avx512_ifma.cpp, sqr_karatsuba).
void mont_mul_avx512_ifma(const Key& key, const uint64_t* const* a, const uint64_t* const* b,
                          uint64_t* const* out, size_t num_lanes) noexcept;
#endif

// pkcs1_encode writes EMSA-PKCS1-v1_5 of `digest` (RFC 8017 9.2: 00 01, PS of 0xff bytes, 00, the
// DigestInfo of SHA-256, SHA-384 or SHA-512 chosen by digest_len 32, 48 or 64, the digest) as
// `em_len` bytes to `em`. Returns false, writing nothing, for another digest length or when em_len
// is below tLen + 11 (RFC 8017 9.2 step 3) or above kMaxModulusLen.
bool pkcs1_encode(size_t em_len, const uint8_t* digest, size_t digest_len, uint8_t* em) noexcept;

// Pkcs1CheckBatch returns a lane mask: bit i (i < num_lanes <= kMaxLanes) set iff s[i]^e mod n is
// exactly EMSA-PKCS1-v1_5(digests[i]) of digest_lens[i] bytes (32, 48 or 64; a lane of another
// length is never set). Every lane is of the one key `key`; every s[i] must be below n. The IFMA
// variant never leaves the Montgomery domain: from x = s it computes s^e R^-(e-1) (16 squarings and
// one multiplication for e = 65537, one multiplication fewer than s^e itself) and compares it, mod n,
// with EM K mod n built from the key's tables (Key::pkcs1_rows52) in about 2 kPkcs1Rows L products.
using Pkcs1CheckBatch = uint32_t (*)(const Key& key, const uint8_t* const* s,
                                     const uint8_t* const* digests, const size_t* digest_lens,
                                     size_t num_lanes) noexcept;

uint32_t pkcs1_check_batch_scalar(const Key& key, const uint8_t* const* s,
                                  const uint8_t* const* digests, const size_t* digest_lens,
                                  size_t num_lanes) noexcept;
#if defined(__x86_64__)
uint32_t pkcs1_check_batch_avx512_ifma(const Key& key, const uint8_t* const* s,
                                       const uint8_t* const* digests, const size_t* digest_lens,
                                       size_t num_lanes) noexcept;
#endif

// mod_mul_scalar sets out = a b mod n (key.num_limbs64 little-endian 64-bit limbs each, a and b
// below n; out may alias either). For key preparation and tests.
void mod_mul_scalar(const Key& key, const uint64_t* a, const uint64_t* b, uint64_t* out) noexcept;

// Variant is one implementation: `single` for one signature, `batch` for lanes; below
// `min_batch_lanes` filled lanes a caller should use `single` per signature (the break-even).
struct Variant {
  std::string_view name;  // "scalar", "avx512_ifma"
  PublicOp single;
  PublicOpBatch batch;
  size_t min_batch_lanes;
  Pkcs1CheckBatch pkcs1_batch;  // RS* lanes of one key (same break-even as `batch`)
};

// active_variant returns the variant chosen for this process (on first call: the best this CPU
// runs under the JWTBATCH_FORCE_ISA ceiling, kernels/cpu/dispatch.hpp).
const Variant& active_variant() noexcept;
// engine_uses_kernels returns true iff the engine should verify RS*/PS* with these kernels: a SIMD
// variant is active, or JWTBATCH_FORCE_ISA is set (tests and comparisons reach the reference so).
// Otherwise (ARM64, x86-64 without AVX-512 IFMA) the engine keeps BoringSSL, whose assembly is
// faster than the portable reference (docs/kernels/rsa.md).
bool engine_uses_kernels() noexcept;
// supported_variants returns every variant this CPU can run, scalar first (tests, benchmarks).
std::span<const Variant> supported_variants() noexcept;
// find_variant returns the supported variant named `name`, else nullptr.
const Variant* find_variant(std::string_view name) noexcept;

}  // namespace jwtbatch::kernels::rsa
