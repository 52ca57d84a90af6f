// p256_bench.cpp: P-256 ECDSA verification (ES256's signature check), one core, the kernel's
// variants beside BoringSSL's ECDSA_do_verify on the same signatures (digests precomputed, r and s
// already parsed for BoringSSL, keys prepared once). Compare ratios within one run only.
//
//   BM_verify_es256/boringssl                 ECDSA_do_verify, one key
//   BM_verify_es256/boringssl/keys:16         ECDSA_do_verify, 16 keys in rotation
//   BM_verify_es256/scalar/single             verify_one (scalar, its own inversion mod n)
//   BM_verify_es256/scalar/batch:64           verify_batch_scalar, 64 signatures per call
//   BM_verify_es256/avx512_ifma/lanes:N       verify_batch_avx512_ifma with N = 1..8 signatures per
//                                             call (a partial batch costs one lane group, one inversion)
//   BM_verify_es256/avx512_ifma/batch:64      64 per call (8 lane groups, one inversion)
//   BM_verify_es256/avx512_ifma/keys:16       64 per call, signatures of 16 keys in rotation
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

#include "kernels/p256/p256.hpp"

namespace jwtbatch::bench {
namespace {

namespace p256 = kernels::p256;

constexpr size_t kSigs = 1024;

struct BenchKey {
  bssl::UniquePtr<EC_KEY> ec;
  std::shared_ptr<const p256::Key> kernel[2];  // by TableFormat
};

struct Sig {
  size_t key;
  uint8_t digest[32];
  uint8_t rs[64];
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
    std::mt19937_64 rng(256);
    const EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    for (int k = 0; k < 16; ++k) {
      BenchKey bk;
      bk.ec.reset(EC_KEY_new());
      EC_KEY_set_group(bk.ec.get(), group);
      EC_KEY_generate_key(bk.ec.get());
      bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
      EC_POINT_get_affine_coordinates_GFp(group, EC_KEY_get0_public_key(bk.ec.get()), x.get(), y.get(), nullptr);
      uint8_t xb[32], yb[32];
      BN_bn2bin_padded(xb, 32, x.get());
      BN_bn2bin_padded(yb, 32, y.get());
      for (auto f : {p256::TableFormat::mont64, p256::TableFormat::ifma52}) {
        bk.kernel[static_cast<int>(f)] = p256::prepare_key(xb, yb, f);
        if (!bk.kernel[static_cast<int>(f)]) r->error = "prepare_key failed";
      }
      r->keys.push_back(std::move(bk));
    }
    for (int set = 0; set < 2; ++set) {
      auto& out = set == 0 ? r->one_key : r->rotation;
      for (size_t i = 0; i < kSigs; ++i) {
        Sig s;
        s.key = set == 0 ? 0 : i % 16;
        for (auto& b : s.digest) b = static_cast<uint8_t>(rng());
        s.parsed.reset(ECDSA_do_sign(s.digest, 32, r->keys[s.key].ec.get()));
        BN_bn2bin_padded(s.rs, 32, s.parsed->r);
        BN_bn2bin_padded(s.rs + 32, 32, s.parsed->s);
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
    if (ECDSA_do_verify(s.digest, 32, s.parsed.get(), d.keys[s.key].ec.get()) != 1)
      return state.SkipWithError("BoringSSL rejected a signature");
  size_t i = 0;
  for (auto _ : state) {
    const Sig& s = sigs[i];
    benchmark::DoNotOptimize(ECDSA_do_verify(s.digest, 32, s.parsed.get(), d.keys[s.key].ec.get()));
    if (++i == sigs.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

std::vector<p256::Job> jobs_for(const std::vector<Sig>& sigs, p256::TableFormat f) {
  std::vector<p256::Job> jobs;
  for (const Sig& s : sigs) jobs.push_back(p256::Job{data().keys[s.key].kernel[static_cast<int>(f)].get(), s.digest, s.rs});
  return jobs;
}

// bm_kernel verifies `per_call` signatures per call of `variant`'s batch entry.
void bm_kernel(benchmark::State& state, std::string variant, size_t per_call, bool rotation) {
  const Data& d = data();
  if (!d.error.empty()) return state.SkipWithError(d.error.c_str());
  const p256::Variant* v = p256::find_variant(variant);
  if (v == nullptr) return state.SkipWithError(("variant not supported here: " + variant).c_str());
  const auto jobs = jobs_for(rotation ? d.rotation : d.one_key, v->format);
  std::unique_ptr<bool[]> out(new bool[jobs.size()]);
  for (size_t i = 0; i < jobs.size(); i += per_call)
    v->verify_batch(std::span<const p256::Job>(jobs).subspan(i, std::min(per_call, jobs.size() - i)), out.get() + i);
  for (size_t i = 0; i < jobs.size(); ++i)
    if (!out[i]) return state.SkipWithError("the kernel rejected a valid signature");
  // Each call verifies a fresh window of the 1024 signatures (calls of per_call do not divide it
  // evenly for 3, 5, 6, 7: wrap to the start).
  size_t i = 0;
  for (auto _ : state) {
    if (i + per_call > jobs.size()) i = 0;
    v->verify_batch(std::span<const p256::Job>(jobs).subspan(i, per_call), out.get());
    benchmark::DoNotOptimize(out.get());
    i += per_call;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * per_call));
  state.SetLabel(variant);
}

void bm_single(benchmark::State& state) {
  const Data& d = data();
  if (!d.error.empty()) return state.SkipWithError(d.error.c_str());
  const auto jobs = jobs_for(d.one_key, p256::TableFormat::mont64);
  for (const auto& j : jobs)
    if (!p256::verify_one(*j.key, j.digest, j.sig)) return state.SkipWithError("verify_one rejected a valid signature");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(p256::verify_one(*jobs[i].key, jobs[i].digest, jobs[i].sig));
    if (++i == jobs.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

int register_all() {
  benchmark::RegisterBenchmark("BM_verify_es256/boringssl", bm_boringssl, false);
  benchmark::RegisterBenchmark("BM_verify_es256/boringssl/keys:16", bm_boringssl, true);
  benchmark::RegisterBenchmark("BM_verify_es256/scalar/single", bm_single);
  benchmark::RegisterBenchmark("BM_verify_es256/scalar/batch:64", bm_kernel, std::string("scalar"), size_t{64}, false);
  for (size_t lanes = 1; lanes <= 8; ++lanes) {
    benchmark::RegisterBenchmark(("BM_verify_es256/avx512_ifma/lanes:" + std::to_string(lanes)).c_str(), bm_kernel,
                                 std::string("avx512_ifma"), lanes, false);
  }
  benchmark::RegisterBenchmark("BM_verify_es256/avx512_ifma/batch:64", bm_kernel, std::string("avx512_ifma"), size_t{64}, false);
  benchmark::RegisterBenchmark("BM_verify_es256/avx512_ifma/keys:16", bm_kernel, std::string("avx512_ifma"), size_t{64}, true);
  return 0;
}
const int registered = register_all();

}  // namespace
}  // namespace jwtbatch::bench
