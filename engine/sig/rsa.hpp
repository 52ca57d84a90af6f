// rsa.hpp (internal): RS256/384/512 and PS256/384/512 on the RSA kernels (kernels/rsa), for keys
// that prepare_rsa gave a kernel context (RsaKey::kernel). The raw operation is the
// kernel's; everything around it is here: the exact signature length, s < n before exponentiating,
// the whole EMSA-PKCS1-v1_5 encoding compared, EMSA-PSS decoded byte by byte (RFC 8017 8.2.2, 9.2,
// 8.1.2, 9.1.2; RFC 7518 3.3 and 3.5: MGF1 with the signature's hash, salt as long as the hash).
#pragma once

#include <cstdint>
#include <span>

#include "engine/sig/crypto.hpp"
#include "kernels/rsa/rsa.hpp"

namespace jwtbatch::engine {

// rsa_kernel_eligible returns true iff `job` is an RS*/PS* job whose key has a kernel context.
bool rsa_kernel_eligible(const SigJob& job) noexcept;

// rsa_kernel_takes returns true iff verify_rsa_jobs(jobs) verifies `job`: eligible, BoringSSL not
// forced (force_boringssl.hpp) and kernels::rsa::engine_uses_kernels() (a SIMD variant, or the
// reference forced).
bool rsa_kernel_takes(const SigJob& job) noexcept;

// verify_rsa_jobs sets `valid` (and `handled`) of every job that rsa_kernel_takes and leaves the
// others alone.
// Jobs are grouped by modulus length and exponent; each group fills the kernel's lanes across keys,
// and a remainder below the variant's break-even goes one signature at a time. No allocation.
void verify_rsa_jobs(std::span<SigJob> jobs) noexcept;

// verify_rsa_jobs_with is verify_rsa_jobs on every eligible job with `variant` (tests, benchmarks).
void verify_rsa_jobs_with(std::span<SigJob> jobs, const kernels::rsa::Variant& variant) noexcept;

// verify_rsa_single is verify_signature for an eligible key, with `variant`'s single-shot code
// (for a SIMD variant the exponentiation outside lanes is BoringSSL's RSA_verify_raw, faster than
// the portable reference; all checks around it stay jwtbatch's).
bool verify_rsa_single(const PreparedKey& key, Alg alg, std::span<const uint8_t> signing_input,
                       std::span<const uint8_t> signature,
                       const kernels::rsa::Variant& variant) noexcept;

// rsa_check_encoding returns true iff `em` (the public operation's result, the modulus length in
// bytes) is the RSASSA encoding of `digest` for `alg` with a modulus of `mod_bits` bits:
// EMSA-PKCS1-v1_5 for RS* (compared whole), EMSA-PSS-VERIFY with sLen = hLen for PS*.
bool rsa_check_encoding(Alg alg, int mod_bits, std::span<const uint8_t> em,
                        std::span<const uint8_t> digest) noexcept;

}  // namespace jwtbatch::engine
