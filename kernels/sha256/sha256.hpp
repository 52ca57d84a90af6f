// sha256.hpp: the contract of the multi-buffer SHA-256 kernels: the digests of many independent
// messages of any lengths in one call (FIPS 180-4 section 6.2).
//
// One SHA-256 stream is latency bound wherever the compression is one dependent chain: with SHA-NI
// that is 32 dependent sha256rnds2 a block, whatever the code around them, which is where
// BoringSSL's SHA-NI code already sits (docs/kernels/sha256.md). The
// engine hashes many signing inputs at once (a batch of RS256/PS256 lanes, a batch of HS256 tokens),
// so the kernels take a whole list of messages and keep several of them in flight:
//   - sha256_many_scalar: the portable reference (FIPS 180-4 as written), the definition every
//     other variant is tested against;
//   - sha256_many_shani: x86-64 SHA extensions (Intel, "Intel SHA Extensions", 2013), up to four
//     messages interleaved block by block; it runs where SHA and SSE4.1 both are;
// Variants are chosen once at run time by kernels/cpu/dispatch.hpp; shani is level avx2, so
// JWTBATCH_FORCE_ISA=scalar forces the reference and avx2 or avx512 leave SHA-NI on. Beside them,
// sha256_many_avx512 (16 AVX-512 lanes) is measured but not dispatched (below).
//
// On ARM64 and on x86-64 without SHA-NI there is no variant here beyond the reference, and the
// engine keeps BoringSSL's SHA256 (its ARMv8 Cryptography Extensions and AVX2/SSSE3 code beat a
// portable C++ compression); see engine_uses_kernels.
//
// Everything is allocation-free and noexcept. The code takes the same time whatever the bytes (it
// depends only on the lengths), so HMAC keys' states may go in as `iv` (engine/sig/hmac.cpp); but,
// unlike BoringSSL's register-only SHA-NI code, the SHA-NI variant may leave copies of chaining
// states (spilled registers, its lanes) in its stack frame, which it does not wipe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace jwtbatch::kernels::sha256 {

inline constexpr size_t kDigestLen = 32;
inline constexpr size_t kBlockLen = 64;
inline constexpr size_t kMaxLanes = 4;  // messages a SIMD variant keeps in flight

// Sha256Msg is one message of a sha256_many call. The digest is SHA-256 of an input whose first
// `prefix_len` bytes were already absorbed into the chaining state `iv` and whose remaining bytes are
// `data` (`len` bytes): the padding encodes the total length prefix_len + len.
//   - iv == nullptr: the standard initial value (FIPS 180-4 5.3.3); prefix_len is normally 0.
//   - iv != nullptr: eight words of a chaining state (H0..H7 as FIPS 180-4 numbers them, host
//     order, e.g. BoringSSL's SHA256_CTX::h), prefix_len a multiple of 64. HMAC-SHA-256 with
//     prepared key states (RFC 2104): iv = the state after key ^ ipad, prefix_len = 64.
// `out` receives 32 bytes; it must not overlap the `data` of any message of the same call (the
// multi-message variants write a digest while other messages are still being read).
struct Sha256Msg {
  const uint8_t* data;
  size_t len;
  const uint32_t* iv;
  uint64_t prefix_len;
  uint8_t* out;
};

// Sha256Many writes the digest of each of msgs[0..num_msgs-1] to its `out`. Any lengths, in any
// order; data needs no alignment. num_msgs may be 0.
using Sha256Many = void (*)(const Sha256Msg* msgs, size_t num_msgs) noexcept;

void sha256_many_scalar(const Sha256Msg* msgs, size_t num_msgs) noexcept;
#if defined(__x86_64__)
void sha256_many_shani(const Sha256Msg* msgs, size_t num_msgs) noexcept;
// sha256_many_shani_lanes is sha256_many_shani with at most `max_lanes` (1..kMaxLanes) messages in
// flight: for tests and for measuring the interleave width (bench/sha_bench.cpp).
void sha256_many_shani_lanes(const Sha256Msg* msgs, size_t num_msgs, size_t max_lanes) noexcept;
// sha256_many_avx512 hashes 16 messages at a time, one per 32-bit lane of ZMM registers; call it
// only where the CPU has AVX-512 F and BW. It is not a dispatch variant: on this project's Zen 4 it
// beats SHA-NI only on calls of 12 or more messages of even lengths, and end to end (HS256,
// RS256/PS256 signing inputs of the demo corpus) it measured no faster (docs/kernels/sha256.md);
// the tests hold it to the reference and bench/sha_bench.cpp measures it beside SHA-NI.
void sha256_many_avx512(const Sha256Msg* msgs, size_t num_msgs) noexcept;
#endif

// Variant is one implementation.
struct Variant {
  std::string_view name;  // "scalar", "shani"
  Sha256Many many;
};

// active_variant returns the variant chosen for this process (on first call: the best this CPU
// runs under the JWTBATCH_FORCE_ISA ceiling, kernels/cpu/dispatch.hpp).
const Variant& active_variant() noexcept;
// engine_uses_kernels returns true iff the engine should hash with these kernels: the SHA-NI
// variant is active, or JWTBATCH_FORCE_ISA is set (tests and comparisons reach the reference so).
// Otherwise (ARM64, x86-64 without SHA-NI) the engine keeps BoringSSL's SHA256.
bool engine_uses_kernels() noexcept;
// supported_variants returns every variant this CPU can run, scalar first (tests, benchmarks).
std::span<const Variant> supported_variants() noexcept;
// find_variant returns the supported variant named `name`, else nullptr.
const Variant* find_variant(std::string_view name) noexcept;

}  // namespace jwtbatch::kernels::sha256
