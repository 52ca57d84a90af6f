// wycheproof.cpp (tests): see wycheproof.hpp.
#include "tests/support/wycheproof.hpp"

#include <string>

namespace jwtbatch::test {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string join(const std::set<std::string>& items) {
  std::string s;
  for (const std::string& i : items) {
    if (!s.empty()) s += "; ";
    s += i;
  }
  return s;
}

}  // namespace

std::optional<std::vector<uint8_t>> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

std::string wycheproof_dir() { return JWTBATCH_SHARED_DIR "/testvectors/wycheproof/"; }

bool read_case(simdjson::dom::element test, WycheproofCase* out) {
  simdjson::dom::array flags;
  if (test["tcId"].get_int64().get(out->tc_id) || test["result"].get_string().get(out->result) ||
      test["flags"].get_array().get(flags)) {
    return false;
  }
  if (test["comment"].get_string().get(out->comment)) out->comment = {};
  out->flags.clear();
  for (simdjson::dom::element f : flags) {
    std::string_view s;
    if (f.get_string().get(s)) return false;
    out->flags.push_back(s);
  }
  return true;
}

void WycheproofTally::record(const WycheproofCase& c, bool verified) {
  if (c.result == "valid") {
    if (verified) {
      ++valid_verified;
    } else {
      record_failure(c, "valid but rejected");
    }
  } else if (c.result == "invalid") {
    if (!verified) {
      ++invalid_rejected;
    } else {
      record_failure(c, "invalid but verified");
    }
  } else if (c.result == "acceptable") {
    ++(verified ? acceptable_verified : acceptable_rejected);
    for (std::string_view f : c.flags)
      acceptable_flags.insert(std::string(f) + (verified ? " (verified)" : " (rejected)"));
  } else {
    record_failure(c, "unknown result \"" + std::string(c.result) + "\"");
  }
}

void WycheproofTally::record_truncated(const WycheproofCase& c, bool verified) {
  if (verified) {
    record_failure(c, "truncated tag verified");
  } else {
    ++truncated_tag_rejected;
  }
}

void WycheproofTally::record_refused(const WycheproofCase& c, const std::string& reason) {
  ++key_refused;
  refusal_reasons.insert(reason);
}

void WycheproofTally::record_skipped(const WycheproofCase& c, const std::string& reason) {
  ++group_skipped;
  skip_reasons.insert(reason);
}

void WycheproofTally::record_failure(const WycheproofCase& c, const std::string& what) {
  ++failures;
  failure_lines.push_back("tcId " + std::to_string(c.tc_id) + " (" + std::string(c.result) +
                          ", " + std::string(c.comment) + "): " + what);
}

int64_t WycheproofTally::total() const {
  return valid_verified + invalid_rejected + acceptable_verified + acceptable_rejected +
         truncated_tag_rejected + key_refused + group_skipped + failures;
}

std::string WycheproofTally::summary() const {
  std::string s = file + ": valid_verified=" + std::to_string(valid_verified) +
                  " invalid_rejected=" + std::to_string(invalid_rejected) +
                  " acceptable=" + std::to_string(acceptable_verified + acceptable_rejected) +
                  " (verified " + std::to_string(acceptable_verified) + ", rejected " +
                  std::to_string(acceptable_rejected) + ")" +
                  " truncated_tag_rejected=" + std::to_string(truncated_tag_rejected) +
                  " key_refused=" + std::to_string(key_refused) +
                  " group_skipped=" + std::to_string(group_skipped) +
                  " failures=" + std::to_string(failures) + " total=" + std::to_string(total()) +
                  "/" + std::to_string(number_of_tests);
  if (!acceptable_flags.empty()) s += "\n  acceptable flags: " + join(acceptable_flags);
  if (!refusal_reasons.empty()) s += "\n  key refused: " + join(refusal_reasons);
  if (!skip_reasons.empty()) s += "\n  skipped: " + join(skip_reasons);
  return s;
}

}  // namespace jwtbatch::test
