// sha512.hpp: the contract of the multi-buffer SHA-512 and SHA-384 kernels: the digests of many
// independent messages of any lengths in one call (FIPS 180-4 sections 6.4 and 6.5).
//
// One SHA-512 stream is a chain of 80 dependent rounds a block on 64-bit words; x86-64 has no
// SHA-512 instructions before Arrow Lake, and BoringSSL hashes one message at a time. The engine
// hashes many signing inputs at once (HS384/HS512 batches, RS384/RS512/PS384/PS512 lanes, ES384 and
// ES512 digests), so the x86-64 vector variants put one message in each 64-bit lane of a register
// and run the rounds of all lanes together:
//   - sha512_many_scalar: the portable reference (FIPS 180-4 as written), the definition every
//     other variant is tested against;
//   - sha512_many_avx2: 4 lanes in YMM registers (AVX2);
//   - sha512_many_avx512: 8 lanes in ZMM registers (AVX-512 F and BW: vprorq, vpternlogq, vpshufb);
//   - sha512_many_arm_sha512 (ARM64): the FEAT_SHA512 instructions (sha512h, sha512h2, sha512su0,
//     sha512su1), two rounds of one message an instruction pair, two messages interleaved.
// A lane that finishes its message takes the next one at once, so messages of mixed lengths keep
// every lane busy. Variants are chosen once at run time by kernels/cpu/dispatch.hpp.
//
// Everything is allocation-free and noexcept. The code takes the same time whatever the bytes (it
// depends only on the lengths), so HMAC keys' states may go in as `iv`; the vector variants keep
// chaining states of their lanes on the stack, which they do not wipe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace jwtbatch::kernels::sha512 {

inline constexpr size_t kBlockLen = 128;
inline constexpr size_t kMaxDigestLen = 64;
inline constexpr size_t kMaxLanes = 8;  // messages the widest variant keeps in flight

// Hash is the member of the family: it sets the digest length and the standard initial value.
enum class Hash : uint8_t { sha384, sha512 };

// digest_len is 48 for SHA-384 and 64 for SHA-512.
constexpr size_t digest_len(Hash h) noexcept { return h == Hash::sha384 ? 48 : 64; }

// Sha512Msg is one message of a sha512_many call. The digest is `hash` of an input whose first
// `prefix_len` bytes were already absorbed into the chaining state `iv` and whose remaining bytes
// are `data` (`len` bytes): the padding encodes the total length prefix_len + len.
//   - iv == nullptr: the standard initial value of `hash` (FIPS 180-4 5.3.4, 5.3.5); prefix_len
//     is normally 0.
//   - iv != nullptr: eight words of a chaining state (H0..H7 as FIPS 180-4 numbers them, host
//     order, e.g. BoringSSL's SHA512_CTX::h, which serves SHA-384 too), prefix_len a multiple of
//     128. HMAC-SHA-384/512 with prepared key states (RFC 2104): iv = the state after key ^ ipad,
//     prefix_len = 128.
// `out` receives digest_len(hash) bytes; it must not overlap the `data` of any message of the same
// call (the lane variants write a digest while other messages are still being read).
struct Sha512Msg {
  const uint8_t* data;
  size_t len;
  const uint64_t* iv;
  uint64_t prefix_len;
  uint8_t* out;
  Hash hash;
};

// Sha512Many writes the digest of each of msgs[0..num_msgs-1] to its `out`. Any lengths and
// hashes, in any order; data needs no alignment. num_msgs may be 0.
using Sha512Many = void (*)(const Sha512Msg* msgs, size_t num_msgs) noexcept;

void sha512_many_scalar(const Sha512Msg* msgs, size_t num_msgs) noexcept;
#if defined(__x86_64__)
void sha512_many_avx2(const Sha512Msg* msgs, size_t num_msgs) noexcept;
void sha512_many_avx512(const Sha512Msg* msgs, size_t num_msgs) noexcept;
#elif defined(__aarch64__)
void sha512_many_arm_sha512(const Sha512Msg* msgs, size_t num_msgs) noexcept;
#endif

// Variant is one implementation.
struct Variant {
  std::string_view name;  // "scalar", "avx2", "avx512", "arm_sha512"
  Sha512Many many;
  size_t lanes;  // messages in flight: 1, 4, 8, 2
};

// active_variant returns the variant chosen for this process (on first call: the best this CPU
// runs under the JWTBATCH_FORCE_ISA ceiling, kernels/cpu/dispatch.hpp).
const Variant& active_variant() noexcept;
// engine_uses_kernels returns true iff the engine should hash with these kernels: on x86-64 when a
// vector variant is active, or JWTBATCH_FORCE_ISA is set (tests and comparisons reach the
// reference so); on ARM64 only when JWTBATCH_FORCE_ISA is set. Otherwise the engine keeps
// BoringSSL's SHA512: its assembly beats a portable C++ compression, and on ARM64 it uses the same
// SHA-512 instructions as arm_sha512, which has not been measured against it on ARM64 hardware.
bool engine_uses_kernels() noexcept;
// supported_variants returns every variant this CPU can run, scalar first (tests, benchmarks).
std::span<const Variant> supported_variants() noexcept;
// find_variant returns the supported variant named `name`, else nullptr.
const Variant* find_variant(std::string_view name) noexcept;

}  // namespace jwtbatch::kernels::sha512
