// cpu_dispatch_test.cpp: kernels/cpu, the one feature detector and the one dispatch mechanism. The
// detector agrees with the compiler's; the selection rule of kernels/cpu/dispatch.hpp holds on
// made-up CPUs; and for every JWTBATCH_FORCE_ISA value (unset, scalar, avx2, avx512, neon, bogus) a
// child process reports, through describe_active_variants(), exactly the variant of every family
// that tests/support/dispatch_model.cpp expects on this CPU, and the `jwtbatch` command runs the
// expected table or refuses with a clear error.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>
#include <string_view>

#include "kernels/cpu/cpu.hpp"
#include "kernels/cpu/dispatch.hpp"
#include "kernels/cpu/features.hpp"
#include "kernels/ed25519/ed25519.hpp"
#include "kernels/p256/p256.hpp"
#include "kernels/p384/p384.hpp"
#include "kernels/p521/p521.hpp"
#include "kernels/rsa/rsa.hpp"
#include "kernels/sha256/sha256.hpp"
#include "kernels/sha512/sha512.hpp"
#include "tests/support/cli_command.hpp"
#include "tests/support/dispatch_model.hpp"

namespace jwtbatch::kernels {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// run_cli runs `jwtbatch --version` with JWTBATCH_FORCE_ISA set to `forced` (unset if null).
CliRun run_cli(const char* forced) {
  std::string cmd = forced ? "JWTBATCH_FORCE_ISA=" + test::shell_quote(forced) + " " : "env -u JWTBATCH_FORCE_ISA ";
  cmd += test::cli_command() + " --version 2>&1";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 256> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) r.output.append(buf.data(), n);
  const int status = pclose(p);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

TEST(CpuDispatch, TablesAreConsistent) {
  const auto all = supported_kernels();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().name, "scalar");
  EXPECT_EQ(all.front().base64url_decode, &base64url_decode_scalar);
  for (const KernelTable& t : all) {
    SCOPED_TRACE(t.name);
    EXPECT_NE(t.base64url_decode, nullptr);
    EXPECT_NE(t.base64url_encode, nullptr);
    EXPECT_NE(t.extract_tokens, nullptr);
    EXPECT_NE(t.count_newlines, nullptr);
    ASSERT_EQ(find_kernels(t.name), &t);
  }
  EXPECT_EQ(find_kernels("bogus"), nullptr);
  EXPECT_EQ(find_kernels(""), nullptr);
}

// The detector against the compiler's own detection, for the flags the compiler knows (GCC and
// clang both check the OS register state for the AVX and AVX-512 ones). The one place outside
// kernels/cpu that asks the CPU, on purpose: it is the detector's independent check.
TEST(CpuDispatch, DetectorMatchesTheCompiler) {
  const CpuFeatures f = detect_cpu_features();
  EXPECT_EQ(cpu_features(), f);
  std::printf("[cpu] features: %s\n", f.to_string().c_str());
#if defined(__x86_64__)
  __builtin_cpu_init();
  EXPECT_EQ(f.has(Feature::ssse3), static_cast<bool>(__builtin_cpu_supports("ssse3")));
  EXPECT_EQ(f.has(Feature::sse41), static_cast<bool>(__builtin_cpu_supports("sse4.1")));
  EXPECT_EQ(f.has(Feature::popcnt), static_cast<bool>(__builtin_cpu_supports("popcnt")));
  EXPECT_EQ(f.has(Feature::bmi1), static_cast<bool>(__builtin_cpu_supports("bmi")));
  EXPECT_EQ(f.has(Feature::bmi2), static_cast<bool>(__builtin_cpu_supports("bmi2")));
  EXPECT_EQ(f.has(Feature::avx2), static_cast<bool>(__builtin_cpu_supports("avx2")));
  EXPECT_EQ(f.has(Feature::avx512f), static_cast<bool>(__builtin_cpu_supports("avx512f")));
  EXPECT_EQ(f.has(Feature::avx512bw), static_cast<bool>(__builtin_cpu_supports("avx512bw")));
  EXPECT_EQ(f.has(Feature::avx512vl), static_cast<bool>(__builtin_cpu_supports("avx512vl")));
  EXPECT_EQ(f.has(Feature::avx512vbmi), static_cast<bool>(__builtin_cpu_supports("avx512vbmi")));
  EXPECT_EQ(f.has(Feature::avx512vbmi2), static_cast<bool>(__builtin_cpu_supports("avx512vbmi2")));
  EXPECT_EQ(f.has(Feature::avx512ifma), static_cast<bool>(__builtin_cpu_supports("avx512ifma")));
  EXPECT_FALSE(f.has(Feature::asimd));
#elif defined(__aarch64__)
  EXPECT_TRUE(f.has(Feature::asimd)) << "Advanced SIMD is part of every ARMv8-A AArch64 CPU";
  EXPECT_FALSE(f.has(Feature::avx2));
#endif
}

