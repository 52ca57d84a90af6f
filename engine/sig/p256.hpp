// p256.hpp (internal): stage 6's use of the P-256 kernel (kernels/p256) for ES256.
#pragma once

#include <span>

#include "engine/sig/crypto.hpp"

namespace jwtbatch::engine {

// verify_es256_kernel verifies, in the kernel's lanes, every job of `jobs` that is ES256 with a key
// prepared for the kernel (PreparedKey::p256_kernel) and a 64-byte signature, and marks it handled;
// the other jobs are left untouched. Never allocates, never throws.
void verify_es256_kernel(std::span<SigJob> jobs) noexcept;

// verify_es256_one checks one ES256 signature with `key`'s kernel context (which must be set),
// as verify_signature would once the algorithm and length checks have passed.
bool verify_es256_one(const PreparedKey& key, std::span<const uint8_t> signing_input,
                      std::span<const uint8_t> signature) noexcept;

}  // namespace jwtbatch::engine
