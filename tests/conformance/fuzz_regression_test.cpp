// fuzz_regression_test.cpp: every input that crashed a fuzz target (tests/fuzz/), or that a fuzz
// harness reproduced, replayed as a plain test, with the fix it led to.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "jwtbatch/jwtbatch.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch {
namespace {

constexpr UnixSeconds kNow = 1767225600;

std::shared_ptr<const KeySet> keys() {
  std::string error;
  auto k = KeySet::from_jwks(test::test_keys().jwks(), &error);
  EXPECT_TRUE(k) << error;
  return k;
}

std::string aud_claims(size_t num_values, std::string_view value) {
  std::string c = "{\"exp\":" + std::to_string(kNow + 60) + ",\"aud\":[";
  for (size_t i = 0; i < num_values; ++i) {
    if (i) c += ',';
    c += '"';
    c += value;
    c += '"';
  }
  return c + "]}";
}

// Heap buffer overflow in stage 3 (engine/parse.cpp copy_to), reproduced through json_fuzz with
// {"exp":...,"aud":["a","a",...]} (200 values): every string copied out of the JSON took a whole
// 64-byte arena slot, while decode_chunk sizes the arena for copies no longer than the JSON, so
// a few dozen one-letter audiences wrote past the chunk's arena. Fixed by packing the copies
// (Arena::alloc_bytes); the fuzz build also poisons the arena past each chunk's reservation.
TEST(FuzzRegression, ShortAudienceValuesStayInsideTheArena) {
  const std::string h = "{\"alg\":\"HS256\",\"kid\":\"hs\"}";
  Policy p;
  p.audiences = {"b"};
  p.max_aud_values = 1 << 20;  // this test is about the arena, not about the aud limit
  for (size_t n : {size_t{30}, size_t{200}, size_t{11000}}) {
    // A fresh verifier: its arena has never been bigger than this token needs.
    Verifier v(keys(), p);
    const std::string t = test::make_token("HS256", h, aud_claims(n, "a"));
    ASSERT_LE(t.size(), p.max_token_bytes) << n;
    EXPECT_EQ(v.verify(t, kNow).status, Status::bad_audience) << n;
    const std::string t2 = test::make_token("HS256", h, aud_claims(n, "b"));
    EXPECT_EQ(v.verify(t2, kNow).status, Status::ok) << n;
  }
  // A whole chunk of such tokens in one batch (one arena for all of them).
  Verifier v(keys(), p);
  std::vector<std::string> tokens;
  for (size_t i = 0; i < 64; ++i) tokens.push_back(test::make_token("HS256", h, aud_claims(100 + i, i % 2 ? "a" : "b")));
  std::vector<std::string_view> views(tokens.begin(), tokens.end());
  std::vector<Verdict> out(views.size());
  ASSERT_EQ(v.verify_batch(views, out, kNow, nullptr, {1}), Status::ok);
  for (size_t i = 0; i < out.size(); ++i)
    EXPECT_EQ(out[i].status, i % 2 ? Status::bad_audience : Status::ok) << i;
}

}  // namespace
}  // namespace jwtbatch
