// line_reader_bench.cpp: the serial input stage of `jwtbatch verify`, alone: tools/cli/line_reader
// reads a 64 MiB file of 650-byte lines (typical tokens) in blocks of 1024 lines, each block copied
// into a chunk as the command's reader does. At N threads the command cannot go faster than this.
//   BM_line_reader/block_copy   bytes/s and lines/s
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cli/line_reader.hpp"

namespace jwtbatch::bench {
namespace {

void BM_line_reader(benchmark::State& state) {
  constexpr size_t kLine = 650, kLines = (64u << 20) / (kLine + 1);
  FILE* f = std::tmpfile();
  if (!f) return state.SkipWithError("no temporary file");
  const std::string line = std::string(kLine, 'e') + "\n";
  for (size_t i = 0; i < kLines; ++i) std::fwrite(line.data(), 1, line.size(), f);
  std::fflush(f);
  std::vector<std::string_view> lines;
  std::vector<char> storage;
  size_t total_lines = 0;
  for (auto _ : state) {
    std::rewind(f);
    cli::LineReader reader(f, 64 << 10);
    while (reader.next_block(lines, 1024)) {
      size_t bytes = 0;
      for (std::string_view l : lines) bytes += l.size();
      storage.resize(bytes);
      char* p = storage.data();
      for (std::string_view l : lines) p = std::copy(l.begin(), l.end(), p);
      total_lines += lines.size();
      benchmark::DoNotOptimize(storage.data());
    }
  }
  std::fclose(f);
  state.SetItemsProcessed(static_cast<int64_t>(total_lines));
  state.SetBytesProcessed(static_cast<int64_t>(total_lines * (kLine + 1)));
}
BENCHMARK(BM_line_reader)->Name("BM_line_reader/block_copy")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace jwtbatch::bench
