// scheduler_bench.cpp: thread scaling of Verifier::verify_batch (the TBB scheduler). One batch of
// the demo corpus's valid tokens of one algorithm, repeated to max(4096, 2 chunks per hardware
// thread) tokens, verified on N threads (BatchOptions.threads = N: a tbb::task_arena of N for
// N > 1, the calling thread alone for N = 1). Wall-clock time (UseRealTime), tokens and bytes/s.
//
//   BM_pipeline/<ALG>/threads:N/real_time   HS256 and ES256: N = 1, 2, ... hardware threads
//                                           every other algorithm: N = hardware threads only
//                                           (end-to-end at all threads, for the README table)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <thread>

#include "bench/bench_corpus.hpp"
#include "engine/pipeline.hpp"
#include "kernels/cpu/cpu.hpp"

namespace jwtbatch::bench {
namespace {

unsigned hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

size_t batch_tokens() { return std::max<size_t>(4096, 2 * engine::kChunkTokens * hardware_threads()); }

void BM_pipeline_threads(benchmark::State& state, Alg alg) {
  const BenchCorpus& c = bench_corpus();
  const auto& valid = c.valid_by_alg[static_cast<size_t>(alg)];
  if (!c.error.empty() || valid.empty()) return state.SkipWithError(("no corpus: " + c.error).c_str());
  std::vector<std::string_view> tokens;
  tokens.reserve(batch_tokens());
  while (tokens.size() < batch_tokens()) tokens.push_back(valid[tokens.size() % valid.size()]);
  size_t bytes = 0;
  for (std::string_view t : tokens) bytes += t.size();
  const BatchOptions options{static_cast<unsigned>(state.range(0))};
  Verifier verifier(c.keys, c.policy);
  std::vector<Verdict> out(tokens.size());
  verifier.verify_batch(tokens, out, c.now, nullptr, options);  // checked, and warms every thread
  for (const Verdict& v : out)
    if (v.status != Status::ok) return state.SkipWithError("a corpus token did not verify");
  for (auto _ : state) {
    verifier.verify_batch(tokens, out, c.now, nullptr, options);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * tokens.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["batch_tokens"] = static_cast<double>(tokens.size());
  state.SetLabel(std::string(kernels::active_kernels().name));
}

int register_scaling() {
  const int all = static_cast<int>(hardware_threads());
  for (size_t a = 1; a < kNumAlgs; ++a) {
    const Alg alg = static_cast<Alg>(a);
    auto* b = benchmark::RegisterBenchmark(("BM_pipeline/" + std::string(to_string(alg))).c_str(),
                                           BM_pipeline_threads, alg);
    b->ArgName("threads")->UseRealTime();
    if (alg == Alg::hs256 || alg == Alg::es256)
      for (int n = 1; n <= all; ++n) b->Arg(n);
    else
      b->Arg(all);
  }
  return 0;
}
const int registered = register_scaling();

}  // namespace
}  // namespace jwtbatch::bench
