// line_reader_test.cpp: tools/cli/line_reader (the command's block reader) against a plain split of
// the same bytes: random line lengths around and beyond the buffer's size, CR LF and LF, empty
// lines, with and without a final newline, every block size; lines too long for the buffer become
// the stand-in longer than max_token_bytes.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "tools/cli/line_reader.hpp"

namespace jwtbatch::cli {
namespace {

constexpr size_t kMaxToken = 8;  // the buffer is at least 2 * 8 + 4 bytes

// expected_lines is the reference: split on LF; a final LF makes no extra line; a line (CR
// included) of buffer_size bytes or more cannot be held and becomes the stand-in; one CR before
// the LF is dropped.
std::vector<std::string> expected_lines(const std::string& input, size_t buffer_size) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < input.size()) {
    size_t nl = input.find('\n', start);
    const bool last = nl == std::string::npos;
    if (last) nl = input.size();
    std::string line = input.substr(start, nl - start);
    if (line.size() >= buffer_size) {
      out.push_back(std::string(kMaxToken + 1, '.'));
    } else {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      out.push_back(line);
    }
    start = nl + 1;
  }
  return out;
}

// read_all reads `input` back through next_block, or (take) through take_block into a ring of
// four storages, as the verify command's chunks do: there a block's views must stay valid (and
// unchanged) until its storage is handed to take_block again, which is checked.
std::vector<std::string> read_all(const std::string& input, size_t buffer_bytes, size_t max_lines,
                                  size_t* bytes_read, bool take = false) {
  FILE* f = std::tmpfile();
  EXPECT_NE(f, nullptr);
  EXPECT_EQ(std::fwrite(input.data(), 1, input.size(), f), input.size());
  std::rewind(f);
  LineReader reader(f, kMaxToken, buffer_bytes);
  std::vector<std::string_view> block;
  std::vector<std::string> out;
  constexpr size_t kRing = 4;
  std::string storage[kRing];
  std::vector<std::string_view> views[kRing];
  std::vector<std::string> copies[kRing];
  for (size_t k = 0;; ++k) {
    const size_t slot = k % kRing;
    // The slot's previous block is still intact after the kRing - 1 reads since.
    EXPECT_EQ(std::vector<std::string>(views[slot].begin(), views[slot].end()), copies[slot]) << "block " << k;
    if (!(take ? reader.take_block(storage[slot], block, max_lines) : reader.next_block(block, max_lines))) break;
    EXPECT_FALSE(block.empty());
    EXPECT_LE(block.size(), max_lines);
    for (std::string_view l : block) out.emplace_back(l);  // next_block's views die at the next call
    if (take) {
      views[slot] = block;
      copies[slot].assign(block.begin(), block.end());
    }
  }
  EXPECT_TRUE(block.empty());
  EXPECT_FALSE(reader.error());
  *bytes_read = reader.bytes_read();
  std::fclose(f);
  return out;
}

TEST(LineReader, RandomLinesAgainstPlainSplit) {
  std::mt19937_64 rng(20261128);
  for (size_t buffer : {20u, 33u, 64u, 257u, 4096u}) {
    for (int round = 0; round < 60; ++round) {
      std::string input;
      const size_t lines = rng() % 200;
      for (size_t i = 0; i < lines; ++i) {
        size_t len;
        switch (rng() % 8) {
          case 0: len = 0; break;
          case 1: len = buffer - 2 + rng() % 4; break;       // around what the buffer holds
          case 2: len = buffer + rng() % (3 * buffer); break;  // far beyond it
          default: len = rng() % (buffer / 2 + 1); break;
        }
        for (size_t k = 0; k < len; ++k) input.push_back(static_cast<char>('a' + rng() % 26));
        if (rng() % 4 == 0) input.push_back('\r');
        if (i + 1 < lines || rng() % 2) input.push_back('\n');
      }
      for (size_t max_lines : {1u, 3u, 1024u}) {
        for (bool take : {false, true}) {
          size_t bytes_read = 0;
          const std::vector<std::string> got = read_all(input, buffer, max_lines, &bytes_read, take);
          ASSERT_EQ(got, expected_lines(input, buffer)) << "buffer " << buffer << " round " << round
                                                        << " max_lines " << max_lines << " take " << take;
          EXPECT_EQ(bytes_read, input.size());
        }
      }
    }
  }
}

TEST(LineReader, TakeBlockReadsAboutMaxLinesLines) {
  // 100,000 lines of 100 bytes through a 1 MiB buffer, 1024 lines a block: after the first block
  // each read is sized to about 1024 lines, so blocks stay full and the bytes carried over after
  // the last line taken (the copy take_block still makes) stay under a block's eighth.
  std::string input;
  for (int i = 0; i < 100000; ++i) input += std::string(99, static_cast<char>('a' + i % 26)) + "\n";
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(std::fwrite(input.data(), 1, input.size(), f), input.size());
  std::rewind(f);
  LineReader reader(f, 64 << 10, 1 << 20);
  std::string storage;
  std::vector<std::string_view> block;
  size_t blocks = 0, lines = 0, short_blocks = 0;
  while (reader.take_block(storage, block, 1024)) {
    ++blocks;
    lines += block.size();
    if (block.size() < 1024) ++short_blocks;
    for (std::string_view l : block) ASSERT_EQ(l.size(), 99u);
  }
  std::fclose(f);
  EXPECT_EQ(lines, 100000u);
  EXPECT_EQ(blocks, 98u);        // 97 full blocks and the last 672 lines
  EXPECT_EQ(short_blocks, 1u);
}

TEST(LineReader, EdgeInputs) {
  size_t bytes_read = 0;
  EXPECT_TRUE(read_all("", 64, 16, &bytes_read).empty());
  EXPECT_EQ(read_all("\n", 64, 16, &bytes_read), std::vector<std::string>{""});
  EXPECT_EQ(read_all("a\r\n\r\nb", 64, 16, &bytes_read), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(read_all("\r", 64, 16, &bytes_read), std::vector<std::string>{""});
  // A line of exactly the buffer's size minus one, then its newline, fits; one byte more does not.
  const std::string fits(63, 'x'), too_long(64, 'y');
  for (bool take : {false, true})
    EXPECT_EQ(read_all(fits + "\n" + too_long + "\nz", 64, 16, &bytes_read, take),
              (std::vector<std::string>{fits, std::string(kMaxToken + 1, '.'), "z"}));
}

}  // namespace
}  // namespace jwtbatch::cli
