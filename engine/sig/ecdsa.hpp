// ecdsa.hpp (internal): stage 6's glue between the signature layer and the ECDSA kernels
// (kernels/p256 for ES256, kernels/p384 for ES384, kernels/p521 for ES512), written once for every
// curve: a job is taken by a curve's kernel when its alg is the curve's, its key holds that kernel's
// prepared context and its signature has the raw r||s length (RFC 7518 section 3.4). Everything else is left to
// verify_signature (BoringSSL).
//
// Adding a curve: a kernel with the same shape (Key, Job{key, digest, sig}, a batch entry
// taking std::span<const Job> and bool*), its Key as an alternative of EcKey::Kernel (set by
// prepare_ec), and one traits struct plus its name in the curve list of ecdsa.cpp.
#pragma once

#include <optional>
#include <span>

#include "engine/sig/crypto.hpp"

namespace jwtbatch::engine {

// verify_ecdsa_kernel_jobs verifies with the curves' kernels every job of `jobs` that one of them
// takes (see above), sets its `valid` and marks it handled; the other jobs are left untouched. The
// jobs of each curve are hashed and handed to its kernel in blocks that may mix keys. Never
// allocates, never throws.
void verify_ecdsa_kernel_jobs(std::span<SigJob> jobs) noexcept;

// verify_ecdsa_kernel_one checks one signature with `key`'s kernel context for `alg`: nullopt when
// no kernel takes that key for `alg` (the caller uses BoringSSL), else whether `signature` is a
// valid signature of `signing_input`. The caller has already checked that `alg` is the key's and
// that `signature` has the curve's raw r||s length; a signature of another length is refused here
// too.
std::optional<bool> verify_ecdsa_kernel_one(const PreparedKey& key, Alg alg, std::span<const uint8_t> signing_input,
                                            std::span<const uint8_t> signature) noexcept;

}  // namespace jwtbatch::engine
