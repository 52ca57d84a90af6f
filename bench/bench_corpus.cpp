// bench_corpus.cpp (bench): see bench_corpus.hpp.
#include "bench/bench_corpus.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <simdjson.h>

#include "kernels/base64url/base64url.hpp"

namespace jwtbatch::bench {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// header_alg decodes a token's header and returns its alg.
Alg header_alg(std::string_view token) {
  const size_t dot = token.find('.');
  std::vector<uint8_t> buf(kernels::base64url_decoded_len(dot) + kernels::kDecodeOutSlack + simdjson::SIMDJSON_PADDING);
  kernels::DecodeResult r = kernels::base64url_decode_scalar({token.data(), dot}, buf);
  if (r.status != kernels::DecodeStatus::ok) return Alg::unknown;
  simdjson::dom::parser parser;
  std::string_view alg;
  if (parser.parse(buf.data(), r.count, false)["alg"].get(alg) != simdjson::SUCCESS) return Alg::unknown;
  return alg_from_string(alg);
}

BenchCorpus load() {
  BenchCorpus c;
  // JWTBATCH_BENCH_CORPUS names another corpus folder of the same layout (a `jwtbatch gen` output:
  // tools/bench.sh --peers runs jwtbatch and the peers on one such corpus).
  const char* env = std::getenv("JWTBATCH_BENCH_CORPUS");
  const std::string dir = env && *env ? std::string(env) + "/" : std::string(JWTBATCH_SOURCE_DIR) + "/corpus/demo/";
  c.jwks = slurp(dir + "jwks.json");
  c.keys = KeySet::from_jwks(c.jwks, &c.error);
  if (!c.keys) return c;
  simdjson::dom::parser parser;
  simdjson::dom::element manifest;
  const std::string m = slurp(dir + "manifest.json");
  if (parser.parse(m).get(manifest) == simdjson::SUCCESS) {
    std::string_view iss, aud;
    int64_t now = 0;
    if (manifest["iss"].get(iss) == simdjson::SUCCESS) c.policy.issuers.emplace_back(iss);
    if (manifest["aud"].get(aud) == simdjson::SUCCESS) c.policy.audiences.emplace_back(aud);
    if (manifest["now"].get(now) == simdjson::SUCCESS) c.now = now;
  }
  std::istringstream tokens(slurp(dir + "tokens.txt")), expected(slurp(dir + "expected.txt"));
  std::string token, status;
  while (std::getline(tokens, token) && std::getline(expected, status))
    if (status == "ok") c.tokens.push_back(token);
  for (const std::string& t : c.tokens) {
    const Alg alg = header_alg(t);
    c.valid_by_alg[static_cast<size_t>(alg)].push_back(t);
  }
  if (c.tokens.empty()) c.error = "no valid tokens in " + dir;
  return c;
}

}  // namespace

const BenchCorpus& bench_corpus() {
  static const BenchCorpus c = load();
  return c;
}

}  // namespace jwtbatch::bench
