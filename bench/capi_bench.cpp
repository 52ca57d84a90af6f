// capi_bench.cpp: the latency of one verification through the C API (include/jwtbatch/jwtbatch.h),
// the per-request path of a gateway, per algorithm, with and without the verified-token cache.
//
//   BM_capi_verify/<alg>/cache:off       jwtbatch_verify, one token per call, cycling over the
//                                        corpus's valid tokens of <alg> (every call verifies)
//   BM_capi_verify/<alg>/cache:hit       the same with the cache on and warm: every call is a hit
//                                        (SHA-256 of the token, one shard lock, a copy)
//   BM_capi_verify/<alg>/claims/cache:off|hit   the same, returning "sub,iss,aud" as JSON
//
// Compare with BM_verify_e2e/<alg>/single (Verifier::verify, e2e_bench.cpp) in the same run: the
// C API's own cost is the difference.
#include <benchmark/benchmark.h>

#include <string>

#include "bench/bench_corpus.hpp"
#include "jwtbatch/jwtbatch.h"

namespace jwtbatch::bench {
namespace {

void capi_verify(benchmark::State& state, Alg alg, bool cache, bool claims) {
  const BenchCorpus& c = bench_corpus();
  const auto& tokens = c.valid_by_alg[static_cast<size_t>(alg)];
  if (!c.error.empty() || tokens.empty()) return state.SkipWithError(("no corpus: " + c.error).c_str());
  jwtbatch_options* o = jwtbatch_options_new();
  char err[256];
  for (const std::string& iss : c.policy.issuers) jwtbatch_options_set(o, "iss", iss.c_str(), err, sizeof err);
  for (const std::string& aud : c.policy.audiences) jwtbatch_options_set(o, "aud", aud.c_str(), err, sizeof err);
  jwtbatch_options_set(o, "cache_size", cache ? "4096" : "0", err, sizeof err);
  if (claims) jwtbatch_options_set(o, "claims", "sub,iss,aud", err, sizeof err);
  jwtbatch_verifier* v = jwtbatch_verifier_new(c.jwks.data(), c.jwks.size(), o, err, sizeof err);
  jwtbatch_options_free(o);
  if (!v) return state.SkipWithError(err);
  char buf[4096];
  jwtbatch_result r;
  // Check (and warm the cache): every token must verify, with claims when asked for.
  for (std::string_view t : tokens) {
    if (jwtbatch_verify(v, t.data(), t.size(), c.now, &r, buf, sizeof buf) != JWTBATCH_OK ||
        (claims && r.claims_len == 0)) {
      jwtbatch_verifier_free(v);
      return state.SkipWithError("a corpus token did not verify");
    }
  }
  size_t i = 0, bytes = 0, from_cache = 0;
  for (auto _ : state) {
    const std::string_view t = tokens[i];
    benchmark::DoNotOptimize(jwtbatch_verify(v, t.data(), t.size(), c.now, &r, buf, sizeof buf));
    from_cache += r.from_cache;
    bytes += t.size();
    if (++i == tokens.size()) i = 0;
  }
  if (from_cache != static_cast<size_t>(cache ? state.iterations() : 0)) state.SkipWithError("cache hits not as expected");
  jwtbatch_verifier_free(v);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

const int kRegistered = [] {
  for (size_t a = 1; a < kNumAlgs; ++a) {
    const Alg alg = static_cast<Alg>(a);
    const std::string name = "BM_capi_verify/" + std::string(to_string(alg));
    benchmark::RegisterBenchmark((name + "/cache:off").c_str(), capi_verify, alg, false, false);
    benchmark::RegisterBenchmark((name + "/cache:hit").c_str(), capi_verify, alg, true, false);
    benchmark::RegisterBenchmark((name + "/claims/cache:off").c_str(), capi_verify, alg, false, true);
    benchmark::RegisterBenchmark((name + "/claims/cache:hit").c_str(), capi_verify, alg, true, true);
  }
  return 0;
}();

}  // namespace
}  // namespace jwtbatch::bench
