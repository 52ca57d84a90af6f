// sha_bench.cpp: the multi-buffer hash kernels (kernels/sha256, kernels/sha512) against BoringSSL
// on the same messages (one core; compare ratios within one run).
//
//   BM_<hash>/<len>/boringssl        SHA256()/SHA384()/SHA512() one message at a time
//   BM_<hash>/<len>/<variant>        the kernel's variant on all messages in one call
//   BM_sha256/<len>/shani/lanes:N    sha256_many_shani_lanes with N = 1..4 messages in flight
//   BM_sha256/<len>/avx512_x16       sha256_many_avx512, 16 AVX-512 lanes (not dispatched)
//   BM_sha256/<len>/<shani|avx512_x16>/calls_of:N  the same 64 messages in calls of N (4, 8, 12, 16,
//                                    32), the batch shapes between which the two trade places
//
// 64 messages per iteration: SHA-256 of 610 bytes (a typical RS256 signing input) or 150 bytes (a
// short HS256 token), SHA-384/512 of 600 or 150 bytes; items are messages, bytes their lengths.
// Every digest is checked against BoringSSL before timing (SkipWithError on mismatch).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <openssl/sha.h>

#include "kernels/cpu/features.hpp"
#include "kernels/sha256/sha256.hpp"
#include "kernels/sha512/sha512.hpp"

namespace jwtbatch::bench {
namespace {

namespace ksha = kernels::sha256;
namespace ksha512 = kernels::sha512;
constexpr size_t kNumMsgs = 64;

// Hash is one hash function and its BoringSSL one-shot.
struct Hash {
  std::string name;  // "sha256", "sha384", "sha512"
  size_t digest_len;
  uint8_t* (*boringssl)(const uint8_t*, size_t, uint8_t*);
  ksha512::Hash member = ksha512::Hash::sha512;  // for the SHA-512 family's kernels
};

// Fixture holds kNumMsgs messages of `len` bytes, back to back, their outputs, BoringSSL's digests
// of them, and the kernels' message lists over them (made once, outside the timed loop).
struct Fixture {
  Fixture(const Hash& hash, size_t len) : len(len), dl(hash.digest_len) {
    std::mt19937_64 rng(len);
    data.resize(kNumMsgs * len);
    for (auto& b : data) b = static_cast<uint8_t>('a' + rng() % 26);
    out.resize(kNumMsgs * dl);
    want.resize(kNumMsgs * dl);
    for (size_t i = 0; i < kNumMsgs; ++i) {
      hash.boringssl(msg(i), len, want.data() + i * dl);
      m256.push_back({msg(i), len, nullptr, 0, digest(i)});
      m512.push_back({msg(i), len, nullptr, 0, digest(i), hash.member});
    }
  }
  const uint8_t* msg(size_t i) const { return data.data() + i * len; }
  uint8_t* digest(size_t i) { return out.data() + i * dl; }

  size_t len, dl;
  std::vector<uint8_t> data, out, want;
  std::vector<ksha::Sha256Msg> m256;
  std::vector<ksha512::Sha512Msg> m512;
};

void finish(benchmark::State& state, size_t len) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kNumMsgs));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kNumMsgs * len));
}

void one_at_a_time(benchmark::State& state, const Hash& hash, size_t len) {
  Fixture f(hash, len);
  for (auto _ : state) {
    for (size_t i = 0; i < kNumMsgs; ++i) hash.boringssl(f.msg(i), len, f.digest(i));
    benchmark::DoNotOptimize(f.out.data());
    benchmark::ClobberMemory();
  }
  finish(state, len);
}

// in_one_call times `run` (one kernel call over all the fixture's messages).
void in_one_call(benchmark::State& state, const Hash& hash, size_t len, const std::function<void(Fixture&)>& run) {
  Fixture f(hash, len);
  run(f);
  if (f.out != f.want) return state.SkipWithError("a digest differs from BoringSSL's");
  for (auto _ : state) {
    run(f);
    benchmark::DoNotOptimize(f.out.data());
    benchmark::ClobberMemory();
  }
  finish(state, len);
}

