// verifier_fixture.hpp (tests): a fixture with the test key set (tests/support/token_builder.hpp)
// loaded, and one-call verification under a policy, shared by the engine, limits and security tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "jwtbatch/jwtbatch.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch::test {

class VerifierFixture : public ::testing::Test {
 protected:
  static constexpr UnixSeconds kFixtureNow = 1767225600;  // 2026-01-01T00:00:00Z

  void SetUp() override {
    std::string error;
    std::vector<std::string> warnings;
    keys_ = KeySet::from_jwks(test_keys().jwks(), &error, &warnings);
    ASSERT_TRUE(keys_) << error;
    ASSERT_TRUE(warnings.empty()) << warnings.front();
  }
  // check verifies `token` at kFixtureNow under `policy` with a fresh Verifier.
  Verdict check(const std::string& token, Policy policy = {}) {
    Verifier v(keys_, std::move(policy));
    return v.verify(token, kFixtureNow);
  }
  Status status(const std::string& token, Policy policy = {}) { return check(token, std::move(policy)).status; }

  std::shared_ptr<const KeySet> keys_;
};

}  // namespace jwtbatch::test
