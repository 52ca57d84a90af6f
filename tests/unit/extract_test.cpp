// extract_test.cpp: the token extraction kernels (kernels/extract). Known answers pin the
// definition (extract.hpp) on the scalar reference; every variant this CPU runs
// (supported_kernels()) must then return exactly what the reference returns on random text with
// tokens planted at every alignment, at buffer ends and page boundaries, on overlapping and
// near-miss candidates, on long runs capped by max_token_len, and with a small `out` (resume).
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/cpu/cpu.hpp"
#include "kernels/extract/extract.hpp"

namespace jwtbatch::kernels {

void PrintTo(const KernelTable& t, std::ostream* os);  // base64url_test.cpp

namespace {

constexpr size_t kMax = 65536;

// all_tokens runs `f` to the end with an `out` of `cap` spans, resuming as the contract says.
std::vector<TokenSpan> all_tokens(ExtractTokens f, std::string_view text, size_t max_len = kMax,
                                  size_t cap = 64, size_t start = 0) {
  std::vector<TokenSpan> got, out(cap);
  size_t pos = start;
  for (int guard = 0; guard < 1000000; ++guard) {
    const ExtractResult r = f(std::span<const char>(text.data(), text.size()), pos, max_len, out);
    got.insert(got.end(), out.begin(), out.begin() + static_cast<ptrdiff_t>(r.num_tokens));
    if (r.resume >= text.size()) break;
    EXPECT_GT(r.num_tokens, 0u) << "no progress at " << pos;
    if (r.num_tokens == 0) break;
    pos = r.resume;
  }
  return got;
}

std::vector<std::string> strings(std::string_view text, const std::vector<TokenSpan>& spans) {
  std::vector<std::string> s;
  for (const TokenSpan& t : spans) s.emplace_back(text.substr(t.offset, t.len));
  return s;
}

using V = std::vector<std::string>;

TEST(ExtractScalar, KnownAnswers) {
  const std::string h = "eyJhbGciOiJIUzI1NiJ9", c = "eyJzdWIiOiIxIn0", s = "sig_-9";
  const std::string t = h + "." + c + "." + s;
  auto run = [](std::string_view text) { return strings(text, all_tokens(extract_tokens_scalar, text)); };
  EXPECT_EQ(run(t), V{t});
  EXPECT_EQ(run("Authorization: Bearer " + t + "\r\n"), V{t});
  EXPECT_EQ(run("GET /x?access_token=" + t + "&y=1 HTTP/1.1"), V{t});
  EXPECT_EQ(run("{\"token\":\"" + t + "\"}"), V{t});
  EXPECT_EQ(run("see " + t + ". Next"), V{t});                    // full stop dropped
  EXPECT_EQ(run(h + "." + c + "."), V{h + "." + c + "."});       // alg none: empty signature
  EXPECT_EQ(run(h + "." + c + ".."), V{h + "." + c + "."});      // ... and a full stop
  EXPECT_EQ(run(t + " " + t), (V{t, t}));
  EXPECT_EQ(run("x" + t), V{});                                  // inside a longer word
  EXPECT_EQ(run("a." + t), V{});                                 // a dotted word not starting eyJ
  EXPECT_EQ(run(h + "." + c), V{});                              // two parts
  EXPECT_EQ(run(t + ".x.y"), V{});                               // five parts (JWE-like)
  EXPECT_EQ(run(h + ".." + s), V{});                             // empty claims
  EXPECT_EQ(run("eyJ"), V{});
  EXPECT_EQ(run("eyJ.a."), V{"eyJ.a."});
  EXPECT_EQ(run("eyJ.a.b.c."), V{});                             // four dots
  EXPECT_EQ(run("eyJeyJ.eyJ.x"), V{"eyJeyJ.eyJ.x"});
  EXPECT_EQ(run("=eyJa.b.c=eyJd.e.f="), (V{"eyJa.b.c", "eyJd.e.f"}));
  EXPECT_EQ(run(""), V{});
  // Capped: a token longer than the limit is reported as its first max + 1 bytes.
  const std::string long_token = "eyJ" + std::string(100, 'A') + ".b.c";
  const auto spans = all_tokens(extract_tokens_scalar, long_token, 16);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].len, 17u);
  // start: words that began before it are skipped.
  EXPECT_EQ(strings(t, all_tokens(extract_tokens_scalar, t, kMax, 64, 1)), V{});
  const std::string two = t + " " + t;
  EXPECT_EQ(strings(two, all_tokens(extract_tokens_scalar, two, kMax, 64, t.size())), V{t});
}

TEST(ExtractScalar, CountNewlines) {
  EXPECT_EQ(count_newlines_scalar(std::span<const char>("", size_t{0})), 0u);
  const std::string s = "a\nb\n\nc\r\n";
  EXPECT_EQ(count_newlines_scalar(s), 4u);
}

