// batch.cpp: verify_signatures, the batch entry of the signature layer (see crypto.hpp). Batch
// kernels (kernels/rsa, kernels/p256, kernels/p521, kernels/ed25519; kernels/sha256 and
// kernels/sha512 for HMAC) take their families' jobs here; everything else goes one job at a time
// through verify_signature.
#include "engine/sig/crypto.hpp"
#include "engine/sig/ecdsa.hpp"
#include "engine/sig/ed25519.hpp"
#include "engine/sig/hmac.hpp"
#include "engine/sig/rsa.hpp"

namespace jwtbatch::engine {

void verify_signatures(std::span<SigJob> jobs, VerifyScratch& scratch) noexcept {
  claim_ed25519_jobs(jobs);    // EdDSA with kernel keys, in SIMD lanes
  verify_ecdsa_kernel_jobs(jobs);  // ES256/ES512 with a P-256/P-521 kernel key: blocks across keys
  verify_rsa_jobs(jobs);       // RS*/PS* of keys with an RSA kernel context, in SIMD lanes
  verify_hmac_jobs(jobs);      // HS256/384/512: inner, then outer hashes of all jobs, in lanes
  for (SigJob& job : jobs)
    if (!job.handled) job.valid = verify_signature(*job.key, job.alg, job.signing_input, job.signature, scratch);
}

}  // namespace jwtbatch::engine
