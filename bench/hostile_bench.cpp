// hostile_bench.cpp: worst-case inputs within the limits (policy.hpp, keyset.hpp) against typical
// tokens, in the same run, single thread, end to end through Verifier::verify_batch. Each hostile
// benchmark reports its bytes/s and tokens/s and two counters against its typical baseline
// (measured once per process on the demo corpus, same algorithm family):
//   slowdown_per_byte  = typical bytes/s  / hostile bytes/s
//   slowdown_per_token = hostile time per token / typical time per token
//
//   BM_hostile/typical/hs256            valid HS256 tokens of corpus/demo (the baseline)
//   BM_hostile/typical/rs256            valid RS256 tokens of corpus/demo (2048-bit key)
//   BM_hostile/max_size/string          64 KiB tokens: one long string claim
//   BM_hostile/max_size/members         64 KiB: thousands of claims (the duplicate check sorts)
//   BM_hostile/max_size/numbers         64 KiB: an array of long floating-point numbers
//   BM_hostile/max_size/escapes         64 KiB: a string of \u escapes
//   BM_hostile/deep_json/32             64 KiB of arrays nested to the depth limit
//   BM_hostile/aud/256                  aud arrays of 256 long values, none accepted (all compared)
//   BM_hostile/header/64_members        headers of 64 members with long values (~48 KiB)
//   BM_hostile/rsa16384/<typical|64k>   corpus/hostile: tokens of the 16384-bit key
//   BM_hostile/kidless/<f>_8_keys       kid-less forged tokens against 8 keys of one family (the
//                                       default Policy::max_kidless_keys): 8 signature checks each
//   BM_hostile/kidless/<f>_1024_keys    ... against 1024 keys: over the limit, key_not_found
//   BM_hostile/kidless/rsa2048_1024_keys/limit_off   the same with the limit raised to 1024
//                                       (what the limit prevents: 1024 RSA checks per token)
// HMAC tokens are signed with a secret of this file (every hostile token but the forged ones
// verifies, or fails only on its audience, as checked before timing).
#include <benchmark/benchmark.h>

#include <openssl/hmac.h>

#include <time.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_corpus.hpp"
#include "kernels/base64url/base64url.hpp"
#include "kernels/cpu/cpu.hpp"

