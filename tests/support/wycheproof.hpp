// wycheproof.hpp (tests): reading Wycheproof vector files (simdjson DOM), hex decoding, and the
// per-file tally every Wycheproof test prints and checks: each test case is counted exactly once,
// by what happened to it, and the counts must add up to the file's numberOfTests.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace jwtbatch::test {

// from_hex decodes an even-length string of hex digits; nullopt on anything else.
std::optional<std::vector<uint8_t>> from_hex(std::string_view hex);

// to_hex encodes `bytes` in lower-case hex (for failure messages).
std::string to_hex(std::span<const uint8_t> bytes);

// wycheproof_dir is JWTBATCH_SHARED_DIR "/testvectors/wycheproof/" (ends with a slash).
std::string wycheproof_dir();

// WycheproofCase is one entry of a group's "tests" array.
struct WycheproofCase {
  int64_t tc_id = 0;
  std::string_view result;  // "valid", "invalid" or "acceptable"
  std::vector<std::string_view> flags;
  std::string_view comment;
};

// read_case fills `out` from one test object; false when a field is missing or mistyped.
bool read_case(simdjson::dom::element test, WycheproofCase* out);

// WycheproofTally counts what happened to each case of one file.
struct WycheproofTally {
  std::string file;
  int64_t number_of_tests = 0;

  int64_t valid_verified = 0;          // result valid, verify_signature true
  int64_t invalid_rejected = 0;        // result invalid, verify_signature false
  int64_t acceptable_verified = 0;     // result acceptable, either verdict is allowed
  int64_t acceptable_rejected = 0;
  int64_t truncated_tag_rejected = 0;  // HMAC tag shorter than the hash: JWS needs the full tag
  int64_t key_refused = 0;             // prepare_* refused the group's key (policy), see reasons
  int64_t group_skipped = 0;           // not a JWS parameter set, see reasons
  int64_t failures = 0;                // valid rejected, invalid or truncated accepted, mismatches

  std::set<std::string> acceptable_flags;
  std::set<std::string> refusal_reasons;
  std::set<std::string> skip_reasons;
  std::vector<std::string> failure_lines;

  // record counts `c` by its expected result and our `verified` verdict.
  void record(const WycheproofCase& c, bool verified);
  // record_truncated counts a case whose tag is truncated: it must not verify.
  void record_truncated(const WycheproofCase& c, bool verified);
  void record_refused(const WycheproofCase& c, const std::string& reason);
  void record_skipped(const WycheproofCase& c, const std::string& reason);
  void record_failure(const WycheproofCase& c, const std::string& what);

  int64_t total() const;
  // summary is one line of counts, then the flags and reasons, for the test log.
  std::string summary() const;
};

}  // namespace jwtbatch::test
