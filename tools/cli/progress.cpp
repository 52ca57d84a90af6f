// progress.cpp: see progress.hpp.
#include "tools/cli/progress.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace jwtbatch::cli {

Progress::Progress(FILE* input, bool quiet) {
  enabled_ = !quiet && isatty(STDERR_FILENO);
  struct stat st {};
  if (input && fstat(fileno(input), &st) == 0 && S_ISREG(st.st_mode)) total_bytes_ = static_cast<uint64_t>(st.st_size);
  start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::update(uint64_t tokens, uint64_t bytes_read) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(500)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(tokens) / elapsed : 0;
  std::fprintf(stderr, "\r\033[K%llu tokens, %.0f tokens/s", static_cast<unsigned long long>(tokens), rate);
  if (total_bytes_ > 0 && bytes_read > 0 && bytes_read <= total_bytes_) {
    const double eta = elapsed * static_cast<double>(total_bytes_ - bytes_read) / static_cast<double>(bytes_read);
    std::fprintf(stderr, ", %.0f%%, ETA %.0f s", 100.0 * static_cast<double>(bytes_read) / static_cast<double>(total_bytes_), eta);
  }
  std::fflush(stderr);
  shown_ = true;
}

void Progress::finish() {
  if (shown_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace jwtbatch::cli