namespace jwtbatch::bench {
namespace {

// Both the hostile and the typical rates are measured in this thread's CPU time (batches run with
// threads = 1, on the calling thread), like the framework's own rates: on a shared machine wall
// time would mostly measure the neighbours.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

constexpr size_t kCopies = 16;  // distinct tokens per batch (jti differs)
const std::string kSecret(32, 's');
const std::string kIss = "https://issuer.example.com";
const std::string kAudPrefix = "https://api.example.com/audience/" + std::string(120, 'x');

std::string b64url(std::string_view s) {
  std::string out(kernels::base64url_encoded_len(s.size()), '\0');
  out.resize(kernels::base64url_encode_scalar({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, out));
  return out;
}

std::string hs256(const std::string& header, const std::string& claims, const std::string& secret = kSecret) {
  const std::string input = b64url(header) + "." + b64url(claims);
  uint8_t mac[32];
  unsigned len = 0;
  HMAC(EVP_sha256(), secret.data(), secret.size(), reinterpret_cast<const uint8_t*>(input.data()), input.size(), mac,
       &len);
  return input + "." + b64url({reinterpret_cast<const char*>(mac), len});
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Case is one batch of tokens with the key set and policy they run under, and what they must get.
struct Case {
  std::shared_ptr<const KeySet> keys;
  Policy policy;
  std::vector<std::string> tokens;
  Status expect = Status::ok;
  const char* baseline = "hs256";  // "hs256" or "rs256"
  std::string error;
};

std::shared_ptr<const KeySet> hmac_keys() {
  static const std::shared_ptr<const KeySet> keys = [] {
    KeySetBuilder b;
    std::string error;
    b.add_hmac_secret({reinterpret_cast<const uint8_t*>(kSecret.data()), kSecret.size()}, "hs", Alg::hs256, &error);
    return b.build(&error);
  }();
  return keys;
}

Policy hostile_policy() {
  Policy p;
  p.issuers = {kIss};
  p.audiences = {kAudPrefix + "-accepted"};
  return p;
}

std::string base_claims();

// fill_case builds kCopies HS256 tokens whose claims are base_claims(), a jti, `open`, as many
// `unit(i)` as fit, and `tail`: each token as close to max_token_bytes as the units allow.
Case fill_case(const std::string& header, const std::string& open, const std::function<std::string(size_t)>& unit,
               const std::string& tail = "}") {
  Case c;
  c.keys = hmac_keys();
  c.policy = hostile_policy();
  const size_t limit = c.policy.max_token_bytes;
  const size_t budget = (limit - b64url(header).size() - 2 - 43) * 3 / 4 - 8;  // claims JSON bytes
  for (size_t copy = 0; copy < kCopies; ++copy) {
    std::string claims = base_claims() + ",\"jti\":\"" + std::to_string(copy) + "\"" + open;
    for (size_t i = 0;; ++i) {
      std::string u = unit(i);
      if (claims.size() + u.size() + tail.size() > budget) break;
      claims += u;
    }
    claims += tail;
    c.tokens.push_back(hs256(header, claims));
  }
  return c;
}

const std::string kHeader = "{\"alg\":\"HS256\",\"kid\":\"hs\",\"typ\":\"JWT\"}";
std::string base_claims() {
  return "{\"iss\":\"" + kIss + "\",\"aud\":\"" + kAudPrefix + "-accepted\",\"sub\":\"u\",\"exp\":4102444800";
}

std::string nested(size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); }

// Key sets of many keys, for kid-less tokens: every key permits the token's alg.
std::shared_ptr<const KeySet> many_hmac_keys(size_t n) {
  KeySetBuilder b;
  std::string error;
  for (size_t i = 0; i < n; ++i) {
    std::string secret(32, 'a');
    secret += std::to_string(i);
    b.add_hmac_secret({reinterpret_cast<const uint8_t*>(secret.data()), secret.size()}, std::string("k").append(std::to_string(i)),
                      Alg::hs256, &error);
  }
  return b.build(&error);
}

// many_rsa_keys: `n` RSA public keys of `bits` bits. The moduli are odd numbers that are not real
// keys: the loader cannot tell, and verifying costs the same public operation.
std::shared_ptr<const KeySet> many_rsa_keys(size_t n, size_t bits) {
  std::string jwks = "{\"keys\":[";
  for (size_t i = 0; i < n; ++i) {
    std::string m(bits / 8, '\0');
    for (size_t j = 0; j < m.size(); ++j) m[j] = static_cast<char>((j * 131 + i * 7919 + 17) & 0xff);
    m[0] = static_cast<char>(0x80 | (i & 0x7f));
    m.back() = static_cast<char>(m.back() | 1);
    if (i) jwks += ",";
    jwks += "{\"kty\":\"RSA\",\"kid\":\"r" + std::to_string(i) + "\",\"alg\":\"RS256\",\"n\":\"" + b64url(m) +
            "\",\"e\":\"AQAB\"}";
  }
  jwks += "]}";
  std::string error;
  return KeySet::from_jwks(jwks, &error);
}

Case make_case(const std::string& name) {
  Case c;
  const std::string hs_claims = base_claims();
  if (name == "max_size/string") {
    return fill_case(kHeader, ",\"pad\":\"", [](size_t) { return std::string(64, 'p'); }, "\"}");
  } else if (name == "max_size/members") {
    return fill_case(kHeader, "", [](size_t i) { return ",\"m" + std::to_string(i) + "\":0"; });
  } else if (name == "max_size/numbers") {
    return fill_case(kHeader, ",\"n\":[0", [](size_t) { return ",-1.2345678901234567e-300"; }, "]}");
  } else if (name == "max_size/escapes") {
    return fill_case(kHeader, ",\"s\":\"", [](size_t) { return std::string("\\u00e9\\ud83d\\ude00"); }, "\"}");
  } else if (name == "deep_json/32") {
    // The top-level object is level 1, the outer array 2: 30 more levels reach the limit of 32.
    return fill_case(kHeader, ",\"d\":[0", [](size_t) { return std::string(",").append(nested(30)); }, "]}");
  } else if (name == "aud/256") {
    c.keys = hmac_keys();
    c.policy = hostile_policy();
    c.policy.audiences = {kAudPrefix + "-no0", kAudPrefix + "-no1", kAudPrefix + "-no2", kAudPrefix + "-no3"};
    for (size_t copy = 0; copy < kCopies; ++copy) {
      std::string claims = "{\"iss\":\"" + kIss + "\",\"exp\":4102444800,\"jti\":\"" + std::to_string(copy) + "\",\"aud\":[";
      for (size_t i = 0; i < c.policy.max_aud_values; ++i) claims += (i ? ",\"" : "\"") + kAudPrefix + "-n" + std::to_string(i) + "\"";
      c.tokens.push_back(hs256(kHeader, claims + "]}"));
    }
    c.expect = Status::bad_audience;
    return c;
  } else if (name == "header/64_members") {
    c.keys = hmac_keys();
    c.policy = hostile_policy();
    for (size_t copy = 0; copy < kCopies; ++copy) {
      std::string h = "{\"alg\":\"HS256\",\"kid\":\"hs\"";
      for (size_t i = 2; i < c.policy.max_header_members; ++i) h += ",\"h" + std::to_string(i) + "\":\"" + std::string(760, 'h') + "\"";
      c.tokens.push_back(hs256(h + "}", hs_claims + ",\"jti\":\"" + std::to_string(copy) + "\"}"));
    }
    return c;
  } else if (name == "rsa16384/typical" || name == "rsa16384/64k") {
    std::string error;
    c.keys = KeySet::from_jwks(read_file(JWTBATCH_SOURCE_DIR "/corpus/hostile/rsa16384.jwks.json"), &error);
    if (!c.keys) {
      c.error = "corpus/hostile/rsa16384.jwks.json: " + error;
      return c;
    }
    c.policy.issuers = {kIss};
    c.policy.audiences = {"https://api.example.com"};
    std::istringstream lines(read_file(JWTBATCH_SOURCE_DIR "/corpus/hostile/rsa16384.tokens.txt"));
    std::vector<std::string> all;
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) all.push_back(line);
    if (all.size() != 3) {
      c.error = "corpus/hostile/rsa16384.tokens.txt: expected 3 tokens";
      return c;
    }
    if (name == "rsa16384/typical") c.tokens = {all[0], all[1]};
    else c.tokens = {all[2]};
    c.baseline = "rs256";
    return c;
  } else if (name.rfind("kidless/", 0) == 0) {
    // kidless/<family>_<n>_keys[/limit_off]: forged kid-less tokens against n keys that may all
    // verify them. Within Policy::max_kidless_keys each costs n signature checks; over it, none.
    const bool hmac = name.find("hmac") != std::string::npos, big = name.find("16384") != std::string::npos;
    const size_t n = std::stoul(name.substr(name.find('_') + 1));
    if (name.find("limit_off") != std::string::npos) c.policy.max_kidless_keys = n;
    c.keys = hmac ? many_hmac_keys(n) : many_rsa_keys(n, big ? 16384 : 2048);
    const std::string header = hmac ? "{\"alg\":\"HS256\"}" : "{\"alg\":\"RS256\"}";
    const std::string sig = b64url(std::string(hmac ? 32 : big ? 2048 : 256, '\x01'));
    for (size_t copy = 0; copy < (hmac ? kCopies : 4); ++copy)
      c.tokens.push_back(b64url(header) + "." + b64url(hs_claims + ",\"jti\":\"" + std::to_string(copy) + "\"}") + "." + sig);
    c.expect = n <= c.policy.max_kidless_keys ? Status::bad_signature : Status::key_not_found;
    c.baseline = hmac ? "hs256" : "rs256";
    return c;
  }
  c.error = "unknown case " + name;
  return c;
}

size_t total_bytes(const std::vector<std::string_view>& tokens) {
  size_t n = 0;
  for (auto t : tokens) n += t.size();
  return n;
}

// Rate is bytes and tokens per CPU second of one batch, timed here (not by the framework), so that
// hostile and typical numbers come from the same clock.
struct Rate {
  double bytes_per_s = 0, tokens_per_s = 0;
};

Rate time_batches(const Verifier& v, const std::vector<std::string_view>& tokens, UnixSeconds now, double seconds) {
  std::vector<Verdict> out(tokens.size());
  size_t rounds = 0;
  const double start = cpu_seconds();
  double elapsed = 0;
  do {
    v.verify_batch(tokens, out, now, nullptr, {1});
    ++rounds;
    elapsed = cpu_seconds() - start;
  } while (elapsed < seconds);
  return {static_cast<double>(rounds * total_bytes(tokens)) / elapsed, static_cast<double>(rounds * tokens.size()) / elapsed};
}

// typical_rate measures the baseline of a family once per process.
const Rate& typical_rate(const std::string& which) {
  static const Rate hs = [] {
    const BenchCorpus& c = bench_corpus();
    Verifier v(c.keys, c.policy);
    return time_batches(v, c.valid_by_alg[static_cast<size_t>(Alg::hs256)], c.now, 1.0);
  }();
  static const Rate rs = [] {
    const BenchCorpus& c = bench_corpus();
    Verifier v(c.keys, c.policy);
    return time_batches(v, c.valid_by_alg[static_cast<size_t>(Alg::rs256)], c.now, 1.0);
  }();
  return which == "rs256" ? rs : hs;
}

void typical(benchmark::State& state, Alg alg) {
  const BenchCorpus& c = bench_corpus();
  const auto& tokens = c.valid_by_alg[static_cast<size_t>(alg)];
  if (!c.error.empty() || tokens.empty()) return state.SkipWithError(("no corpus: " + c.error).c_str());
  Verifier v(c.keys, c.policy);
  std::vector<Verdict> out(tokens.size());
  for (auto _ : state) {
    v.verify_batch(tokens, out, c.now, nullptr, {1});
    benchmark::DoNotOptimize(out.data());
  }
  for (const Verdict& verdict : out)
    if (verdict.status != Status::ok) return state.SkipWithError("a corpus token did not verify");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * tokens.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * total_bytes(tokens)));
  state.counters["token_bytes"] = static_cast<double>(total_bytes(tokens)) / tokens.size();
  state.SetLabel(std::string(kernels::active_kernels().name));
}

