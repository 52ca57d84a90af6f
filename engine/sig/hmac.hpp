// hmac.hpp (internal): HS256 in batches on the multi-buffer SHA-256 kernels (kernels/sha256).
// HMAC-SHA-256 (RFC 2104, RFC 7518 3.2) from the key's prepared states: the inner hashes of a batch's
// jobs in one sha256_many call (each from its key's ipad state), then the outer hashes likewise (each
// from its key's opad state), then a constant-time comparison with the tag. HS384/HS512 stay on
// BoringSSL (crypto.cpp, one job at a time).
#pragma once

#include <span>

#include "engine/sig/crypto.hpp"

namespace jwtbatch::engine {

// verify_hs256_jobs sets `valid` (and `handled`) of every HS256 job not yet handled, with the verdict
// verify_signature would give, where kernels::sha256::engine_uses_kernels() and BoringSSL is not
// forced (force_boringssl.hpp); otherwise it leaves every job alone. No allocation.
void verify_hs256_jobs(std::span<SigJob> jobs) noexcept;

}  // namespace jwtbatch::engine
