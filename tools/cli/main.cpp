// main.cpp: the `jwtbatch` command (placeholder until the verify/inspect commands land).
#include <cstdio>
#include <cstring>

#include "kernels/cpu/cpu.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--version") == 0) {
    if (auto error = jwtbatch::kernels::kernel_selection_error(); !error.empty()) {
      std::fprintf(stderr, "jwtbatch: %.*s\n", static_cast<int>(error.size()), error.data());
      return 2;
    }
    std::printf("jwtbatch 0.1.0 (kernels: %.*s)\n",
                static_cast<int>(jwtbatch::kernels::active_kernels().name.size()),
                jwtbatch::kernels::active_kernels().name.data());
    return 0;
  }
  std::fprintf(stderr, "usage: jwtbatch --version\n");
  return 2;
}
