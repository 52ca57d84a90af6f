// dispatch_model.cpp (test support): see dispatch_model.hpp. The variant lists repeat, on purpose,
// what the kernels' dispatch files declare (names, levels, the features each variant's code was
// compiled for in kernels/CMakeLists.txt): a change to either side must be made to both.
#include "tests/support/dispatch_model.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include <gtest/gtest.h>

#include "tests/support/cli_command.hpp"

namespace jwtbatch::test {
namespace {

using kernels::CpuFeatures;
using kernels::Feature;
using kernels::IsaLevel;

std::vector<FamilyModel> build_models() {
  const ModelVariant scalar{"scalar", IsaLevel::scalar, {}};
  std::vector<ModelVariant> tables{scalar};
  std::vector<ModelVariant> sha256{scalar}, sha512{scalar}, rsa{scalar}, p256{scalar}, p384{scalar}, p521{scalar}, ed25519{scalar};
#if defined(__x86_64__)
  tables.push_back({"avx2", IsaLevel::avx2, {Feature::avx2, Feature::bmi1, Feature::popcnt}});
  tables.push_back({"avx512", IsaLevel::avx512,
                    {Feature::avx2, Feature::avx512f, Feature::avx512bw, Feature::avx512vl,
                     Feature::avx512vbmi, Feature::bmi1, Feature::popcnt}});
  sha256.push_back({"shani", IsaLevel::avx2, {Feature::sha, Feature::ssse3, Feature::sse41}});
  sha512.push_back({"avx2", IsaLevel::avx2, {Feature::avx2}});
  sha512.push_back({"avx512", IsaLevel::avx512, {Feature::avx512f, Feature::avx512bw, Feature::avx512vl}});
  rsa.push_back({"avx512_ifma", IsaLevel::avx512,
                 {Feature::avx512f, Feature::avx512ifma, Feature::avx512vl, Feature::avx512bw,
                  Feature::avx512vbmi}});
  const CpuFeatures ifma{Feature::avx512f, Feature::avx512ifma, Feature::avx512vl, Feature::avx512bw};
  p256.push_back({"avx512_ifma", IsaLevel::avx512, ifma});
  p384.push_back({"avx512_ifma", IsaLevel::avx512, ifma});
  ed25519.push_back({"avx512_ifma", IsaLevel::avx512, ifma});
#elif defined(__aarch64__)
  tables.push_back({"neon", IsaLevel::neon, {Feature::asimd}});
  // The engine keeps BoringSSL's SHA-512 on ARM64 unless forced (sha512.hpp).
  sha512.push_back({"arm_sha512", IsaLevel::neon,
                    {Feature::asimd, Feature::arm_sha2, Feature::arm_sha3, Feature::arm_sha512},
                    /*engine_unforced=*/false});
#endif
  return {{"base64url", tables}, {"extract", tables}, {"sha256", sha256}, {"sha512", sha512}, {"rsa", rsa},
          {"p256", p256},        {"p384", p384},       {"p521", p521},       {"ed25519", ed25519}};
}

// level_runs is dispatch.hpp's rule for a forced ceiling, written out again.
bool level_runs(std::string_view level, const CpuFeatures& cpu) {
  if (level == "scalar") return true;
#if defined(__x86_64__)
  if (level == "avx2") return cpu.has(Feature::avx2);
  if (level == "avx512")
    return cpu.has_all({Feature::avx2, Feature::avx512f, Feature::avx512bw, Feature::avx512vl});
#elif defined(__aarch64__)
  if (level == "neon") return cpu.has(Feature::asimd);
#endif
  return false;
}

// admitted returns true iff a variant of `level` may run under the ceiling named `ceiling`.
bool admitted(IsaLevel level, std::string_view ceiling) {
  switch (level) {
    case IsaLevel::scalar: return true;
    case IsaLevel::avx2: return ceiling == "avx2" || ceiling == "avx512";
    case IsaLevel::avx512: return ceiling == "avx512";
    case IsaLevel::neon: return ceiling == "neon";
  }
  return false;
}

}  // namespace

const std::vector<FamilyModel>& family_models() {
  static const std::vector<FamilyModel> m = build_models();
  return m;
}

const FamilyModel& family_model(std::string_view family) {
  for (const FamilyModel& m : family_models())
    if (m.family == family) return m;
  std::abort();
}

std::string forced_label(const char* forced) { return forced ? std::string(forced) : "(unset)"; }

bool expected_valid(const char* forced, const CpuFeatures& cpu) {
  return forced == nullptr || *forced == '\0' || level_runs(forced, cpu);
}

std::string_view expected_variant(const FamilyModel& model, const char* forced, const CpuFeatures& cpu) {
  const bool unset = forced == nullptr || *forced == '\0';
  if (!expected_valid(forced, cpu)) return model.variants.front().name;
  std::string_view pick = model.variants.front().name;
  for (const ModelVariant& v : model.variants)
    if (cpu.has_all(v.needs) && (unset || admitted(v.level, forced))) pick = v.name;
  return pick;
}

std::vector<std::string_view> expected_supported(const FamilyModel& model, const CpuFeatures& cpu) {
  std::vector<std::string_view> names;
  for (const ModelVariant& v : model.variants)
    if (cpu.has_all(v.needs)) names.push_back(v.name);
  return names;
}

std::string expected_description(const char* forced, const CpuFeatures& cpu) {
  std::string s;
  for (const FamilyModel& m : family_models()) {
    if (!s.empty()) s += ' ';
    s.append(m.family).append("=").append(expected_variant(m, forced, cpu));
  }
  return s;
}

int run_test_child(const char* forced, const std::string& env, const std::string& filter,
                   std::string* out_stdout) {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return -1;
  self[n] = '\0';
  std::string cmd = forced ? "JWTBATCH_FORCE_ISA=" + shell_quote(forced) + " " : "env -u JWTBATCH_FORCE_ISA ";
  if (!env.empty()) cmd += env + " ";
  cmd += target_command(self) + " " + shell_quote("--gtest_filter=" + filter) + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  std::string out;
  std::array<char, 4096> buf;
  while (size_t got = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), got);
  const int status = pclose(p);
  if (out_stdout != nullptr) *out_stdout = std::move(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void expect_children_follow_policy(std::string_view family, const std::string& filter, bool with_engine) {
  const CpuFeatures& cpu = kernels::cpu_features();
  const FamilyModel& model = family_model(family);
  for (const char* forced : kForcedValues) {
    const std::string_view want = expected_variant(model, forced, cpu);
    bool engine = forced != nullptr;
    for (const ModelVariant& v : model.variants)
      if (v.name == want && v.name != model.variants.front().name) engine = engine || v.engine_unforced;
    std::string env = "JWTBATCH_TEST_EXPECT_VARIANT=" + std::string(want);
    if (with_engine) env += engine ? " JWTBATCH_TEST_EXPECT_ENGINE=1" : " JWTBATCH_TEST_EXPECT_ENGINE=0";
    EXPECT_EQ(run_test_child(forced, env, filter), 0)
        << family << " with JWTBATCH_FORCE_ISA=" << forced_label(forced) << ": expected " << want
        << (with_engine ? (engine ? ", engine uses the kernels" : ", engine keeps BoringSSL") : "");
  }
  EXPECT_NE(run_test_child(nullptr, "JWTBATCH_TEST_EXPECT_VARIANT=no_such_variant", filter), 0)
      << "the child test " << filter << " does not check JWTBATCH_TEST_EXPECT_VARIANT";
}

}  // namespace jwtbatch::test
