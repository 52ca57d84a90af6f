// policy_args.cpp: the key, policy and clock options of `verify` and `audit`.
#include "tools/cli/policy_args.hpp"

#include "tools/cli/io.hpp"

namespace jwtbatch::cli {

bool ArgCursor::value(std::string_view* out) {
  if (i + 1 >= argc) return false;
  *out = argv[++i];
  return true;
}

bool ArgCursor::integer(long long lo, long long hi, long long* out) {
  std::string_view v;
  if (!value(&v)) return false;
  const auto n = parse_int64(v);
  if (!n || *n < lo || *n > hi) return false;
  *out = *n;
  return true;
}

ArgResult parse_policy_arg(std::string_view a, ArgCursor& c, PolicyArgs& p, std::string* error) {
  auto fail = [&](std::string msg) {
    *error = std::move(msg);
    return ArgResult::error;
  };
  std::string_view v;
  long long n = 0;
  if (a == "--jwks") {
    if (!c.value(&v)) return fail("--jwks needs a file");
    p.jwks.emplace_back(v);
  } else if (a == "--alg") {
    if (!c.value(&v)) return fail("--alg needs a list");
    for (const std::string& name : split_list(v)) {
      const Alg alg = alg_from_string(name);
      if (alg == Alg::unknown) return fail("--alg: unknown or refused algorithm \"" + name + "\"");
      p.policy.algs.add(alg);
    }
    if (p.policy.algs.empty()) return fail("--alg: empty list");
  } else if (a == "--iss") {
    if (!c.value(&v)) return fail("--iss needs a value");
    p.policy.issuers.emplace_back(v);
  } else if (a == "--aud") {
    if (!c.value(&v)) return fail("--aud needs a value");
    p.policy.audiences.emplace_back(v);
  } else if (a == "--require") {
    if (!c.value(&v)) return fail("--require needs a list");
    p.policy.required_claims = split_list(v);
    if (p.policy.required_claims.size() > 64) return fail("--require: at most 64 claims");
  } else if (a == "--leeway") {
    if (!c.integer(0, 1LL << 40, &n)) return fail("--leeway needs a number of seconds >= 0");
    p.policy.leeway_s = n;
  } else if (a == "--now") {
    if (!c.integer(-(1LL << 53), 1LL << 53, &n)) return fail("--now needs UNIX seconds");
    p.now = n;
    p.now_set = true;
  } else if (a == "--max-age") {
    if (!c.integer(0, 1LL << 40, &n)) return fail("--max-age needs a number of seconds >= 0");
    p.policy.max_age_s = n;
  } else if (a == "--typ") {
    if (!c.value(&v)) return fail("--typ needs a value");
    p.policy.typ = std::string(v);
  } else if (a == "--max-token-bytes") {
    if (!c.integer(16, 1LL << 30, &n)) return fail("--max-token-bytes needs a number from 16 to 2^30");
    p.policy.max_token_bytes = static_cast<size_t>(n);
  } else {
    return ArgResult::not_mine;
  }
  return ArgResult::taken;
}

}  // namespace jwtbatch::cli
