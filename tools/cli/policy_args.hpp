// policy_args.hpp: the options `jwtbatch verify` and `jwtbatch audit` share (keys, policy, clock),
// parsed in one place so that both commands accept and refuse exactly the same values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/jwtbatch.hpp"

namespace jwtbatch::cli {

// ArgCursor walks argv: `i` is the option being read; value() and integer() consume its argument.
struct ArgCursor {
  int argc;
  char** argv;
  int i;
  bool value(std::string_view* out);
  // integer reads the argument as a whole decimal number within [lo, hi].
  bool integer(long long lo, long long hi, long long* out);
};

// PolicyArgs holds what the shared options set.
struct PolicyArgs {
  std::vector<std::string> jwks;
  Policy policy;
  UnixSeconds now = 0;
  bool now_set = false;
};

enum class ArgResult { not_mine, taken, error };

// parse_policy_arg reads option `a` (argv[c.i]) if it is --jwks, --now or the flag of a policy
// option of the table (include/jwtbatch/options.hpp: --alg, --iss, --aud, --require, --leeway,
// --max-age, --typ, --max-token-bytes): `taken` (c.i now at its last argument), `error` with a
// one-line `*error`, or `not_mine` (nothing consumed).
ArgResult parse_policy_arg(std::string_view a, ArgCursor& c, PolicyArgs& p, std::string* error);

}  // namespace jwtbatch::cli
