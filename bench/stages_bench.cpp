// stages_bench.cpp: every stage of the pipeline alone, on the valid tokens of the demo corpus
// (all algorithms, every size profile), one chunk of up to 1024 tokens at a time, one thread:
//
//   BM_stage/split, BM_stage/decode/<kernel>, BM_stage/parse, BM_stage/resolve, BM_stage/check,
//   BM_stage/verify (signatures of the corpus mix), BM_pipeline/all_stages (the six in a row)
//   BM_pipeline/stats:on|off (verify_batch with and without per-stage counting: the counting cost)
//
// Each benchmark first runs the stages before it once (setup, untimed), then times its own.
#include <benchmark/benchmark.h>

#include <algorithm>

#include "bench/bench_corpus.hpp"
#include "engine/pipeline.hpp"

namespace jwtbatch::bench {
namespace {

using engine::TokenWork;
using engine::Workspace;

struct StageRig {
  engine::BatchContext ctx;
  Workspace ws;
  std::vector<std::string_view> tokens;
  std::vector<TokenWork> fresh;
  size_t bytes = 0;
  std::string error;

  explicit StageRig(const kernels::KernelTable* table = nullptr) {
    const BenchCorpus& c = bench_corpus();
    if (!c.error.empty()) {
      error = c.error;
      return;
    }
    ctx.keys = &c.keys->impl();
    ctx.policy = &c.policy;
    ctx.allowed = c.keys->permitted_algs();
    ctx.now = c.now;
    ctx.kernels = table ? table : &kernels::active_kernels();
    ctx.required_mask = 1;
    ctx.timing = false;
    for (const std::string& t : c.tokens) {
      if (tokens.size() == engine::kChunkTokens) break;
      tokens.push_back(t);
      bytes += t.size();
    }
    fresh.resize(tokens.size());
    for (size_t i = 0; i < tokens.size(); ++i) fresh[i].token = tokens[i];
  }
  void reset() {
    ws.work = fresh;
    ws.aud_pool.clear();
  }
  std::span<TokenWork> work() { return {ws.work.data(), ws.work.size()}; }
};

void report(benchmark::State& state, const StageRig& rig) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rig.tokens.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * rig.bytes));
}

void BM_stage_split(benchmark::State& state) {
  StageRig rig;
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  StageStats s;
  for (auto _ : state) {
    rig.reset();
    engine::split_chunk(rig.ctx, rig.work(), s);
  }
  report(state, rig);
}
BENCHMARK(BM_stage_split)->Name("BM_stage/split");

void BM_stage_decode(benchmark::State& state, const kernels::KernelTable* table) {
  StageRig rig(table);
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  StageStats s;
  rig.reset();
  engine::split_chunk(rig.ctx, rig.work(), s);
  const std::vector<TokenWork> split = rig.ws.work;
  for (auto _ : state) {
    std::copy(split.begin(), split.end(), rig.ws.work.begin());
    engine::decode_chunk(rig.ctx, rig.ws, rig.work(), s);
  }
  for (const TokenWork& w : rig.ws.work)
    if (w.status != Status::ok) return state.SkipWithError("decode failed on a valid token");
  report(state, rig);
  state.SetLabel(std::string(table->name));
}

void BM_stage_after(benchmark::State& state, Stage stage) {
  StageRig rig;
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  StageStats s;
  rig.reset();
  auto& ws = rig.ws;
  engine::split_chunk(rig.ctx, rig.work(), s);
  engine::decode_chunk(rig.ctx, ws, rig.work(), s);
  if (stage == Stage::parse) {
    const std::vector<TokenWork> before = ws.work;
    const size_t mark = ws.arena.mark();
    for (auto _ : state) {
      std::copy(before.begin(), before.end(), ws.work.begin());
      ws.arena.rewind(mark);
      ws.aud_pool.clear();
      engine::parse_chunk(rig.ctx, ws, rig.work(), s);
    }
  } else {
    engine::parse_chunk(rig.ctx, ws, rig.work(), s);
    if (stage == Stage::resolve) {
      const std::vector<TokenWork> before = ws.work;
      for (auto _ : state) {
        std::copy(before.begin(), before.end(), ws.work.begin());
        engine::resolve_chunk(rig.ctx, rig.work(), s);
      }
    } else {
      engine::resolve_chunk(rig.ctx, rig.work(), s);
      const std::vector<TokenWork> before = ws.work;
      for (auto _ : state) {
        std::copy(before.begin(), before.end(), ws.work.begin());
        if (stage == Stage::check) engine::check_chunk(rig.ctx, ws, rig.work(), s);
        else engine::verify_chunk(rig.ctx, ws, rig.work(), s);
      }
    }
  }
  for (const TokenWork& w : ws.work)
    if (w.status != Status::ok) return state.SkipWithError("a valid corpus token failed");
  report(state, rig);
}

