// progress.hpp: a progress line on stderr for long runs: tokens done, rate, and an ETA when the
// input's size is known (a regular file). Only when stderr is a terminal, and never with --quiet.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace jwtbatch::cli {

class Progress {
 public:
  Progress(FILE* input, bool quiet);
  // update is called after each written chunk with the tokens done and input bytes read so far.
  void update(uint64_t tokens, uint64_t bytes_read);
  // finish clears the line.
  void finish();

 private:
  bool enabled_ = false;
  bool shown_ = false;
  uint64_t total_bytes_ = 0;  // 0: unknown
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace jwtbatch::cli
