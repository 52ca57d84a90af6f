// cli_command.hpp (test support): the start of a shell line that runs the `jwtbatch` command under
// test, for the tests that spawn it (cli, gen, cpu_dispatch).
#pragma once

#include <string>

namespace jwtbatch::test {

// shell_quote returns `s` in single quotes for /bin/sh, any single quote in it escaped.
std::string shell_quote(const std::string& s);

// cli_command returns the quoted path of the built `jwtbatch` (JWTBATCH_CLI). In a cross-compiled
// build it stands behind the emulator that runs the tests (JWTBATCH_CLI_LAUNCHER, e.g.
// qemu-aarch64), since the host cannot execute it directly.
std::string cli_command();

// target_command is the same for any program built for the target (this test binary, say).
std::string target_command(const std::string& path);

}  // namespace jwtbatch::test
