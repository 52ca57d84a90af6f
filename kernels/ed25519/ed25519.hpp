// ed25519.hpp: Ed25519 signature verification (RFC 8032 section 5.1.7) of prepared public keys,
// with verdicts identical to BoringSSL's ED25519_verify on every input.
//
// What is checked, exactly as ED25519_verify (BoringSSL curve25519.c) does it:
//   1. S (signature bytes 32..63, little-endian) must be below the group order L; otherwise reject.
//   2. A must decode by RFC 8032 section 5.1.3 with BoringSSL's leniencies: y is read from the low
//      255 bits and used modulo p (so the 19 non-canonical encodings y >= p are accepted when they
//      name a point), and x = 0 with the sign bit set is accepted (it is the same point). Points
//      of small or mixed order are accepted. A key that does not decode rejects every signature.
//   3. k = SHA-512(R || A || M) reduced modulo L (with R and A the signature's and key's bytes as
//      given), then R' = [S]B - [k]A, and the signature holds iff the canonical encoding of R'
//      equals the 32 bytes of R. That is the cofactorless equation compared by encoding: an R whose
//      bytes are non-canonical (y >= p, or x = 0 with the sign bit set) never matches, a small-order
//      or mixed-order R matches only when the cofactorless equation holds exactly.
//
// No batch equation. A random linear combination checks sum z_i D_i = 0 for the differences
// D_i = [S_i]B - R_i - [k_i]A_i. When some D_i is a nonzero point of small order (a mixed-order R
// or A makes that easy to arrange), z_i D_i vanishes whenever that order divides z_i: probability
// 1/2 for order 2. Cofactored batching ([8] times the sum) accepts every such D_i outright. And a
// batch works on decoded points, so R bytes that are a non-canonical encoding of the right point
// would pass, which ED25519_verify's byte comparison rejects. Neither accepts the same set as
// ED25519_verify, so every signature is verified on its own, one per lane.
//
// Speed comes from tables instead: [k](-A) and [S]B are sums of table entries j * 16^i * P
// (j = 1..8, i = 0..63, signed radix-16 digits of the scalar), so a verification is at most 128
// mixed additions and one inversion, with no doubling. The table of -A is built when the key is
// prepared (load time), the table of B once per process (both by this kernel's own code).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace jwtbatch::kernels::ed25519 {

inline constexpr size_t kPublicKeyLen = 32;
inline constexpr size_t kSignatureLen = 64;

// Fe is an element of GF(2^255 - 19) in five little-endian limbs of radix 2^51.
struct Fe {
  uint64_t v[5];
};

// NielsPoint is an affine point (x, y) stored as y + x, y - x and 2 d x y, each fully reduced.
struct NielsPoint {
  Fe ypx, ymx, xy2d;
};

inline constexpr int kTablePositions = 64;  // radix-16 digits of a scalar below 2^253
inline constexpr int kTableMultiples = 8;   // |digit| <= 8

// MultTable holds entry[i][j - 1] = j * 16^i * P for one point P.
struct MultTable {
  NielsPoint entry[kTablePositions][kTableMultiples];
};

// PublicKey is a prepared Ed25519 public key: its 32 bytes as given (they are hashed into k) and
// the table of multiples of -A. About 60 KiB; immutable once prepared, shared read-only.
struct PublicKey {
  uint8_t encoded[kPublicKeyLen];
  MultTable neg_a;
};

// prepare_public_key decodes `encoded` as ED25519_verify does and builds its table. It returns
// nullptr iff ED25519_verify would reject every signature with this key (the bytes name no point).
// Keys of small order and non-canonical encodings are accepted, as ED25519_verify accepts them;
// refusing those is the caller's policy. Throws only std::bad_alloc.
std::unique_ptr<PublicKey> prepare_public_key(std::span<const uint8_t, kPublicKeyLen> encoded);

// base_table returns the table of the base point B (built on first use, thread-safe).
const MultTable& base_table() noexcept;

// verify_scalar returns ED25519_verify's verdict on `signature` (64 bytes: R || S) over `message`
// with `key`. The portable reference every other variant is tested against.
bool verify_scalar(const PublicKey& key, std::span<const uint8_t> message,
                   std::span<const uint8_t, kSignatureLen> signature) noexcept;

// Job is one verification of a batch: inputs (borrowed) and `valid`, written by the kernel.
struct Job {
  const PublicKey* key = nullptr;
  const uint8_t* message = nullptr;
  size_t message_len = 0;
  const uint8_t* signature = nullptr;  // kSignatureLen bytes
  bool valid = false;
};

inline constexpr size_t kMaxLanes = 8;

// VerifyLanes sets `valid` of each of the `num_jobs` (1..kMaxLanes) jobs in `jobs`, as
// verify_scalar would; lanes may hold different keys.
using VerifyLanes = void (*)(Job* jobs, size_t num_jobs) noexcept;

// Variant is one instruction-set implementation of the lanes entry. `break_even` is the smallest
// number of filled lanes for which one call beats that many single-shot scalar verifications.
struct Variant {
  std::string_view name;  // "scalar", "avx512_ifma"
  VerifyLanes verify_lanes;
  size_t break_even;
};

void verify_lanes_scalar(Job* jobs, size_t num_jobs) noexcept;
#if defined(__x86_64__)
void verify_lanes_avx512_ifma(Job* jobs, size_t num_jobs) noexcept;
#endif

// supported_variants returns every variant this CPU can run, scalar first (tests, benchmarks).
std::span<const Variant> supported_variants() noexcept;

// active_variant is the variant chosen once, on first use, by kernels/cpu/dispatch.hpp (the best
// this CPU runs, under the JWTBATCH_FORCE_ISA ceiling when set; avx512_ifma is level avx512).
const Variant& active_variant() noexcept;

// find_variant returns the supported variant named `name`, else nullptr.
const Variant* find_variant(std::string_view name) noexcept;

// verify_batch sets `valid` of every job with `variant` (default: the active one): full groups of
// kMaxLanes go through its lanes entry, and a remainder below its break-even runs single-shot.
void verify_batch(std::span<Job> jobs, const Variant& variant) noexcept;
inline void verify_batch(std::span<Job> jobs) noexcept { verify_batch(jobs, active_variant()); }

}  // namespace jwtbatch::kernels::ed25519
