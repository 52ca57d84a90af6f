// peer_harness.hpp (bench/peers): what the peer benchmarks share: reading the inputs that
// bench/peers/prepare.py writes, checking that a peer really validates (every token accepted, a
// forged signature, a wrong issuer, a wrong audience and, where the peer takes the time as an
// argument, an expired time all rejected), timing, and the JSON a peer writes.
//
// Standard library only: a peer binary links the system OpenSSL through its JWT library and must
// never hold BoringSSL or jwtbatch (both export the same symbol names).
//
//   <peer>_bench --input DIR --out FILE.json [--repetitions N] [--min-time SECONDS] [--algs LIST]
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace peer {

inline const char* const kAlgs[] = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
                                    "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"};

// Params is what a token is validated against: the time and the one accepted issuer and audience.
struct Params {
  long long now = 0;
  std::string iss, aud;
};

struct Options {
  std::string input, out;
  int repetitions = 5;
  double min_time_s = 0.5;
  std::vector<std::string> algs;  // empty: every algorithm with inputs
};

// Verify says whether `token` is valid under `params`: signature with the algorithm's key, the
// token's alg equal to the expected one, exp, nbf, iss, aud. It must not throw.
using Verify = std::function<bool(const std::string& token, const Params& params)>;

// AlgResult is one algorithm's measurement, or why there is none.
struct AlgResult {
  std::string alg;
  std::string unsupported;  // non-empty: the peer cannot do this algorithm, and why
  std::string error;        // non-empty: the checks failed, nothing was timed
  size_t tokens = 0;
  std::vector<double> reps;       // tokens per CPU-second of the process, each repetition
  std::vector<double> wall_reps;  // tokens per wall-clock second, each repetition
};

inline std::optional<std::string> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream f(path);
  for (std::string l; std::getline(f, l);)
    if (!l.empty()) lines.push_back(l);
  return lines;
}

inline bool read_params(const std::string& dir, Params* p) {
  std::ifstream f(dir + "/params.txt");
  bool now = false;
  for (std::string l; std::getline(f, l);) {
    const size_t sp = l.find(' ');
    if (sp == std::string::npos) continue;
    const std::string k = l.substr(0, sp), v = l.substr(sp + 1);
    if (k == "now") p->now = std::atoll(v.c_str()), now = true;
    if (k == "iss") p->iss = v;
    if (k == "aud") p->aud = v;
  }
  return now && !p->iss.empty() && !p->aud.empty();
}

inline bool parse_options(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has = i + 1 < argc;
    if (a == "--input" && has) o->input = argv[++i];
    else if (a == "--out" && has) o->out = argv[++i];
    else if (a == "--repetitions" && has) o->repetitions = std::max(1, std::atoi(argv[++i]));
    else if (a == "--min-time" && has) o->min_time_s = std::max(0.01, std::atof(argv[++i]));
    else if (a == "--algs" && has) {
      std::stringstream s(argv[++i]);
      for (std::string x; std::getline(s, x, ',');) o->algs.push_back(x);
    } else {
      std::fprintf(stderr, "usage: %s --input DIR --out FILE.json [--repetitions N] [--min-time S] [--algs LIST]\n", argv[0]);
      return false;
    }
  }
  if (o->input.empty() || o->out.empty()) {
    std::fprintf(stderr, "%s: --input DIR and --out FILE.json are required\n", argv[0]);
    return false;
  }
  return true;
}

inline bool wanted(const Options& o, const std::string& alg) {
  return o.algs.empty() || std::find(o.algs.begin(), o.algs.end(), alg) != o.algs.end();
}

// process_cpu_seconds is the CPU time the process has used (every thread). Throughput is counted
// per CPU-second, as Google Benchmark's cpu_time does for jwtbatch's single-thread benchmarks: on a
// shared, loaded machine it is what waiting for a core disturbs least.
inline double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// forged returns `token` with one character of its signature changed.
inline std::string forged(std::string token) {
  const size_t dot = token.rfind('.');
  if (dot == std::string::npos || dot + 2 >= token.size()) return token + "x";
  char& c = token[dot + 1 + (token.size() - dot - 1) / 2];
  c = c == 'A' ? 'B' : 'A';
  return token;
}

