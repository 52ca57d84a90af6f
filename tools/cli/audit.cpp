// audit.cpp: `jwtbatch audit`, the offline audit of token logs: verifies every token (one per line,
// or with --extract every token found in raw text), prints a short summary, and writes the full
// report as JSON (--json) and as a self-contained HTML page (--html). A thin layer over
// jwtbatch::audit_stream (include/jwtbatch/audit.hpp).
//
//   jwtbatch audit --jwks FILE [verify options] [audit options] [LOG ...|-]
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "jwtbatch/jwtbatch.hpp"
#include "jwtbatch/text.hpp"
#include "tools/cli/commands.hpp"
#include "tools/cli/io.hpp"
#include "tools/cli/policy_args.hpp"

namespace jwtbatch::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: jwtbatch audit --jwks FILE [--jwks FILE ...] [--alg LIST] [--iss VALUE]... [--aud VALUE]...\n"
    "         [--require LIST] [--leeway SECONDS] [--now UNIX_SECONDS] [--max-age SECONDS] [--typ VALUE]\n"
    "         [--threads N] [--max-token-bytes N] [--extract] [--json FILE] [--html FILE]\n"
    "         [--max-lifetime SECONDS] [--large-token-bytes N] [--exact-limit N] [--replay-limit N]\n"
    "         [--examples N] [--stats] [--quiet] [LOG ...|-]\n"
    "Verifies every token (one per line; with --extract, every JWT-looking substring of raw text)\n"
    "and reports counts by verdict, alg, kid, iss, aud, lifetimes, replays and hygiene findings.\n"
    "Defaults: --max-lifetime 900 --large-token-bytes 4096 --exact-limit 10000 --replay-limit 262144\n"
    "          --examples 5; input: standard input.\n";

struct Options : PolicyArgs {
  AuditOptions audit;
  std::string json, html;
  bool stats = false, quiet = false;
  std::vector<std::string> inputs;
};

bool parse_options(int argc, char** argv, Options& o, int* rc) {
  auto fail = [&](const std::string& msg) {
    *rc = usage_error("audit", msg);
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
      std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
      *rc = 0;
      return false;
    } else if (a == "--threads") {
      if (!c.integer(1, 4096, &n)) return fail("--threads needs a number from 1 to 4096");
      o.audit.threads = static_cast<unsigned>(n);
    } else if (a == "--extract") {
      o.audit.extract = true;
    } else if (a == "--json") {
      if (!c.value(&v)) return fail("--json needs a file");
      o.json = std::string(v);
    } else if (a == "--html") {
      if (!c.value(&v)) return fail("--html needs a file");
      o.html = std::string(v);
    } else if (a == "--max-lifetime") {
      if (!c.integer(0, 1LL << 40, &n)) return fail("--max-lifetime needs a number of seconds >= 0");
      o.audit.max_lifetime_s = n;
    } else if (a == "--large-token-bytes") {
      if (!c.integer(1, 1LL << 30, &n)) return fail("--large-token-bytes needs a number from 1 to 2^30");
      o.audit.large_token_bytes = static_cast<size_t>(n);
    } else if (a == "--exact-limit") {
      if (!c.integer(1, 1LL << 24, &n)) return fail("--exact-limit needs a number from 1 to 2^24");
      o.audit.exact_limit = static_cast<size_t>(n);
    } else if (a == "--replay-limit") {
      if (!c.integer(1, 1LL << 26, &n)) return fail("--replay-limit needs a number from 1 to 2^26");
      o.audit.replay_limit = static_cast<size_t>(n);
    } else if (a == "--examples") {
      if (!c.integer(0, 1000, &n)) return fail("--examples needs a number from 0 to 1000");
      o.audit.max_examples = static_cast<size_t>(n);
    } else if (a == "--stats") {
      o.stats = true;
    } else if (a == "--quiet" || a == "-q") {
      o.quiet = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return fail("unknown option " + std::string(a) + " (see jwtbatch audit --help)");
    } else {
      o.inputs.emplace_back(a);
    }
  }
  if (o.jwks.empty()) return fail("--jwks FILE is required (see jwtbatch audit --help)");
  if (o.inputs.empty()) o.inputs.emplace_back("-");
  return true;
}

