// verify.cpp: `jwtbatch verify`, the main job. Reads one token per line, verifies them in blocks
// (each block a verify_batch over all cores), writes one JSON line per token in input order.
//
//   jwtbatch verify --jwks FILE [--jwks FILE ...] [options] [TOKENS_FILE|-]
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <string>
#include <vector>

#include "jwtbatch/jwtbatch.hpp"
#include "jwtbatch/text.hpp"
#include "tools/cli/commands.hpp"
#include "jwtbatch/json.hpp"
#include "tools/cli/io.hpp"
#include "tools/cli/policy_args.hpp"
#include "tools/cli/line_reader.hpp"
#include "tools/cli/progress.hpp"

namespace jwtbatch::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: jwtbatch verify --jwks FILE [--jwks FILE ...] [--alg LIST] [--iss VALUE]... "
    "[--aud VALUE]... [--require LIST] [--leeway SECONDS] [--now UNIX_SECONDS] [--max-age SECONDS] "
    "[--typ VALUE] [--threads N] [--output FILE] [--stats] [--stats-json FILE] [--quiet] "
    "[--max-token-bytes N] [TOKENS_FILE|-]";

struct Options : PolicyArgs {
  unsigned threads = 0;
  std::string output;
  bool stats = false;
  std::string stats_json;
  bool quiet = false;
  std::string input = "-";
};

// parse_options fills `o`; on a usage error it prints one line and returns false.
bool parse_options(int argc, char** argv, Options& o, int* rc) {
  bool have_input = false;
  auto fail = [&](const std::string& msg) {
    *rc = usage_error("verify", msg);
    return false;
  };
  for (ArgCursor c{argc, argv, 1}; c.i < argc; ++c.i) {
    const std::string_view a = argv[c.i];
    std::string_view v;
    long long n = 0;
    std::string shared_error;
    switch (parse_policy_arg(a, c, o, &shared_error)) {
      case ArgResult::taken: continue;
      case ArgResult::error: return fail(shared_error);
      case ArgResult::not_mine: break;
    }
    if (a == "--help" || a == "-h") {
      std::printf("%.*s\n", static_cast<int>(kUsage.size()), kUsage.data());
      *rc = 0;
      return false;
    } else if (a == "--threads") {
      if (!c.integer(1, 4096, &n)) return fail("--threads needs a number from 1 to 4096");
      o.threads = static_cast<unsigned>(n);
    } else if (a == "--output" || a == "-o") {
      if (!c.value(&v)) return fail("--output needs a file");
      o.output = std::string(v);
    } else if (a == "--stats") {
      o.stats = true;
    } else if (a == "--stats-json") {
      if (!c.value(&v)) return fail("--stats-json needs a file");
      o.stats_json = std::string(v);
    } else if (a == "--quiet" || a == "-q") {
      o.quiet = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return fail("unknown option " + std::string(a) + "\n" + std::string(kUsage));
    } else {
      if (have_input) return fail("more than one input file");
      o.input = std::string(a);
      have_input = true;
    }
  }
  if (o.jwks.empty()) return fail("--jwks FILE is required\n" + std::string(kUsage));
  return true;
}

void append_verdict(std::string& out, uint64_t index, const Verdict& v, const KeySet& keys,
                    const Policy& policy) {
  out += "{\"index\":";
  out += std::to_string(index);
  out += ",\"status\":\"";
  out += to_string(v.status);
  out += '"';
  if (v.status == Status::ok) {
    out += ",\"alg\":\"";
    out += to_string(v.alg);
    out += '"';
    if (v.key_index != kNoKey && !keys.kid(v.key_index).empty()) {
      out += ",\"kid\":";
      append_json_string(&out, keys.kid(v.key_index));
    }
  } else {
    out += ",\"error\":";
    append_json_string(&out, explain(v, policy));
  }
  out += "}\n";
}

void print_stats(const BatchStats& s) {
  double total_ns = 0;
  for (const StageStats& st : s.stages) total_ns += static_cast<double>(st.nanos);
  std::fprintf(stderr, "%-8s %12s %12s %12s %14s %12s %7s\n", "stage", "tokens", "MB", "thread-s",
               "tokens/s/core", "MB/s/core", "share");
  for (size_t i = 0; i < kNumStages; ++i) {
    const StageStats& st = s.stages[i];
    const double sec = static_cast<double>(st.nanos) / 1e9;
    const double mb = static_cast<double>(st.bytes) / 1e6;
    std::fprintf(stderr, "%-8s %12llu %12.2f %12.4f %14.0f %12.1f %6.1f%%\n",
                 std::string(to_string(static_cast<Stage>(i))).c_str(),
                 static_cast<unsigned long long>(st.tokens), mb, sec,
                 sec > 0 ? static_cast<double>(st.tokens) / sec : 0.0, sec > 0 ? mb / sec : 0.0,
                 total_ns > 0 ? 100.0 * static_cast<double>(st.nanos) / total_ns : 0.0);
  }
  const double wall = static_cast<double>(s.wall_nanos) / 1e9;
  std::fprintf(stderr, "total    %12llu tokens, %.2f MB in %.3f s wall on %u thread(s): %.0f tokens/s, kernels %s\n",
               static_cast<unsigned long long>(s.tokens), static_cast<double>(s.bytes) / 1e6, wall,
               s.threads, wall > 0 ? static_cast<double>(s.tokens) / wall : 0.0,
               std::string(kernel_name()).c_str());
  std::fprintf(stderr, "verdicts:");
  for (size_t i = 0; i < kNumStatuses; ++i)
    if (s.status_counts[i])
      std::fprintf(stderr, " %s=%llu", std::string(to_string(static_cast<Status>(i))).c_str(),
                   static_cast<unsigned long long>(s.status_counts[i]));
  std::fprintf(stderr, "\n");
}

