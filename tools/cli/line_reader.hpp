// line_reader.hpp: reads one token per line from a file or stdin in large blocks, so memory stays
// bounded whatever the input size. LF or CRLF; a final newline makes no extra token. A line longer
// than the buffer can hold is not kept: it is reported as a stand-in longer than `max_token_bytes`
// (so the engine answers too_large) and the rest of it is skipped.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace jwtbatch::cli {

class LineReader {
 public:
  LineReader(FILE* f, size_t max_token_bytes, size_t buffer_bytes = 1 << 20);
  // next_block replaces `lines` with up to `max_lines` lines, valid until the next call. It returns
  // false at the end of input (with `lines` empty). `error()` tells whether reading failed.
  bool next_block(std::vector<std::string_view>& lines, size_t max_lines);
  // take_block is next_block whose lines stay valid after the next call: they are handed over with
  // the buffer that holds them, swapped into `storage` (a chunk's own bytes, whose old buffer the
  // reader keeps using), so no line is copied; only the bytes after the last line returned (a
  // partial line, or lines past max_lines) move to the front of the reader's new buffer. Reads are
  // sized from the lines seen so far so that a block is about max_lines lines and little is left
  // over. `storage`'s contents before the call are lost.
  bool take_block(std::string& storage, std::vector<std::string_view>& lines, size_t max_lines);
  bool error() const { return error_; }
  // bytes_read counts input bytes consumed so far.
  size_t bytes_read() const { return bytes_read_; }

 private:
  bool fill();  // reads more after size_; false at EOF or error
  FILE* f_;
  std::string buf_;  // its size is the buffer's capacity; bytes [pos_, size_) are unread
  size_t size_ = 0, pos_ = 0;
  size_t read_limit_ = 0;  // 0: fill reads as much as fits; else at most this many bytes a read
  uint64_t lines_seen_ = 0, line_bytes_seen_ = 0;  // for take_block's read sizes
  bool eof_ = false, error_ = false;
  std::string overlong_;  // the stand-in for lines too long to keep
  size_t bytes_read_ = 0;
};

}  // namespace jwtbatch::cli
