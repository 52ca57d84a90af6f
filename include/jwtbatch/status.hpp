// status.hpp: the verdict codes of jwtbatch. Names are stable: the command line prints them and
// tools outside the project parse them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace jwtbatch {

// Status is one token's verdict, or whether a whole batch could run. When several things are wrong
// with a token the first group wins: structure > algorithm and key > signature > claims (a forged
// token is bad_signature even when it is also expired).
enum class Status : uint8_t {
  ok = 0,
  // structure (split, decode, parse)
  malformed,         // not three dot-separated parts, or empty header/claims part
  too_large,         // longer than Policy::max_token_bytes
  bad_base64,        // a part is not strict unpadded base64url
  bad_json,          // header or claims is not one valid JSON object (or has duplicate names)
  bad_header,        // header members of the wrong type or missing alg, a typ mismatch, too many
                     // members (Policy::max_header_members), or a kid over kMaxKidBytes
  // algorithm and key (resolve)
  unsupported_alg,   // alg is not one jwtbatch implements ("none" in any case is never accepted)
  alg_not_allowed,   // alg is outside the policy's allow-list, or the kid's key is of another family
  key_not_found,     // no key with the token's kid (or, without kid, no key usable with its alg, or
                     // more such keys than Policy::max_kidless_keys)
  unsupported_crit,  // crit names an extension jwtbatch does not understand
  // signature (verify)
  bad_signature,     // the signature does not verify (or has the wrong length or encoding)
  // claims (check)
  expired,           // now >= exp + leeway, or iat older than max-age
  not_yet_valid,     // now + leeway < nbf (or iat in the future, when max-age is set)
  bad_issuer,        // iss is not one of the policy's issuers
  bad_audience,      // no aud value is one of the policy's audiences
  missing_claim,     // a required claim is absent
  bad_claim,         // a registered claim has the wrong JSON type, or aud over Policy::max_aud_values
};

inline constexpr size_t kNumStatuses = 17;

// to_string returns the stable snake_case name of `status` ("ok", "bad_signature", ...).
std::string_view to_string(Status status) noexcept;

// status_from_string parses a name written by to_string.
std::optional<Status> status_from_string(std::string_view name) noexcept;

// Alg is a JWS algorithm jwtbatch implements (RFC 7518 section 3, RFC 8037).
enum class Alg : uint8_t {
  unknown = 0,
  hs256, hs384, hs512,
  rs256, rs384, rs512,
  ps256, ps384, ps512,
  es256, es384, es512,
  eddsa,
};
inline constexpr size_t kNumAlgs = 14;  // including unknown

// to_string returns the JOSE name of `alg` ("HS256", ..., "EdDSA"; "" for unknown).
std::string_view to_string(Alg alg) noexcept;

// alg_from_string maps an exact, case-sensitive JOSE name to an Alg (unknown for anything else,
// "none" included).
Alg alg_from_string(std::string_view name) noexcept;

// AlgSet is a small set of algorithms.
class AlgSet {
 public:
  constexpr AlgSet() = default;
  constexpr AlgSet(std::initializer_list<Alg> algs) {
    for (Alg a : algs) add(a);
  }
  constexpr void add(Alg a) { bits_ |= bit(a); }
  constexpr void add(AlgSet s) { bits_ |= s.bits_; }
  constexpr bool contains(Alg a) const { return (bits_ & bit(a)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr AlgSet intersect(AlgSet o) const { AlgSet r; r.bits_ = bits_ & o.bits_; return r; }
  constexpr bool operator==(const AlgSet&) const = default;
  constexpr uint16_t bits() const { return bits_; }

 private:
  static constexpr uint16_t bit(Alg a) { return a == Alg::unknown ? 0 : uint16_t(1u << uint8_t(a)); }
  uint16_t bits_ = 0;
};

}  // namespace jwtbatch
