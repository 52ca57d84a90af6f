// scheduler.cpp: runs chunks. A batch is cut into chunks of kChunkTokens; each chunk runs all six
// stages on one thread with that thread's Workspace (tbb::enumerable_thread_specific, kept by the
// Verifier so the steady state allocates nothing), and oneTBB spreads chunks over cores. Counters
// are kept per chunk in a tbb::combinable and summed when the batch ends.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include <tbb/blocked_range.h>
#include <tbb/combinable.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "engine/pipeline.hpp"
#include "jwtbatch/verifier.hpp"

namespace jwtbatch {
namespace engine {

Workspace::Workspace() {
  work.reserve(kChunkTokens);
  order.reserve(kChunkTokens);
  jobs.reserve(kChunkTokens);
  aud_pool.reserve(4 * kChunkTokens);
  names.reserve(64);
}

namespace {

// thread_cpu_nanos is the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID). Stage laps read it
// rather than a wall clock, so that a thread preempted on a busy machine does not charge the wait
// to the stage it was in (small stages were inflated that way).
uint64_t thread_cpu_nanos() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

int64_t clamp_seconds(double v) {
  if (!(v > -9.2e18)) return INT64_MIN;
  if (!(v < 9.2e18)) return INT64_MAX;
  return static_cast<int64_t>(v);
}

}  // namespace

void run_chunk(const BatchContext& ctx, Workspace& ws, std::span<const std::string_view> tokens,
               std::span<Verdict> out, BatchStats& stats) noexcept {
  ws.work.resize(tokens.size());
  ws.aud_pool.clear();
  for (size_t i = 0; i < tokens.size(); ++i) {
    ws.work[i] = TokenWork{};
    ws.work[i].token = tokens[i];
  }
  std::span<TokenWork> work(ws.work.data(), tokens.size());
  // Six stages, each timed per chunk in thread CPU time (one clock read per stage per chunk, only
  // when wanted).
  uint64_t t = ctx.timing ? thread_cpu_nanos() : 0;
  auto lap = [&](Stage s) {
    if (!ctx.timing) return;
    const uint64_t now = thread_cpu_nanos();
    stats.stage(s).nanos += now - t;
    t = now;
  };
  split_chunk(ctx, work, stats.stage(Stage::split));
  lap(Stage::split);
  decode_chunk(ctx, ws, work, stats.stage(Stage::decode));
  lap(Stage::decode);
  parse_chunk(ctx, ws, work, stats.stage(Stage::parse));
  lap(Stage::parse);
  resolve_chunk(ctx, work, stats.stage(Stage::resolve));
  lap(Stage::resolve);
  check_chunk(ctx, ws, work, stats.stage(Stage::check));
  lap(Stage::check);
  verify_chunk(ctx, ws, work, stats.stage(Stage::verify));
  lap(Stage::verify);

  for (size_t i = 0; i < work.size(); ++i) {
    const TokenWork& w = work[i];
    Verdict& v = out[i];
    v.status = w.status;
    v.alg = w.alg;
    v.key_index = w.status == Status::ok || w.status > Status::bad_signature ? w.key_index : kNoKey;
    v.detail = w.detail;
    v.has_exp = w.has_exp;
    v.has_nbf = w.has_nbf;
    v.has_iat = w.has_iat;
    v.exp = w.has_exp ? clamp_seconds(w.exp) : 0;
    v.nbf = w.has_nbf ? clamp_seconds(w.nbf) : 0;
    v.iat = w.has_iat ? clamp_seconds(w.iat) : 0;
    ++stats.status_counts[static_cast<size_t>(w.status)];
    stats.bytes += w.token.size();
  }
  stats.tokens += work.size();
}

// Verifier::State is the Verifier's private part: per-thread workspaces, and the task arenas of the
// thread counts callers asked for (made once: starting an arena per batch costs more than a small
// batch's work).
}  // namespace engine

struct Verifier::State {
  using Workspace = engine::Workspace;
  tbb::enumerable_thread_specific<Workspace> workspaces;
  std::mutex arenas_mutex;
  std::map<unsigned, std::unique_ptr<tbb::task_arena>> arenas;

