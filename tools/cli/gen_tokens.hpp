// gen_tokens.hpp (internal to `jwtbatch gen`): the tokens of a corpus, valid ones and the failure
// kinds, each with the status a strict verifier answers under `--now T --iss ISS --aud AUD` (exp
// required, no leeway; DESIGN.md "Verdicts" for the precedence when several things are wrong).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/status.hpp"
#include "tools/cli/gen_keys.hpp"

namespace jwtbatch::cli::gen {

enum class Profile : uint8_t { small, typical, large, mixed };
std::string_view to_string(Profile profile) noexcept;

// Kind is what a token carries: nothing wrong (ok), one failure, or the optional too_large token.
// The failure kinds come first, in the order they are dealt out.
enum class Kind : uint8_t {
  expired, not_yet_valid, bad_issuer, bad_audience, missing_claim, bad_claim, bad_signature,
  key_not_found, unsupported_alg, alg_not_allowed, malformed, bad_base64, bad_json, bad_header,
  unsupported_crit,
  ok, too_large,
};
inline constexpr size_t kNumFailureKinds = 15;

// kind_name returns the kind's name (the status it expects, by construction).
std::string_view kind_name(Kind kind) noexcept;
// num_variants returns how many ways gen builds `kind` (they are dealt out in turn).
size_t num_variants(Kind kind) noexcept;

// Slot is one token's plan: its kind, its variant of that kind, and the key (index into the
// key list) it is signed with or names.
struct Slot {
  Kind kind = Kind::ok;
  uint32_t variant = 0;
  uint32_t key_index = 0;
};

// TokenContext is what every token of a corpus shares.
struct TokenContext {
  uint64_t seed = 1;
  int64_t now = 0;
  std::string iss, aud;
  std::string wrong_iss, wrong_aud, wrong_aud2;  // never equal to iss / aud
  Profile profile = Profile::typical;
  std::span<const GenKey> keys;
  int confusion_key = -1;  // an RSA/EC/OKP key for alg_not_allowed, -1 if there is none
};

struct GeneratedToken {
  std::string token;
  Status expected = Status::ok;
  std::string label;  // "<kind>[/<variant>] <ALG> <profile>", one line of cases.txt
  bool failed = false;  // signing failed (an internal error)
};

// plan_slots deals out `count` slots: round(count * fail_rate) failures spread evenly over the
// kinds (and, per kind, over the variants and keys), the rest ok (spread over the keys), then
// shuffled with the seed.
std::vector<Slot> plan_slots(uint64_t seed, size_t count, double fail_rate, size_t num_keys);

// make_token builds token number `index` of the corpus from its slot. Deterministic: it draws
// only from Rng(seed, "token", index).
GeneratedToken make_token(const TokenContext& ctx, const Slot& slot, uint64_t index);

// make_too_large_token builds a validly signed token of at least 70 KiB (expected too_large).
GeneratedToken make_too_large_token(const TokenContext& ctx, uint64_t index);

}  // namespace jwtbatch::cli::gen
