// p521_bench.cpp: P-521 ECDSA verification (ES512's signature check), one core, the kernel beside
// BoringSSL's ECDSA_do_verify on the same signatures (SHA-512 digests precomputed, r and s already
// parsed for BoringSSL, keys prepared once). Compare ratios within one run only.
//
//   BM_verify_es512/boringssl                 ECDSA_do_verify, one key
//   BM_verify_es512/boringssl/keys:16         ECDSA_do_verify, 16 keys in rotation
//   BM_verify_es512/scalar/single             verify_one (its own inversion mod n per signature)
//   BM_verify_es512/scalar/batch:N            verify_batch, N = 1, 8, 64 signatures per call (one
//                                             inversion mod n per call)
//   BM_verify_es512/scalar/keys:16            64 per call, signatures of 16 keys in rotation
//   BM_prepare_key_p521                       prepare_key: validation and the key's table
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/nid.h>

#include "kernels/p521/p521.hpp"

namespace jwtbatch::bench {
namespace {

namespace p521 = kernels::p521;

constexpr size_t kSigs = 256;
constexpr size_t kKeys = 16;

struct BenchKey {
  bssl::UniquePtr<EC_KEY> ec;
  uint8_t x[p521::kFieldBytes], y[p521::kFieldBytes];
  std::shared_ptr<const p521::Key> kernel;
};

struct Sig {
  size_t key;
  uint8_t digest[p521::kDigestBytes];
  uint8_t rs[p521::kSigBytes];
  bssl::UniquePtr<ECDSA_SIG> parsed;
};

struct Data {
  std::vector<BenchKey> keys;
  std::vector<Sig> one_key;   // every signature by key 0
  std::vector<Sig> rotation;  // signature i by key i % 16
  std::string error;
};

const Data& data() {
  static const Data* d = [] {
    auto* r = new Data;
    std::mt19937_64 rng(521);
    const EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_secp521r1);
    for (size_t k = 0; k < kKeys; ++k) {
      BenchKey bk;
      bk.ec.reset(EC_KEY_new());
      EC_KEY_set_group(bk.ec.get(), group);
      EC_KEY_generate_key(bk.ec.get());
      bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
      EC_POINT_get_affine_coordinates_GFp(group, EC_KEY_get0_public_key(bk.ec.get()), x.get(), y.get(), nullptr);
      BN_bn2bin_padded(bk.x, sizeof bk.x, x.get());
      BN_bn2bin_padded(bk.y, sizeof bk.y, y.get());
      bk.kernel = p521::prepare_key(bk.x, bk.y);
      if (!bk.kernel) r->error = "prepare_key failed";
      r->keys.push_back(std::move(bk));
    }
    for (int set = 0; set < 2; ++set) {
      auto& out = set == 0 ? r->one_key : r->rotation;
      for (size_t i = 0; i < kSigs; ++i) {
        Sig s;
        s.key = set == 0 ? 0 : i % kKeys;
        for (auto& b : s.digest) b = static_cast<uint8_t>(rng());
        s.parsed.reset(ECDSA_do_sign(s.digest, sizeof s.digest, r->keys[s.key].ec.get()));
        BN_bn2bin_padded(s.rs, p521::kFieldBytes, s.parsed->r);
        BN_bn2bin_padded(s.rs + p521::kFieldBytes, p521::kFieldBytes, s.parsed->s);
        out.push_back(std::move(s));
      }
    }
    return r;
  }();
  return *d;
}

void bm_boringssl(benchmark::State& state, bool rotation) {
  const Data& d = data();
  const auto& sigs = rotation ? d.rotation : d.one_key;
  for (const Sig& s : sigs)
    if (ECDSA_do_verify(s.digest, sizeof s.digest, s.parsed.get(), d.keys[s.key].ec.get()) != 1)
      return state.SkipWithError("BoringSSL rejected a signature");
  size_t i = 0;
  for (auto _ : state) {
    const Sig& s = sigs[i];
    benchmark::DoNotOptimize(ECDSA_do_verify(s.digest, sizeof s.digest, s.parsed.get(), d.keys[s.key].ec.get()));
    if (++i == sigs.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

std::vector<p521::Job> jobs_for(const std::vector<Sig>& sigs) {
  std::vector<p521::Job> jobs;
  for (const Sig& s : sigs) jobs.push_back(p521::Job{data().keys[s.key].kernel.get(), s.digest, s.rs});
  return jobs;
}

// bm_kernel verifies `per_call` signatures per call of verify_batch.
void bm_kernel(benchmark::State& state, size_t per_call, bool rotation) {
  const Data& d = data();
  if (!d.error.empty()) return state.SkipWithError(d.error.c_str());
  const auto jobs = jobs_for(rotation ? d.rotation : d.one_key);
  std::unique_ptr<bool[]> out(new bool[jobs.size()]);
  for (size_t i = 0; i < jobs.size(); i += per_call)
    p521::verify_batch(std::span<const p521::Job>(jobs).subspan(i, std::min(per_call, jobs.size() - i)), out.get() + i);
  for (size_t i = 0; i < jobs.size(); ++i)
    if (!out[i]) return state.SkipWithError("the kernel rejected a valid signature");
  size_t i = 0;
  for (auto _ : state) {
    if (i + per_call > jobs.size()) i = 0;
    p521::verify_batch(std::span<const p521::Job>(jobs).subspan(i, per_call), out.get());
    benchmark::DoNotOptimize(out.get());
    i += per_call;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * per_call));
  state.SetLabel("scalar");
}

void bm_single(benchmark::State& state) {
  const Data& d = data();
  if (!d.error.empty()) return state.SkipWithError(d.error.c_str());
  const auto jobs = jobs_for(d.one_key);
  for (const auto& j : jobs)
    if (!p521::verify_one(*j.key, j.digest, j.sig)) return state.SkipWithError("verify_one rejected a valid signature");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(p521::verify_one(*jobs[i].key, jobs[i].digest, jobs[i].sig));
    if (++i == jobs.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void bm_prepare(benchmark::State& state) {
  const Data& d = data();
  if (!d.error.empty()) return state.SkipWithError(d.error.c_str());
  for (auto _ : state) {
    auto key = p521::prepare_key(d.keys[1].x, d.keys[1].y);
    if (!key) return state.SkipWithError("prepare_key failed");
    benchmark::DoNotOptimize(key.get());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

int register_all() {
  benchmark::RegisterBenchmark("BM_verify_es512/boringssl", bm_boringssl, false);
  benchmark::RegisterBenchmark("BM_verify_es512/boringssl/keys:16", bm_boringssl, true);
  benchmark::RegisterBenchmark("BM_verify_es512/scalar/single", bm_single);
  for (size_t n : {1, 8, 64}) {
    benchmark::RegisterBenchmark(("BM_verify_es512/scalar/batch:" + std::to_string(n)).c_str(), bm_kernel, n, false);
  }
  benchmark::RegisterBenchmark("BM_verify_es512/scalar/keys:16", bm_kernel, size_t{64}, true);
  benchmark::RegisterBenchmark("BM_prepare_key_p521", bm_prepare);
  return 0;
}
const int registered = register_all();

}  // namespace
}  // namespace jwtbatch::bench
