// bench_corpus.hpp (bench): the tokens benchmarks run on, grouped by algorithm: the valid tokens of
// the bundled demo corpus (corpus/demo) or of another generated corpus, with its JWKS, loaded once
// per process.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/jwtbatch.hpp"

namespace jwtbatch::bench {

struct BenchCorpus {
  std::string jwks;
  std::shared_ptr<const KeySet> keys;
  std::vector<std::string> tokens;                                  // every valid token
  std::array<std::vector<std::string_view>, kNumAlgs> valid_by_alg;  // views into tokens
  UnixSeconds now = 1767225600;
  Policy policy;  // the corpus's issuer and audience
  std::string error;  // set when the corpus could not be loaded
};

// bench_corpus loads corpus/demo once (JWTBATCH_SOURCE_DIR), or the folder named by the environment
// variable JWTBATCH_BENCH_CORPUS (jwks.json, manifest.json, tokens.txt, expected.txt).
const BenchCorpus& bench_corpus();

}  // namespace jwtbatch::bench
