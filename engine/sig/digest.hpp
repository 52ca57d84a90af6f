// digest.hpp (internal): the message digests of the signature layer's batches, on the multi-buffer
// hash kernels where the engine uses them (kernels/sha256, kernels/sha512) and on BoringSSL
// elsewhere, decided in one place for every family's glue (engine/sig/rsa.cpp, ecdsa.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace jwtbatch::engine {

// DigestJob is one digest to compute: SHA-256, SHA-384 or SHA-512 (digest_len 32, 48 or 64) of
// `input`, written to `out` (digest_len bytes, not overlapping any input of the same call).
struct DigestJob {
  std::span<const uint8_t> input;
  size_t digest_len;
  uint8_t* out;
};

// compute_digests computes every job's digest: the SHA-256 ones together on kernels/sha256 where
// kernels::sha256::engine_uses_kernels(), the SHA-384/512 ones together on kernels/sha512 where
// kernels::sha512::engine_uses_kernels(), in both cases only when the call has more than one job of
// that family; the others one at a time with BoringSSL. Any number of jobs, any mix of lengths; no
// allocation, never throws.
void compute_digests(std::span<const DigestJob> jobs) noexcept;

}  // namespace jwtbatch::engine
