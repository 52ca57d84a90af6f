// main.cpp: the `jwtbatch` command (placeholder until the verify/inspect commands land).
#include <cstdio>
#include <cstring>

#include "kernels/cpu/cpu.hpp"
#include "tools/cli/commands.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "gen") == 0) return jwtbatch::cli::gen_main(argc - 1, argv + 1);
  if (argc > 1 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("jwtbatch 0.1.0 (kernels: %.*s)\n",
                static_cast<int>(jwtbatch::kernels::active_kernels().name.size()),
                jwtbatch::kernels::active_kernels().name.data());
    return 0;
  }
  std::fprintf(stderr, "usage: jwtbatch --version\n");
  return 2;
}
