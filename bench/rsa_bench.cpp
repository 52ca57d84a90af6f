// rsa_bench.cpp: the RSA public operation and RS256 / PS256 verification, kernels against BoringSSL
// on the same signatures (one core; compare ratios within one run).
//
//   BM_rsa_public/<bits>/boringssl        RSA_verify_raw (no padding), key and Montgomery ctx cached
//   BM_rsa_public/<bits>/scalar           public_op_scalar
//   BM_rsa_public/<bits>/ifma/lanes:N     one IFMA batch with N filled lanes (N = 1..8; items = N)
//   BM_rsa_pkcs1/<bits>/ifma/lanes:8      the IFMA PKCS#1 check (Pkcs1CheckBatch) on 8 lanes
//   BM_verify_<alg>/<bits>/boringssl      SHA-2 + RSA_verify / RSA_verify_pss_mgf1 per signature
//   BM_verify_<alg>/<bits>/<variant>/jobs:N   verify_rsa_jobs_with on N jobs (lanes filled, checks,
//                                         hashes; a single job goes through BoringSSL's raw op)
//
// Keys are generated once per size, signatures over token-like messages of ~300 bytes. Every result
// is checked before timing (SkipWithError on mismatch).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <openssl/bn.h>
#include <openssl/digest.h>
#include <openssl/err.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "engine/sig/crypto.hpp"
#include "engine/sig/rsa.hpp"
#include "kernels/rsa/rsa.hpp"

