// commands.hpp: the subcommands of `jwtbatch`. Each takes the arguments after its own name and
// returns the process exit code (0 success, 2 usage error or unreadable input, one line on stderr).
#pragma once

namespace jwtbatch::cli {

int verify_main(int argc, char** argv);
int inspect_main(int argc, char** argv);
int gen_main(int argc, char** argv);
int audit_main(int argc, char** argv);

}  // namespace jwtbatch::cli
