#include <gtest/gtest.h>

#include "jwtbatch/status.hpp"

namespace jwtbatch {
namespace {

TEST(Status, NamesRoundTrip) {
  for (size_t i = 0; i < kNumStatuses; ++i) {
    auto s = static_cast<Status>(i);
    auto back = status_from_string(to_string(s));
    ASSERT_TRUE(back.has_value()) << i;
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(status_from_string("nope").has_value());
  EXPECT_EQ(to_string(Status::bad_signature), "bad_signature");
}

TEST(Alg, NamesRoundTripAndNoneIsUnknown) {
  for (size_t i = 1; i < kNumAlgs; ++i) {
    auto a = static_cast<Alg>(i);
    EXPECT_EQ(alg_from_string(to_string(a)), a);
  }
  for (const char* s : {"none", "None", "NONE", "nOnE", "hs256", "ES256K", "Ed448", ""})
    EXPECT_EQ(alg_from_string(s), Alg::unknown) << s;
}

TEST(AlgSet, Basics) {
  AlgSet s{Alg::hs256, Alg::es256};
  EXPECT_TRUE(s.contains(Alg::hs256));
  EXPECT_FALSE(s.contains(Alg::rs256));
  EXPECT_FALSE(s.contains(Alg::unknown));
  EXPECT_TRUE(AlgSet{}.empty());
  EXPECT_EQ(s.intersect(AlgSet{Alg::es256}), AlgSet{Alg::es256});
}

}  // namespace
}  // namespace jwtbatch
