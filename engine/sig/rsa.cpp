// rsa.cpp: RS* and PS* verification on the RSA kernels (contract in rsa.hpp).
//
// References: RFC 8017 section 8.2.2 (RSASSA-PKCS1-v1_5 verification), 9.2 (EMSA-PKCS1-v1_5, with
// the DigestInfo encodings of note 1), 8.1.2 (RSASSA-PSS verification), 9.1.2 (EMSA-PSS-VERIFY),
// B.2.1 (MGF1); RFC 7518 sections 3.3 and 3.5. Every hash goes through compute_digests (digest.hpp:
// the multi-buffer kernels where the engine uses them), a batch's at once: the message digests of
// its lanes, then its MGF1 blocks, then its M' hashes (PS*, check_pss_batch); PS256's MGF1 blocks
// are one-block BoringSSL transforms instead (mgf1_block_sha256).
#include "engine/sig/rsa.hpp"

#include <algorithm>
#include <cstring>

#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "engine/sig/digest.hpp"
#include "engine/sig/force_boringssl.hpp"
#include "kernels/sha256/constants.hpp"

namespace jwtbatch::engine {
namespace {

namespace krsa = kernels::rsa;

// kernel_key is the kernel context of a job's key already found eligible (rsa_kernel_eligible).
const krsa::Key& kernel_key(const PreparedKey& key) noexcept { return *key.as<RsaKey>()->kernel; }

constexpr size_t kMaxDigestLen = 64;

struct RsaAlg {
  size_t hash_len = 0;  // 0: not an RSA algorithm
  bool pss = false;
};

RsaAlg rsa_alg(Alg alg) {
  switch (alg) {
    case Alg::rs256: return {32, false};
    case Alg::rs384: return {48, false};
    case Alg::rs512: return {64, false};
    case Alg::ps256: return {32, true};
    case Alg::ps384: return {48, true};
    case Alg::ps512: return {64, true};
    default: return {};
  }
}

// equal_words returns true iff the `len` bytes (a multiple of 8) at `a` and `b` are equal, reading
// all of them whatever differs (constant shape, like CRYPTO_memcmp, eight bytes at a time: the
// whole encoded message is compared, never stopping at the first difference).
bool equal_words(const uint8_t* a, const uint8_t* b, size_t len) {
  uint64_t diff = 0;
  for (size_t i = 0; i < len; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    diff |= x ^ y;
  }
  return diff == 0;
}

bool check_pkcs1(std::span<const uint8_t> em, std::span<const uint8_t> digest) {
  // Build the one valid encoding, compare it all.
  uint8_t want[krsa::kMaxModulusLen];
  if (!krsa::pkcs1_encode(em.size(), digest.data(), digest.size(), want)) return false;
  if (em.size() % 8 == 0) return equal_words(want, em.data(), em.size());  // every kernel size
  return CRYPTO_memcmp(want, em.data(), em.size()) == 0;
}

// mgf1_block_sha256 writes SHA-256(`seed`) for a 36-byte MGF1 input (H || counter) to `out`: one
// compression function call on a block padded here, with no Init/Update/Final around it. For
// SHA-256 this beats handing the blocks to compute_digests, whose per-message setup outweighs one
// block (PS256 batches measured 10% slower that way, docs/kernels/rsa.md).
void mgf1_block_sha256(const uint8_t* seed, uint8_t* out) {
  uint8_t block[64] = {};
  std::memcpy(block, seed, 36);
  block[36] = 0x80;
  block[62] = (36 * 8) >> 8;  // the length in bits, big-endian, ends the block
  block[63] = (36 * 8) & 0xff;
  uint32_t state[8];
  std::memcpy(state, kernels::sha256::kInitial, sizeof(state));
  SHA256_TransformBlocks(state, block, 1);
  for (size_t w = 0; w < 8; ++w)
    for (size_t b = 0; b < 4; ++b) out[4 * w + b] = static_cast<uint8_t>(state[w] >> (24 - 8 * b));
}

// PssCheck is one EMSA-PSS-VERIFY (RFC 8017 9.1.2, sLen = hLen as RFC 7518 3.5 fixes it): the
// result of the public operation `m` (k bytes, k the modulus length), the modulus size in bits,
// the message digest, and where the verdict goes.
struct PssCheck {
  int mod_bits;
  std::span<const uint8_t> m;
  std::span<const uint8_t> digest;
  bool* out;
};

// check_pss_batch runs every check of `checks` (at most kPssBatch, one RSA batch: its buffers, about
// 27 KiB, are on the stack). Its two hashing steps, the MGF1 blocks of every check (hash of H ||
// counter, RFC 8017 B.2.1; the SHA-256 ones by mgf1_block_sha256) and then every M' hash (steps
// 12-13), each go through one compute_digests call, so that a batch's hashes share the
// multi-buffer kernels' lanes.
constexpr size_t kPssBatch = krsa::kMaxLanes;
void check_pss_batch(const PssCheck* checks, size_t num) {
  // The most MGF1 blocks of one check: dbLen < k <= kMaxModulusLen, blocks of hLen >= 32 bytes.
  constexpr size_t kMaxMgfBlocks = krsa::kMaxModulusLen / 32;
  struct Item {
    const uint8_t* em = nullptr;  // null: already failed
    const uint8_t* h = nullptr;
    size_t h_len = 0, em_len = 0, db_len = 0, first_block = 0;
    uint8_t top_mask = 0;  // the leftmost 8 emLen - emBits bits, which must be zero
    uint8_t db[krsa::kMaxModulusLen];
    uint8_t m_prime[8 + 2 * kMaxDigestLen];  // 0x00 x 8 || mHash || salt
    uint8_t h2[kMaxDigestLen];
  };
  Item items[kPssBatch];
  uint8_t seeds[kPssBatch * kMaxMgfBlocks][kMaxDigestLen + 4];
  uint8_t masks[kPssBatch * kMaxMgfBlocks][kMaxDigestLen];
  DigestJob jobs[kPssBatch * kMaxMgfBlocks];
  size_t num_blocks = 0, num_jobs = 0;  // MGF1 blocks (seeds, masks); those left to compute_digests
  for (size_t c = 0; c < num; ++c) {
    const PssCheck& chk = checks[c];
    Item& it = items[c];
    *chk.out = false;
    const size_t h_len = chk.digest.size(), s_len = h_len;
    const std::span<const uint8_t> m = chk.m;
    if (chk.mod_bits < 2 || m.size() > krsa::kMaxModulusLen) continue;
    const size_t em_bits = static_cast<size_t>(chk.mod_bits) - 1;
    const size_t em_len = (em_bits + 7) / 8;
    if (em_len > m.size()) continue;
    // RFC 8017 8.1.2 step 2c: I2OSP(m, emLen) fails unless the leading k - emLen bytes are zero.
    bool lead_zero = true;
    for (size_t i = 0; i < m.size() - em_len; ++i) lead_zero &= m[i] == 0;
    if (!lead_zero) continue;
    const uint8_t* em = m.data() + (m.size() - em_len);
    // 9.1.2 step 3: emLen >= hLen + sLen + 2. Step 4: the rightmost octet is 0xbc.
    if (em_len < h_len + s_len + 2 || em[em_len - 1] != 0xbc) continue;
    // Step 5: maskedDB, then H. Step 6: the leftmost 8 emLen - emBits bits of maskedDB are zero.
    const size_t db_len = em_len - h_len - 1;
    const unsigned top_bits = static_cast<unsigned>(8 * em_len - em_bits);  // 0..7
    const uint8_t top_mask = top_bits != 0 ? static_cast<uint8_t>(0xff << (8 - top_bits)) : 0;
    if ((em[0] & top_mask) != 0) continue;
    it.em = em;
    it.h = em + db_len;
    it.h_len = h_len;
    it.em_len = em_len;
    it.db_len = db_len;
    it.top_mask = top_mask;
    // Step 7: MGF1(H, dbLen), one hash of H || counter per hLen bytes.
    it.first_block = num_blocks;
    for (uint32_t counter = 0; counter * h_len < db_len; ++counter, ++num_blocks) {
      uint8_t* seed = seeds[num_blocks];
      std::memcpy(seed, it.h, h_len);
      for (size_t b = 0; b < 4; ++b) seed[h_len + b] = static_cast<uint8_t>(counter >> (24 - 8 * b));
      if (h_len == 32) mgf1_block_sha256(seed, masks[num_blocks]);
      else jobs[num_jobs++] = {{seed, h_len + 4}, h_len, masks[num_blocks]};
    }
  }
  compute_digests({jobs, num_jobs});
  num_jobs = 0;
  for (size_t c = 0; c < num; ++c) {
    Item& it = items[c];
    if (it.em == nullptr) continue;
    const size_t h_len = it.h_len, s_len = h_len;
    // Step 8: DB = maskedDB xor the mask. Step 9: clear the leftmost 8 emLen - emBits bits.
    // A mask block at a time (no division per byte to find the byte's block).
    for (size_t at = 0, b = it.first_block; at < it.db_len; at += h_len, ++b) {
      const size_t n = std::min(h_len, it.db_len - at);
      for (size_t i = 0; i < n; ++i) it.db[at + i] = it.em[at + i] ^ masks[b][i];
    }
    it.db[0] &= static_cast<uint8_t>(~it.top_mask);
    // Step 10: DB = PS (emLen - hLen - sLen - 2 zero bytes) || 0x01 || salt.
    const size_t ps_len = it.em_len - h_len - s_len - 2;
    uint8_t ps_bad = 0;
    for (size_t i = 0; i < ps_len; ++i) ps_bad |= it.db[i];
    if (ps_bad != 0 || it.db[ps_len] != 0x01) {
      it.em = nullptr;
      continue;
    }
    // Steps 11-13: M' = 0x00 x 8 || mHash || salt, H' = Hash(M').
    std::memset(it.m_prime, 0, 8);
    std::memcpy(it.m_prime + 8, checks[c].digest.data(), h_len);
    std::memcpy(it.m_prime + 8 + h_len, it.db + it.db_len - s_len, s_len);
    jobs[num_jobs++] = {{it.m_prime, 8 + 2 * h_len}, h_len, it.h2};
  }
  compute_digests({jobs, num_jobs});
  // Step 14: H == H'.
  for (size_t c = 0; c < num; ++c) {
    const Item& it = items[c];
    if (it.em != nullptr) *checks[c].out = CRYPTO_memcmp(it.h, it.h2, it.h_len) == 0;
  }
}

bool check_pss(int mod_bits, std::span<const uint8_t> m, std::span<const uint8_t> digest) {
  bool ok = false;
  const PssCheck chk{mod_bits, m, digest, &ok};
  check_pss_batch(&chk, 1);
  return ok;
}

// Lane is one signature on its way through a batch: the job, its digest, the kernel's output.
struct Lane {
  SigJob* job;
  uint8_t digest[kMaxDigestLen];
  uint8_t em[krsa::kMaxModulusLen];
};

// precheck runs what comes before the exponentiation: the algorithm is one of the key's, the
// signature is exactly the modulus length (RFC 8017 8.2.2 step 1) and below n (5.2.2 step 1).
bool precheck(const SigJob& job, const krsa::Key& k) {
  return job.key->algs.contains(job.alg) && job.signature.size() == k.n_len &&
         krsa::below_modulus(k, job.signature.data());
}

// finish_lanes settles lanes[0..num) (at most kPssBatch) from their public operation's results: RS*
// lanes one by one, PS* lanes in one check_pss_batch.
void finish_lanes(Lane* lanes, size_t num) {
  PssCheck pss[kPssBatch];
  bool pss_ok[kPssBatch];
  SigJob* pss_jobs[kPssBatch];
  size_t num_pss = 0;
  for (size_t i = 0; i < num; ++i) {
    SigJob& job = *lanes[i].job;
    const RsaAlg a = rsa_alg(job.alg);
    const krsa::Key& k = kernel_key(*job.key);
    job.handled = true;
    if (!a.pss) {
      job.valid = check_pkcs1({lanes[i].em, k.n_len}, {lanes[i].digest, a.hash_len});
      continue;
    }
    pss_jobs[num_pss] = &job;
    pss[num_pss] = {k.num_bits, {lanes[i].em, k.n_len}, {lanes[i].digest, a.hash_len}, &pss_ok[num_pss]};
    ++num_pss;
  }
  check_pss_batch(pss, num_pss);
  for (size_t i = 0; i < num_pss; ++i) pss_jobs[i]->valid = pss_ok[i];
}

void finish(Lane& lane) {
  SigJob& job = *lane.job;
  const krsa::Key& k = kernel_key(*job.key);
  const size_t h_len = rsa_alg(job.alg).hash_len;
  job.valid = rsa_check_encoding(job.alg, k.num_bits, {lane.em, k.n_len}, {lane.digest, h_len});
  job.handled = true;
}

// single_op computes s^e mod n for one signature outside the lanes. For a SIMD variant that is
// BoringSSL's RSA_verify_raw without padding (its MULX/ADX Montgomery code runs about twice as fast
// as the portable reference on one signature; measured in bench/rsa_bench.cpp), and the padding is
// still checked here. The scalar variant keeps the reference (tests, JWTBATCH_FORCE_ISA=scalar).
void single_op(const PreparedKey& key, const krsa::Variant& variant, const uint8_t* s, uint8_t* out) {
  const krsa::Key& k = kernel_key(key);
  RSA* rsa = key.as<RsaKey>()->rsa.get();
  if (variant.single == krsa::public_op_scalar && variant.name != "scalar" && rsa != nullptr) {
    size_t out_len = 0;
    if (RSA_verify_raw(rsa, &out_len, out, k.n_len, s, k.n_len, RSA_NO_PADDING) == 1 &&
        out_len == k.n_len) {
      return;
    }
    ERR_clear_error();  // cannot happen for s < n; fall back to the reference
  }
  variant.single(k, s, out);
}

// pkcs1_lanes returns true iff the lanes can take the variant's PKCS#1 check: all RS*, one key.
bool pkcs1_lanes(const Lane* lanes, size_t num) {
  for (size_t i = 0; i < num; ++i)
    if (rsa_alg(lanes[i].job->alg).pss || lanes[i].job->key != lanes[0].job->key) return false;
  return true;
}

void run_lanes(Lane* lanes, size_t num, const krsa::Variant& variant) {
  if (num == 0) return;
  if (num >= variant.min_batch_lanes && pkcs1_lanes(lanes, num)) {
    // RS* of one key: the kernel compares s^e with the encoding itself (rsa.hpp, Pkcs1CheckBatch).
    const uint8_t* s[krsa::kMaxLanes];
    const uint8_t* digests[krsa::kMaxLanes];
    size_t digest_lens[krsa::kMaxLanes];
    for (size_t i = 0; i < num; ++i) {
      s[i] = lanes[i].job->signature.data();
      digests[i] = lanes[i].digest;
      digest_lens[i] = rsa_alg(lanes[i].job->alg).hash_len;
    }
    const uint32_t ok =
        variant.pkcs1_batch(kernel_key(*lanes[0].job->key), s, digests, digest_lens, num);
    for (size_t i = 0; i < num; ++i) {
      lanes[i].job->valid = ((ok >> i) & 1) != 0;
      lanes[i].job->handled = true;
    }
    return;
  }
  if (num >= variant.min_batch_lanes) {
    const krsa::Key* keys[krsa::kMaxLanes];
    const uint8_t* s[krsa::kMaxLanes];
    uint8_t* out[krsa::kMaxLanes];
    for (size_t i = 0; i < num; ++i) {
      keys[i] = &kernel_key(*lanes[i].job->key);
      s[i] = lanes[i].job->signature.data();
      out[i] = lanes[i].em;
    }
    variant.batch(keys, s, out, num);
  } else {
    for (size_t i = 0; i < num; ++i)
      single_op(*lanes[i].job->key, variant, lanes[i].job->signature.data(), lanes[i].em);
  }
  finish_lanes(lanes, num);
}

// admit prechecks `job`; a job that fails is settled, one that passes takes `lane` (its digest is
// computed by hash_lanes, for the lanes of a batch together).
bool admit(SigJob& job, Lane& lane) {
  const krsa::Key& k = kernel_key(*job.key);
  if (!precheck(job, k)) {
    job.valid = false;
    job.handled = true;
    return false;
  }
  lane.job = &job;
  return true;
}

// hash_lanes writes the digests of lanes[0..num-1], all in one compute_digests call (digest.hpp):
// one SHA-2 stream is bound by the latency of its rounds, several in flight on the multi-buffer
// kernels are not.
void hash_lanes(Lane* lanes, size_t num) {
  DigestJob d[krsa::kMaxLanes];
  for (size_t i = 0; i < num; ++i)
    d[i] = {lanes[i].job->signing_input, rsa_alg(lanes[i].job->alg).hash_len, lanes[i].digest};
  compute_digests({d, num});
}

}  // namespace

bool rsa_kernel_eligible(const SigJob& job) noexcept {
  if (job.key == nullptr) return false;
  const RsaKey* rsa = job.key->as<RsaKey>();
  return rsa != nullptr && rsa->kernel != nullptr && rsa_alg(job.alg).hash_len != 0;
}

bool rsa_kernel_takes(const SigJob& job) noexcept {
  return !force_boringssl() && krsa::engine_uses_kernels() && rsa_kernel_eligible(job);
}

bool rsa_check_encoding(Alg alg, int mod_bits, std::span<const uint8_t> em,
                        std::span<const uint8_t> digest) noexcept {
  const RsaAlg a = rsa_alg(alg);
  if (a.hash_len == 0 || digest.size() != a.hash_len) return false;
  return a.pss ? check_pss(mod_bits, em, digest) : check_pkcs1(em, digest);
}

bool verify_rsa_single(const PreparedKey& key, Alg alg, std::span<const uint8_t> signing_input,
                       std::span<const uint8_t> signature,
                       const krsa::Variant& variant) noexcept {
  SigJob job{&key, alg, signing_input, signature, false};
  if (!rsa_kernel_eligible(job)) return false;
  Lane lane;
  if (!admit(job, lane)) return false;
  hash_lanes(&lane, 1);
  single_op(key, variant, signature.data(), lane.em);
  finish(lane);
  return job.valid;
}

void verify_rsa_jobs_with(std::span<SigJob> jobs, const krsa::Variant& variant) noexcept {
  // Groups of (modulus length, exponent, RS* or PS*): a batch's lanes share all three. Keys of more
  // groups than kMaxGroups (unheard of) go one signature at a time.
  struct Group {
    size_t n_len;
    uint64_t e;
    bool pss;  // RS* and PS* fill separate batches: RS* ones take the PKCS#1 check
  };
  constexpr size_t kMaxGroups = 8;
  Group groups[kMaxGroups];
  size_t num_groups = 0;
  auto group_of = [&](const SigJob& job) -> size_t {
    const krsa::Key& k = kernel_key(*job.key);
    const bool pss = rsa_alg(job.alg).pss;
    for (size_t g = 0; g < num_groups; ++g)
      if (groups[g].n_len == k.n_len && groups[g].e == k.e && groups[g].pss == pss) return g;
    return kMaxGroups;
  };
  for (const SigJob& job : jobs) {
    if (!rsa_kernel_eligible(job)) continue;
    const krsa::Key& k = kernel_key(*job.key);
    if (group_of(job) == kMaxGroups && num_groups < kMaxGroups)
      groups[num_groups++] = {k.n_len, k.e, rsa_alg(job.alg).pss};
  }
  // The lanes' digests are hashed together right before their batch runs.
  Lane lanes[krsa::kMaxLanes];
  auto run = [&](size_t filled) {
    hash_lanes(lanes, filled);
    run_lanes(lanes, filled, variant);
  };
  for (size_t g = 0; g < num_groups; ++g) {
    size_t filled = 0;
    for (SigJob& job : jobs) {
      if (!rsa_kernel_eligible(job) || group_of(job) != g) continue;
      if (!admit(job, lanes[filled])) continue;
      if (++filled == krsa::kMaxLanes) {
        run(filled);
        filled = 0;
      }
    }
    run(filled);
  }
  for (SigJob& job : jobs) {
    if (!rsa_kernel_eligible(job) || group_of(job) != kMaxGroups) continue;
    job.valid = verify_rsa_single(*job.key, job.alg, job.signing_input, job.signature, variant);
    job.handled = true;
  }
}

void verify_rsa_jobs(std::span<SigJob> jobs) noexcept {
  if (force_boringssl() || !krsa::engine_uses_kernels()) return;
  verify_rsa_jobs_with(jobs, krsa::active_variant());
}

}  // namespace jwtbatch::engine
