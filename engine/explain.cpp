// explain.cpp: one-line reasons for verdicts (the CLI's "error" field, logs of embedders).
#include <ctime>
#include <string>

#include "engine/pipeline.hpp"
#include "jwtbatch/verifier.hpp"

namespace jwtbatch {

std::string format_utc(UnixSeconds t) {
  std::tm tm{};
  const std::time_t tt = static_cast<std::time_t>(t);
  if (t < -62135596800LL || t > 253402300799LL || !gmtime_r(&tt, &tm)) return std::to_string(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string explain(const Verdict& v, const Policy& policy) {
  using namespace verdict_detail;
  const std::string alg(to_string(v.alg));
  switch (v.status) {
    case Status::ok:
      return "";
    case Status::malformed:
      return "token is not three base64url parts separated by dots";
    case Status::too_large:
      return "token longer than the limit of " + std::to_string(policy.max_token_bytes) + " bytes";
    case Status::bad_base64:
      return "invalid base64url at offset " + std::to_string(v.detail);
    case Status::bad_json:
      return v.detail == uint32_t(JsonPart::header) ? "header is not a valid JSON object (or repeats a member name)"
                                                    : "claims are not a valid JSON object (or repeat a member name)";
    case Status::bad_header:
      switch (HeaderProblem(v.detail)) {
        case HeaderProblem::no_alg: return "header has no alg";
        case HeaderProblem::alg_type: return "header alg is not a string";
        case HeaderProblem::kid_type: return "header kid is not a string";
        case HeaderProblem::typ_type: return "header typ is not a string";
        case HeaderProblem::crit_type: return "header crit is not a non-empty array of strings";
        case HeaderProblem::typ_mismatch: return "header typ is not \"" + policy.typ.value_or("") + "\"";
        case HeaderProblem::too_many_members:
          return "header has more than " + std::to_string(policy.max_header_members) + " members";
        case HeaderProblem::kid_too_long:
          return "header kid is longer than " + std::to_string(kMaxKidBytes) + " bytes";
      }
      return "bad header";
    case Status::unsupported_alg:
      return v.detail == uint32_t(AlgProblem::none) ? "alg none is never accepted" : "alg is not supported";
    case Status::alg_not_allowed:
      return v.detail == uint32_t(KeyProblem::kid_other_family)
                 ? "the key named by kid may not be used with alg " + alg
                 : "alg " + alg + " is not allowed";
    case Status::key_not_found:
      if (v.detail == uint32_t(KeyProblem::kid_required))
        return "token has no kid and more than " + std::to_string(policy.max_kidless_keys) + " keys may verify alg " + alg;
      return v.detail == uint32_t(KeyProblem::no_key_for_alg) ? "no key for alg " + alg
                                                             : "no key with the token's kid";
    case Status::unsupported_crit:
      return "crit names an extension that is not supported";
    case Status::bad_signature:
      return "signature verification failed";
    case Status::expired:
      if (v.detail == uint32_t(TimeProblem::iat_too_old))
        return "token issued at " + format_utc(v.iat) + " is older than the maximum age";
      return "token expired at " + format_utc(v.exp);
    case Status::not_yet_valid:
      if (v.detail == uint32_t(TimeProblem::iat_future)) return "token issued in the future, at " + format_utc(v.iat);
      return "token not valid before " + format_utc(v.nbf);
    case Status::bad_issuer:
      return "issuer is not accepted";
    case Status::bad_audience:
      return "audience is not accepted";
    case Status::missing_claim: {
      std::string name;
      if (v.detail < policy.required_claims.size()) name = policy.required_claims[v.detail];
      else if (v.detail == kMissingIat) name = "iat";
      else if (v.detail == kMissingIss) name = "iss";
      else if (v.detail == kMissingAud) name = "aud";
      return "missing required claim \"" + name + "\"";
    }
    case Status::bad_claim: {
      static constexpr const char* kNames[] = {"", "exp", "nbf", "iat", "iss", "aud", "sub", "jti"};
      const char* name = v.detail < 8 ? kNames[v.detail] : "";
      const bool time = v.detail >= uint32_t(ClaimName::exp) && v.detail <= uint32_t(ClaimName::iat);
      if (v.detail == kAudTooLong)
        return "claim \"aud\" has more than " + std::to_string(policy.max_aud_values) + " values";
      if (v.detail == uint32_t(ClaimName::aud)) return "claim \"aud\" must be a string or an array of strings";
      return std::string("claim \"") + name + "\" must be a " + (time ? "number" : "string");
    }
  }
  return "unknown status";
}

}  // namespace jwtbatch
