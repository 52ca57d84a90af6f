// base64url_test.cpp: every base64url kernel variant this CPU runs (supported_kernels()) decodes
// and encodes exactly like the scalar reference: RFC 4648 known answers in the url alphabet, random
// valid inputs of every length 0..4096, one bad character at every position (all positions up to
// 300 characters, sampled above), every byte value in every lane, non-canonical last characters,
// length and output-size errors, inputs and outputs that end at a PROT_NONE page, and no write
// outside `out`. Failures trace the seed, length, alignment and position.
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/base64url/base64url.hpp"
#include "kernels/cpu/cpu.hpp"

namespace jwtbatch::kernels {
namespace {

constexpr uint64_t kSeed = 0x6a77746261746368;  // "jwtbatch"
// The test's own copy of the alphabet: the contract's kBase64urlAlphabet is what is under test.
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t kMaxLen = 4096;
constexpr size_t kExhaustiveLen = 300;  // every position and alignment up to here
constexpr uint8_t kGuardByte = 0xa5;
constexpr size_t kGuardLen = 128;

std::string_view status_name(DecodeStatus s) {
  switch (s) {
    case DecodeStatus::ok: return "ok";
    case DecodeStatus::bad_char: return "bad_char";
    case DecodeStatus::bad_length: return "bad_length";
    case DecodeStatus::bad_trailing: return "bad_trailing";
    case DecodeStatus::out_too_small: return "out_too_small";
  }
  return "?";
}

std::string describe(const DecodeResult& r) {
  return std::string(status_name(r.status)) + "@" + std::to_string(r.count);
}

bool in_alphabet(uint8_t c) { return kAlphabet.find(static_cast<char>(c)) != std::string_view::npos; }

std::vector<uint8_t> invalid_bytes() {
  std::vector<uint8_t> v;
  for (int c = 0; c < 256; ++c)
    if (!in_alphabet(static_cast<uint8_t>(c))) v.push_back(static_cast<uint8_t>(c));
  return v;
}

std::vector<uint8_t> random_bytes(std::mt19937_64& rng, size_t len) {
  std::vector<uint8_t> v(len);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

std::string encode_scalar(std::span<const uint8_t> bytes) {
  std::string s(base64url_encoded_len(bytes.size()), '\0');
  s.resize(base64url_encode_scalar(bytes, s));
  return s;
}

// random_encoding returns the scalar encoding of random bytes, cut or extended to `len`
// characters with alphabet characters (so it is valid iff len % 4 != 1 and the last character
// is canonical; callers that want a valid input take a length that is one).
std::string random_chars(std::mt19937_64& rng, size_t len) {
  const std::vector<uint8_t> bytes = random_bytes(rng, len / 4 * 3 + 3);
  std::string s = encode_scalar(bytes);
  s.resize(len);
  return s;
}

std::string random_valid(std::mt19937_64& rng, size_t decoded_len) {
  return encode_scalar(random_bytes(rng, decoded_len));
}

// Aligned: a heap buffer aligned to 64 bytes, so a test can choose the exact misalignment.
class Aligned {
 public:
  explicit Aligned(size_t size) : data_(new(std::align_val_t{64}) uint8_t[size]), size_(size) {}
  uint8_t* data() { return data_.get(); }
  size_t size() const { return size_; }

 private:
  struct Deleter {
    void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t{64}); }
  };
  std::unique_ptr<uint8_t[], Deleter> data_;
  size_t size_;
};

struct Outcome {
  DecodeResult result;
  std::vector<uint8_t> bytes;  // the `count` bytes written, when ok
  bool wrote_outside = false;  // a byte before or after `out` changed
};

// run_decode decodes `in` with `f` into an `out` of `out_len` bytes at misalignment `out_align`,
// surrounded by guard bytes.
Outcome run_decode(Base64urlDecode f, std::span<const char> in, size_t out_len, size_t out_align = 0) {
  Aligned buf(kGuardLen + out_align + out_len + kGuardLen);
  std::memset(buf.data(), kGuardByte, buf.size());
  uint8_t* out = buf.data() + kGuardLen + out_align;
  Outcome r;
  r.result = f(in, std::span<uint8_t>(out, out_len));
  if (r.result.status == DecodeStatus::ok && r.result.count <= out_len)
    r.bytes.assign(out, out + r.result.count);
  for (uint8_t* p = buf.data(); p < out; ++p) r.wrote_outside |= *p != kGuardByte;
  for (uint8_t* p = out + out_len; p < buf.data() + buf.size(); ++p) r.wrote_outside |= *p != kGuardByte;
  return r;
}

// same_as_scalar decodes `in` with `k` and with the reference (both into `out_len` bytes, or
// decoded_len + kDecodeOutSlack by default) and requires the same status, count and bytes.
::testing::AssertionResult same_as_scalar(const KernelTable& k, std::span<const char> in,
                                          size_t out_len = SIZE_MAX, size_t out_align = 0) {
  if (out_len == SIZE_MAX) out_len = base64url_decoded_len(in.size()) + kDecodeOutSlack;
  const Outcome want = run_decode(base64url_decode_scalar, in, out_len, out_align);
  const Outcome got = run_decode(k.base64url_decode, in, out_len, out_align);
  if (got.wrote_outside) return ::testing::AssertionFailure() << k.name << " wrote outside `out`";
  if (want.result.status != got.result.status || want.result.count != got.result.count)
    return ::testing::AssertionFailure() << k.name << " returned " << describe(got.result)
                                         << ", scalar " << describe(want.result);
  if (want.bytes != got.bytes) {
    size_t j = 0;
    while (want.bytes[j] == got.bytes[j]) ++j;
    return ::testing::AssertionFailure() << k.name << " output differs from scalar at byte " << j;
  }
  return ::testing::AssertionSuccess();
}

std::span<const char> chars(const std::string& s) { return {s.data(), s.size()}; }

}  // namespace

