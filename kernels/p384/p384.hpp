// p384.hpp: the contract of the P-384 ECDSA verification kernel (FIPS 186-5 section 6.4.2, SEC 1
// v2 section 4.1.4), as JWS ES384 uses it (RFC 7518 section 3.4): a SHA-384 digest, the raw
// fixed-length signature r||s (48 + 48 bytes, big-endian), and a public key prepared at load time.
//
// How it is fast (verification handles only public data, so everything here is variable-time):
// - per-key tables: a Key holds, for each of kNumWindows 7-bit windows i, the affine points
//   d * 2^(7i) * Q for d = 1..64, so u2*Q is kNumWindows additions and no doublings; the same table
//   of the generator G is built once per process (by this kernel's code, from G's coordinates);
// - signed 7-bit digits (-63..64), a negative digit negates the table point's y;
// - a batch shares one inversion mod n (Montgomery's trick) across its signatures;
// - the final test x(R) == r (mod n) is done in Jacobian coordinates, X == r*Z^2 (mod p), or
//   (r + n)*Z^2 when r + n < p: no field inversion per signature;
// - the AVX-512 IFMA variant evaluates u1*G + u2*Q for 8 signatures at once in 52-bit limbs; lanes
//   may belong to different keys. Its additions skip the exceptional-case tests; a lane that met
//   P + P or P + -P ends with Z = 0 and is recomputed with the reference's complete formulas.
//
// Checks done here, each tested: the digest is reduced modulo n (SHA-384's 384 bits are n's
// length, so one subtraction); 0 < r, s < n; the public key is a point on the curve (validated by
// prepare_key, trusted afterwards); a result at infinity fails.
//
// Variants: "scalar" (portable: 6 x 64-bit limbs, Montgomery arithmetic with unsigned __int128,
// kernels/ecc's templates: the reference), "avx512_ifma" (x86-64 with AVX-512 F/VL/BW/IFMA, level
// avx512). active_variant() picks one on first use (kernels/cpu/dispatch.hpp, JWTBATCH_FORCE_ISA
// included).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace jwtbatch::kernels::p384 {

inline constexpr size_t kFieldBytes = 48;   // a coordinate, r, s
inline constexpr size_t kDigestBytes = 48;  // SHA-384
inline constexpr size_t kSigBytes = 2 * kFieldBytes;

inline constexpr int kWindowBits = 7;
inline constexpr int kNumWindows = (385 + kWindowBits - 1) / kWindowBits;  // signed digits carry one bit
inline constexpr int kWindowEntries = 1 << (kWindowBits - 1);             // d = 1..64 (digits -63..64)
inline constexpr size_t kTablePoints = size_t{kNumWindows} * kWindowEntries;
inline constexpr int kIfmaLimbs = 8;  // 52-bit limbs of an ifma52 element (416 bits)

// TableFormat is how a table stores its affine points.
enum class TableFormat : uint8_t {
  mont64,  // x[6], y[6]: 64-bit limbs, Montgomery form x * 2^384 mod p, fully reduced (96 bytes)
  ifma52,  // x[8], y[8]: 52-bit limbs, Montgomery form x * 2^416 mod p, fully reduced (128 bytes)
};
constexpr size_t table_entry_words(TableFormat f) noexcept { return f == TableFormat::mont64 ? 12 : 16; }

// kMaxPreparedKeys bounds how many kernel keys may be alive at once (each holds one table:
// kTablePoints * 96 or 128 bytes, 330 or 440 KiB); prepare_key refuses more, and the caller falls
// back to BoringSSL for those keys.
inline constexpr size_t kMaxPreparedKeys = 96;

// Key is a validated P-384 public key with its table of multiples. Immutable once made; share it.
class Key {
 public:
  ~Key();
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;

  TableFormat format() const noexcept { return format_; }
  // table returns the kTablePoints entries, window-major: entry (i, d) at (i * 64 + d - 1).
  const uint64_t* table() const noexcept { return table_.get(); }
  size_t table_bytes() const noexcept { return kTablePoints * table_entry_words(format_) * 8; }

 private:
  friend std::shared_ptr<const Key> prepare_key(std::span<const uint8_t, kFieldBytes>,
                                                std::span<const uint8_t, kFieldBytes>, TableFormat,
                                                const char**) noexcept;
  Key() = default;
  TableFormat format_ = TableFormat::mont64;
  std::unique_ptr<uint64_t[]> table_;
};

