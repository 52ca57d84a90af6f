// dispatch_model.hpp (test support): what the tests expect of kernel dispatch, stated apart from
// kernels/cpu so that a test can catch the dispatch choosing wrongly: every family's variants as
// the tests know them (name, ISA level, CPU features each needs), the JWTBATCH_FORCE_ISA rule of
// docs/dispatch.md written out again, and a way to run this test binary as a child process with the
// variable set (the choice is made once per process).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/cpu/dispatch.hpp"
#include "kernels/cpu/features.hpp"

namespace jwtbatch::test {

// ModelVariant is one variant of a family as the tests expect it. `engine_unforced`: when it is
// chosen without JWTBATCH_FORCE_ISA, the engine uses it (engine_uses_kernels()) rather than
// BoringSSL; never for the reference.
struct ModelVariant {
  std::string_view name;
  kernels::IsaLevel level;
  kernels::CpuFeatures needs;
  bool engine_unforced = true;
};

// FamilyModel is a family (its name in describe_active_variants()) and its variants, reference first,
// as this build has them.
struct FamilyModel {
  std::string_view family;
  std::vector<ModelVariant> variants;
};

// family_models returns every family in the order of describe_active_variants().
const std::vector<FamilyModel>& family_models();
// family_model returns the family named `family` (it must exist).
const FamilyModel& family_model(std::string_view family);

// kForcedValues are the values of JWTBATCH_FORCE_ISA every dispatch test tries (nullptr: unset).
inline constexpr const char* kForcedValues[] = {nullptr, "scalar", "avx2", "avx512", "neon", "bogus"};

// forced_label returns `forced`, or "(unset)" for nullptr, for traces.
std::string forced_label(const char* forced);

// expected_valid returns true iff JWTBATCH_FORCE_ISA=`forced` is accepted on a CPU with `cpu`
// (unset: true).
bool expected_valid(const char* forced, const kernels::CpuFeatures& cpu);

// expected_variant returns the name of the variant of `model` that JWTBATCH_FORCE_ISA=`forced`
// (nullptr: unset) must select on a CPU with `cpu`.
std::string_view expected_variant(const FamilyModel& model, const char* forced, const kernels::CpuFeatures& cpu);

// expected_supported returns the names of the variants of `model` that a CPU with `cpu` runs.
std::vector<std::string_view> expected_supported(const FamilyModel& model, const kernels::CpuFeatures& cpu);

// expected_description returns what describe_active_variants() must return under `forced`.
std::string expected_description(const char* forced, const kernels::CpuFeatures& cpu);

// run_test_child runs this test binary again (through /proc/self/exe) with JWTBATCH_FORCE_ISA set to
// `forced` (unset when nullptr), the shell assignments `env` ("NAME=value ...", may be empty) and
// --gtest_filter=`filter`. Returns the child's exit status (0 iff its tests passed; -1 when it
// could not start) and, in `out_stdout` when given, what it printed.
int run_test_child(const char* forced, const std::string& env, const std::string& filter,
                   std::string* out_stdout = nullptr);

// expect_children_follow_policy is a family test's check of the policy: for every kForcedValues
// entry it runs the in-process test `filter` in a child with JWTBATCH_TEST_EXPECT_VARIANT set to
// the variant of `family` the model expects (and, when `with_engine`, JWTBATCH_TEST_EXPECT_ENGINE
// to 1 or 0: forced, or a variant beyond the reference whose `engine_unforced` is set, means the
// engine uses the kernels), and expects each child to pass; then once with an impossible
// expectation, and expects that child to fail (the child really checks). The test `filter` reads
// those two variables.
void expect_children_follow_policy(std::string_view family, const std::string& filter, bool with_engine);

}  // namespace jwtbatch::test
