// line_reader.cpp: block-wise line reading for `jwtbatch verify`.
#include "tools/cli/line_reader.hpp"

#include <algorithm>
#include <cstring>

namespace jwtbatch::cli {

LineReader::LineReader(FILE* f, size_t max_token_bytes, size_t buffer_bytes)
    : f_(f), buf_(std::max(buffer_bytes, 2 * max_token_bytes + 4)), overlong_(max_token_bytes + 1, '.') {}

bool LineReader::fill() {
  if (eof_ || error_) return false;
  const size_t n = std::fread(buf_.data() + size_, 1, buf_.size() - size_, f_);
  size_ += n;
  bytes_read_ += n;
  if (n == 0) {
    if (std::ferror(f_)) error_ = true;
    eof_ = true;
    return false;
  }
  return true;
}

bool LineReader::next_block(std::vector<std::string_view>& lines, size_t max_lines) {
  lines.clear();
  // Views handed out last time are dead now, but the unread bytes stay where they are: moving the
  // whole unread tail to the front on every call copied up to the buffer's size per block (15 MiB
  // for a 650 KB block: the command's serial bottleneck at 8+ threads). Bytes move only when the
  // buffer is full and no complete line is left in it (below): then just the partial line moves.
  if (pos_ == size_) pos_ = size_ = 0;
  size_t scan = pos_;
  for (;;) {
    while (lines.size() < max_lines) {
      const char* start = buf_.data() + pos_;
      const char* nl = static_cast<const char*>(std::memchr(buf_.data() + scan, '\n', size_ - scan));
      if (!nl) break;
      size_t len = static_cast<size_t>(nl - start);
      if (len > 0 && start[len - 1] == '\r') --len;
      lines.emplace_back(start, len);
      pos_ = static_cast<size_t>(nl - buf_.data()) + 1;
      scan = pos_;
    }
    if (lines.size() == max_lines) return true;
    scan = size_;
    if (size_ == buf_.size()) {
      if (!lines.empty()) return true;  // process these; the partial line moves on the next call
      if (pos_ > 0) {  // only a partial line is left: move it to the front and read on after it
        std::memmove(buf_.data(), buf_.data() + pos_, size_ - pos_);
        size_ -= pos_;
        pos_ = 0;
        scan = size_;
        continue;
      }
      // One line fills the whole buffer: it is far over any token limit. Report the stand-in and
      // drop bytes up to the next newline.
      lines.emplace_back(overlong_);
      for (;;) {
        size_ = pos_ = 0;
        if (!fill()) return true;
        if (const char* nl = static_cast<const char*>(std::memchr(buf_.data(), '\n', size_))) {
          pos_ = static_cast<size_t>(nl - buf_.data()) + 1;
          return true;
        }
      }
    }
    if (!fill()) {
      if (pos_ < size_) {  // a last line without a newline
        size_t len = size_ - pos_;
        if (buf_[pos_ + len - 1] == '\r') --len;
        lines.emplace_back(buf_.data() + pos_, len);
        pos_ = size_;
      }
      return !lines.empty();
    }
  }
}

}  // namespace jwtbatch::cli