void BM_pipeline_all(benchmark::State& state) {
  StageRig rig;
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  std::vector<Verdict> out(rig.tokens.size());
  BatchStats stats;
  for (auto _ : state) engine::run_chunk(rig.ctx, rig.ws, rig.tokens, out, stats);
  for (const Verdict& v : out)
    if (v.status != Status::ok) return state.SkipWithError("a valid corpus token failed");
  report(state, rig);
}
BENCHMARK(BM_pipeline_all)->Name("BM_pipeline/all_stages");

// The cost of per-stage counting: verify_batch with stats (clock reads per stage per chunk) and
// without, on HS256 tokens where the other stages weigh the most.
void BM_pipeline_stats(benchmark::State& state) {
  const BenchCorpus& c = bench_corpus();
  const auto& hs = c.valid_by_alg[static_cast<size_t>(Alg::hs256)];
  if (!c.error.empty() || hs.empty()) return state.SkipWithError("no corpus");
  std::vector<std::string_view> tokens;
  while (tokens.size() < 4096) tokens.insert(tokens.end(), hs.begin(), hs.end());
  Verifier verifier(c.keys, c.policy);
  std::vector<Verdict> out(tokens.size());
  BatchStats stats;
  for (auto _ : state) verifier.verify_batch(tokens, out, c.now, state.range(0) ? &stats : nullptr, {1});
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * tokens.size()));
}
BENCHMARK(BM_pipeline_stats)->Name("BM_pipeline/HS256/stats")->Arg(0)->Arg(1)->ArgName("on");

// End-to-end HS256 (all six stages, one thread) with each base64url kernel variant: where the
// decoder's speed shows most, as HMAC itself is cheap.
void BM_pipeline_hs256_kernel(benchmark::State& state, const kernels::KernelTable* table) {
  const BenchCorpus& c = bench_corpus();
  const auto& hs = c.valid_by_alg[static_cast<size_t>(Alg::hs256)];
  if (!c.error.empty() || hs.empty()) return state.SkipWithError("no corpus");
  StageRig rig(table);
  std::vector<std::string_view> tokens(hs.begin(), hs.end());
  size_t bytes = 0;
  for (auto t : tokens) bytes += t.size();
  std::vector<Verdict> out(tokens.size());
  BatchStats stats;
  for (auto _ : state) engine::run_chunk(rig.ctx, rig.ws, tokens, out, stats);
  for (const Verdict& v : out)
    if (v.status != Status::ok) return state.SkipWithError("a valid corpus token failed");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * tokens.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetLabel(std::string(table->name));
}

int register_stages() {
  for (const kernels::KernelTable& t : kernels::supported_kernels())
    benchmark::RegisterBenchmark(("BM_pipeline/HS256/kernel:" + std::string(t.name)).c_str(), BM_pipeline_hs256_kernel, &t);
  for (const kernels::KernelTable& t : kernels::supported_kernels())
    benchmark::RegisterBenchmark(("BM_stage/decode/" + std::string(t.name)).c_str(), BM_stage_decode, &t);
  for (Stage s : {Stage::parse, Stage::resolve, Stage::check, Stage::verify})
    benchmark::RegisterBenchmark(("BM_stage/" + std::string(to_string(s))).c_str(), BM_stage_after, s);
  return 0;
}
const int registered = register_stages();

}  // namespace
}  // namespace jwtbatch::bench
