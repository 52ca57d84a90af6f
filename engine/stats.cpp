// stats.cpp: combining batch counters.
#include "jwtbatch/stats.hpp"

#include <algorithm>

namespace jwtbatch {

BatchStats& BatchStats::operator+=(const BatchStats& other) noexcept {
  for (size_t i = 0; i < kNumStages; ++i) {
    stages[i].tokens += other.stages[i].tokens;
    stages[i].bytes += other.stages[i].bytes;
    stages[i].nanos += other.stages[i].nanos;
  }
  for (size_t i = 0; i < kNumStatuses; ++i) status_counts[i] += other.status_counts[i];
  tokens += other.tokens;
  bytes += other.bytes;
  wall_nanos += other.wall_nanos;
  threads = std::max(threads, other.threads);
  return *this;
}

}  // namespace jwtbatch
