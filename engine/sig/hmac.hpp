// hmac.hpp (internal): HS256, HS384 and HS512 in batches on the multi-buffer hash kernels
// (kernels/sha256 for HS256, kernels/sha512 for HS384 and HS512). HMAC (RFC 2104, RFC 7518 3.2)
// from the key's prepared states: the inner hashes of a batch's jobs in one kernel call (each from
// its key's ipad state), then the outer hashes likewise (each from its key's opad state), then a
// constant-time comparison with the tag.
#pragma once

#include <span>

#include "engine/sig/crypto.hpp"

namespace jwtbatch::engine {

// verify_hmac_jobs sets `valid` (and `handled`) of every HS256, HS384 and HS512 job not yet
// handled, with the verdict verify_signature would give: HS256 where
// kernels::sha256::engine_uses_kernels(), HS384 and HS512 where kernels::sha512::engine_uses_kernels(),
// and neither when BoringSSL is forced (force_boringssl.hpp); other jobs are left alone, and so is
// a lone job of its family in `jobs` (one message gains nothing from lanes). No allocation.
void verify_hmac_jobs(std::span<SigJob> jobs) noexcept;

}  // namespace jwtbatch::engine
