// io.cpp: helpers shared by the subcommands.
#include "tools/cli/io.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>

namespace jwtbatch::cli {

std::optional<std::string> read_file(const std::string& path, std::string* out_error) {
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    *out_error = "cannot open " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::string data;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  const bool bad = std::ferror(f);
  if (f != stdin) std::fclose(f);
  if (bad) {
    *out_error = "cannot read " + path;
    return std::nullopt;
  }
  return data;
}

std::optional<long long> parse_int64(std::string_view s) {
  long long v = 0;
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e || b == e) return std::nullopt;
  return v;
}

int usage_error(std::string_view cmd, std::string_view msg) {
  std::fprintf(stderr, "jwtbatch %.*s: %.*s\n", static_cast<int>(cmd.size()), cmd.data(),
               static_cast<int>(msg.size()), msg.data());
  return 2;
}

}  // namespace jwtbatch::cli