// PrintTo names the variant in test names and messages (found by argument-dependent lookup).
void PrintTo(const KernelTable& t, std::ostream* os) { *os << t.name; }

namespace {

// Failures inside big sweeps: report a few, then stop the sweep.
constexpr int kMaxReported = 5;

class Base64urlTest : public ::testing::TestWithParam<KernelTable> {
 protected:
  const KernelTable& k() const { return GetParam(); }
  bool check(std::span<const char> in, size_t out_len = SIZE_MAX, size_t out_align = 0) {
    auto r = same_as_scalar(k(), in, out_len, out_align);
    if (!r) {
      ADD_FAILURE() << r.message();
      ++failures_;
    }
    return failures_ < kMaxReported;
  }
  int failures_ = 0;
};

// RFC 4648 section 10, unpadded and in the url alphabet (identical to the standard one for these),
// plus characters where the two alphabets differ.
struct KnownAnswer {
  std::string_view encoded;
  std::string_view decoded;
};
constexpr KnownAnswer kRfc4648Section10[] = {
    {"", ""},         {"Zg", "f"},         {"Zm8", "fo"},         {"Zm9v", "foo"},
    {"Zm9vYg", "foob"}, {"Zm9vYmE", "fooba"}, {"Zm9vYmFy", "foobar"},
};
constexpr KnownAnswer kUrlAlphabet[] = {
    {"-_8", "\xfb\xff"},         // standard: "+/8="
    {"-___", "\xfb\xff\xff"},    // standard: "+///"
    {"AAAA", std::string_view("\0\0\0", 3)},
    {"____", "\xff\xff\xff"},
    {"QUJD-_-_", "ABC\xfb\xff\xbf"},
};

TEST_P(Base64urlTest, Rfc4648Section10) {
  for (const auto& [enc, dec] : kRfc4648Section10) {
    SCOPED_TRACE(enc);
    std::vector<uint8_t> out(dec.size() + kDecodeOutSlack);
    const DecodeResult r = k().base64url_decode({enc.data(), enc.size()}, out);
    ASSERT_EQ(r.status, DecodeStatus::ok);
    ASSERT_EQ(r.count, dec.size());
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(out.data()), r.count), dec);
    std::string e(base64url_encoded_len(dec.size()), '\0');
    EXPECT_EQ(k().base64url_encode({reinterpret_cast<const uint8_t*>(dec.data()), dec.size()}, e),
              enc.size());
    EXPECT_EQ(e, enc);
  }
}

TEST_P(Base64urlTest, UrlAlphabetKnownAnswers) {
  for (const auto& [enc, dec] : kUrlAlphabet) {
    SCOPED_TRACE(enc);
    std::vector<uint8_t> out(dec.size() + kDecodeOutSlack);
    const DecodeResult r = k().base64url_decode({enc.data(), enc.size()}, out);
    ASSERT_EQ(r.status, DecodeStatus::ok);
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(out.data()), r.count), dec);
    std::string e(base64url_encoded_len(dec.size()), '\0');
    k().base64url_encode({reinterpret_cast<const uint8_t*>(dec.data()), dec.size()}, e);
    EXPECT_EQ(e, enc);
  }
}

