// ed25519_bench.cpp: Ed25519 verification, one core, on the same signatures: BoringSSL's
// ED25519_verify against the kernel's variants (kernels/ed25519). 1024 signatures by 16 keys over
// JWT-sized signing inputs (300..450 bytes), keys prepared once (outside the timing).
//
//   BM_verify_eddsa/boringssl                 ED25519_verify, one signature per call
//   BM_verify_eddsa/scalar                    verify_scalar (per-key tables), one per call
//   BM_verify_eddsa/<variant>/lanes:N         one lanes call with N filled lanes (N = 1..8), lanes
//                                             holding different keys; items = N per call
//   BM_verify_eddsa/<variant>/batch           verify_batch over all 1024 (full groups of 8)
// Every path is checked to accept every signature before timing (SkipWithError otherwise).
#include <benchmark/benchmark.h>

#include <openssl/curve25519.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/ed25519/ed25519.hpp"

namespace {

namespace ed = jwtbatch::kernels::ed25519;

struct Corpus {
  static constexpr int kKeys = 16;
  static constexpr int kSigs = 1024;
  std::vector<std::array<uint8_t, 32>> pks;
  std::vector<std::unique_ptr<ed::PublicKey>> keys;
  std::vector<std::string> msgs;
  std::vector<std::array<uint8_t, 64>> sigs;
  std::vector<int> key_of;
  Corpus() {
    std::mt19937_64 rng(42);
    pks.resize(kKeys);
    std::vector<std::array<uint8_t, 64>> sks(kKeys);
    for (int k = 0; k < kKeys; ++k) {
      uint8_t seed[32];
      for (auto& x : seed) x = static_cast<uint8_t>(rng());
      ED25519_keypair_from_seed(pks[k].data(), sks[k].data(), seed);
      keys.push_back(ed::prepare_public_key(std::span<const uint8_t, 32>(pks[k].data(), 32)));
    }
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < kSigs; ++i) {
      std::string m(300 + rng() % 151, 'x');
      for (auto& c : m) c = kAlphabet[rng() % 64];
      m[36] = '.';
      const int k = static_cast<int>(rng() % kKeys);
      std::array<uint8_t, 64> sig;
      ED25519_sign(sig.data(), reinterpret_cast<const uint8_t*>(m.data()), m.size(), sks[k].data());
      msgs.push_back(std::move(m));
      sigs.push_back(sig);
      key_of.push_back(k);
    }
  }
  ed::Job job(int i) const {
    return ed::Job{keys[key_of[i]].get(), reinterpret_cast<const uint8_t*>(msgs[i].data()), msgs[i].size(),
                   sigs[i].data(), false};
  }
};

const Corpus& corpus() {
  static const Corpus c;
  return c;
}

void bm_boringssl(benchmark::State& state) {
  const Corpus& c = corpus();
  for (int i = 0; i < Corpus::kSigs; ++i) {
    if (ED25519_verify(reinterpret_cast<const uint8_t*>(c.msgs[i].data()), c.msgs[i].size(), c.sigs[i].data(),
                       c.pks[c.key_of[i]].data()) != 1) {
      return state.SkipWithError("BoringSSL rejected a signature");
    }
  }
  int i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ED25519_verify(reinterpret_cast<const uint8_t*>(c.msgs[i].data()), c.msgs[i].size(),
                                            c.sigs[i].data(), c.pks[c.key_of[i]].data()));
    if (++i == Corpus::kSigs) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void bm_scalar(benchmark::State& state) {
  const Corpus& c = corpus();
  auto verify = [&](int i) {
    return ed::verify_scalar(*c.keys[c.key_of[i]], {reinterpret_cast<const uint8_t*>(c.msgs[i].data()), c.msgs[i].size()},
                             std::span<const uint8_t, 64>(c.sigs[i].data(), 64));
  };
  for (int i = 0; i < Corpus::kSigs; ++i)
    if (!verify(i)) return state.SkipWithError("scalar rejected a signature");
  int i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(verify(i));
    if (++i == Corpus::kSigs) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetLabel("scalar");
}

void bm_lanes(benchmark::State& state, size_t variant_index) {
  const Corpus& c = corpus();
  const ed::Variant& v = ed::supported_variants()[variant_index];
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<ed::Job> jobs;
  for (int i = 0; i < Corpus::kSigs; ++i) jobs.push_back(c.job(i));
  // Check: every group of n, as timed.
  for (size_t i = 0; i + n <= jobs.size(); i += n) {
    v.verify_lanes(&jobs[i], n);
    for (size_t j = i; j < i + n; ++j)
      if (!jobs[j].valid) return state.SkipWithError("a lane rejected a valid signature");
  }
  size_t i = 0;
  for (auto _ : state) {
    v.verify_lanes(&jobs[i], n);
    i += n;
    if (i + n > jobs.size()) i = 0;
  }
  benchmark::DoNotOptimize(jobs.data());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.SetLabel(std::string(v.name));
}

void bm_batch(benchmark::State& state, size_t variant_index) {
  const Corpus& c = corpus();
  const ed::Variant& v = ed::supported_variants()[variant_index];
  std::vector<ed::Job> jobs;
  for (int i = 0; i < Corpus::kSigs; ++i) jobs.push_back(c.job(i));
  ed::verify_batch(jobs, v);
  for (const auto& j : jobs)
    if (!j.valid) return state.SkipWithError("verify_batch rejected a valid signature");
  for (auto _ : state) {
    ed::verify_batch(jobs, v);
    benchmark::DoNotOptimize(jobs.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * jobs.size()));
  state.SetLabel(std::string(v.name));
}

int register_all() {
  benchmark::RegisterBenchmark("BM_verify_eddsa/boringssl", bm_boringssl);
  benchmark::RegisterBenchmark("BM_verify_eddsa/scalar", bm_scalar);
  const auto variants = ed::supported_variants();
  for (size_t vi = 0; vi < variants.size(); ++vi) {
    const std::string name(variants[vi].name);
    if (name != "scalar") {
      benchmark::RegisterBenchmark(("BM_verify_eddsa/" + name).c_str(), bm_lanes, vi)
          ->ArgName("lanes")
          ->DenseRange(1, static_cast<int>(ed::kMaxLanes));
    }
    benchmark::RegisterBenchmark(("BM_verify_eddsa/" + name + "/batch").c_str(), bm_batch, vi);
  }
  return 0;
}
const int registered = register_all();

}  // namespace