void print_stats(const AuditStats& s, double wall_s, uint64_t input_bytes) {
  struct Row {
    std::string name;
    const StageStats* st;
  };
  std::vector<Row> rows{{"read", &s.read}, {"scan", &s.scan}};
  for (size_t i = 0; i < kNumStages; ++i) rows.push_back({std::string(to_string(static_cast<Stage>(i))), &s.verify.stages[i]});
  rows.push_back({"audit", &s.aggregate});
  double total_ns = 0;
  for (const Row& r : rows) total_ns += static_cast<double>(r.st->nanos);
  std::fprintf(stderr, "%-8s %12s %12s %10s %14s %11s %7s\n", "stage", "tokens", "MB", "thread-s", "tokens/s/core",
               "GB/s/core", "share");
  for (const Row& r : rows) {
    const double sec = static_cast<double>(r.st->nanos) / 1e9;
    std::fprintf(stderr, "%-8s %12llu %12.1f %10.3f %14.0f %11.2f %6.1f%%\n", r.name.c_str(),
                 static_cast<unsigned long long>(r.st->tokens), static_cast<double>(r.st->bytes) / 1e6, sec,
                 sec > 0 ? static_cast<double>(r.st->tokens) / sec : 0.0,
                 sec > 0 ? static_cast<double>(r.st->bytes) / 1e9 / sec : 0.0,
                 total_ns > 0 ? 100.0 * static_cast<double>(r.st->nanos) / total_ns : 0.0);
  }
  std::fprintf(stderr,
               "(read: serial, tokens = blocks; scan: tokens found in raw text, bytes = text scanned; "
               "audit: header and claims decoded again and counted)\n");
  std::fprintf(stderr, "total    %llu tokens, %.1f MB of input in %.3f s wall on %u thread(s): %.0f tokens/s, %.2f GB/s, kernels %s\n",
               static_cast<unsigned long long>(s.verify.tokens), static_cast<double>(input_bytes) / 1e6, wall_s,
               s.verify.threads, wall_s > 0 ? static_cast<double>(s.verify.tokens) / wall_s : 0.0,
               wall_s > 0 ? static_cast<double>(input_bytes) / 1e9 / wall_s : 0.0,
               std::string(kernel_name()).c_str());
}

bool write_text(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int audit_main(int argc, char** argv) {
  Options o;
  int rc = 0;
  if (!parse_options(argc, argv, o, &rc)) return rc;
  if (!kernel_selection_error().empty()) return usage_error("audit", kernel_selection_error());

  KeySetBuilder builder;
  for (const std::string& path : o.jwks) {
    std::string error;
    std::optional<std::string> text = read_file(path, &error);
    if (!text) return usage_error("audit", error);
    if (!builder.add_jwks(*text, &error)) return usage_error("audit", path + ": " + error);
  }
  for (const std::string& w : builder.warnings()) std::fprintf(stderr, "jwtbatch audit: warning: %s\n", w.c_str());
  o.audit.refused_keys = parse_refused_keys(builder.warnings());
  std::string error;
  std::shared_ptr<const KeySet> keys = builder.build(&error);
  if (!keys) return usage_error("audit", "no usable key in the JWKS: " + error);
  if (!o.now_set)
    o.now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  o.audit.block_bytes = std::max(o.audit.block_bytes, 2 * o.policy.max_token_bytes + 4);

  Verifier verifier(keys, o.policy);
  AuditReport report(o.audit);
  AuditStats stats;
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& path : o.inputs) {
    FILE* in = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!in) return usage_error("audit", "cannot open " + path + ": " + std::strerror(errno));
    bool read_error = false;
    auto read = [&](char* buf, size_t cap) -> size_t {
      const size_t n = std::fread(buf, 1, cap, in);
      if (n == 0 && std::ferror(in)) read_error = true;
      return n;
    };
    if (!o.quiet && isatty(fileno(stderr))) std::fprintf(stderr, "auditing %s...\n", path.c_str());
    audit_stream(verifier, o.audit, read, path, o.now, report, &stats);
    if (in != stdin) std::fclose(in);
    if (read_error) return usage_error("audit", "cannot read " + path);
  }
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const std::string summary = report.summary();
  std::fwrite(summary.data(), 1, summary.size(), stdout);
  if (!o.json.empty() && !write_text(o.json, report.to_json())) return usage_error("audit", "cannot write " + o.json);
  if (!o.html.empty() && !write_text(o.html, report.to_html())) return usage_error("audit", "cannot write " + o.html);
  std::fflush(stdout);
  if (o.stats) print_stats(stats, wall_s, report.input_bytes);
  return 0;
}

}  // namespace jwtbatch::cli
