// options.hpp: the policy options by name, in one table that every front end goes through (the
// command's `--name value` flags, the C API's jwtbatch_options_set, and through it the nginx module
// and the Python binding), so that each option has one spelling, one set of bounds and one help text.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/policy.hpp"

namespace jwtbatch {

// PolicyOptionType is how an option's value is read.
enum class PolicyOptionType : uint8_t {
  text,     // any string, taken as it is
  list,     // comma-separated items, spaces around each trimmed; empty items are dropped
  integer,  // a whole decimal number (an optional sign, then digits) within [min, max]
};

// PolicyOption is one row of the table.
struct PolicyOption {
  // name is the C API's spelling ("max_token_bytes"); the command's flag is "--" followed by the
  // name with '_' written as '-' ("--max-token-bytes").
  std::string_view name;
  PolicyOptionType type;
  // min and max bound an integer option (inclusive); 0 for the others.
  int64_t min, max;
  // help is one line for usage texts: what the value means, and whether a second setting adds to
  // the first or replaces it.
  std::string_view help;
  // apply stores a value already checked against the row (`text` for text and list options,
  // `number` for integer ones) into `*policy`; it may still refuse it (unknown algorithm, too many
  // claims), with a one-line reason without the option's name in `*out_why`.
  bool (*apply)(Policy* policy, std::string_view text, int64_t number, std::string* out_why);
};

// policy_options lists every policy option, in a fixed order (the order of Policy's members).
std::span<const PolicyOption> policy_options() noexcept;

// find_policy_option returns the row named `name` (C API spelling), or nullptr.
const PolicyOption* find_policy_option(std::string_view name) noexcept;

// set_policy_option sets the option `name` (C API spelling) of `*policy` to `value` and returns
// true. On an unknown name or a bad or out-of-range value it returns false, leaves `*policy` as it
// was, and sets `*out_error` (may be null) to one line starting with "`name`: ", e.g.
// "max_token_bytes: \"8\" is not an integer from 16 to 2^30". Both strings are borrowed for the call.
bool set_policy_option(Policy* policy, std::string_view name, std::string_view value, std::string* out_error);

// split_option_list returns the comma-separated items of a list option's `value`, each without
// leading and trailing spaces, empty ones dropped ("RS256, ES256" is two algorithms, as people
// write lists). Every list option of the table, and the C API's own lists, are read with it.
std::vector<std::string> split_option_list(std::string_view value);

}  // namespace jwtbatch
