// sha256_bench.cpp: the multi-buffer SHA-256 kernels against BoringSSL on the same messages (one
// core; compare ratios within one run).
//
//   BM_sha256/<len>/boringssl        SHA256() one message at a time (SHA-NI code where the CPU has it)
//   BM_sha256/<len>/scalar           sha256_many_scalar on all messages in one call
//   BM_sha256/<len>/shani            sha256_many_shani (4 lanes)
//   BM_sha256/<len>/shani/lanes:N    sha256_many_shani_lanes with N = 1..4 messages in flight
//
// 64 messages per iteration, of 610 bytes (a typical RS256 signing input) or 150 bytes (a short
// HS256 token); items are messages, bytes their lengths. Every digest is checked against BoringSSL
// before timing (SkipWithError on mismatch).
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <openssl/sha.h>

#include "kernels/sha256/sha256.hpp"

namespace jwtbatch::bench {
namespace {

namespace ksha = kernels::sha256;
constexpr size_t kNumMsgs = 64;

struct Fixture {
  std::vector<uint8_t> data;  // kNumMsgs messages of `len` bytes, back to back
  std::vector<uint8_t> out;
  std::vector<uint8_t> want;  // BoringSSL's digests
  std::vector<ksha::Sha256Msg> msgs;
};

Fixture make_fixture(size_t len) {
  Fixture f;
  std::mt19937_64 rng(len);
  f.data.resize(kNumMsgs * len);
  for (auto& b : f.data) b = static_cast<uint8_t>('a' + rng() % 26);
  f.out.resize(kNumMsgs * ksha::kDigestLen);
  f.want.resize(kNumMsgs * ksha::kDigestLen);
  for (size_t i = 0; i < kNumMsgs; ++i) {
    f.msgs.push_back({f.data.data() + i * len, len, nullptr, 0, f.out.data() + i * ksha::kDigestLen});
    SHA256(f.data.data() + i * len, len, f.want.data() + i * ksha::kDigestLen);
  }
  return f;
}

void finish(benchmark::State& state, size_t len) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kNumMsgs));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kNumMsgs * len));
}

void sha256_boringssl(benchmark::State& state, size_t len) {
  Fixture f = make_fixture(len);
  for (auto _ : state) {
    for (size_t i = 0; i < kNumMsgs; ++i) SHA256(f.msgs[i].data, len, f.msgs[i].out);
    benchmark::DoNotOptimize(f.out.data());
    benchmark::ClobberMemory();
  }
  finish(state, len);
}

// many runs `run` (a call over all messages); max_lanes 0: the variant's own width.
template <typename Run>
void sha256_many(benchmark::State& state, size_t len, Run run) {
  Fixture f = make_fixture(len);
  run(f.msgs.data(), kNumMsgs);
  if (f.out != f.want) return state.SkipWithError("a digest differs from BoringSSL's");
  for (auto _ : state) {
    run(f.msgs.data(), kNumMsgs);
    benchmark::DoNotOptimize(f.out.data());
    benchmark::ClobberMemory();
  }
  finish(state, len);
}

int register_all() {
  benchmark::AddCustomContext("jwtbatch.sha256.active", std::string(ksha::active_variant().name));
  for (size_t len : {size_t{610}, size_t{150}}) {
    const std::string name = "BM_sha256/" + std::to_string(len);
    benchmark::RegisterBenchmark((name + "/boringssl").c_str(), sha256_boringssl, len);
    for (const ksha::Variant& v : ksha::supported_variants()) {
      benchmark::RegisterBenchmark((name + "/" + std::string(v.name)).c_str(), [len, many = v.many](benchmark::State& s) {
        sha256_many(s, len, many);
      });
    }
#if defined(__x86_64__)
    if (ksha::find_variant("shani") != nullptr) {
      for (size_t lanes = 1; lanes <= ksha::kMaxLanes; ++lanes) {
        benchmark::RegisterBenchmark((name + "/shani/lanes:" + std::to_string(lanes)).c_str(),
                                     [len, lanes](benchmark::State& s) {
                                       sha256_many(s, len, [lanes](const ksha::Sha256Msg* m, size_t n) {
                                         ksha::sha256_many_shani_lanes(m, n, lanes);
                                       });
                                     });
      }
    }
#endif
  }
  return 0;
}

const int kRegistered = register_all();

}  // namespace
}  // namespace jwtbatch::bench
