// json.cpp: append_json_string (contract in include/jwtbatch/json.hpp).
#include "jwtbatch/json.hpp"

#include <simdjson.h>

namespace jwtbatch {

void append_json_string(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  // One check for the whole string: an invalid string has all its non-ASCII bytes replaced (the
  // audit report has always written it so, and partial reports made elsewhere merge by these names).
  const bool utf8 = simdjson::validate_utf8(s.data(), s.size());
  *out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c < 0x20) {
          *out += "\\u00";
          *out += kHex[c >> 4];
          *out += kHex[c & 15];
        } else if (c >= 0x80 && !utf8) {
          *out += "\\ufffd";
        } else {
          *out += ch;
        }
    }
  }
  *out += '"';
}

}  // namespace jwtbatch
