// line_reader.cpp: block-wise line reading for `jwtbatch verify`.
#include "tools/cli/line_reader.hpp"

#include <algorithm>
#include <cstring>

namespace jwtbatch::cli {

LineReader::LineReader(FILE* f, size_t max_token_bytes, size_t buffer_bytes)
    : f_(f), buf_(std::max(buffer_bytes, 2 * max_token_bytes + 4), '\0'), overlong_(max_token_bytes + 1, '.') {}

bool LineReader::fill() {
  if (eof_ || error_) return false;
  size_t want = buf_.size() - size_;
  if (read_limit_ != 0) want = std::min(want, read_limit_);
  const size_t n = std::fread(buf_.data() + size_, 1, want, f_);
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

bool LineReader::take_block(std::string& storage, std::vector<std::string_view>& lines,
                            size_t max_lines) {
  // Read about what max_lines lines take (their mean length so far, plus an eighth), at least 64 KiB
  // (also the first read's size: next_block reads on until it has max_lines lines or a full buffer).
  read_limit_ = 64 << 10;
  if (lines_seen_ > 0) {
    const uint64_t mean = line_bytes_seen_ / lines_seen_ + 2;
    read_limit_ = static_cast<size_t>(std::max<uint64_t>(read_limit_, mean * max_lines + mean * max_lines / 8));
  }
  const bool more = next_block(lines, max_lines);
  read_limit_ = 0;
  if (!more) return false;
  for (std::string_view l : lines) line_bytes_seen_ += l.size();
  lines_seen_ += lines.size();
  // The lines live in buf_ (or in overlong_, which stays put): hand buf_ over whole. Both strings
  // are longer than any small-string buffer, so swapping moves their heap blocks and the views
  // stay valid.
  if (storage.size() != buf_.size()) storage.assign(buf_.size(), '\0');
  const size_t rest = size_ - pos_;
  if (rest > 0) std::memcpy(storage.data(), buf_.data() + pos_, rest);
  buf_.swap(storage);
  size_ = rest;
  pos_ = 0;
  return true;
}

}  // namespace jwtbatch::cli