// sha256_run and sha512_run make a `run` for in_one_call from a kernel entry.
std::function<void(Fixture&)> sha256_run(std::function<void(const ksha::Sha256Msg*, size_t)> many) {
  return [many](Fixture& f) { many(f.m256.data(), kNumMsgs); };
}
std::function<void(Fixture&)> sha512_run(ksha512::Sha512Many many) {
  return [many](Fixture& f) { many(f.m512.data(), kNumMsgs); };
}

void add(const std::string& name, const Hash& hash, size_t len, std::function<void(Fixture&)> run) {
  benchmark::RegisterBenchmark(name.c_str(), [hash, len, run](benchmark::State& s) { in_one_call(s, hash, len, run); });
}

int register_all() {
  benchmark::AddCustomContext("jwtbatch.sha256.active", std::string(ksha::active_variant().name));
  benchmark::AddCustomContext("jwtbatch.sha512.active", std::string(ksha512::active_variant().name));
  const Hash sha256{"sha256", 32, SHA256};
  for (size_t len : {size_t{610}, size_t{150}}) {
    const std::string name = "BM_sha256/" + std::to_string(len);
    benchmark::RegisterBenchmark((name + "/boringssl").c_str(), one_at_a_time, sha256, len);
    for (const ksha::Variant& v : ksha::supported_variants())
      add(name + "/" + std::string(v.name), sha256, len, sha256_run(v.many));
#if defined(__x86_64__)
    if (ksha::find_variant("shani") != nullptr) {
      for (size_t lanes = 1; lanes <= ksha::kMaxLanes; ++lanes) {
        add(name + "/shani/lanes:" + std::to_string(lanes), sha256, len,
            sha256_run([lanes](const ksha::Sha256Msg* m, size_t n) { ksha::sha256_many_shani_lanes(m, n, lanes); }));
      }
    }
#endif
#if defined(__x86_64__)
    // The 16 AVX-512 lanes (not a dispatch variant, sha256.hpp), and both in calls of N.
    using Many = void (*)(const ksha::Sha256Msg*, size_t) noexcept;
    std::vector<std::pair<std::string, Many>> wide;
    if (ksha::find_variant("shani") != nullptr) wide.emplace_back("shani", &ksha::sha256_many_shani);
    if (kernels::cpu_features().has_all({kernels::Feature::avx512f, kernels::Feature::avx512bw})) {
      wide.emplace_back("avx512_x16", &ksha::sha256_many_avx512);
      add(name + "/avx512_x16", sha256, len, sha256_run(&ksha::sha256_many_avx512));
    }
    for (const auto& [variant, many] : wide) {
      for (size_t per_call : {4, 8, 12, 16, 32}) {
        add(name + "/" + variant + "/calls_of:" + std::to_string(per_call), sha256, len, [many, per_call](Fixture& f) {
          for (size_t i = 0; i < kNumMsgs; i += per_call) many(f.m256.data() + i, std::min(per_call, kNumMsgs - i));
        });
      }
    }
#endif
  }
  const Hash sha384{"sha384", 48, SHA384, ksha512::Hash::sha384}, sha512{"sha512", 64, SHA512, ksha512::Hash::sha512};
  for (const Hash* hash : {&sha384, &sha512}) {
    for (size_t len : {size_t{600}, size_t{150}}) {
      const std::string name = "BM_" + hash->name + "/" + std::to_string(len);
      benchmark::RegisterBenchmark((name + "/boringssl").c_str(), one_at_a_time, *hash, len);
      for (const ksha512::Variant& v : ksha512::supported_variants())
        add(name + "/" + std::string(v.name), *hash, len, sha512_run(v.many));
    }
  }
  return 0;
}

const int kRegistered = register_all();

}  // namespace
}  // namespace jwtbatch::bench
