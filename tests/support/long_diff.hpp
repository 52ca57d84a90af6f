// long_diff.hpp (test support): the two variables of the long differential runs, read one way for
// every kernel test that has such a run (ed25519, ecdsa_kernel, sig_rsa).
//   JWTBATCH_LONG_DIFF=N   run about N differential cases instead of the test's default;
//   JWTBATCH_DIFF_SEED=K   draw another set of random cases (K = 0..15 as 16 processes check 16
//                          different sets: a long run split over cores).
// A value that is not a whole decimal number (empty, "1e6", "-3", "12x") counts as unset.
#pragma once

#include <cstdint>

namespace jwtbatch::test {

// long_diff_cases returns JWTBATCH_LONG_DIFF when set to a number, else `default_cases`.
uint64_t long_diff_cases(uint64_t default_cases);

// long_diff_scale returns how many times `default_cases` JWTBATCH_LONG_DIFF asks for, at least 1:
// for tests whose random parts are sized per kind of case and scale together.
double long_diff_scale(uint64_t default_cases);

// diff_seed returns the seed of a test's differential run `n`, shifted by JWTBATCH_DIFF_SEED.
uint64_t diff_seed(uint64_t n);

}  // namespace jwtbatch::test
