// ecdsa.cpp: ES256, ES384 and ES512 through their kernels (see ecdsa.hpp), one template over the curve.
// The jobs are collected in blocks on the stack, hashed (the curve's SHA-2 of the signing input, a
// block at a time through compute_digests, digest.hpp) and verified by the curve kernel's batch
// entry, whose batches may mix keys and share one inversion mod n.
#include "engine/sig/ecdsa.hpp"

#include <cstddef>
#include <cstdint>

#include <openssl/sha.h>

#include "engine/sig/digest.hpp"
#include "kernels/p256/p256.hpp"
#include "kernels/p384/p384.hpp"
#include "kernels/p521/p521.hpp"

namespace jwtbatch::engine {
namespace {

// A curve's traits: its algorithm, sizes (kDigestBytes names its hash: SHA-256, SHA-384 or SHA-512), its
// kernel's key type (an alternative of EcKey::Kernel), the batch entry (read once per call of
// verify_ecdsa_kernel_jobs) and the single-signature path.

struct P256Glue {
  static constexpr Alg kAlg = Alg::es256;
  static constexpr size_t kSigBytes = 64;
  static constexpr size_t kDigestBytes = SHA256_DIGEST_LENGTH;
  // Jobs per block: the IFMA variant fills 8-signature lane groups; 128 keeps the buffers small.
  static constexpr size_t kBlock = 128;
  using Job = kernels::p256::Job;
  using Key = kernels::p256::Key;
  static kernels::p256::VerifyBatch batch_entry() noexcept { return kernels::p256::active_variant().verify_batch; }
  // One signature through the active variant (IFMA where the CPU has it), not the scalar reference.
  static bool verify_one(const Job& job) noexcept {
    bool ok = false;
    kernels::p256::active_variant().verify_batch({&job, 1}, &ok);
    return ok;
  }
};

struct P384Glue {
  static constexpr Alg kAlg = Alg::es384;
  static constexpr size_t kSigBytes = kernels::p384::kSigBytes;
  static constexpr size_t kDigestBytes = SHA384_DIGEST_LENGTH;
  static_assert(kDigestBytes == kernels::p384::kDigestBytes);
  // Jobs per block: the IFMA variant fills 8-signature lane groups; 128 keeps the buffers small.
  static constexpr size_t kBlock = 128;
  using Job = kernels::p384::Job;
  using Key = kernels::p384::Key;
  static kernels::p384::VerifyBatch batch_entry() noexcept { return kernels::p384::active_variant().verify_batch; }
  // One signature through the active variant (IFMA where the CPU has it), not the scalar reference.
  static bool verify_one(const Job& job) noexcept {
    bool ok = false;
    kernels::p384::active_variant().verify_batch({&job, 1}, &ok);
    return ok;
  }
};

struct P521Glue {
  static constexpr Alg kAlg = Alg::es512;
  static constexpr size_t kSigBytes = kernels::p521::kSigBytes;
  static constexpr size_t kDigestBytes = SHA512_DIGEST_LENGTH;
  static_assert(kDigestBytes == kernels::p521::kDigestBytes);
  // Jobs per block: the kernel shares one inversion mod n across 64 signatures.
  static constexpr size_t kBlock = 64;
  using Job = kernels::p521::Job;
  using Key = kernels::p521::Key;
  static auto batch_entry() noexcept { return &kernels::p521::verify_batch; }
  static bool verify_one(const Job& job) noexcept { return kernels::p521::verify_one(*job.key, job.digest, job.sig); }
};

// The curves with a kernel, in the order their jobs are taken (their jobs are disjoint: one alg
// each).
template <class... Glues>
struct CurveList {
  static void verify_jobs(std::span<SigJob> jobs) noexcept;
  static std::optional<bool> verify_one(const PreparedKey& key, Alg alg, std::span<const uint8_t> signing_input,
                                        std::span<const uint8_t> signature) noexcept;
};
using Curves = CurveList<P256Glue, P384Glue, P521Glue>;

// kernel_key is `key`'s context for curve G's kernel, or null (not an EC key, or none for G).
template <class G>
const typename G::Key* kernel_key(const PreparedKey& key) noexcept {
  const EcKey* ec = key.as<EcKey>();
  return ec != nullptr ? ec->kernel_key<typename G::Key>() : nullptr;
}

template <class G>
bool takes(const SigJob& job) noexcept {
  const PreparedKey* key = job.key;
  return job.alg == G::kAlg && key != nullptr && kernel_key<G>(*key) != nullptr && key->algs.contains(G::kAlg) &&
         job.signature.size() == G::kSigBytes;
}

// hash_block writes the digests of the signing inputs of jobs[0..n) (n at most G::kBlock).
template <class G>
void hash_block(SigJob* const* jobs, uint8_t (*digests)[G::kDigestBytes], size_t n) noexcept {
  DigestJob d[G::kBlock];
  for (size_t i = 0; i < n; ++i) d[i] = {jobs[i]->signing_input, G::kDigestBytes, digests[i]};
  compute_digests({d, n});
}

template <class G>
void verify_curve_jobs(std::span<SigJob> jobs) noexcept {
  const auto batch = G::batch_entry();
  uint8_t digests[G::kBlock][G::kDigestBytes];
  typename G::Job kjobs[G::kBlock];
  SigJob* owners[G::kBlock];
  bool out[G::kBlock];
  size_t n = 0;
  auto flush = [&] {
    hash_block<G>(owners, digests, n);
    batch({kjobs, n}, out);
    for (size_t i = 0; i < n; ++i) {
      owners[i]->valid = out[i];
      owners[i]->handled = true;
    }
    n = 0;
  };
  for (SigJob& job : jobs) {
    if (!takes<G>(job)) continue;
    kjobs[n] = typename G::Job{kernel_key<G>(*job.key), digests[n], job.signature.data()};
    owners[n++] = &job;
    if (n == G::kBlock) flush();
  }
  if (n > 0) flush();
}

template <class G>
std::optional<bool> verify_curve_one(const PreparedKey& key, std::span<const uint8_t> signing_input,
                                     std::span<const uint8_t> signature) noexcept {
  const typename G::Key* k = kernel_key<G>(key);
  if (k == nullptr) return std::nullopt;
  if (signature.size() != G::kSigBytes) return false;
  uint8_t digest[G::kDigestBytes];
  const DigestJob d{signing_input, G::kDigestBytes, digest};
  compute_digests({&d, 1});
  return G::verify_one(typename G::Job{k, digest, signature.data()});
}

template <class... Glues>
void CurveList<Glues...>::verify_jobs(std::span<SigJob> jobs) noexcept {
  (verify_curve_jobs<Glues>(jobs), ...);
}

template <class... Glues>
std::optional<bool> CurveList<Glues...>::verify_one(const PreparedKey& key, Alg alg,
                                                    std::span<const uint8_t> signing_input,
                                                    std::span<const uint8_t> signature) noexcept {
  std::optional<bool> result;
  ((alg == Glues::kAlg ? (result = verify_curve_one<Glues>(key, signing_input, signature), true) : false) || ...);
  return result;
}

}  // namespace

void verify_ecdsa_kernel_jobs(std::span<SigJob> jobs) noexcept { Curves::verify_jobs(jobs); }

std::optional<bool> verify_ecdsa_kernel_one(const PreparedKey& key, Alg alg, std::span<const uint8_t> signing_input,
                                            std::span<const uint8_t> signature) noexcept {
  return Curves::verify_one(key, alg, signing_input, signature);
}

}  // namespace jwtbatch::engine
