// internal.hpp (internal): helpers shared by the audit's files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace jwtbatch::engine {

// fingerprint is a 64-bit hash of `s` (FNV-1a, then MurmurHash3's fmix64), the same on every
// platform: report fingerprints and HyperLogLog registers merge across machines.
uint64_t fingerprint(std::string_view s, uint64_t seed = 0) noexcept;

// Seeds that keep token and jti fingerprints apart.
inline constexpr uint64_t kTokenSeed = 0x746f6b656e000000ULL, kJtiSeed = 0x6a74690000000000ULL;

// append_json_string appends `s` as a JSON string literal (quotes, escapes; invalid UTF-8 bytes as
// U+FFFD).
void append_json_string(std::string& out, std::string_view s);

// html_escape appends `s` with & < > " ' escaped.
void append_html(std::string& out, std::string_view s);

}  // namespace jwtbatch::engine
