// cpu_dispatch_test.cpp: the kernel table is the one the CPU calls for, JWTBATCH_FORCE_ISA really
// switches it (checked through the `jwtbatch` command, which reports the active table in
// --version), and forcing an unknown or unsupported variant is a clear error, not a crash.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>
#include <string_view>

#include "kernels/cpu/cpu.hpp"
#include "kernels/cpu/features.hpp"

namespace jwtbatch::kernels {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// run_cli runs `jwtbatch --version` with JWTBATCH_FORCE_ISA set to `forced` (unset if null).
CliRun run_cli(const char* forced) {
  std::string cmd = forced ? std::string("JWTBATCH_FORCE_ISA='") + forced + "' " : "env -u JWTBATCH_FORCE_ISA ";
  cmd += std::string("'") + JWTBATCH_CLI + "' --version 2>&1";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 256> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) r.output.append(buf.data(), n);
  const int status = pclose(p);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

bool supported(std::string_view name) { return find_kernels(name) != nullptr; }

TEST(CpuDispatch, TablesAreConsistent) {
  const auto all = supported_kernels();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().name, "scalar");
  EXPECT_EQ(all.front().base64url_decode, &base64url_decode_scalar);
  for (const KernelTable& t : all) {
    SCOPED_TRACE(t.name);
    EXPECT_NE(t.base64url_decode, nullptr);
    EXPECT_NE(t.base64url_encode, nullptr);
    ASSERT_EQ(find_kernels(t.name), &t);
  }
  EXPECT_EQ(find_kernels("bogus"), nullptr);
  EXPECT_EQ(find_kernels(""), nullptr);
}

// The variants this CPU offers are all there (checked against the compiler's own detection).
TEST(CpuDispatch, SupportedMatchesCpu) {
  const CpuFeatures f = detect_cpu_features();
#if defined(__x86_64__)
  __builtin_cpu_init();
  EXPECT_EQ(f.avx2, static_cast<bool>(__builtin_cpu_supports("avx2")));
  EXPECT_EQ(f.avx512_vbmi, __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                               __builtin_cpu_supports("avx512vl") &&
                               __builtin_cpu_supports("avx512vbmi"));
  EXPECT_EQ(supported("avx2"), f.avx2);
  EXPECT_EQ(supported("avx512"), f.avx512_vbmi);
  EXPECT_FALSE(supported("neon"));
#elif defined(__aarch64__)
  EXPECT_EQ(supported("neon"), f.neon);
  EXPECT_FALSE(supported("avx2"));
  EXPECT_FALSE(supported("avx512"));
#endif
}

// Without JWTBATCH_FORCE_ISA the best variant (the last supported) is active.
TEST(CpuDispatch, DefaultIsBest) {
  const CliRun r = run_cli(nullptr);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("(kernels: " + std::string(supported_kernels().back().name) + ")"),
            std::string::npos)
      << r.output;
}

// Forcing each supported variant makes the command run it.
TEST(CpuDispatch, ForcedVariantRuns) {
  for (const KernelTable& t : supported_kernels()) {
    const std::string name(t.name);
    SCOPED_TRACE(name);
    const CliRun r = run_cli(name.c_str());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("(kernels: " + name + ")"), std::string::npos) << r.output;
  }
}

TEST(CpuDispatch, ForcedUnknownIsAClearError) {
  const CliRun r = run_cli("bogus");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("JWTBATCH_FORCE_ISA=bogus: unknown kernel variant"), std::string::npos)
      << r.output;
}

// A known variant this CPU (or this build) cannot run: an error naming it, not SIGILL.
TEST(CpuDispatch, ForcedUnsupportedIsAClearError) {
  bool tried = false;
  for (const char* name : {"avx2", "avx512", "neon"}) {
    if (supported(name)) continue;
    tried = true;
    SCOPED_TRACE(name);
    const CliRun r = run_cli(name);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(std::string("JWTBATCH_FORCE_ISA=") + name + ": this CPU or build cannot run"),
              std::string::npos)
        << r.output;
  }
  if (!tried) GTEST_SKIP() << "this CPU and build run every variant";
}

// In this process (no JWTBATCH_FORCE_ISA unless the caller set one) the active table is one of the
// supported ones, with its own functions.
TEST(CpuDispatch, ActiveIsSupported) {
  const KernelTable& a = active_kernels();
  const KernelTable* t = find_kernels(a.name);
  ASSERT_NE(t, nullptr) << a.name;
  EXPECT_EQ(t->base64url_decode, a.base64url_decode);
  EXPECT_EQ(t->base64url_encode, a.base64url_encode);
}

}  // namespace
}  // namespace jwtbatch::kernels