class ExtractTest : public ::testing::TestWithParam<KernelTable> {
 protected:
  const KernelTable& k() const { return GetParam(); }
  void same(std::string_view text, size_t max_len, size_t cap, const std::string& trace) {
    for (size_t start : {size_t{0}, text.size() / 3, text.size()}) {
      const auto want = all_tokens(extract_tokens_scalar, text, max_len, cap, start);
      const auto got = all_tokens(k().extract_tokens, text, max_len, cap, start);
      ASSERT_EQ(got, want) << trace << " start " << start;
    }
    ASSERT_EQ(k().count_newlines(text), count_newlines_scalar(text)) << trace;
  }
};

// random_text mixes log-like text, base64url runs, dots and planted tokens and near misses.
std::string random_text(std::mt19937_64& rng, size_t len) {
  static const std::string kPieces[] = {
      "eyJ", ".", "..", " ", "\n", "\r\n", "=", "\"", "Bearer ", "eyJhbGciOiJFUzI1NiJ9", "eyJzdWIiOiJ4In0",
      "AbC-_9", "eyJ.a.", "eyJa.eyJb.sig", "eyJa.eyJb.sig.", "eyJa.eyJb..", "x.eyJ", "\xc3\xa9", "\xff",
      "a.b.c.d.e", "eyJa..b", "-", "_"};
  std::string s;
  std::uniform_int_distribution<size_t> pick(0, std::size(kPieces) - 1);
  std::uniform_int_distribution<int> byte(0, 255), coin(0, 3);
  while (s.size() < len) {
    if (coin(rng) == 0) s += static_cast<char>(byte(rng));
    else s += kPieces[pick(rng)];
  }
  s.resize(len);
  return s;
}

TEST_P(ExtractTest, RandomTextEqualsScalar) {
  std::mt19937_64 rng(20260101);
  for (size_t len = 0; len <= 300; ++len) {
    for (int rep = 0; rep < 8; ++rep) {
      const std::string text = random_text(rng, len);
      same(text, kMax, 64, "len " + std::to_string(len) + " rep " + std::to_string(rep));
      if (HasFatalFailure()) return;
    }
  }
  for (int rep = 0; rep < 40; ++rep) {
    const std::string text = random_text(rng, 4096 + static_cast<size_t>(rep) * 997);
    same(text, 64, 3, "long rep " + std::to_string(rep) + " cap 3 max 64");
    if (HasFatalFailure()) return;
  }
}

TEST_P(ExtractTest, TokenAtEveryAlignmentAndLength) {
  const std::string token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2J5dGVz";
  for (size_t pad = 0; pad < 130; ++pad) {
    for (size_t cut = 0; cut <= token.size(); cut += 7) {
      const std::string text = std::string(pad, ' ') + token.substr(0, token.size() - cut);
      same(text, kMax, 64, "pad " + std::to_string(pad) + " cut " + std::to_string(cut));
      if (HasFatalFailure()) return;
      const auto got = all_tokens(k().extract_tokens, text);
      // The whole token is found whenever it is whole (cut 0) at any offset.
      if (cut == 0) {
        ASSERT_EQ(got.size(), 1u) << pad;
        EXPECT_EQ(got[0].offset, pad);
      }
    }
  }
}

TEST_P(ExtractTest, LongRunsCappedByMaxTokenLen) {
  for (size_t run : {size_t{15}, size_t{16}, size_t{17}, size_t{63}, size_t{64}, size_t{65}, size_t{1000}, size_t{100000}}) {
    const std::string text = " eyJ" + std::string(run, 'Q') + ".eyJ" + std::string(run, 'w') + ".s " +
                             std::string(run, 'z');
    for (size_t max_len : {size_t{16}, size_t{100}, size_t{4096}, kMax}) {
      same(text, max_len, 64, "run " + std::to_string(run) + " max " + std::to_string(max_len));
      if (HasFatalFailure()) return;
      const auto got = all_tokens(k().extract_tokens, text, max_len);
      ASSERT_EQ(got.size(), 1u);
      EXPECT_EQ(got[0].len, std::min(2 * run + 9, max_len + 1));
    }
  }
}

// Text that ends exactly at a PROT_NONE page: any read past the end faults.
TEST_P(ExtractTest, TextEndsAtPageBoundary) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* p = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  char* base = static_cast<char*>(p);
  ASSERT_EQ(mprotect(base + page, page, PROT_NONE), 0);
  const std::string token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.";
  std::mt19937_64 rng(7);
  for (size_t len = 0; len <= 200; ++len) {
    std::string text = random_text(rng, len);
    if (len >= token.size() && len % 2) text.replace(len - token.size(), token.size(), token);
    char* at = base + page - len;
    std::memcpy(at, text.data(), len);
    const std::string_view view(at, len);
    same(view, kMax, 64, "page end len " + std::to_string(len));
    if (HasFatalFailure()) break;
  }
  // And text that begins at a page start (the previous page unmapped is not needed: start == 0
  // never reads before the text).
  munmap(base, 2 * page);
}

INSTANTIATE_TEST_SUITE_P(Kernels, ExtractTest,
                         ::testing::ValuesIn(supported_kernels().begin(), supported_kernels().end()),
                         [](const ::testing::TestParamInfo<KernelTable>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace jwtbatch::kernels
