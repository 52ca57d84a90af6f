// policy_args.cpp: the key, policy and clock options of `verify` and `audit`.
#include "tools/cli/policy_args.hpp"

#include "jwtbatch/options.hpp"
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

namespace {

// policy_option_of_flag returns the table's row of flag `a` ("--max-token-bytes" for
// "max_token_bytes"), or nullptr when `a` is no policy option's flag.
const PolicyOption* policy_option_of_flag(std::string_view a) {
  if (!a.starts_with("--") || a.find('_') != std::string_view::npos) return nullptr;
  std::string name(a.substr(2));
  for (char& ch : name)
    if (ch == '-') ch = '_';
  return find_policy_option(name);
}

}  // namespace

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
  } else if (a == "--now") {
    if (!c.integer(-(1LL << 53), 1LL << 53, &n)) return fail("--now needs UNIX seconds");
    p.now = n;
    p.now_set = true;
  } else if (const PolicyOption* option = policy_option_of_flag(a)) {
    if (!c.value(&v)) return fail(std::string(a) + " needs a value");
    std::string option_error;
    // The table's message starts with the option's name: the command shows its flag instead.
    if (!set_policy_option(&p.policy, option->name, v, &option_error))
      return fail(std::string(a) + option_error.substr(option->name.size()));
  } else {
    return ArgResult::not_mine;
  }
  return ArgResult::taken;
}

}  // namespace jwtbatch::cli