// Every family offers exactly the variants the model says this CPU runs, reference first.
TEST(CpuDispatch, SupportedMatchesTheModel) {
  const CpuFeatures& cpu = cpu_features();
  auto names = [](auto span) {
    std::vector<std::string_view> n;
    for (const auto& v : span) n.push_back(v.name);
    return n;
  };
  using test::expected_supported;
  using test::family_model;
  EXPECT_EQ(names(supported_kernels()), expected_supported(family_model("base64url"), cpu));
  EXPECT_EQ(names(sha256::supported_variants()), expected_supported(family_model("sha256"), cpu));
  EXPECT_EQ(names(sha512::supported_variants()), expected_supported(family_model("sha512"), cpu));
  EXPECT_EQ(names(rsa::supported_variants()), expected_supported(family_model("rsa"), cpu));
  EXPECT_EQ(names(p256::supported_variants()), expected_supported(family_model("p256"), cpu));
  EXPECT_EQ(names(p384::supported_variants()), expected_supported(family_model("p384"), cpu));
  EXPECT_EQ(names(p521::supported_variants()), expected_supported(family_model("p521"), cpu));
  EXPECT_EQ(names(ed25519::supported_variants()), expected_supported(family_model("ed25519"), cpu));
}

TEST(CpuDispatch, PolicyParsesTheVariable) {
  const CpuFeatures none{};
  EXPECT_FALSE(IsaPolicy::parse(nullptr, none).forced());
  EXPECT_FALSE(IsaPolicy::parse("", none).forced());
  EXPECT_TRUE(IsaPolicy::parse(nullptr, none).error().empty());
  const IsaPolicy scalar = IsaPolicy::parse("scalar", none);
  EXPECT_TRUE(scalar.forced());
  EXPECT_EQ(scalar.ceiling(), IsaLevel::scalar);
  EXPECT_TRUE(scalar.error().empty());
  for (const char* bad : {"bogus", "AVX2", "avx512_ifma", "shani", " scalar"}) {
    SCOPED_TRACE(bad);
    const IsaPolicy p = IsaPolicy::parse(bad, detect_cpu_features());
    EXPECT_TRUE(p.forced());
    EXPECT_FALSE(p.ceiling().has_value());
    EXPECT_EQ(p.error(), "JWTBATCH_FORCE_ISA=" + std::string(bad) +
                             ": unknown ISA level (known: scalar, avx2, avx512, neon); every kernel runs its "
                             "scalar reference");
  }
  // A known level that a CPU without any feature cannot run.
  for (const char* level : {"avx2", "avx512", "neon"}) {
    SCOPED_TRACE(level);
    const IsaPolicy p = IsaPolicy::parse(level, none);
    EXPECT_FALSE(p.ceiling().has_value());
    EXPECT_EQ(p.error(), "JWTBATCH_FORCE_ISA=" + std::string(level) + ": this CPU or build cannot run ISA level " +
                             level + " (it runs: scalar); every kernel runs its scalar reference");
  }
}

// The rule on made-up CPUs, a family of four variants like sha256 + rsa in one list.
struct FakeVariant {
  std::string_view name;
};

TEST(CpuDispatch, SelectionRuleOnMadeUpCpus) {
  static constexpr VariantSpec<FakeVariant> kSpecs[] = {
      {{"ref"}, IsaLevel::scalar, {}},
      {{"sha"}, IsaLevel::avx2, {Feature::sha}},
      {{"wide"}, IsaLevel::avx2, {Feature::avx2}},
      {{"ifma"}, IsaLevel::avx512, {Feature::avx512f, Feature::avx512ifma}},
      {{"neon"}, IsaLevel::neon, {Feature::asimd}},
  };
  static_assert(reference_first(kSpecs));
  using Table = VariantTable<FakeVariant, std::size(kSpecs)>;
  const CpuFeatures none{};
  const CpuFeatures sha_only{Feature::sha};
  const CpuFeatures avx2_sha{Feature::avx2, Feature::sha};
  [[maybe_unused]] const CpuFeatures avx512_no_ifma{  // x86-64 cases only
      Feature::avx2, Feature::sha, Feature::avx512f, Feature::avx512bw, Feature::avx512vl};
  const CpuFeatures all_x86{Feature::avx2,     Feature::sha,       Feature::avx512f,
                            Feature::avx512bw, Feature::avx512vl, Feature::avx512ifma};
  const CpuFeatures arm{Feature::asimd};
  struct Case {
    const CpuFeatures& cpu;
    const char* forced;
    std::string_view active;
    bool engine;
  };
  const Case cases[] = {
      {none, nullptr, "ref", false},
      {none, "scalar", "ref", true},
      {none, "bogus", "ref", true},
      {sha_only, nullptr, "sha", true},
      {sha_only, "avx2", "ref", true},  // no AVX2: the ceiling is an error, so the reference
      {avx2_sha, nullptr, "wide", true},
      {all_x86, nullptr, "ifma", true},
      {all_x86, "scalar", "ref", true},
      {all_x86, "bogus", "ref", true},
      {arm, nullptr, "neon", true},
#if defined(__x86_64__)
      {avx2_sha, "avx2", "wide", true},
      {avx2_sha, "avx512", "ref", true},  // no AVX-512: an error
      {avx512_no_ifma, "avx512", "wide", true},
      {all_x86, "avx2", "wide", true},
      {all_x86, "avx512", "ifma", true},
      {all_x86, "neon", "ref", true},
      {arm, "neon", "ref", true},  // neon on an x86-64 build: an error
#elif defined(__aarch64__)
      {arm, "neon", "neon", true},
      {arm, "avx2", "ref", true},
      {all_x86, "avx512", "ref", true},
#endif
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.cpu.to_string() + " / " + test::forced_label(c.forced));
    const Table t(kSpecs, c.cpu, IsaPolicy::parse(c.forced, c.cpu));
    EXPECT_EQ(t.active().name, c.active);
    EXPECT_EQ(t.engine_uses_kernels(), c.engine);
    EXPECT_EQ(t.supported().front().name, "ref");
  }
}

