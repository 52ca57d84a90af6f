// cli_command.cpp (test support): see cli_command.hpp.
#include "tests/support/cli_command.hpp"

namespace jwtbatch::test {

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string target_command(const std::string& path) {
#if defined(JWTBATCH_CLI_LAUNCHER)
  return std::string(JWTBATCH_CLI_LAUNCHER) + " " + shell_quote(path);
#else
  return shell_quote(path);
#endif
}

std::string cli_command() { return target_command(JWTBATCH_CLI); }

}  // namespace jwtbatch::test
