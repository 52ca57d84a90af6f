// json_test.cpp: append_json_string (include/jwtbatch/json.hpp), the one JSON string writer of the
// command, the generator and the audit report: every byte class of its contract.
#include <gtest/gtest.h>

#include <string>

#include <simdjson.h>

#include "jwtbatch/json.hpp"

namespace jwtbatch {
namespace {

std::string json(std::string_view s) {
  std::string out = "prefix:";
  append_json_string(&out, s);
  EXPECT_TRUE(out.starts_with("prefix:")) << "appends";
  return out.substr(7);
}

TEST(JsonString, EscapesQuoteBackslashAndControls) {
  EXPECT_EQ(json(""), "\"\"");
  EXPECT_EQ(json("plain text"), "\"plain text\"");
  EXPECT_EQ(json("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json("\n\r\t"), "\"\\n\\r\\t\"");
  EXPECT_EQ(json(std::string_view("\0", 1)), "\"\\u0000\"");
  EXPECT_EQ(json("\b\f\x01\x1f"), "\"\\u0008\\u000c\\u0001\\u001f\"");
}

TEST(JsonString, CopiesSlashDelAndValidUtf8) {
  EXPECT_EQ(json("a/b"), "\"a/b\"");
  EXPECT_EQ(json("\x7f"), "\"\x7f\"");
  EXPECT_EQ(json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91\"");
}

TEST(JsonString, InvalidUtf8HasEveryNonAsciiByteReplaced) {
  EXPECT_EQ(json("\xff"), "\"\\ufffd\"");
  EXPECT_EQ(json("a\xc3"), "\"a\\ufffd\"");                    // truncated sequence
  EXPECT_EQ(json("\xc0\xaf"), "\"\\ufffd\\ufffd\"");           // overlong
  EXPECT_EQ(json("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate
  EXPECT_EQ(json("\xc3\xa9\xff"), "\"\\ufffd\\ufffd\\ufffd\"");  // the valid sequence too
}

TEST(JsonString, EveryByteGivesValidJsonThatReadsBack) {
  simdjson::dom::parser parser;
  for (int b = 0; b < 256; ++b) {
    const std::string in(1, static_cast<char>(b));
    const std::string out = json(in);
    simdjson::padded_string padded(out);
    std::string_view back;
    ASSERT_EQ(parser.parse(padded).get_string().get(back), simdjson::SUCCESS) << "byte " << b;
    EXPECT_EQ(back, b < 0x80 ? in : std::string("\xef\xbf\xbd")) << "byte " << b;
  }
}

}  // namespace
}  // namespace jwtbatch
