// hmac.cpp: HS256, HS384 and HS512 in batches on the multi-buffer hash kernels (contract in
// hmac.hpp).
//
// References: RFC 2104 section 2 (HMAC = H(K ^ opad || H(K ^ ipad || m))); RFC 7518 section 3.2
// (HS256/384/512, the tag is the whole HMAC). The key states are prepare_hmac's: the chaining
// values after the one block K ^ ipad, and after K ^ opad; the kernels continue from them with the
// block count in the padding (the messages' prefix_len).
//
// Why batches: one SHA-2 stream is bound by the latency of its rounds; the kernels keep several
// messages in flight (kernels/sha256/sha256.hpp, kernels/sha512/sha512.hpp). A short token is a few
// blocks of inner hash and one of outer hash, so the outer hashes of a batch are a call of their
// own, after the inner ones. HS384 and HS512 jobs share the SHA-512 kernel's calls.
#include "engine/sig/hmac.hpp"

#include <openssl/mem.h>
#include <openssl/sha.h>

#include "engine/sig/force_boringssl.hpp"
#include "kernels/sha256/sha256.hpp"
#include "kernels/sha512/sha512.hpp"

namespace jwtbatch::engine {
namespace {

namespace ksha = kernels::sha256;
namespace ksha512 = kernels::sha512;

constexpr size_t kMaxJobs = 64;  // per kernel call: enough to keep the lanes full, small on the stack

// absorbed_len returns how many bytes `ctx` has absorbed when they are whole blocks, else 0 (not a
// state the kernels can continue from; prepare_hmac never makes one).
uint64_t absorbed_len(const SHA256_CTX& ctx) {
  if (ctx.num != 0) return 0;
  const uint64_t bits = (uint64_t{ctx.Nh} << 32) | ctx.Nl;
  return bits % 512 == 0 ? bits / 8 : 0;
}
uint64_t absorbed_len(const SHA512_CTX& ctx) {
  if (ctx.num != 0 || ctx.Nh != 0) return 0;
  return ctx.Nl % 1024 == 0 ? ctx.Nl / 8 : 0;
}

// An HMAC algorithm of the batch path: its tag length, which of a key's prepared states it uses,
// and how a message continues from one of them on its kernel.
struct Hs256 {
  static constexpr Alg kAlg = Alg::hs256;
  static constexpr size_t kTagLen = 32;
  using Msg = ksha::Sha256Msg;
  static bool has(const HmacStates& s) { return s.has_sha256; }
  static const SHA256_CTX& inner(const HmacStates& s) { return s.inner256; }
  static const SHA256_CTX& outer(const HmacStates& s) { return s.outer256; }
  static Msg msg(const uint8_t* data, size_t len, const SHA256_CTX& from, uint64_t from_len, uint8_t* out) {
    return {data, len, from.h, from_len, out};
  }
};
template <Alg A, ksha512::Hash H>
struct Hs512Family {
  static constexpr Alg kAlg = A;
  static constexpr size_t kTagLen = ksha512::digest_len(H);
  using Msg = ksha512::Sha512Msg;
  static bool has(const HmacStates& s) { return H == ksha512::Hash::sha384 ? s.has_sha384 : s.has_sha512; }
  static const SHA512_CTX& inner(const HmacStates& s) { return H == ksha512::Hash::sha384 ? s.inner384 : s.inner512; }
  static const SHA512_CTX& outer(const HmacStates& s) { return H == ksha512::Hash::sha384 ? s.outer384 : s.outer512; }
  static Msg msg(const uint8_t* data, size_t len, const SHA512_CTX& from, uint64_t from_len, uint8_t* out) {
    return {data, len, from.h, from_len, out, H};
  }
};
using Hs384 = Hs512Family<Alg::hs384, ksha512::Hash::sha384>;
using Hs512 = Hs512Family<Alg::hs512, ksha512::Hash::sha512>;

// verify_pass verifies every job of `jobs` whose alg is one of Algs' (all on one kernel, `many`):
// verify_signature's checks first (the job is then final: invalid), the inner hashes of up to
// kMaxJobs jobs in one call, their outer hashes in a second, a constant-time comparison.
// A pass with a lone job of its family leaves it to verify_signature (BoringSSL's HMAC), the rule
// compute_digests (digest.hpp) follows too: lanes hashing one message cost as much as full ones.
template <class Msg, class... Algs>
void verify_pass(std::span<SigJob> jobs, void (*many)(const Msg*, size_t) noexcept) {
  size_t candidates = 0;
  for (const SigJob& job : jobs)
    candidates += !job.handled && job.key != nullptr && ((job.alg == Algs::kAlg) || ...);
  if (candidates < 2) return;
  Msg inner[kMaxJobs], outer[kMaxJobs];
  uint8_t inner_digest[kMaxJobs][64], mac[kMaxJobs][64];
  SigJob* pending[kMaxJobs];
  size_t tag_len[kMaxJobs];
  size_t num = 0;
  auto flush = [&] {
    many(inner, num);
    many(outer, num);
    for (size_t i = 0; i < num; ++i) {
      pending[i]->valid = CRYPTO_memcmp(mac[i], pending[i]->signature.data(), tag_len[i]) == 0;
      pending[i]->handled = true;
    }
    num = 0;
  };
  // take queues `job` for A, or settles it when verify_signature would refuse it before hashing.
  auto take = [&]<class A>(SigJob& job, A) {
    const PreparedKey& key = *job.key;
    const HmacKey* hmac = key.as<HmacKey>();
    // verify_signature's checks, in its order: the key takes the alg, the tag has the hash's length,
    // an HMAC key with that hash's states.
    if (!key.algs.contains(A::kAlg) || job.signature.size() != A::kTagLen || hmac == nullptr || !hmac->states ||
        !A::has(*hmac->states)) {
      job.valid = false;
      job.handled = true;
      return;
    }
    const HmacStates& st = *hmac->states;
    const uint64_t inner_len = absorbed_len(A::inner(st)), outer_len = absorbed_len(A::outer(st));
    if (inner_len == 0 || outer_len == 0) return;  // left to verify_signature
    inner[num] = A::msg(job.signing_input.data(), job.signing_input.size(), A::inner(st), inner_len, inner_digest[num]);
    outer[num] = A::msg(inner_digest[num], A::kTagLen, A::outer(st), outer_len, mac[num]);
    tag_len[num] = A::kTagLen;
    pending[num++] = &job;
    if (num == kMaxJobs) flush();
  };
  for (SigJob& job : jobs) {
    if (job.handled || job.key == nullptr) continue;
    ((job.alg == Algs::kAlg ? (take(job, Algs{}), true) : false) || ...);
  }
  if (num != 0) flush();
}

}  // namespace

void verify_hmac_jobs(std::span<SigJob> jobs) noexcept {
  if (force_boringssl()) return;
  if (ksha::engine_uses_kernels()) verify_pass<ksha::Sha256Msg, Hs256>(jobs, ksha::active_variant().many);
  if (ksha512::engine_uses_kernels()) verify_pass<ksha512::Sha512Msg, Hs384, Hs512>(jobs, ksha512::active_variant().many);
}

}  // namespace jwtbatch::engine