  // run calls `f` on `threads` threads: in the caller's arena when that is its size, else in an
  // arena of that size.
  template <typename F>
  void run(unsigned threads, F&& f) {
    if (threads == static_cast<unsigned>(tbb::this_task_arena::max_concurrency())) return f();
    tbb::task_arena* arena;
    {
      std::lock_guard<std::mutex> lock(arenas_mutex);
      auto& slot = arenas[threads];
      if (!slot) slot = std::make_unique<tbb::task_arena>(static_cast<int>(threads));
      arena = slot.get();
    }
    arena->execute(std::forward<F>(f));
  }
};

namespace {

engine::BatchContext make_context(const KeySet& keys, const Policy& policy, UnixSeconds now) {
  engine::BatchContext ctx;
  ctx.keys = &keys.impl();
  ctx.policy = &policy;
  ctx.allowed = policy.algs.empty() ? keys.impl().permitted : policy.algs.intersect(keys.impl().permitted);
  ctx.now = now;
  ctx.kernels = &kernels::active_kernels();
  const size_t n = std::min<size_t>(policy.required_claims.size(), 64);
  ctx.required_mask = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
  return ctx;
}

// add_stats sums the threads' counters of one batch or stream into `out`, with its wall time.
void add_stats(tbb::combinable<BatchStats>& partial, std::chrono::steady_clock::time_point start,
               unsigned threads, BatchStats& out) {
  BatchStats total;
  partial.combine_each([&](const BatchStats& s) { total += s; });
  total.wall_nanos = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
  total.threads = threads;
  out += total;
}

}  // namespace

Verifier::Verifier(std::shared_ptr<const KeySet> keys, Policy policy)
    : keys_(std::move(keys)), policy_(std::move(policy)), state_(std::make_unique<State>()) {}

Verifier::~Verifier() = default;

std::shared_ptr<const KeySet> Verifier::keys() const noexcept { return keys_.load(); }
void Verifier::set_keys(std::shared_ptr<const KeySet> keys) noexcept { keys_.store(std::move(keys)); }

Verdict Verifier::verify(std::string_view token, UnixSeconds now) const noexcept {
  const std::shared_ptr<const KeySet> keys = keys_.load();
  return verify(token, now, *keys);
}

Verdict Verifier::verify(std::string_view token, UnixSeconds now, const KeySet& keys) const noexcept {
  engine::BatchContext ctx = make_context(keys, policy_, now);
  ctx.timing = false;
  Verdict v;
  BatchStats stats;
  engine::run_chunk(ctx, state_->workspaces.local(), {&token, 1}, {&v, 1}, stats);
  return v;
}

Status Verifier::verify_batch(std::span<const std::string_view> tokens, std::span<Verdict> out,
                              UnixSeconds now, BatchStats* stats, BatchOptions options) const noexcept {
  if (out.size() < tokens.size()) return Status::malformed;
  const auto start = std::chrono::steady_clock::now();
  // One key set from start to end, whatever set_keys does meanwhile.
  const std::shared_ptr<const KeySet> keys = keys_.load();
  engine::BatchContext ctx = make_context(*keys, policy_, now);
  ctx.timing = stats != nullptr;
  const size_t num_chunks = (tokens.size() + engine::kChunkTokens - 1) / engine::kChunkTokens;
  tbb::combinable<BatchStats> partial;
  auto body = [&](const tbb::blocked_range<size_t>& r) {
    BatchStats& local = partial.local();
    engine::Workspace& ws = state_->workspaces.local();
    for (size_t c = r.begin(); c != r.end(); ++c) {
      const size_t begin = c * engine::kChunkTokens;
      const size_t n = std::min(engine::kChunkTokens, tokens.size() - begin);
      engine::run_chunk(ctx, ws, tokens.subspan(begin, n), out.subspan(begin, n), local);
    }
  };
  unsigned threads = options.threads;
  if (threads == 1 || num_chunks <= 1) {
    threads = 1;
    body(tbb::blocked_range<size_t>(0, num_chunks));
  } else {
    if (threads == 0) threads = static_cast<unsigned>(tbb::this_task_arena::max_concurrency());
    state_->run(threads, [&] { tbb::parallel_for(tbb::blocked_range<size_t>(0, num_chunks, 1), body); });
  }
  if (stats) add_stats(partial, start, threads, *stats);
  return Status::ok;
}

Status Verifier::verify_stream(const std::function<bool(StreamChunk&)>& read,
                               const std::function<void(const StreamChunk&)>& write, UnixSeconds now,
                               BatchStats* stats, StreamOptions options,
                               const std::function<void(StreamChunk&)>& after_verify,
                               const std::function<void(StreamChunk&)>& before_verify) const {
  const auto start = std::chrono::steady_clock::now();
  const std::shared_ptr<const KeySet> keys = keys_.load();
  engine::BatchContext ctx = make_context(*keys, policy_, now);
  ctx.timing = stats != nullptr;
  const unsigned threads = options.threads ? options.threads
                                           : static_cast<unsigned>(tbb::this_task_arena::max_concurrency());
  const size_t in_flight = options.chunks_in_flight ? options.chunks_in_flight : 4 * size_t{threads};
  const size_t chunk_tokens = std::max<size_t>(1, options.chunk_tokens);
  // A ring of chunks: the pipeline never has more than `in_flight` alive, so when the reader
  // starts chunk k, chunk k - in_flight has been written and its slot is free.
  std::vector<StreamChunk> ring(in_flight);
  uint64_t next_chunk = 0, next_index = 0;
  bool done = false;
  tbb::combinable<BatchStats> partial;
  auto run = [&] {
    tbb::parallel_pipeline(
        in_flight,
        tbb::make_filter<void, StreamChunk*>(tbb::filter_mode::serial_in_order,
                                             [&](tbb::flow_control& fc) -> StreamChunk* {
                                               StreamChunk* c = &ring[next_chunk % in_flight];
                                               c->tokens.clear();
                                               if (done || !read(*c)) {
                                                 done = true;
                                                 fc.stop();
                                                 return nullptr;
                                               }
                                               if (c->tokens.size() > chunk_tokens) c->tokens.resize(chunk_tokens);
                                               c->first_index = next_index;
                                               next_index += c->tokens.size();
                                               ++next_chunk;
                                               return c;
                                             }) &
            tbb::make_filter<StreamChunk*, StreamChunk*>(
                tbb::filter_mode::parallel,
                [&](StreamChunk* c) {
                  if (before_verify) before_verify(*c);
                  c->verdicts.resize(c->tokens.size());
                  BatchStats& local = partial.local();
                  engine::Workspace& ws = state_->workspaces.local();
                  for (size_t b = 0; b < c->tokens.size(); b += engine::kChunkTokens) {
                    const size_t n = std::min(engine::kChunkTokens, c->tokens.size() - b);
                    engine::run_chunk(ctx, ws, std::span<const std::string_view>(c->tokens).subspan(b, n),
                                      std::span<Verdict>(c->verdicts).subspan(b, n), local);
                  }
                  if (after_verify) after_verify(*c);
                  return c;
                }) &
            tbb::make_filter<StreamChunk*, void>(tbb::filter_mode::serial_in_order,
                                                 [&](StreamChunk* c) { write(*c); }));
  };
  state_->run(threads, run);
  if (stats) add_stats(partial, start, threads, *stats);
  return Status::ok;
}

}  // namespace jwtbatch
