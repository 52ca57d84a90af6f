// options.cpp: the table of policy options (contract in include/jwtbatch/options.hpp).
#include "jwtbatch/options.hpp"

#include <charconv>

#include "jwtbatch/status.hpp"

namespace jwtbatch {
namespace {

constexpr int64_t kMaxSeconds = int64_t{1} << 40;  // about 35,000 years: any sane clock window
constexpr int64_t kMaxTokenBytes = int64_t{1} << 30;
// The shortest max_token_bytes accepted: no JWS with a real header is shorter.
constexpr int64_t kMinTokenBytes = 16;
constexpr size_t kMaxRequiredClaims = 64;  // Policy::required_claims

}  // namespace

std::vector<std::string> split_option_list(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

namespace {

bool apply_alg(Policy* p, std::string_view text, int64_t, std::string* why) {
  AlgSet algs;
  for (const std::string& name : split_option_list(text)) {
    const Alg alg = alg_from_string(name);
    if (alg == Alg::unknown) {
      *why = "unknown or refused algorithm \"" + name + "\"";
      return false;
    }
    algs.add(alg);
  }
  if (algs.empty()) {
    *why = "empty list";
    return false;
  }
  p->algs = algs;
  return true;
}

bool apply_iss(Policy* p, std::string_view text, int64_t, std::string*) {
  p->issuers.emplace_back(text);
  return true;
}

bool apply_aud(Policy* p, std::string_view text, int64_t, std::string*) {
  p->audiences.emplace_back(text);
  return true;
}

bool apply_require(Policy* p, std::string_view text, int64_t, std::string* why) {
  std::vector<std::string> claims = split_option_list(text);
  if (claims.size() > kMaxRequiredClaims) {
    *why = "at most 64 claims";
    return false;
  }
  p->required_claims = std::move(claims);
  return true;
}

bool apply_leeway(Policy* p, std::string_view, int64_t n, std::string*) {
  p->leeway_s = n;
  return true;
}

bool apply_max_age(Policy* p, std::string_view, int64_t n, std::string*) {
  p->max_age_s = n;
  return true;
}

bool apply_typ(Policy* p, std::string_view text, int64_t, std::string*) {
  p->typ = std::string(text);
  return true;
}

bool apply_max_token_bytes(Policy* p, std::string_view, int64_t n, std::string*) {
  p->max_token_bytes = static_cast<size_t>(n);
  return true;
}

using T = PolicyOptionType;
constexpr PolicyOption kOptions[] = {
    {"alg", T::list, 0, 0, "comma-separated allow-list, e.g. RS256,ES256 (replaces; default: every algorithm the keys permit)",
     apply_alg},
    {"iss", T::text, 0, 0, "an accepted issuer (each setting adds one; when any, iss is required)", apply_iss},
    {"aud", T::text, 0, 0, "an accepted audience (each setting adds one; when any, aud is required)", apply_aud},
    {"require", T::list, 0, 0, "comma-separated claims that must be present, at most 64 (replaces the default exp)",
     apply_require},
    {"leeway", T::integer, 0, kMaxSeconds, "seconds of clock skew tolerated for exp, nbf, iat (default 0)", apply_leeway},
    {"max_age", T::integer, 0, kMaxSeconds, "seconds: iat required and no older than this", apply_max_age},
    {"typ", T::text, 0, 0, "the header's typ must be this (case-insensitive, \"application/\" optional)", apply_typ},
    {"max_token_bytes", T::integer, kMinTokenBytes, kMaxTokenBytes, "longer tokens are too_large (default 65536)",
     apply_max_token_bytes},
};

// bound_text writes a bound as the help texts do: powers of two from 2^10 up as "2^k".
std::string bound_text(int64_t v) {
  if (v >= 1024 && (v & (v - 1)) == 0) {
    int k = 0;
    while ((int64_t{1} << k) != v) ++k;
    return "2^" + std::to_string(k);
  }
  return std::to_string(v);
}

bool parse_integer(std::string_view s, int64_t* out) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') ++b;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(b, e, v);
  if (b == e || ec != std::errc() || p != e) return false;
  *out = v;
  return true;
}

}  // namespace

std::span<const PolicyOption> policy_options() noexcept { return kOptions; }

const PolicyOption* find_policy_option(std::string_view name) noexcept {
  for (const PolicyOption& o : kOptions)
    if (o.name == name) return &o;
  return nullptr;
}

bool set_policy_option(Policy* policy, std::string_view name, std::string_view value, std::string* out_error) {
  std::string why;
  auto fail = [&](std::string reason) {
    if (out_error) *out_error = std::string(name) + ": " + reason;
    return false;
  };
  const PolicyOption* o = find_policy_option(name);
  if (o == nullptr) return fail("unknown option");
  int64_t n = 0;
  if (o->type == PolicyOptionType::integer &&
      (!parse_integer(value, &n) || n < o->min || n > o->max)) {
    return fail("\"" + std::string(value) + "\" is not an integer from " + bound_text(o->min) + " to " +
                bound_text(o->max));
  }
  // A setter refuses before it writes, so a refused value leaves the policy as it was.
  if (!o->apply(policy, value, n, &why)) return fail(why);
  return true;
}

}  // namespace jwtbatch
