// ed25519.hpp (internal): the Ed25519 kernel's share of the signature layer's batch seam.
#pragma once

#include <span>

#include "engine/sig/crypto.hpp"

namespace jwtbatch::engine {

// claim_ed25519_jobs verifies, with kernels/ed25519 in SIMD lanes (lanes mixing keys), every job
// of `jobs` that is EdDSA with a key that has a kernel context and a 64-byte signature, and sets
// their `valid` and `handled`; other jobs are left untouched. Verdicts are those of
// verify_signature. Does nothing when force_boringssl().
void claim_ed25519_jobs(std::span<SigJob> jobs) noexcept;

}  // namespace jwtbatch::engine
