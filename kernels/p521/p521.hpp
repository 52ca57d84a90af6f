// p521.hpp: the contract of the P-521 ECDSA verification kernel (FIPS 186-5 section 6.4.2, SEC 1
// v2 section 4.1.4), as JWS ES512 uses it (RFC 7518 section 3.4): a SHA-512 digest, the raw
// fixed-length signature r||s (66 + 66 bytes, big-endian), and a public key prepared at load time.
//
// How it is fast (verification handles only public data, so everything here is variable-time):
// - the field is GF(2^521 - 1): 9 limbs of 58 bits, products with unsigned __int128, reduction by
//   the Mersenne fold 2^522 = 2 (mod p), no Montgomery form;
// - per-key tables: a Key holds, for each of kNumWindows kWindowBits-bit windows i, the affine points
//   d * 2^(kWindowBits * i) * Q for d = 1..kWindowEntries, so u2*Q is kNumWindows mixed additions and
//   no doublings; the same table of the generator G is built once per process (by this kernel's
//   code, from G's coordinates), u1*G and u2*Q are interleaved in one accumulator;
// - signed digits (-(kWindowEntries - 1)..kWindowEntries), a negative digit negates the point's y;
// - the additions run without exceptional-case tests; a result with Z = 0 (an addition met P + P or
//   P + -P, or the sum is infinity) is recomputed with complete formulas;
// - a batch shares one inversion mod n (Montgomery's trick) across its signatures;
// - the final test x(R) == r (mod n) is done in Jacobian coordinates, X == r*Z^2 (mod p), or
//   (r + n)*Z^2 when r + n < p: no field inversion per signature.
//
// Checks done here, each tested: 0 < r, s < n; the public key is a point on the curve (validated
// by prepare_key, trusted afterwards); a result at infinity fails. The digest is the 512-bit SHA-512
// output: shorter than n's 521 bits, so it is used whole (SEC 1 4.1.4 step 5 truncates only longer
// hashes) and is already below n (2^512 < n).
//
// One variant, "scalar" (portable C++; x86-64 and ARM64 both have unsigned __int128), listed like
// the other families' variants (kernels/cpu/dispatch.hpp) so that it is reported the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace jwtbatch::kernels::p521 {

inline constexpr size_t kFieldBytes = 66;   // a coordinate, r, s
inline constexpr size_t kDigestBytes = 64;  // SHA-512
inline constexpr size_t kSigBytes = 2 * kFieldBytes;

inline constexpr int kLimbs = 9;  // 58-bit limbs of a field element
inline constexpr int kWindowBits = 7;
inline constexpr int kNumWindows = (522 + kWindowBits - 1) / kWindowBits;  // signed digits carry one bit
inline constexpr int kWindowEntries = 1 << (kWindowBits - 1);
inline constexpr size_t kTablePoints = size_t{kNumWindows} * kWindowEntries;
inline constexpr size_t kEntryWords = 2 * kLimbs;  // x, y

// kMaxPreparedKeys bounds how many kernel keys may be alive at once (each holds one table of
// kTablePoints * 144 bytes, 675 KiB); prepare_key refuses more, and the caller falls back to
// BoringSSL for those keys.
inline constexpr size_t kMaxPreparedKeys = 64;

// Key is a validated P-521 public key with its table of multiples. Immutable once made; share it.
class Key {
 public:
  ~Key();
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;

  // table returns the kTablePoints entries, window-major: entry (i, d) at (i * kWindowEntries + d - 1),
  // each kEntryWords words: x then y, 9 limbs of 58 bits each (little-endian), fully reduced.
  const uint64_t* table() const noexcept { return table_.get(); }
  static constexpr size_t table_bytes() noexcept { return kTablePoints * kEntryWords * 8; }

 private:
  friend std::shared_ptr<const Key> prepare_key(std::span<const uint8_t, kFieldBytes>,
                                                std::span<const uint8_t, kFieldBytes>, const char**) noexcept;
  Key() = default;
  std::unique_ptr<uint64_t[]> table_;
};

// prepare_key validates the affine point (`x`, `y`) (big-endian, each < p, on the curve
// y^2 = x^3 - 3x + b; affine coordinates cannot name infinity) and builds its table. Returns nullptr
// on a bad point (with `out_why` set to a static reason when given), when kMaxPreparedKeys keys are
// alive, or when memory runs out. A few milliseconds.
std::shared_ptr<const Key> prepare_key(std::span<const uint8_t, kFieldBytes> x,
                                       std::span<const uint8_t, kFieldBytes> y,
                                       const char** out_why = nullptr) noexcept;

// prepared_key_count is the number of Keys alive now (for tests and the limit above).
size_t prepared_key_count() noexcept;

// Job is one verification: `key` (prepared), the kDigestBytes-byte SHA-512 `digest` of the message,
// and the kSigBytes-byte `sig` r||s. All are borrowed for the call.
struct Job {
  const Key* key;
  const uint8_t* digest;
  const uint8_t* sig;
};

// verify_batch sets out[i] = true iff jobs[i] is a valid signature (`out` holds jobs.size() bools).
// Jobs may mix keys; every 64 share one inversion mod n. Never allocates, never throws.
void verify_batch(std::span<const Job> jobs, bool* out) noexcept;

// VerifyBatch is the signature of verify_batch, for the variant list.
using VerifyBatch = void (*)(std::span<const Job> jobs, bool* out) noexcept;

// Variant is one implementation: its name and its batch entry.
struct Variant {
  std::string_view name;  // "scalar"
  VerifyBatch verify_batch;
};

// active_variant is the variant of this process (chosen on first call; today always "scalar").
const Variant& active_variant() noexcept;
// supported_variants lists every variant this CPU can run, scalar first (tests, benchmarks).
std::span<const Variant> supported_variants() noexcept;
// find_variant returns the named variant if this CPU can run it, else nullptr.
const Variant* find_variant(std::string_view name) noexcept;

// verify_one is the single-shot form (one inversion mod n of its own).
bool verify_one(const Key& key, const uint8_t digest[kDigestBytes], const uint8_t sig[kSigBytes]) noexcept;

// generator_table returns G's table (same layout as Key::table), built on first call (thread-safe).
const uint64_t* generator_table() noexcept;

// complete_recomputations counts the evaluations redone with complete formulas because the fast
// additions met an exceptional case or infinity (process-wide; tests use it to prove coverage).
uint64_t complete_recomputations() noexcept;

}  // namespace jwtbatch::kernels::p521
