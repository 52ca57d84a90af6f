// io.hpp: small helpers shared by the subcommands: reading files, splitting lists, output.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jwtbatch::cli {

// read_file reads a whole file ("-" is stdin); nullopt with `out_error` set when it cannot.
std::optional<std::string> read_file(const std::string& path, std::string* out_error);


// parse_int64 parses a whole decimal integer (optionally signed).
std::optional<long long> parse_int64(std::string_view s);

// usage_error prints "jwtbatch <cmd>: <msg>" on stderr and returns 2.
int usage_error(std::string_view cmd, std::string_view msg);

}  // namespace jwtbatch::cli
