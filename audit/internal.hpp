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

// html_escape appends `s` with & < > " ' escaped.
void append_html(std::string& out, std::string_view s);

}  // namespace jwtbatch::engine
