// cli_command.cpp (test support): see cli_command.hpp.
#include "tests/support/cli_command.hpp"

namespace jwtbatch::test {

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string cli_command() {
#if defined(JWTBATCH_CLI_LAUNCHER)
  return std::string(JWTBATCH_CLI_LAUNCHER) + " " + shell_quote(JWTBATCH_CLI);
#else
  return shell_quote(JWTBATCH_CLI);
#endif
}

}  // namespace jwtbatch::test