// Strictness, with the exact status and offset the contract promises.
TEST_P(Base64urlTest, StrictnessKnownAnswers) {
  struct Case {
    std::string_view in;
    DecodeStatus status;
    size_t count;
  };
  const Case cases[] = {
      {"Zg==", DecodeStatus::bad_char, 2},        // padding
      {"Zm9vYg=", DecodeStatus::bad_char, 6},     // padding, length 7
      {"Zm9v\nYmFy", DecodeStatus::bad_char, 4},  // whitespace
      {" Zm9v", DecodeStatus::bad_char, 0},
      {"Zm9vYmFy ", DecodeStatus::bad_char, 8},
      {"+/8", DecodeStatus::bad_char, 0},         // the standard alphabet
      {"-/8", DecodeStatus::bad_char, 1},
      {"Zm9v.YmFy", DecodeStatus::bad_char, 4},   // a JWS dot
      {"Z", DecodeStatus::bad_length, 1},
      {"Zm9vY", DecodeStatus::bad_length, 5},
      {"Zm9v=", DecodeStatus::bad_char, 4},       // a bad char wins over a bad length
      {"Zh", DecodeStatus::bad_trailing, 1},      // 'h' = 33: low 4 bits not zero
      {"Zm9", DecodeStatus::bad_trailing, 2},     // '9' = 61: low 2 bits not zero
      {"Zm8", DecodeStatus::ok, 2},
      {"Zm_", DecodeStatus::bad_trailing, 2},
      {"Zm-", DecodeStatus::bad_trailing, 2},
      {"Zx", DecodeStatus::bad_trailing, 1},      // 'x' = 49
      {"Zw", DecodeStatus::ok, 1},                // 'w' = 48
      {"ZmA", DecodeStatus::ok, 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    std::vector<uint8_t> out(c.in.size() + kDecodeOutSlack);
    const DecodeResult r = k().base64url_decode({c.in.data(), c.in.size()}, out);
    EXPECT_EQ(status_name(r.status), status_name(c.status));
    EXPECT_EQ(r.count, c.count);
  }
  // A byte with the top bit set, and NUL.
  for (char bad : {'\x80', '\xff', '\xc1', '\0', '\x7f'}) {
    std::string in = "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFy";
    in[37] = bad;
    std::vector<uint8_t> out(in.size() + kDecodeOutSlack);
    const DecodeResult r = k().base64url_decode(chars(in), out);
    EXPECT_EQ(r.status, DecodeStatus::bad_char) << int{static_cast<uint8_t>(bad)};
    EXPECT_EQ(r.count, 37u);
  }
}

TEST_P(Base64urlTest, ValidEveryLengthAndAlignmentTo300) {
  std::mt19937_64 rng(kSeed);
  Aligned buf(kExhaustiveLen + 64);
  for (size_t len = 0; len <= kExhaustiveLen; ++len) {
    const std::string in = random_chars(rng, len);
    for (size_t align = 0; align < 64; ++align) {
      SCOPED_TRACE("seed=" + std::to_string(kSeed) + " len=" + std::to_string(len) +
                   " align=" + std::to_string(align));
      std::memcpy(buf.data() + align, in.data(), len);
      if (!check({reinterpret_cast<const char*>(buf.data()) + align, len}, SIZE_MAX, (align * 7) % 64))
        return;
    }
  }
}

TEST_P(Base64urlTest, ValidEveryLengthTo4096) {
  std::mt19937_64 rng(kSeed + 1);
  for (size_t len = 0; len <= kMaxLen; ++len) {
    SCOPED_TRACE("seed=" + std::to_string(kSeed + 1) + " len=" + std::to_string(len));
    const std::string in = random_chars(rng, len);
    if (!check(chars(in))) return;
    // And a valid input of exactly this many characters where possible: it must decode.
    if (len % 4 != 1) {
      const std::string valid = random_valid(rng, base64url_decoded_len(len));
      ASSERT_EQ(valid.size(), len);
      std::vector<uint8_t> out(base64url_decoded_len(len) + kDecodeOutSlack);
      const DecodeResult r = k().base64url_decode(chars(valid), out);
      ASSERT_EQ(r.status, DecodeStatus::ok) << describe(r);
      ASSERT_EQ(r.count, base64url_decoded_len(len));
      if (!check(chars(valid))) return;
    }
  }
}

TEST_P(Base64urlTest, OneBadCharAtEveryPositionTo300) {
  std::mt19937_64 rng(kSeed + 2);
  const std::vector<uint8_t> bad = invalid_bytes();
  for (size_t len = 1; len <= kExhaustiveLen; ++len) {
    std::string in = random_valid(rng, base64url_decoded_len(len));
    in.resize(len, 'A');
    for (size_t pos = 0; pos < len; ++pos) {
      const uint8_t b = bad[rng() % bad.size()];
      SCOPED_TRACE("seed=" + std::to_string(kSeed + 2) + " len=" + std::to_string(len) +
                   " pos=" + std::to_string(pos) + " byte=" + std::to_string(b));
      const char saved = in[pos];
      in[pos] = static_cast<char>(b);
      if (!check(chars(in))) return;
      // A second bad character later on: the first must still be the one reported.
      if (pos + 1 < len) {
        const size_t pos2 = pos + 1 + rng() % (len - pos - 1);
        const char saved2 = in[pos2];
        in[pos2] = static_cast<char>(bad[rng() % bad.size()]);
        if (!check(chars(in))) return;
        in[pos2] = saved2;
      }
      in[pos] = saved;
    }
  }
}

TEST_P(Base64urlTest, OneBadCharSampledTo4096) {
  std::mt19937_64 rng(kSeed + 3);
  const std::vector<uint8_t> bad = invalid_bytes();
  for (size_t len = kExhaustiveLen + 1; len <= kMaxLen; ++len) {
    std::string in = random_valid(rng, base64url_decoded_len(len));
    in.resize(len, 'A');
    // The first and last 8 positions (block heads and the tail path), 8 anywhere.
    std::vector<size_t> positions;
    for (size_t j = 0; j < 8; ++j) {
      positions.push_back(j);
      positions.push_back(len - 1 - j);
      positions.push_back(rng() % len);
    }
    for (size_t pos : positions) {
      const uint8_t b = bad[rng() % bad.size()];
      SCOPED_TRACE("seed=" + std::to_string(kSeed + 3) + " len=" + std::to_string(len) +
                   " pos=" + std::to_string(pos) + " byte=" + std::to_string(b));
      const char saved = in[pos];
      in[pos] = static_cast<char>(b);
      if (!check(chars(in))) return;
      in[pos] = saved;
    }
  }
}

// Every byte value at every position of inputs that exercise full blocks and the tail path of
// every variant (lookup tables are where a SIMD decoder is most likely to be wrong).
TEST_P(Base64urlTest, EveryByteValueAtEveryPosition) {
  std::mt19937_64 rng(kSeed + 4);
  for (size_t len : {3u, 7u, 32u, 64u, 128u, 150u}) {
    std::string in = random_valid(rng, base64url_decoded_len(len));
    ASSERT_EQ(in.size(), len);
    for (size_t pos = 0; pos < len; ++pos) {
      const char saved = in[pos];
      for (int b = 0; b < 256; ++b) {
        SCOPED_TRACE("len=" + std::to_string(len) + " pos=" + std::to_string(pos) +
                     " byte=" + std::to_string(b));
        in[pos] = static_cast<char>(b);
        if (!check(chars(in))) return;
      }
      in[pos] = saved;
    }
  }
}

// Every character as the last one of a partial quantum: only canonical ones (unused bits zero)
// decode, and the others are bad_trailing at the last offset.
TEST_P(Base64urlTest, LastCharacterCanonical) {
  std::mt19937_64 rng(kSeed + 5);
  std::vector<size_t> lengths;
  for (size_t len = 2; len <= kExhaustiveLen; ++len)
    if (len % 4 >= 2) lengths.push_back(len);
  for (size_t len : {1022u, 1023u, 4094u, 4095u}) lengths.push_back(len);
  for (size_t len : lengths) {
    std::string in = random_valid(rng, base64url_decoded_len(len));
    int num_ok = 0;
    for (char c : kAlphabet) {
      SCOPED_TRACE("len=" + std::to_string(len) + " last=" + std::string(1, c));
      in.back() = c;
      if (!check(chars(in))) return;
      std::vector<uint8_t> out(base64url_decoded_len(len) + kDecodeOutSlack);
      num_ok += k().base64url_decode(chars(in), out).status == DecodeStatus::ok;
    }
    EXPECT_EQ(num_ok, len % 4 == 2 ? 4 : 16) << "len=" << len;
  }
}

TEST_P(Base64urlTest, LengthAndOutputSizeErrors) {
  std::mt19937_64 rng(kSeed + 6);
  for (size_t len = 0; len <= kExhaustiveLen + 64; ++len) {
    SCOPED_TRACE("len=" + std::to_string(len));
    std::string in = random_valid(rng, base64url_decoded_len(len));
    in.resize(len, 'Q');
    const size_t need = base64url_decoded_len(len);
    // Every `out` size from one too small to decoded_len + slack: never a write outside `out`.
    for (size_t out_len = need == 0 ? 0 : need - 1; out_len <= need + kDecodeOutSlack; ++out_len) {
      SCOPED_TRACE("out_len=" + std::to_string(out_len));
      if (!check(chars(in), out_len, len % 64)) return;
    }
    if (len % 4 == 1) {
      std::vector<uint8_t> out(need + kDecodeOutSlack);
      const DecodeResult r = k().base64url_decode(chars(in), out);
      EXPECT_EQ(r.status, DecodeStatus::bad_length);
      EXPECT_EQ(r.count, len);
    } else if (need > 0) {
      std::vector<uint8_t> out(need - 1);
      const DecodeResult r = k().base64url_decode(chars(in), out);
      EXPECT_EQ(r.status, DecodeStatus::out_too_small);
      EXPECT_EQ(r.count, len);
    }
    if (len > 0) {  // a bad char wins over both
      in[len / 2] = '=';
      std::vector<uint8_t> out(need == 0 ? 0 : need - 1);
      const DecodeResult r = k().base64url_decode(chars(in), out);
      EXPECT_EQ(r.status, DecodeStatus::bad_char);
      EXPECT_EQ(r.count, len / 2);
    }
  }
}

// Guarded: `size` bytes of readable and writable memory between two PROT_NONE pages, so any
// access before begin() or past end() faults.
class Guarded {
 public:
  explicit Guarded(size_t size) {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    inner_ = (size + page_ - 1) / page_ * page_;
    if (inner_ == 0) inner_ = page_;
    void* p = mmap(nullptr, inner_ + 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (p == MAP_FAILED) return;
    base_ = static_cast<uint8_t*>(p);
    if (mprotect(base_, page_, PROT_NONE) != 0 || mprotect(base_ + page_ + inner_, page_, PROT_NONE) != 0) {
      munmap(base_, inner_ + 2 * page_);
      base_ = nullptr;
    }
  }
  ~Guarded() {
    if (base_) munmap(base_, inner_ + 2 * page_);
  }
  Guarded(const Guarded&) = delete;
  Guarded& operator=(const Guarded&) = delete;
  bool ok() const { return base_ != nullptr; }
  uint8_t* begin() { return base_ + page_; }
  uint8_t* end() { return base_ + page_ + inner_; }

 private:
  uint8_t* base_ = nullptr;
  size_t page_ = 0, inner_ = 0;
};

TEST_P(Base64urlTest, InputAndOutputAtPageBoundaries) {
  std::mt19937_64 rng(kSeed + 7);
  Guarded in_mem(kMaxLen);
  Guarded out_mem(kMaxLen);
  ASSERT_TRUE(in_mem.ok() && out_mem.ok()) << "mmap/mprotect failed";
  const std::vector<uint8_t> bad = invalid_bytes();
  std::vector<uint8_t> want(kMaxLen + kDecodeOutSlack);
  std::vector<size_t> lengths;
  for (size_t len = 0; len <= kExhaustiveLen; ++len) lengths.push_back(len);
  for (size_t len = kExhaustiveLen + 1; len <= kMaxLen; len += 1 + rng() % 37) lengths.push_back(len);
  lengths.push_back(kMaxLen);
  lengths.push_back(kMaxLen - 2);
  for (size_t len : lengths) {
    std::string s = random_chars(rng, len);
    const size_t need = base64url_decoded_len(len);
    // Variants: as is (valid or bad length or non-canonical), last char bad, first char bad.
    for (int variant = 0; variant < 3; ++variant) {
      if (variant > 0 && len == 0) break;
      std::string in = s;
      if (variant == 1) in.back() = static_cast<char>(bad[rng() % bad.size()]);
      if (variant == 2) in.front() = static_cast<char>(bad[rng() % bad.size()]);
      const DecodeResult expected = base64url_decode_scalar(chars(in), want);
      for (bool at_end : {true, false}) {
        SCOPED_TRACE("len=" + std::to_string(len) + " variant=" + std::to_string(variant) +
                     (at_end ? " input ends at a page end" : " input starts at a page start"));
        char* p = reinterpret_cast<char*>(at_end ? in_mem.end() - len : in_mem.begin());
        std::memcpy(p, in.data(), len);
        // Exactly decoded_len bytes of output, ending at a PROT_NONE page.
        uint8_t* out = out_mem.end() - need;
        const DecodeResult r = k().base64url_decode({p, len}, {out, need});
        ASSERT_EQ(describe(r), describe(expected));
        if (r.status == DecodeStatus::ok) {
          ASSERT_EQ(0, std::memcmp(out, want.data(), need));
        }
      }
    }
  }
}

TEST_P(Base64urlTest, EncodeEqualsScalarAndRoundTrips) {
  std::mt19937_64 rng(kSeed + 8);
  Guarded in_mem(kMaxLen);
  Guarded out_mem(base64url_encoded_len(kMaxLen));
  ASSERT_TRUE(in_mem.ok() && out_mem.ok()) << "mmap/mprotect failed";
  for (size_t len = 0; len <= kMaxLen; ++len) {
    SCOPED_TRACE("seed=" + std::to_string(kSeed + 8) + " len=" + std::to_string(len));
    const std::vector<uint8_t> bytes = random_bytes(rng, len);
    const std::string want = encode_scalar(bytes);
    // Input ending at a PROT_NONE page, output of exactly encoded_len ending at one.
    uint8_t* in = in_mem.end() - len;
    if (len > 0) std::memcpy(in, bytes.data(), len);
    char* out = reinterpret_cast<char*>(out_mem.end()) - want.size();
    const size_t n = k().base64url_encode({in, len}, {out, want.size()});
    ASSERT_EQ(n, want.size());
    ASSERT_EQ(std::string_view(out, n), want);
    // Round trip through this variant's decoder.
    std::vector<uint8_t> back(len + kDecodeOutSlack);
    const DecodeResult r = k().base64url_decode({out, n}, back);
    ASSERT_EQ(r.status, DecodeStatus::ok) << describe(r);
    ASSERT_EQ(r.count, len);
    ASSERT_TRUE(std::equal(bytes.begin(), bytes.end(), back.begin()));
  }
}

// The helper the SIMD variants finish with: from any quantum boundary it returns what a whole
// scalar decode returns (offsets counted from the start of the input).
TEST(Base64urlScalarFrom, EqualsWholeDecode) {
  std::mt19937_64 rng(kSeed + 9);
  const std::vector<uint8_t> bad = invalid_bytes();
  for (size_t len = 0; len <= 200; ++len) {
    std::string in = random_chars(rng, len);
    for (int variant = 0; variant < 2; ++variant) {
      if (variant == 1 && len > 0) in[rng() % len] = static_cast<char>(bad[rng() % bad.size()]);
      const size_t need = base64url_decoded_len(len);
      std::vector<uint8_t> want(need + kDecodeOutSlack);
      const DecodeResult expected = base64url_decode_scalar(chars(in), want);
      for (size_t pos = 0; pos <= len; pos += 4) {
        SCOPED_TRACE("len=" + std::to_string(len) + " pos=" + std::to_string(pos));
        // Only meaningful when in[0..pos) is valid, as the SIMD variants guarantee.
        if (expected.status == DecodeStatus::bad_char && expected.count < pos) break;
        std::vector<uint8_t> out(want.size());
        std::copy(want.begin(), want.begin() + static_cast<ptrdiff_t>(std::min(need, pos / 4 * 3)),
                  out.begin());
        const DecodeResult r = base64url_decode_scalar_from(chars(in), out, pos);
        ASSERT_EQ(describe(r), describe(expected));
        if (r.status == DecodeStatus::ok) {
          ASSERT_TRUE(std::equal(want.begin(), want.begin() + static_cast<ptrdiff_t>(need), out.begin()));
        }
      }
    }
    const std::vector<uint8_t> bytes = random_bytes(rng, len);
    const std::string want = encode_scalar(bytes);
    for (size_t pos = 0; pos <= len; pos += 3) {
      std::string out = want.substr(0, pos / 3 * 4);
      out.resize(want.size());
      ASSERT_EQ(base64url_encode_scalar_from(bytes, out, pos), want.size()) << len << " " << pos;
      ASSERT_EQ(out, want) << len << " " << pos;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, Base64urlTest,
                         ::testing::ValuesIn(supported_kernels().begin(), supported_kernels().end()),
                         [](const ::testing::TestParamInfo<KernelTable>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace jwtbatch::kernels
