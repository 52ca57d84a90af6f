// p256.cpp: ES256 through the P-256 kernel (see p256.hpp). The jobs are hashed (SHA-256 of
// the signing input), collected in blocks, and verified with the active variant's batch entry,
// whose lanes take signatures of any keys; each block shares one inversion mod n.
#include "engine/sig/p256.hpp"

#include <openssl/sha.h>

#include "kernels/p256/p256.hpp"

namespace jwtbatch::engine {
namespace {

namespace p256 = kernels::p256;

constexpr size_t kBlock = 128;  // jobs hashed and handed to the kernel at once (stack buffers)

bool claims(const SigJob& job) noexcept {
  const PreparedKey* key = job.key;
  return job.alg == Alg::es256 && key != nullptr && key->family == KeyFamily::ec &&
         key->p256_kernel != nullptr && key->algs.contains(Alg::es256) && job.signature.size() == 64;
}

}  // namespace

void verify_es256_kernel(std::span<SigJob> jobs) noexcept {
  const p256::Variant& variant = p256::active_variant();
  uint8_t digests[kBlock][SHA256_DIGEST_LENGTH];
  p256::Job kjobs[kBlock];
  SigJob* owners[kBlock];
  bool out[kBlock];
  size_t n = 0;
  auto flush = [&] {
    variant.verify_batch({kjobs, n}, out);
    for (size_t i = 0; i < n; ++i) {
      owners[i]->valid = out[i];
      owners[i]->handled = true;
    }
    n = 0;
  };
  for (SigJob& job : jobs) {
    if (!claims(job)) continue;
    SHA256(job.signing_input.data(), job.signing_input.size(), digests[n]);
    kjobs[n] = p256::Job{job.key->p256_kernel.get(), digests[n], job.signature.data()};
    owners[n++] = &job;
    if (n == kBlock) flush();
  }
  if (n > 0) flush();
}

bool verify_es256_one(const PreparedKey& key, std::span<const uint8_t> signing_input,
                      std::span<const uint8_t> signature) noexcept {
  if (signature.size() != 64 || key.p256_kernel == nullptr) return false;
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(signing_input.data(), signing_input.size(), digest);
  const p256::Job job{key.p256_kernel.get(), digest, signature.data()};
  bool ok = false;
  p256::active_variant().verify_batch({&job, 1}, &ok);
  return ok;
}

}  // namespace jwtbatch::engine
