// hmac.cpp: HS256 in batches on the multi-buffer SHA-256 kernels (contract in hmac.hpp).
//
// References: RFC 2104 section 2 (HMAC = H(K ^ opad || H(K ^ ipad || m))); RFC 7518 section 3.2
// (HS256, the tag is the whole 32-byte HMAC). The key states are prepare_hmac's (crypto.cpp): the
// SHA-256 chaining values after the one block K ^ ipad, and after K ^ opad; the kernels continue from
// them with the block count in the padding (Sha256Msg::prefix_len).
//
// Why batches: one SHA-256 stream is bound by the latency of its rounds; the kernels keep several
// messages in flight (kernels/sha256/sha256.hpp). A short HS256 token is three blocks of inner hash
// and one of outer hash, so the outer hashes of a batch are a call of their own, after the inner
// ones.
#include "engine/sig/hmac.hpp"

#include <openssl/mem.h>
#include <openssl/sha.h>

#include "engine/sig/force_boringssl.hpp"
#include "kernels/sha256/sha256.hpp"

namespace jwtbatch::engine {
namespace {

namespace ksha = kernels::sha256;

constexpr size_t kMaxJobs = 64;  // per kernel call: enough to keep the lanes full, small on the stack

// absorbed_len returns how many bytes `ctx` has absorbed when they are whole blocks, else 0 (not a
// state the kernels can continue from; prepare_hmac never makes one).
uint64_t absorbed_len(const SHA256_CTX& ctx) {
  if (ctx.num != 0) return 0;
  const uint64_t bits = (uint64_t{ctx.Nh} << 32) | ctx.Nl;
  return bits % 512 == 0 ? bits / 8 : 0;
}

}  // namespace

void verify_hs256_jobs(std::span<SigJob> jobs) noexcept {
  if (force_boringssl() || !ksha::engine_uses_kernels()) return;
  const ksha::Sha256Many many = ksha::active_variant().many;
  ksha::Sha256Msg inner[kMaxJobs], outer[kMaxJobs];
  uint8_t inner_digest[kMaxJobs][ksha::kDigestLen], mac[kMaxJobs][ksha::kDigestLen];
  SigJob* pending[kMaxJobs];
  size_t num = 0;
  auto flush = [&] {
    many(inner, num);
    many(outer, num);
    for (size_t i = 0; i < num; ++i) {
      pending[i]->valid = CRYPTO_memcmp(mac[i], pending[i]->signature.data(), ksha::kDigestLen) == 0;
      pending[i]->handled = true;
    }
    num = 0;
  };
  for (SigJob& job : jobs) {
    if (job.handled || job.alg != Alg::hs256 || job.key == nullptr) continue;
    const PreparedKey& key = *job.key;
    const HmacKey* hmac = key.as<HmacKey>();
    // verify_signature's checks, in its order: the key takes HS256, the tag is 32 bytes, an HMAC key
    // with SHA-256 states.
    if (!key.algs.contains(Alg::hs256) || job.signature.size() != ksha::kDigestLen || hmac == nullptr ||
        !hmac->states || !hmac->states->has_sha256) {
      job.valid = false;
      job.handled = true;
      continue;
    }
    const HmacStates& st = *hmac->states;
    const uint64_t inner_len = absorbed_len(st.inner256), outer_len = absorbed_len(st.outer256);
    if (inner_len == 0 || outer_len == 0) continue;  // left to verify_signature
    inner[num] = {job.signing_input.data(), job.signing_input.size(), st.inner256.h, inner_len, inner_digest[num]};
    outer[num] = {inner_digest[num], ksha::kDigestLen, st.outer256.h, outer_len, mac[num]};
    pending[num++] = &job;
    if (num == kMaxJobs) flush();
  }
  if (num != 0) flush();
}

}  // namespace jwtbatch::engine