// run_alg checks `verify` on `tokens`, then times it: `repetitions` runs of at least min_time_s
// CPU-seconds each, passes over all tokens, after one such run as a warm-up. `clock_settable` says whether the peer honours Params::now (then an
// expired time must be rejected too).
inline AlgResult run_alg(const std::string& alg, const std::vector<std::string>& tokens, const Verify& verify,
                         const Params& params, const Options& o, bool clock_settable) {
  AlgResult r;
  r.alg = alg;
  r.tokens = tokens.size();
  if (tokens.empty()) {
    r.error = "no tokens";
    return r;
  }
  for (size_t i = 0; i < tokens.size(); ++i)
    if (!verify(tokens[i], params)) {
      r.error = "rejected valid token " + std::to_string(i);
      return r;
    }
  Params wrong_iss = params, wrong_aud = params, late = params;
  wrong_iss.iss = "https://wrong-issuer.example";
  wrong_aud.aud = "wrong-audience";
  late.now += 2 * 86400;
  if (verify(forged(tokens[0]), params)) r.error = "accepted a forged signature";
  else if (verify(tokens[0], wrong_iss)) r.error = "accepted a wrong issuer";
  else if (verify(tokens[0], wrong_aud)) r.error = "accepted a wrong audience";
  else if (clock_settable && verify(tokens[0], late)) r.error = "accepted an expired token";
  if (!r.error.empty()) return r;
  using Clock = std::chrono::steady_clock;
  for (int rep = -1; rep < o.repetitions; ++rep) {  // rep -1 warms up (caches, lazy init), discarded
    size_t done = 0, bad = 0;
    const Clock::time_point start = Clock::now();
    const double cpu_start = process_cpu_seconds();
    double cpu = 0;
    do {
      for (const std::string& t : tokens) bad += !verify(t, params);
      done += tokens.size();
      cpu = process_cpu_seconds() - cpu_start;
    } while (cpu < o.min_time_s);
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    if (bad) {
      r.error = "a token failed while timed";
      r.reps.clear();
      return r;
    }
    if (rep < 0) continue;
    r.reps.push_back(static_cast<double>(done) / cpu);
    r.wall_reps.push_back(static_cast<double>(done) / wall);
  }
  return r;
}

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

inline std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += c;
  }
  return out + "\"";
}

// write_json writes the peer's results (tools/bench_report.py reads them); false if it cannot.
inline bool write_json(const Options& o, const std::string& peer, const std::string& version,
                       const std::string& crypto, const std::string& validation,
                       const std::vector<AlgResult>& results) {
  std::string j = "{\n  \"peer\": " + json_string(peer) + ",\n  \"version\": " + json_string(version) +
                  ",\n  \"crypto\": " + json_string(crypto) + ",\n  \"validation\": " + json_string(validation) +
                  ",\n  \"repetitions\": " + std::to_string(o.repetitions) +
                  ",\n  \"min_time_s\": " + std::to_string(o.min_time_s) +
                  ",\n  \"time\": \"process CPU time\",\n  \"algs\": {";
  bool first = true;
  for (const AlgResult& r : results) {
    j += first ? "\n" : ",\n";
    first = false;
    j += "    " + json_string(r.alg) + ": {";
    if (!r.unsupported.empty()) j += "\"unsupported\": " + json_string(r.unsupported);
    else if (!r.error.empty()) j += "\"error\": " + json_string(r.error);
    else {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.1f", median(r.reps));
      j += "\"tokens\": " + std::to_string(r.tokens) + ", \"tokens_per_s\": " + buf + ", \"reps\": [";
      for (size_t i = 0; i < r.reps.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%s%.1f", i ? ", " : "", r.reps[i]);
        j += buf;
      }
      j += "], \"wall_tokens_per_s\": ";
      std::snprintf(buf, sizeof buf, "%.1f", median(r.wall_reps));
      j += buf;
    }
    j += "}";
  }
  j += "\n  }\n}\n";
  FILE* f = std::fopen(o.out.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(j.data(), 1, j.size(), f) == j.size();
  return std::fclose(f) == 0 && ok;
}

// print_result prints one line per algorithm on standard error.
inline void print_result(const std::string& peer, const AlgResult& r) {
  if (!r.unsupported.empty()) std::fprintf(stderr, "%s %-6s unsupported: %s\n", peer.c_str(), r.alg.c_str(), r.unsupported.c_str());
  else if (!r.error.empty()) std::fprintf(stderr, "%s %-6s ERROR: %s\n", peer.c_str(), r.alg.c_str(), r.error.c_str());
  else std::fprintf(stderr, "%s %-6s %10.0f tokens/CPU-s, %10.0f tokens/s wall (%zu tokens, median of %zu)\n",
                    peer.c_str(), r.alg.c_str(), median(r.reps), median(r.wall_reps), r.tokens, r.reps.size());
}

}  // namespace peer
