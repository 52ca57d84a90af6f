// stats.hpp: per-stage counters of a batch (DESIGN.md: split, decode, parse, resolve, check,
// verify). Counted per chunk, not per token, and combined when the batch ends.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "jwtbatch/status.hpp"

namespace jwtbatch {

enum class Stage : uint8_t { split = 0, decode, parse, resolve, check, verify };
inline constexpr size_t kNumStages = 6;

// to_string returns the stage's name ("split", ...).
std::string_view to_string(Stage stage) noexcept;

// StageStats counts the work one stage did: tokens that entered it, bytes it read, and the CPU
// time its threads spent in it (CLOCK_THREAD_CPUTIME_ID, summed over threads: time a thread waited
// preempted is not counted).
struct StageStats {
  uint64_t tokens = 0;
  uint64_t bytes = 0;
  uint64_t nanos = 0;
};

// BatchStats describes one or more batches. Adding two BatchStats adds every counter (wall_nanos
// too, so add only batches that ran one after another).
struct BatchStats {
  std::array<StageStats, kNumStages> stages{};
  std::array<uint64_t, kNumStatuses> status_counts{};
  uint64_t tokens = 0;
  uint64_t bytes = 0;
  uint64_t wall_nanos = 0;
  unsigned threads = 0;

  BatchStats& operator+=(const BatchStats& other) noexcept;
  const StageStats& stage(Stage s) const noexcept { return stages[static_cast<size_t>(s)]; }
  StageStats& stage(Stage s) noexcept { return stages[static_cast<size_t>(s)]; }
};

}  // namespace jwtbatch
