// main.cpp: the `jwtbatch` command: verify, inspect, gen, audit.
#include <cstdio>
#include <string_view>

#include "jwtbatch/text.hpp"
#include "tools/cli/commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage: jwtbatch <command> [options]\n"
    "  verify --jwks FILE [options] [TOKENS_FILE|-]   verify tokens, one JSON line per token\n"
    "  inspect [TOKEN|-]                               decode a token WITHOUT verifying it\n"
    "  gen --out DIR [options]                         generate a test corpus\n"
    "  audit --jwks FILE [options] [LOG ...|-]         audit token logs: summary, --json, --html\n"
    "  --version                                       version and kernel variants\n"
    "run 'jwtbatch <command> --help' for a command's options\n";

}  // namespace

int main(int argc, char** argv) {
  const std::string_view cmd = argc > 1 ? argv[1] : "";
  if (cmd == "--version" || cmd == "version") {
    const std::string_view err = jwtbatch::kernel_selection_error();
    if (!err.empty()) {
      std::fprintf(stderr, "jwtbatch: %.*s\n", static_cast<int>(err.size()), err.data());
      return 2;
    }
    const std::string_view k = jwtbatch::kernel_name();
    std::printf("jwtbatch 0.1.0 (kernels: %.*s) %s\n", static_cast<int>(k.size()), k.data(),
                jwtbatch::kernel_variants().c_str());
    return 0;
  }
  if (cmd == "verify") return jwtbatch::cli::verify_main(argc - 1, argv + 1);
  if (cmd == "inspect") return jwtbatch::cli::inspect_main(argc - 1, argv + 1);
  if (cmd == "gen") return jwtbatch::cli::gen_main(argc - 1, argv + 1);
  if (cmd == "audit") return jwtbatch::cli::audit_main(argc - 1, argv + 1);
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fputs(kUsage, stderr);
  return 2;
}