// prepare_key validates the affine point (`x`, `y`) (big-endian, each < p, on the curve
// y^2 = x^3 - 3x + b; affine coordinates cannot name infinity) and builds its table in `format`.
// Returns nullptr on a bad point (with `out_why` set to a static reason when given), when
// kMaxPreparedKeys keys are alive, or when memory runs out. A few milliseconds.
std::shared_ptr<const Key> prepare_key(std::span<const uint8_t, kFieldBytes> x,
                                       std::span<const uint8_t, kFieldBytes> y, TableFormat format,
                                       const char** out_why = nullptr) noexcept;

// prepared_key_count is the number of Keys alive now (for tests and the limit above).
size_t prepared_key_count() noexcept;

// Job is one verification: `key` (prepared), the kDigestBytes-byte SHA-384 `digest` of the message,
// and the kSigBytes-byte `sig` r||s. All are borrowed for the call.
struct Job {
  const Key* key;
  const uint8_t* digest;
  const uint8_t* sig;
};

// VerifyBatch sets out[i] = true iff jobs[i] is a valid signature (`out` holds jobs.size() bools).
// Keys of either format are accepted by every variant (a key in the other format takes the scalar
// path, slower). Jobs may mix keys; every 64 share one inversion mod n. Never allocates, never
// throws.
using VerifyBatch = void (*)(std::span<const Job> jobs, bool* out) noexcept;

// Variant is one implementation: its name, the table format its keys should have, and its entry.
struct Variant {
  std::string_view name;  // "scalar", "avx512_ifma"
  TableFormat format;
  VerifyBatch verify_batch;
};

// active_variant is the variant of this process, chosen on first call by kernels/cpu/dispatch.hpp:
// avx512_ifma where the CPU has it, unless the JWTBATCH_FORCE_ISA ceiling is below avx512.
const Variant& active_variant() noexcept;
// supported_variants lists every variant this CPU can run, scalar first (tests, benchmarks).
std::span<const Variant> supported_variants() noexcept;
// find_variant returns the named variant if this CPU can run it, else nullptr.
const Variant* find_variant(std::string_view name) noexcept;

// verify_one is the single-shot reference (scalar arithmetic, one inversion mod n of its own).
bool verify_one(const Key& key, const uint8_t digest[kDigestBytes], const uint8_t sig[kSigBytes]) noexcept;

void verify_batch_scalar(std::span<const Job> jobs, bool* out) noexcept;
void verify_batch_avx512_ifma(std::span<const Job> jobs, bool* out) noexcept;

// generator_table returns G's table in `format`, built on first call (thread-safe).
const uint64_t* generator_table(TableFormat format) noexcept;

// ---- internal: the seam between the portable code and the IFMA lanes ------------------------------

// LaneBatch is what the IFMA point evaluation needs for 8 lanes: each lane computes
// sum_i g_digits[i] * 2^(7i) * G + q_digits[i] * 2^(7i) * Q with G's and its key's ifma52 tables.
// Unused lanes have all digits zero (their table pointer must still be valid).
struct LaneBatch {
  const uint64_t* g_table;
  const uint64_t* q_tables[8];
  int8_t g_digits[kNumWindows][8];
  int8_t q_digits[kNumWindows][8];
};

// LaneResult is the Jacobian result per lane (X and Z in ifma52 Montgomery form, values < 2p with
// limbs of 52 bits, limb k of lane l at [k][l]) and whether the lane stayed at infinity (every digit
// zero). A lane whose additions met an exceptional case (a point added to itself or to its
// negative) ends with Z = 0 (mod p); the caller recomputes it with the scalar reference.
struct LaneResult {
  uint64_t x[kIfmaLimbs][8];
  uint64_t z[kIfmaLimbs][8];
  uint8_t infinity[8];
};

// eval_lanes_avx512_ifma computes the lanes of `in` into `out`. Only call where the CPU has
// AVX-512 F/VL/BW/IFMA.
void eval_lanes_avx512_ifma(const LaneBatch& in, LaneResult& out) noexcept;

}  // namespace jwtbatch::kernels::p384
