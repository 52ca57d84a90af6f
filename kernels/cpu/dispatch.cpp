// dispatch.cpp: the JWTBATCH_FORCE_ISA policy (contract in dispatch.hpp). The only place in the
// tree that reads the variable.
#include "kernels/cpu/dispatch.hpp"

#include <cstdlib>

namespace jwtbatch::kernels {
namespace {

constexpr IsaLevel kAllLevels[] = {IsaLevel::scalar, IsaLevel::avx2, IsaLevel::avx512, IsaLevel::neon};

}  // namespace

std::string_view isa_level_name(IsaLevel level) noexcept {
  switch (level) {
    case IsaLevel::scalar: return "scalar";
    case IsaLevel::avx2: return "avx2";
    case IsaLevel::avx512: return "avx512";
    case IsaLevel::neon: return "neon";
  }
  return "?";
}

std::optional<IsaLevel> parse_isa_level(std::string_view name) noexcept {
  for (IsaLevel l : kAllLevels)
    if (isa_level_name(l) == name) return l;
  return std::nullopt;
}

bool isa_level_runs(IsaLevel level, const CpuFeatures& cpu) noexcept {
  switch (level) {
    case IsaLevel::scalar:
      return true;
    case IsaLevel::avx2:
#if defined(__x86_64__)
      return cpu.has(Feature::avx2);
#else
      return false;
#endif
    case IsaLevel::avx512:
#if defined(__x86_64__)
      return cpu.has_all({Feature::avx2, Feature::avx512f, Feature::avx512bw, Feature::avx512vl});
#else
      return false;
#endif
    case IsaLevel::neon:
#if defined(__aarch64__)
      return cpu.has(Feature::asimd);
#else
      return false;
#endif
  }
  return false;
}

IsaPolicy IsaPolicy::parse(const char* value, const CpuFeatures& cpu) {
  IsaPolicy p;
  if (value == nullptr || *value == '\0') return p;
  p.forced_ = true;
  const std::string_view v(value);
  const std::optional<IsaLevel> level = parse_isa_level(v);
  if (level && isa_level_runs(*level, cpu)) {
    p.ceiling_ = level;
    return p;
  }
  p.error_ = "JWTBATCH_FORCE_ISA=" + std::string(v) + ": ";
  if (!level) {
    p.error_ += "unknown ISA level (known: scalar, avx2, avx512, neon)";
  } else {
    p.error_ += "this CPU or build cannot run ISA level " + std::string(v) + " (it runs:";
    for (IsaLevel l : kAllLevels)
      if (isa_level_runs(l, cpu)) p.error_ += " " + std::string(isa_level_name(l));
    p.error_ += ")";
  }
  p.error_ += "; every kernel runs its scalar reference";
  return p;
}

const IsaPolicy& isa_policy() noexcept {
  static const IsaPolicy p = IsaPolicy::parse(std::getenv("JWTBATCH_FORCE_ISA"), cpu_features());
  return p;
}

}  // namespace jwtbatch::kernels