// write_stats_json writes the counters of print_stats as JSON, for regression tracking.
bool write_stats_json(const std::string& path, const BatchStats& s) {
  std::string j = "{\"kernels\":\"" + std::string(kernel_name()) + "\",\"threads\":" +
                  std::to_string(s.threads) + ",\"tokens\":" + std::to_string(s.tokens) +
                  ",\"bytes\":" + std::to_string(s.bytes) + ",\"wall_ns\":" + std::to_string(s.wall_nanos);
  const double wall = static_cast<double>(s.wall_nanos) / 1e9;
  j += ",\"tokens_per_s\":" + std::to_string(wall > 0 ? static_cast<double>(s.tokens) / wall : 0.0);
  j += ",\"stages\":{";
  for (size_t i = 0; i < kNumStages; ++i) {
    const StageStats& st = s.stages[i];
    const double sec = static_cast<double>(st.nanos) / 1e9;
    if (i) j += ",";
    j += "\"" + std::string(to_string(static_cast<Stage>(i))) + "\":{\"tokens\":" + std::to_string(st.tokens) +
         ",\"bytes\":" + std::to_string(st.bytes) + ",\"thread_ns\":" + std::to_string(st.nanos) +
         ",\"tokens_per_s_per_core\":" + std::to_string(sec > 0 ? static_cast<double>(st.tokens) / sec : 0.0) +
         ",\"mb_per_s_per_core\":" + std::to_string(sec > 0 ? static_cast<double>(st.bytes) / 1e6 / sec : 0.0) + "}";
  }
  j += "},\"verdicts\":{";
  bool first = true;
  for (size_t i = 0; i < kNumStatuses; ++i) {
    if (!s.status_counts[i]) continue;
    if (!first) j += ",";
    first = false;
    j += "\"" + std::string(to_string(static_cast<Status>(i))) + "\":" + std::to_string(s.status_counts[i]);
  }
  j += "}}\n";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(j.data(), 1, j.size(), f) == j.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int verify_main(int argc, char** argv) {
  Options o;
  int rc = 0;
  if (!parse_options(argc, argv, o, &rc)) return rc;
  if (!kernel_selection_error().empty())
    return usage_error("verify", kernel_selection_error());

  KeySetBuilder builder;
  for (const std::string& path : o.jwks) {
    std::string error;
    std::optional<std::string> text = read_file(path, &error);
    if (!text) return usage_error("verify", error);
    if (!builder.add_jwks(*text, &error)) return usage_error("verify", path + ": " + error);
  }
  for (const std::string& w : builder.warnings()) std::fprintf(stderr, "jwtbatch verify: warning: %s\n", w.c_str());
  std::string error;
  std::shared_ptr<const KeySet> keys = builder.build(&error);
  if (!keys) return usage_error("verify", "no usable key in the JWKS: " + error);
  if (!o.policy.algs.empty() && o.policy.algs.intersect(keys->permitted_algs()).empty())
    return usage_error("verify", "--alg allows no algorithm that the loaded keys permit");
  if (!o.now_set) o.now = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();

  FILE* in = o.input == "-" ? stdin : std::fopen(o.input.c_str(), "rb");
  if (!in) return usage_error("verify", "cannot open " + o.input + ": " + std::strerror(errno));
  FILE* out = o.output.empty() ? stdout : std::fopen(o.output.c_str(), "wb");
  if (!out) return usage_error("verify", "cannot write " + o.output + ": " + std::strerror(errno));

  Verifier verifier(keys, o.policy);
  LineReader reader(in, o.policy.max_token_bytes);
  Progress progress(in, o.quiet);
  std::vector<std::string_view> lines;
  bool write_failed = false;
  BatchStats stats;
  StreamOptions options;
  options.threads = o.threads;
  // Read: up to chunk_tokens lines, handed over in the buffer they were read into (it becomes the
  // chunk's storage; the chunk's old storage becomes the reader's buffer): no line is copied.
  auto read = [&](StreamChunk& chunk) {
    return reader.take_block(chunk.storage, chunk.tokens, options.chunk_tokens);
  };
  // Formatting runs in the parallel stage, per chunk; the serial writer only writes.
  auto format = [&](StreamChunk& chunk) {
    chunk.output.clear();
    for (size_t i = 0; i < chunk.tokens.size(); ++i)
      append_verdict(chunk.output, chunk.first_index + i, chunk.verdicts[i], *keys, o.policy);
  };
  auto write = [&](const StreamChunk& chunk) {
    const std::string& text = chunk.output;
    if (!write_failed && std::fwrite(text.data(), 1, text.size(), out) != text.size()) write_failed = true;
    progress.update(chunk.first_index + chunk.tokens.size(), reader.bytes_read());
  };
  verifier.verify_stream(read, write, o.now, &stats, options, format);
  progress.finish();
  if (in != stdin) std::fclose(in);
  if (reader.error()) return usage_error("verify", "cannot read " + o.input);
  if (write_failed || std::fflush(out) != 0 || (out != stdout && std::fclose(out) != 0))
    return usage_error("verify", "cannot write output");
  if (!o.stats_json.empty() && !write_stats_json(o.stats_json, stats))
    return usage_error("verify", "cannot write " + o.stats_json);
  if (o.stats) print_stats(stats);
  return 0;
}

}  // namespace jwtbatch::cli
