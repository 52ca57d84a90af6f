// policy.hpp: what a token must satisfy besides its signature (RFC 7519 section 4.1, RFC 8725).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jwtbatch/status.hpp"

namespace jwtbatch {

// Policy is a value type; a Verifier copies it. Defaults follow RFC 8725: exp required, no leeway.
struct Policy {
  // algs is the allow-list. Empty means every algorithm the key set permits.
  AlgSet algs;
  // issuers: when non-empty, iss must be present, a string, and equal one of them.
  std::vector<std::string> issuers;
  // audiences: when non-empty, aud (a string or an array of strings) must contain one of them.
  std::vector<std::string> audiences;
  // required_claims: claim names that must be present (any JSON type; registered time claims must
  // still be numbers). At most 64.
  std::vector<std::string> required_claims{"exp"};
  // leeway_s: clock skew tolerated for exp, nbf and iat, in seconds.
  int64_t leeway_s = 0;
  // max_age_s: when set, iat is required and must be no older than this (and not in the future).
  std::optional<int64_t> max_age_s;
  // typ: when set, the header's typ must equal it (case-insensitive; "JWT" also matches
  // "application/JWT", RFC 7515 section 4.1.9).
  std::optional<std::string> typ;

  // Limits on hostile input. Every token costs time and memory bounded by these (and by the key
  // set: see kMaxKeys and the RSA limits in keyset.hpp); the defaults admit every token seen in
  // practice.
  // max_token_bytes: longer tokens are too_large without being decoded.
  size_t max_token_bytes = 64 * 1024;
  // max_json_depth: header or claims JSON nesting containers deeper than this (the top-level
  // object counts as 1, scalars do not count) is bad_json. Values above kMaxJsonDepth count as
  // kMaxJsonDepth, 0 as 1.
  size_t max_json_depth = 32;
  // max_header_members: a header with more top-level members is bad_header.
  size_t max_header_members = 64;
  // max_aud_values: an aud array with more values is bad_claim (a claims-group verdict, so it is
  // reported only when the signature holds).
  size_t max_aud_values = 256;
  // max_kidless_keys: a token without kid is tried against every key that may verify its alg, one
  // signature check each; when the key set has more such keys than this, the token is
  // key_not_found ("token has no kid ...") without any check. Bounds the work of one kid-less
  // forgery to this many signature checks.
  size_t max_kidless_keys = 8;
};

// kMaxJsonDepth: the ceiling of Policy::max_json_depth (the parser's own default).
inline constexpr size_t kMaxJsonDepth = 1024;

}  // namespace jwtbatch
