// options_test.cpp: the table of policy options (include/jwtbatch/options.hpp) that the command's
// flags and the C API's jwtbatch_options_set both go through: every row sets its Policy member, and
// every bad or out-of-range value is refused with one line naming the option, leaving the policy
// as it was.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "jwtbatch/jwtbatch.h"
#include "jwtbatch/options.hpp"

namespace jwtbatch {
namespace {

bool one_line_naming(const std::string& error, std::string_view name) {
  return error.starts_with(std::string(name) + ": ") && error.find('\n') == std::string::npos;
}

TEST(PolicyOptions, TableListsEveryPolicyOptionOnce) {
  std::set<std::string_view> names;
  for (const PolicyOption& o : policy_options()) {
    EXPECT_TRUE(names.insert(o.name).second) << o.name;
    EXPECT_EQ(find_policy_option(o.name), &o);
    EXPECT_FALSE(o.help.empty()) << o.name;
    EXPECT_NE(o.apply, nullptr) << o.name;
    if (o.type == PolicyOptionType::integer) {
      EXPECT_LT(o.min, o.max) << o.name;
    } else {
      EXPECT_EQ(o.min, 0) << o.name;
      EXPECT_EQ(o.max, 0) << o.name;
    }
  }
  EXPECT_EQ(names, (std::set<std::string_view>{"alg", "iss", "aud", "require", "leeway", "max_age", "typ",
                                               "max_token_bytes"}));
  EXPECT_EQ(find_policy_option("max-token-bytes"), nullptr);
  EXPECT_EQ(find_policy_option("claims"), nullptr);  // a C API option, not a policy option
}

TEST(PolicyOptions, EveryOptionSetsItsMember) {
  Policy p;
  std::string error;
  ASSERT_TRUE(set_policy_option(&p, "alg", "RS256,ES256", &error)) << error;
  EXPECT_TRUE(p.algs.contains(Alg::rs256) && p.algs.contains(Alg::es256) && !p.algs.contains(Alg::hs256));
  ASSERT_TRUE(set_policy_option(&p, "alg", "HS256", &error)) << error;  // replaces
  EXPECT_TRUE(p.algs.contains(Alg::hs256) && !p.algs.contains(Alg::rs256));
  ASSERT_TRUE(set_policy_option(&p, "iss", "https://a.example", &error));
  ASSERT_TRUE(set_policy_option(&p, "iss", "https://b.example", &error));  // adds
  EXPECT_EQ(p.issuers, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  ASSERT_TRUE(set_policy_option(&p, "aud", "api", &error));
  EXPECT_EQ(p.audiences, (std::vector<std::string>{"api"}));
  ASSERT_TRUE(set_policy_option(&p, "require", "exp,,sub", &error));
  EXPECT_EQ(p.required_claims, (std::vector<std::string>{"exp", "sub"}));
  ASSERT_TRUE(set_policy_option(&p, "require", " exp , sub,", &error));  // items trimmed
  EXPECT_EQ(p.required_claims, (std::vector<std::string>{"exp", "sub"}));
  ASSERT_TRUE(set_policy_option(&p, "alg", "HS256, ES256", &error)) << error;
  EXPECT_TRUE(p.algs.contains(Alg::hs256) && p.algs.contains(Alg::es256));
  ASSERT_TRUE(set_policy_option(&p, "require", "", &error));
  EXPECT_TRUE(p.required_claims.empty());
  ASSERT_TRUE(set_policy_option(&p, "leeway", "60", &error));
  EXPECT_EQ(p.leeway_s, 60);
  ASSERT_TRUE(set_policy_option(&p, "leeway", "+61", &error));
  EXPECT_EQ(p.leeway_s, 61);
  ASSERT_TRUE(set_policy_option(&p, "max_age", "3600", &error));
  EXPECT_EQ(p.max_age_s, 3600);
  ASSERT_TRUE(set_policy_option(&p, "typ", "at+jwt", &error));
  EXPECT_EQ(p.typ, "at+jwt");
  ASSERT_TRUE(set_policy_option(&p, "max_token_bytes", "16", &error));
  EXPECT_EQ(p.max_token_bytes, 16u);
  ASSERT_TRUE(set_policy_option(&p, "max_token_bytes", "1073741824", &error));
  EXPECT_EQ(p.max_token_bytes, size_t{1} << 30);
}

TEST(PolicyOptions, BadAndOutOfRangeValuesGiveOneLine) {
  struct Case {
    const char* name;
    const char* value;
  };
  const Case bad[] = {
      {"alg", "none"},   {"alg", "HS999"},  {"alg", ""},       {"alg", ",,"},
      {"leeway", "x"},   {"leeway", "12x"}, {"leeway", ""},    {"leeway", "1e3"},
      {"max_age", "y"},  {"max_age", " 5"}, {"max_token_bytes", "0x100"}, {"max_token_bytes", "++16"},
  };
  const Case out_of_range[] = {
      {"leeway", "-1"},           {"leeway", "1099511627777"},    {"leeway", "99999999999999999999"},
      {"max_age", "-5"},          {"max_age", "1099511627777"},
      {"max_token_bytes", "15"},  {"max_token_bytes", "1"},       {"max_token_bytes", "1073741825"},
  };
  std::string too_many;
  for (int i = 0; i < 65; ++i) too_many += "c" + std::to_string(i) + ",";
  std::vector<Case> all(std::begin(bad), std::end(bad));
  all.insert(all.end(), std::begin(out_of_range), std::end(out_of_range));
  all.push_back({"require", too_many.c_str()});
  std::set<std::string_view> integer_refused;
  for (const Case& c : all) {
    Policy p;
    const Policy before = p;
    std::string error;
    EXPECT_FALSE(set_policy_option(&p, c.name, c.value, &error)) << c.name << "=" << c.value;
    EXPECT_TRUE(one_line_naming(error, c.name)) << error;
    EXPECT_EQ(p.algs.contains(Alg::rs256), before.algs.contains(Alg::rs256));
    EXPECT_EQ(p.leeway_s, before.leeway_s);
    EXPECT_EQ(p.max_age_s, before.max_age_s);
    EXPECT_EQ(p.max_token_bytes, before.max_token_bytes);
    EXPECT_EQ(p.required_claims, before.required_claims);
  }
  // Every integer option has both kinds of refusal above.
  for (const PolicyOption& o : policy_options()) {
    if (o.type != PolicyOptionType::integer) continue;
    bool has_bad = false, has_range = false;
    for (const Case& c : bad) has_bad |= c.name == o.name;
    for (const Case& c : out_of_range) has_range |= c.name == o.name;
    EXPECT_TRUE(has_bad && has_range) << o.name;
  }
  std::string error;
  Policy p;
  EXPECT_FALSE(set_policy_option(&p, "max_token_bytes", "8", &error));
  EXPECT_EQ(error, "max_token_bytes: \"8\" is not an integer from 16 to 2^30");
  EXPECT_FALSE(set_policy_option(&p, "leeway", "-1", &error));
  EXPECT_EQ(error, "leeway: \"-1\" is not an integer from 0 to 2^40");
  EXPECT_FALSE(set_policy_option(&p, "alg", "none", &error));
  EXPECT_EQ(error, "alg: unknown or refused algorithm \"none\"");
  EXPECT_FALSE(set_policy_option(&p, "bogus", "1", &error));
  EXPECT_EQ(error, "bogus: unknown option");
  EXPECT_FALSE(set_policy_option(&p, "leeway", "x", nullptr));  // out_error may be null
}

TEST(PolicyOptions, CApiGoesThroughTheTable) {
  jwtbatch_options* o = jwtbatch_options_new();
  ASSERT_NE(o, nullptr);
  char err[256];
  for (const PolicyOption& opt : policy_options()) {
    const std::string name(opt.name);
    if (opt.type != PolicyOptionType::integer) continue;
    const std::string below = std::to_string(opt.min - 1), above = std::to_string(opt.max + 1);
    EXPECT_EQ(jwtbatch_options_set(o, name.c_str(), std::to_string(opt.min).c_str(), err, sizeof err), 0) << err;
    EXPECT_EQ(jwtbatch_options_set(o, name.c_str(), std::to_string(opt.max).c_str(), err, sizeof err), 0) << err;
    EXPECT_EQ(jwtbatch_options_set(o, name.c_str(), below.c_str(), err, sizeof err), -1) << name;
    std::string expected;
    Policy p;
    set_policy_option(&p, opt.name, below, &expected);
    EXPECT_EQ(std::string(err), expected);
    EXPECT_EQ(jwtbatch_options_set(o, name.c_str(), above.c_str(), err, sizeof err), -1) << name;
    EXPECT_EQ(jwtbatch_options_set(o, name.c_str(), "ten", err, sizeof err), -1) << name;
  }
  jwtbatch_options_free(o);
}

}  // namespace
}  // namespace jwtbatch
