// p521.cpp: ES512 through the P-521 kernel (see p521.hpp). The jobs are hashed (SHA-512 of
// the signing input), collected in blocks of any keys, and verified by the kernel's batch entry,
// where every 64 signatures share one inversion mod n.
#include "engine/sig/p521.hpp"

#include <openssl/sha.h>

#include "kernels/p521/p521.hpp"

namespace jwtbatch::engine {
namespace {

namespace p521 = kernels::p521;

constexpr size_t kBlock = 64;  // jobs hashed and handed to the kernel at once (stack buffers)

bool claims(const SigJob& job) noexcept {
  const PreparedKey* key = job.key;
  return job.alg == Alg::es512 && key != nullptr && key->family == KeyFamily::ec && key->p521_kernel != nullptr &&
         key->algs.contains(Alg::es512) && job.signature.size() == p521::kSigBytes;
}

}  // namespace

void verify_es512_kernel(std::span<SigJob> jobs) noexcept {
  uint8_t digests[kBlock][SHA512_DIGEST_LENGTH];
  p521::Job kjobs[kBlock];
  SigJob* owners[kBlock];
  bool out[kBlock];
  size_t n = 0;
  auto flush = [&] {
    p521::verify_batch({kjobs, n}, out);
    for (size_t i = 0; i < n; ++i) {
      owners[i]->valid = out[i];
      owners[i]->handled = true;
    }
    n = 0;
  };
  for (SigJob& job : jobs) {
    if (!claims(job)) continue;
    SHA512(job.signing_input.data(), job.signing_input.size(), digests[n]);
    kjobs[n] = p521::Job{job.key->p521_kernel.get(), digests[n], job.signature.data()};
    owners[n++] = &job;
    if (n == kBlock) flush();
  }
  if (n > 0) flush();
}

bool verify_es512_one(const PreparedKey& key, std::span<const uint8_t> signing_input,
                      std::span<const uint8_t> signature) noexcept {
  if (signature.size() != p521::kSigBytes || key.p521_kernel == nullptr) return false;
  uint8_t digest[SHA512_DIGEST_LENGTH];
  SHA512(signing_input.data(), signing_input.size(), digest);
  return p521::verify_one(*key.p521_kernel, digest, signature.data());
}

}  // namespace jwtbatch::engine