void hostile(benchmark::State& state, const std::string& name) {
  const BenchCorpus& corpus = bench_corpus();
  if (!corpus.error.empty()) return state.SkipWithError(("no corpus: " + corpus.error).c_str());
  const Case c = make_case(name);
  if (!c.error.empty() || !c.keys) return state.SkipWithError(c.error.empty() ? "no key set" : c.error.c_str());
  const UnixSeconds now = corpus.now;
  Verifier v(c.keys, c.policy);
  const std::vector<std::string_view> tokens(c.tokens.begin(), c.tokens.end());
  std::vector<Verdict> out(tokens.size());
  v.verify_batch(tokens, out, now, nullptr, {1});
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].status != c.expect) {
      const std::string msg = "token " + std::to_string(i) + " is " + std::string(to_string(out[i].status)) +
                              ", expected " + std::string(to_string(c.expect));
      return state.SkipWithError(msg.c_str());
    }
    if (tokens[i].size() > c.policy.max_token_bytes) return state.SkipWithError("a token over the size limit");
  }
  const Rate& base = typical_rate(c.baseline);
  const size_t bytes = total_bytes(tokens);
  const double start = cpu_seconds();
  for (auto _ : state) {
    v.verify_batch(tokens, out, now, nullptr, {1});
    benchmark::DoNotOptimize(out.data());
  }
  const double elapsed = cpu_seconds() - start;
  const double rounds = static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * tokens.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["token_bytes"] = static_cast<double>(bytes) / tokens.size();
  state.counters["slowdown_per_byte"] = base.bytes_per_s / (rounds * bytes / elapsed);
  state.counters["slowdown_per_token"] = base.tokens_per_s / (rounds * tokens.size() / elapsed);
  state.SetLabel(std::string("vs typical ") + c.baseline);
}

int register_all() {
  benchmark::RegisterBenchmark("BM_hostile/typical/hs256", typical, Alg::hs256);
  benchmark::RegisterBenchmark("BM_hostile/typical/rs256", typical, Alg::rs256);
  for (const char* name : {"max_size/string", "max_size/members", "max_size/numbers", "max_size/escapes", "deep_json/32",
                           "aud/256", "header/64_members", "rsa16384/typical", "rsa16384/64k",
                           "kidless/hmac_8_keys", "kidless/rsa2048_8_keys", "kidless/rsa16384_8_keys",
                           "kidless/hmac_1024_keys", "kidless/rsa2048_1024_keys"}) {
    benchmark::RegisterBenchmark(("BM_hostile/" + std::string(name)).c_str(), hostile, std::string(name));
  }
  // What the kid-less limit prevents (Policy::max_kidless_keys raised to the key count): a few
  // iterations are plenty.
  benchmark::RegisterBenchmark("BM_hostile/kidless/rsa2048_1024_keys/limit_off", hostile,
                               std::string("kidless/rsa2048_1024_keys/limit_off"))->Iterations(3);
  return 0;
}
const int registered = register_all();

}  // namespace
}  // namespace jwtbatch::bench
