// json.hpp: writing JSON text (RFC 8259), shared by every part of jwtbatch that emits JSON (the
// command's verdict lines and `inspect`, the generator's tokens and keys, the audit report).
#pragma once

#include <string>
#include <string_view>

namespace jwtbatch {

// append_json_string appends `s` to `*out` as one JSON string literal (RFC 8259 section 7),
// quotes included:
//   - `"` and `\` are escaped as \" and \\, line feed, carriage return and tab as \n, \r, \t;
//   - every other control character U+0000..U+001F as \u00xx (lowercase hex; so backspace and form
//     feed are \u0008 and \u000c, not \b and \f);
//   - everything else is copied as it is, including `/` and DEL (0x7f), which need no escape;
//   - when `s` is not valid UTF-8, every byte of `s` at or above 0x80 is written as \ufffd (the
//     replacement character), valid sequences included, so the output is always valid UTF-8 JSON.
// `s` is borrowed for the call and may hold any bytes, NUL included. Never fails; allocates only
// to grow `*out`.
void append_json_string(std::string* out, std::string_view s);

}  // namespace jwtbatch
