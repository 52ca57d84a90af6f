// sig_hmac_test.cpp: HS256, HS384 and HS512 in batches (engine/sig/hmac.cpp) give
// verify_signature's verdict on every job, and HMAC() from BoringSSL agrees on the valid ones: keys
// of several lengths (over the SHA-256 and the SHA-512 block, hashed first), messages of 0..700
// bytes, right tags, tags with one bit flipped, tags of the wrong length, keys that do not take
// HS256, the three algorithms mixed with an RS256 job (left to verify_signature), batches of 1..150
// jobs (more than one kernel call) in random order, a lone job of its hash family left to
// verify_signature.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <openssl/digest.h>
#include <openssl/hmac.h>

#include "engine/sig/crypto.hpp"
#include "engine/sig/force_boringssl.hpp"
#include "engine/sig/hmac.hpp"
#include "kernels/sha256/sha256.hpp"
#include "kernels/sha512/sha512.hpp"

namespace jwtbatch::engine {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes random_bytes(std::mt19937_64& rng, size_t len) {
  Bytes b(len);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

Bytes hmac(const EVP_MD* md, const Bytes& key, const Bytes& msg) {
  uint8_t out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(md, key.data(), key.size(), msg.data(), msg.size(), out, &len);
  return Bytes(out, out + len);
}

struct Key {
  Bytes secret;
  PreparedKey prepared;
};

TEST(SigHmacBatch, VerdictsMatchVerifySignatureAndHmac) {
  std::mt19937_64 rng(0x5a256100);
  std::vector<Key> keys;
  for (size_t len : {32, 48, 64, 65, 100, 128, 129, 150}) {
    Bytes secret = random_bytes(rng, len);
    std::string why;
    auto p = prepare_hmac(secret, AlgSet{}, &why);
    ASSERT_TRUE(p) << why;
    keys.push_back({secret, std::move(*p)});
  }
  {
    Bytes secret = random_bytes(rng, 48);
    std::string why;
    auto p = prepare_hmac(secret, AlgSet{Alg::hs384}, &why);  // no HS256 with this key
    ASSERT_TRUE(p) << why;
    keys.push_back({secret, std::move(*p)});
  }
  VerifyScratch scratch;
  // Where a kernel runs (JWTBATCH_FORCE_BORINGSSL unset; SHA-NI, a SHA-512 vector variant or a
  // forced reference), the path takes every job of its algorithms.
  const bool batched256 = !force_boringssl() && kernels::sha256::engine_uses_kernels();
  const bool batched512 = !force_boringssl() && kernels::sha512::engine_uses_kernels();
  auto md_of = [](Alg alg) { return alg == Alg::hs256 ? EVP_sha256() : alg == Alg::hs384 ? EVP_sha384() : EVP_sha512(); };
  const Alg kAlgs[] = {Alg::hs256, Alg::hs256, Alg::hs384, Alg::hs512, Alg::rs256};
  size_t num_valid = 0, num_jobs = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const size_t n = trial < 20 ? 1 + trial : 1 + rng() % 150;
    std::vector<Bytes> msgs(n), tags(n);
    std::vector<SigJob> jobs(n);
    std::vector<bool> want(n);
    for (size_t i = 0; i < n; ++i) {
      const Key& k = keys[rng() % keys.size()];
      const Alg alg = kAlgs[rng() % std::size(kAlgs)];
      msgs[i] = random_bytes(rng, rng() % 4 == 0 ? rng() % 701 : 100 + rng() % 100);
      tags[i] = hmac(md_of(alg == Alg::rs256 ? Alg::hs256 : alg), k.secret, msgs[i]);
      switch (rng() % 6) {
        case 0: tags[i][rng() % tags[i].size()] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 1: tags[i].pop_back(); break;
        case 2: tags[i].push_back(0); break;
        default: break;
      }
      jobs[i] = {&k.prepared, alg, msgs[i], tags[i], false, false};
      want[i] = verify_signature(k.prepared, alg, msgs[i], tags[i], scratch);
      // BoringSSL's HMAC agrees with the single path on what is valid.
      const bool hmac_ok = k.prepared.algs.contains(alg) && tags[i] == hmac(md_of(alg), k.secret, msgs[i]);
      ASSERT_EQ(want[i], hmac_ok) << "trial " << trial << " job " << i;
    }
    std::vector<SigJob> batch = jobs;
    verify_hmac_jobs(batch);
    // A lone job of its family (HS256; HS384 and HS512 together) is left to verify_signature.
    const size_t num256 = std::count_if(jobs.begin(), jobs.end(), [](const SigJob& j) { return j.alg == Alg::hs256; });
    const size_t num512 = std::count_if(jobs.begin(), jobs.end(),
                                        [](const SigJob& j) { return j.alg == Alg::hs384 || j.alg == Alg::hs512; });
    for (size_t i = 0; i < n; ++i) {
      const bool path = jobs[i].alg == Alg::hs256   ? batched256 && num256 > 1
                        : jobs[i].alg == Alg::rs256 ? false
                                                    : batched512 && num512 > 1;
      EXPECT_EQ(batch[i].handled, path) << to_string(jobs[i].alg) << ", trial " << trial << " job " << i;
      if (batch[i].handled) {
        EXPECT_EQ(batch[i].valid, want[i]) << "trial " << trial << " job " << i << " len " << msgs[i].size()
                                           << " tag " << tags[i].size();
      }
    }
    std::vector<SigJob> all = jobs;
    verify_signatures(all, scratch);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(all[i].valid, want[i]) << "verify_signatures, trial " << trial << " job " << i;
      num_valid += want[i];
    }
    num_jobs += n;
  }
  EXPECT_GT(num_valid, num_jobs / 4);  // the valid case is well represented
  std::printf("[sig_hmac] %zu jobs, %zu valid, sha256 variant %s (batched: %d), sha512 variant %s (batched: %d)\n",
              num_jobs, num_valid, std::string(kernels::sha256::active_variant().name).c_str(), batched256,
              std::string(kernels::sha512::active_variant().name).c_str(), batched512);
}

}  // namespace
}  // namespace jwtbatch::engine