// Not a check of its own: run as a child by EveryFamilyUnderEveryForcedValue, it prints what the
// dispatch chose. In the suite it checks that the summary agrees with every family's accessor.
TEST(CpuDispatchChild, PrintsTheChoice) {
  const std::string d = describe_active_variants();
  std::printf("describe: %s\nerror: %s\n", d.c_str(), std::string(kernel_selection_error()).c_str());
  const std::string k(active_kernels().name);
  EXPECT_EQ(d, "base64url=" + k + " extract=" + k + " sha256=" + std::string(sha256::active_variant().name) +
                   " sha512=" + std::string(sha512::active_variant().name) +
                   " rsa=" + std::string(rsa::active_variant().name) +
                   " p256=" + std::string(p256::active_variant().name) +
                   " p384=" + std::string(p384::active_variant().name) +
                   " p521=" + std::string(p521::active_variant().name) + " ed25519=" + std::string(ed25519::active_variant().name));
}

// The table of the whole policy: every forced value, every family, in a child process each.
TEST(CpuDispatch, EveryFamilyUnderEveryForcedValue) {
  const CpuFeatures& cpu = cpu_features();
  for (const char* forced : test::kForcedValues) {
    SCOPED_TRACE("JWTBATCH_FORCE_ISA=" + test::forced_label(forced));
    std::string out;
    ASSERT_EQ(test::run_test_child(forced, "", "CpuDispatchChild.PrintsTheChoice", &out), 0) << out;
    const std::string want = test::expected_description(forced, cpu);
    EXPECT_NE(out.find("describe: " + want + "\n"), std::string::npos) << "want " << want << "\ngot\n" << out;
    const bool valid = test::expected_valid(forced, cpu);
    EXPECT_EQ(out.find("error: \n") != std::string::npos, valid) << out;
    std::printf("[dispatch] %-8s %s\n", test::forced_label(forced).c_str(), want.c_str());
  }
}

// The command runs the expected table, or refuses an invalid value with the policy's message.
TEST(CpuDispatch, CommandFollowsThePolicy) {
  const CpuFeatures& cpu = cpu_features();
  for (const char* forced : test::kForcedValues) {
    SCOPED_TRACE("JWTBATCH_FORCE_ISA=" + test::forced_label(forced));
    const CliRun r = run_cli(forced);
    if (test::expected_valid(forced, cpu)) {
      EXPECT_EQ(r.exit_code, 0) << r.output;
      const std::string want(test::expected_variant(test::family_model("base64url"), forced, cpu));
      EXPECT_NE(r.output.find("(kernels: " + want + ")"), std::string::npos) << r.output;
    } else {
      EXPECT_EQ(r.exit_code, 2) << r.output;
      const std::string why = std::string_view(forced) == "bogus" ? ": unknown ISA level" : ": this CPU or build cannot run";
      EXPECT_NE(r.output.find("JWTBATCH_FORCE_ISA=" + std::string(forced) + why), std::string::npos) << r.output;
    }
  }
}

// In this process the active table is one of the supported ones, with its own functions.
TEST(CpuDispatch, ActiveIsSupported) {
  const KernelTable& a = active_kernels();
  const KernelTable* t = find_kernels(a.name);
  ASSERT_NE(t, nullptr) << a.name;
  EXPECT_EQ(t->base64url_decode, a.base64url_decode);
  EXPECT_EQ(t->base64url_encode, a.base64url_encode);
}

}  // namespace
}  // namespace jwtbatch::kernels
