// extract_bench.cpp: the token extraction kernels (kernels/extract) on 16 MiB of log-like text
// (access-log lines, half with a token in a query string), per variant, beside count_newlines and
// memchr over the same bytes. Each variant's output is checked against the scalar reference first.
//
//   build/bench/jwtbatch_bench --benchmark_filter=BM_extract --benchmark_repetitions=5
//     --benchmark_report_aggregates_only=true  (one command line)
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "kernels/cpu/cpu.hpp"
#include "kernels/extract/extract.hpp"

namespace {

using jwtbatch::kernels::KernelTable;
using jwtbatch::kernels::TokenSpan;

const std::string& log_text() {
  static const std::string text = [] {
    std::mt19937_64 rng(3);
    const std::string token =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImhzMjU2LTEifQ.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlLmNvbSIsInN1YiI6"
        "InVzZXItNDIiLCJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlLmNvbSIsImV4cCI6MTc2NzIyOTIwMH0.c2lnbmF0dXJlLWJ5dGVzLXNpZ25hdHVyZS1i";
    std::string s;
    while (s.size() < (size_t{16} << 20)) {
      s += "10.0." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) +
           " - - [01/Jan/2026:00:00:00 +0000] \"GET /api/orders";
      if (rng() % 2) s += "?access_token=" + token;
      s += " HTTP/1.1\" 200 " + std::to_string(rng() % 9000) + " \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\"\n";
    }
    return s;
  }();
  return text;
}

size_t extract_all(const KernelTable& k, const std::string& text, std::vector<TokenSpan>& out, uint64_t* sum) {
  size_t n = 0, start = 0;
  for (;;) {
    const auto r = k.extract_tokens(text, start, 65536, out);
    n += r.num_tokens;
    for (size_t i = 0; i < r.num_tokens; ++i) *sum += out[i].offset;
    if (r.resume >= text.size()) return n;
    start = r.resume;
  }
}

void BM_extract(benchmark::State& state, const KernelTable* k) {
  const std::string& text = log_text();
  std::vector<TokenSpan> out(4096);
  uint64_t want_sum = 0, sum = 0;
  const size_t want = extract_all(jwtbatch::kernels::supported_kernels().front(), text, out, &want_sum);
  if (extract_all(*k, text, out, &sum) != want || sum != want_sum) {
    state.SkipWithError("output differs from the scalar reference");
    return;
  }
  for (auto _ : state) {
    uint64_t s = 0;
    benchmark::DoNotOptimize(extract_all(*k, text, out, &s));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * want));
  state.SetLabel(std::string(k->name));
}

void BM_count_newlines(benchmark::State& state, const KernelTable* k) {
  const std::string& text = log_text();
  for (auto _ : state) benchmark::DoNotOptimize(k->count_newlines(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_memchr_absent(benchmark::State& state) {
  const std::string& text = log_text();
  for (auto _ : state) benchmark::DoNotOptimize(std::memchr(text.data(), '\x01', text.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_memchr_absent);

[[maybe_unused]] const bool registered = [] {
  for (const KernelTable& k : jwtbatch::kernels::supported_kernels()) {
    benchmark::RegisterBenchmark(("BM_extract/" + std::string(k.name)).c_str(), BM_extract, &k);
    benchmark::RegisterBenchmark(("BM_count_newlines/" + std::string(k.name)).c_str(), BM_count_newlines, &k);
  }
  return true;
}();

}  // namespace
