// ed25519_bench.cpp: Ed25519 verification, one core, on the same signatures: BoringSSL's
// ED25519_verify against the kernel's variants (kernels/ed25519). 1024 signatures by 16 keys over
// JWT-sized signing inputs (300..450 bytes), keys prepared once (outside the timing).
//
//   BM_verify_eddsa/boringssl                 ED25519_verify, one signature per call
//   BM_verify_eddsa/scalar                    verify_scalar (per-key tables), one per call
//   BM_verify_eddsa/<variant>/lanes:N         one lanes call with N filled lanes (N = 1..8), lanes
//                                             holding different keys; items = N per call
//   BM_verify_eddsa/<variant>/batch           verify_batch over all 1024 (full groups of 8)
//   BM_prepare_ed25519_key                    load-time cost of one key (decode + table of -A)
//   BM_verify_e2e_eddsa/batch/threads:1       all six stages (Verifier::verify_batch, one thread)
//                                             over 4096 EdDSA JWTs by the same 16 keys, ~400-byte
//                                             signing inputs; compare with .../boringssl
// Every path is checked to accept every signature before timing (SkipWithError otherwise).
#include <benchmark/benchmark.h>

#include <openssl/curve25519.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "jwtbatch/jwtbatch.hpp"
#include "kernels/base64url/base64url.hpp"
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

std::string b64(const uint8_t* p, size_t n) {
  std::string out(jwtbatch::kernels::base64url_encoded_len(n), '\0');
  jwtbatch::kernels::base64url_encode_scalar({p, n}, {out.data(), out.size()});
  return out;
}
std::string b64(std::string_view s) { return b64(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

// E2eCorpus: a JWKS of 16 Ed25519 keys and 4096 JWTs signed by them in random key order.
struct E2eCorpus {
  std::shared_ptr<const jwtbatch::KeySet> keys;
  std::vector<std::string> tokens;
  std::vector<std::string_view> views;
  std::string error;
  E2eCorpus() {
    std::mt19937_64 rng(43);
    std::string jwks = "{\"keys\":[";
    std::vector<std::array<uint8_t, 64>> sks(16);
    for (int k = 0; k < 16; ++k) {
      uint8_t seed[32], pk[32];
      for (auto& x : seed) x = static_cast<uint8_t>(rng());
      ED25519_keypair_from_seed(pk, sks[k].data(), seed);
      jwks += std::string(k ? "," : "") + "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"EdDSA\",\"kid\":\"ed" +
              std::to_string(k) + "\",\"x\":\"" + b64(pk, 32) + "\"}";
    }
    jwks += "]}";
    keys = jwtbatch::KeySet::from_jwks(jwks, &error);
    for (int i = 0; i < 4096 && keys; ++i) {
      const int k = static_cast<int>(rng() % 16);
      const std::string header = "{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\"ed" + std::to_string(k) + "\"}";
      std::string claims = "{\"iss\":\"https://issuer.example.com\",\"sub\":\"user-" + std::to_string(rng() % 1000000) +
                           "\",\"aud\":\"api.example.com\",\"iat\":1767220000,\"exp\":1767229200,\"jti\":\"" +
                           std::to_string(rng()) + "\",\"scope\":\"";
      for (int w = 0; w < 12; ++w) claims += std::string(w ? " " : "") + "read:res" + std::to_string(rng() % 100);
      claims += "\"}";
      const std::string input = b64(header) + "." + b64(claims);
      uint8_t sig[64];
      ED25519_sign(sig, reinterpret_cast<const uint8_t*>(input.data()), input.size(), sks[k].data());
      tokens.push_back(input + "." + b64(sig, 64));
    }
    for (const auto& t : tokens) views.push_back(t);
  }
};

void bm_e2e(benchmark::State& state) {
  static const E2eCorpus c;
  if (!c.keys) return state.SkipWithError(("JWKS: " + c.error).c_str());
  jwtbatch::Verifier verifier(c.keys, jwtbatch::Policy{});
  std::vector<jwtbatch::Verdict> out(c.views.size());
  constexpr jwtbatch::UnixSeconds kNow = 1767225600;
  verifier.verify_batch(c.views, out, kNow, nullptr, {1});
  for (const auto& v : out)
    if (v.status != jwtbatch::Status::ok) return state.SkipWithError("a token did not verify");
  size_t bytes = 0;
  for (auto t : c.views) bytes += t.size();
  for (auto _ : state) {
    verifier.verify_batch(c.views, out, kNow, nullptr, {1});
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.views.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetLabel(std::string(ed::active_variant().name));
}

void bm_prepare(benchmark::State& state) {
  const Corpus& c = corpus();
  size_t i = 0;
  for (auto _ : state) {
    auto key = ed::prepare_public_key(std::span<const uint8_t, 32>(c.pks[i].data(), 32));
    benchmark::DoNotOptimize(key.get());
    if (++i == c.pks.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

int register_all() {
  benchmark::RegisterBenchmark("BM_prepare_ed25519_key", bm_prepare);
  benchmark::RegisterBenchmark("BM_verify_e2e_eddsa/batch/threads:1", bm_e2e);
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
