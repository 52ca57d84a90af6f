// p521.hpp (internal): stage 6's use of the P-521 kernel (kernels/p521) for ES512.
#pragma once

#include <span>

#include "engine/sig/crypto.hpp"

namespace jwtbatch::engine {

// verify_es512_kernel verifies with the kernel every job of `jobs` that is ES512 with a key prepared
// for it (PreparedKey::p521_kernel) and a 132-byte signature, and marks it handled; the other jobs
// are left untouched. Never allocates, never throws.
void verify_es512_kernel(std::span<SigJob> jobs) noexcept;

// verify_es512_one checks one ES512 signature with `key`'s kernel context (which must be set), as
// verify_signature would once the algorithm and length checks have passed.
bool verify_es512_one(const PreparedKey& key, std::span<const uint8_t> signing_input,
                      std::span<const uint8_t> signature) noexcept;

}  // namespace jwtbatch::engine
