// status.cpp: the stable names of Status, Alg and Stage.
#include <array>

#include "jwtbatch/stats.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch {
namespace {

constexpr std::array<std::string_view, kNumStatuses> kStatusNames = {
    "ok",          "malformed",       "too_large",      "bad_base64",    "bad_json",
    "bad_header",  "unsupported_alg", "alg_not_allowed", "key_not_found", "unsupported_crit",
    "bad_signature", "expired",       "not_yet_valid",  "bad_issuer",    "bad_audience",
    "missing_claim", "bad_claim",
};

constexpr std::array<std::string_view, kNumAlgs> kAlgNames = {
    "",      "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
    "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
};

constexpr std::array<std::string_view, kNumStages> kStageNames = {
    "split", "decode", "parse", "resolve", "check", "verify",
};

}  // namespace

std::string_view to_string(Status status) noexcept {
  auto i = static_cast<size_t>(status);
  return i < kStatusNames.size() ? kStatusNames[i] : std::string_view("unknown");
}

std::optional<Status> status_from_string(std::string_view name) noexcept {
  for (size_t i = 0; i < kStatusNames.size(); ++i)
    if (kStatusNames[i] == name) return static_cast<Status>(i);
  return std::nullopt;
}

std::string_view to_string(Alg alg) noexcept {
  auto i = static_cast<size_t>(alg);
  return i < kAlgNames.size() ? kAlgNames[i] : std::string_view();
}

Alg alg_from_string(std::string_view name) noexcept {
  for (size_t i = 1; i < kAlgNames.size(); ++i)
    if (kAlgNames[i] == name) return static_cast<Alg>(i);
  return Alg::unknown;
}

std::string_view to_string(Stage stage) noexcept {
  auto i = static_cast<size_t>(stage);
  return i < kStageNames.size() ? kStageNames[i] : std::string_view("unknown");
}

}  // namespace jwtbatch