namespace jwtbatch::bench {
namespace {

namespace krsa = kernels::rsa;
using Bytes = std::vector<uint8_t>;
constexpr size_t kNumSigs = 64;

struct Fixture {
  bssl::UniquePtr<RSA> rsa;
  std::optional<engine::PreparedKey> key;
  std::vector<std::string> msgs;
  std::vector<Bytes> rs256, ps256;  // signatures
  std::vector<Bytes> raw_out;       // s^e mod n of rs256, by BoringSSL
};

const Fixture& fixture(int bits) {
  static std::map<int, std::unique_ptr<Fixture>> cache;
  auto& slot = cache[bits];
  if (slot) return *slot;
  slot = std::make_unique<Fixture>();
  Fixture& f = *slot;
  f.rsa.reset(RSA_new());
  bssl::UniquePtr<BIGNUM> e(BN_new());
  BN_set_word(e.get(), 65537);
  RSA_generate_key_ex(f.rsa.get(), bits, e.get(), nullptr);
  Bytes n(BN_num_bytes(RSA_get0_n(f.rsa.get()))), eb(BN_num_bytes(RSA_get0_e(f.rsa.get())));
  BN_bn2bin(RSA_get0_n(f.rsa.get()), n.data());
  BN_bn2bin(RSA_get0_e(f.rsa.get()), eb.data());
  f.key = engine::prepare_rsa(n, eb, AlgSet{}, nullptr);
  // Without IFMA the engine keeps BoringSSL and prepares no kernel context; the scalar benchmarks
  // still want one.
  if (engine::RsaKey* rk = f.key->as<engine::RsaKey>(); !rk->kernel) rk->kernel = krsa::prepare_key(n, eb);
  std::mt19937_64 rng(bits);
  const size_t k = RSA_size(f.rsa.get());
  for (size_t i = 0; i < kNumSigs; ++i) {
    std::string m = "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzIn0.";
    while (m.size() < 300) m += static_cast<char>('a' + rng() % 26);
    f.msgs.push_back(m);
    uint8_t d[32];
    SHA256(reinterpret_cast<const uint8_t*>(m.data()), m.size(), d);
    Bytes s(k);
    unsigned len = 0;
    RSA_sign(NID_sha256, d, 32, s.data(), &len, f.rsa.get());
    f.rs256.push_back(s);
    size_t plen = 0;
    RSA_sign_pss_mgf1(f.rsa.get(), &plen, s.data(), k, d, 32, EVP_sha256(), EVP_sha256(), 32);
    f.ps256.push_back(s);
    Bytes out(k);
    size_t out_len = 0;
    RSA_verify_raw(f.rsa.get(), &out_len, out.data(), k, f.rs256.back().data(), k, RSA_NO_PADDING);
    f.raw_out.push_back(out);
  }
  return f;
}

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void public_boringssl(benchmark::State& state, int bits) {
  const Fixture& f = fixture(bits);
  const size_t k = RSA_size(f.rsa.get());
  Bytes out(k);
  size_t i = 0, out_len = 0;
  for (auto _ : state) {
    RSA_verify_raw(f.rsa.get(), &out_len, out.data(), k, f.rs256[i].data(), k, RSA_NO_PADDING);
    benchmark::DoNotOptimize(out.data());
    if (++i == kNumSigs) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void public_scalar(benchmark::State& state, int bits) {
  const Fixture& f = fixture(bits);
  const krsa::Key& key = *f.key->as<engine::RsaKey>()->kernel;
  Bytes out(key.n_len);
  krsa::public_op_scalar(key, f.rs256[0].data(), out.data());
  if (out != f.raw_out[0]) return state.SkipWithError("scalar result differs from BoringSSL");
  size_t i = 0;
  for (auto _ : state) {
    krsa::public_op_scalar(key, f.rs256[i].data(), out.data());
    benchmark::DoNotOptimize(out.data());
    if (++i == kNumSigs) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void public_batch(benchmark::State& state, int bits, const char* variant) {
  const krsa::Variant* v = krsa::find_variant(variant);
  if (v == nullptr) return state.SkipWithError("variant not supported on this CPU");
  const Fixture& f = fixture(bits);
  const size_t lanes = static_cast<size_t>(state.range(0));
  const krsa::Key* keys[krsa::kMaxLanes];
  const uint8_t* s[krsa::kMaxLanes];
  uint8_t* out[krsa::kMaxLanes];
  std::vector<Bytes> outs(lanes, Bytes(f.key->as<engine::RsaKey>()->kernel->n_len));
  for (size_t i = 0; i < lanes; ++i) {
    keys[i] = f.key->as<engine::RsaKey>()->kernel.get();
    s[i] = f.rs256[i].data();
    out[i] = outs[i].data();
  }
  v->batch(keys, s, out, lanes);
  for (size_t i = 0; i < lanes; ++i)
    if (outs[i] != f.raw_out[i]) return state.SkipWithError("batch result differs from BoringSSL");
  for (auto _ : state) {
    v->batch(keys, s, out, lanes);
    benchmark::DoNotOptimize(outs[0].data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lanes));
  state.counters["lanes"] = static_cast<double>(lanes);
}

// pkcs1_batch: the kernel's PKCS#1 check on 8 lanes of one key (digests precomputed), the part of
// an RS* batch that replaces the public operation and the encoding comparison.
void pkcs1_batch(benchmark::State& state, int bits, const char* variant) {
  const krsa::Variant* v = krsa::find_variant(variant);
  if (v == nullptr) return state.SkipWithError("variant not supported on this CPU");
  const Fixture& f = fixture(bits);
  const krsa::Key& key = *f.key->as<engine::RsaKey>()->kernel;
  const size_t lanes = krsa::kMaxLanes;
  uint8_t d[krsa::kMaxLanes][32];
  const uint8_t* s[krsa::kMaxLanes];
  const uint8_t* digests[krsa::kMaxLanes];
  size_t lens[krsa::kMaxLanes];
  for (size_t i = 0; i < lanes; ++i) {
    SHA256(reinterpret_cast<const uint8_t*>(f.msgs[i].data()), f.msgs[i].size(), d[i]);
    s[i] = f.rs256[i].data();
    digests[i] = d[i];
    lens[i] = 32;
  }
  if (v->pkcs1_batch(key, s, digests, lens, lanes) != (1u << lanes) - 1)
    return state.SkipWithError("a signature did not pass the PKCS#1 check");
  for (auto _ : state) benchmark::DoNotOptimize(v->pkcs1_batch(key, s, digests, lens, lanes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lanes));
}

void verify_boringssl(benchmark::State& state, int bits, bool pss) {
  const Fixture& f = fixture(bits);
  const auto& sigs = pss ? f.ps256 : f.rs256;
  RSA* rsa = f.rsa.get();
  auto one = [&](size_t i) {
    uint8_t d[32];
    SHA256(reinterpret_cast<const uint8_t*>(f.msgs[i].data()), f.msgs[i].size(), d);
    int ok = pss ? RSA_verify_pss_mgf1(rsa, d, 32, EVP_sha256(), EVP_sha256(), 32, sigs[i].data(), sigs[i].size())
                 : RSA_verify(NID_sha256, d, 32, sigs[i].data(), sigs[i].size(), rsa);
    return ok == 1;
  };
  for (size_t i = 0; i < kNumSigs; ++i)
    if (!one(i)) return state.SkipWithError("BoringSSL rejects a signature");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(one(i));
    if (++i == kNumSigs) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void verify_kernel(benchmark::State& state, int bits, bool pss, const char* variant) {
  const krsa::Variant* v = krsa::find_variant(variant);
  if (v == nullptr) return state.SkipWithError("variant not supported on this CPU");
  const Fixture& f = fixture(bits);
  const auto& sigs = pss ? f.ps256 : f.rs256;
  const size_t num = static_cast<size_t>(state.range(0));
  std::vector<engine::SigJob> jobs;
  for (size_t i = 0; i < num; ++i)
    jobs.push_back(engine::SigJob{&*f.key, pss ? Alg::ps256 : Alg::rs256, bytes(f.msgs[i]), sigs[i], false});
  engine::verify_rsa_jobs_with(jobs, *v);
  for (const auto& j : jobs)
    if (!j.valid) return state.SkipWithError("a signature did not verify");
  for (auto _ : state) {
    engine::verify_rsa_jobs_with(jobs, *v);
    benchmark::DoNotOptimize(jobs.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * num));
}

int register_all() {
  for (int bits : {2048, 3072, 4096}) {
    const std::string b = std::to_string(bits);
    benchmark::RegisterBenchmark(("BM_rsa_public/" + b + "/boringssl").c_str(), public_boringssl, bits);
    benchmark::RegisterBenchmark(("BM_rsa_public/" + b + "/scalar").c_str(), public_scalar, bits);
    benchmark::RegisterBenchmark(("BM_rsa_public/" + b + "/ifma").c_str(), public_batch, bits, "avx512_ifma")
        ->ArgName("lanes")
        ->DenseRange(1, 8);
    benchmark::RegisterBenchmark(("BM_rsa_pkcs1/" + b + "/ifma/lanes:8").c_str(), pkcs1_batch, bits,
                                 "avx512_ifma");
    for (bool pss : {false, true}) {
      const std::string name = std::string("BM_verify_") + (pss ? "ps256/" : "rs256/") + b;
      benchmark::RegisterBenchmark((name + "/boringssl").c_str(), verify_boringssl, bits, pss);
      benchmark::RegisterBenchmark((name + "/scalar").c_str(), verify_kernel, bits, pss, "scalar")
          ->ArgName("jobs")->Arg(64);
      auto* b = benchmark::RegisterBenchmark((name + "/ifma").c_str(), verify_kernel, bits, pss,
                                             "avx512_ifma");
      b->ArgName("jobs");
      if (bits == 2048 && !pss) b->DenseRange(1, 8);  // partial chunks: 1 single, then lanes
      b->Arg(64);
    }
  }
  return 0;
}
const int kRegistered = register_all();

}  // namespace
}  // namespace jwtbatch::bench
