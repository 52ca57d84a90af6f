// json_fuzz: header and claims parsing (stage 3) and the claim rules (stage 5), reached with a
// valid signature: the fuzz bytes become the header and/or the claims of a token signed with the
// demo HS256 key, so every token gets past the signature check and its JSON decides its verdict.
//
// Input: byte 0 picks what the rest is: 0 the claims (under the header {"alg":"HS256","kid":
// "hs256-1"}), 1 the header (with valid claims), 2 both (header, a 0xff byte, claims; 0xff never
// occurs in valid JSON text).
// Invariants, against simdjson's DOM parser run on its own (default depth) and a model written
// here independently of engine/parse.cpp and engine/check.cpp:
//   - if simdjson rejects a part, or it is not an object, or an object in it repeats a member name
//     (checked here with a std::set per object), or it nests deeper than the limit, the verdict is
//     bad_json, unless precedence says otherwise (malformed for an empty part; a bad header
//     beats bad claims);
//   - conversely a part that is a valid object without repeated names, well within the depth
//     limit, is never bad_json;
//   - the header rules (alg a string and present, kid and typ strings, crit a non-empty array of
//     strings) and limits (members, kid length) decide bad_header exactly;
//   - with an HS256 header that names the demo key (or no key) and no crit, the verdict is what the
//     claim rules of the default policy say (bad_claim, missing_claim, expired, not_yet_valid, ok),
//     the aud limit included.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace jwtbatch;
using simdjson::dom::element;
using simdjson::dom::element_type;

const size_t kDepthLimit = Policy{}.max_json_depth;

// Part is what an independent reading says about one JSON part.
struct Part {
  bool parsed = false;   // simdjson accepts it (at its default depth)
  bool object = false;   // ... and it is an object
  bool dup = false;      // some object in it repeats a member name
  size_t depth = 0;      // nesting of arrays and objects ({} is 1)
};

void walk(element e, size_t level, Part& part) {
  if (level > part.depth) part.depth = level;
  if (e.type() == element_type::ARRAY) {
    for (element child : e.get_array()) walk(child, level + 1, part);
  } else if (e.type() == element_type::OBJECT) {
    std::set<std::string> seen;
    for (auto field : e.get_object()) {
      if (!seen.insert(std::string(field.key)).second) part.dup = true;
      walk(field.value, level + 1, part);
    }
  }
}

Part read_part(simdjson::dom::parser& parser, std::string_view text, element* out) {
  Part part;
  element doc;
  if (parser.parse(text.data(), text.size()).get(doc) != simdjson::SUCCESS) return part;
  part.parsed = true;
  part.object = doc.type() == element_type::OBJECT;
  walk(doc, 1, part);
  *out = doc;
  return part;
}

// json_ok: certainly acceptable to the engine's parse (margin of two levels under the limit, so the
// exact off-by-one of simdjson's depth count does not matter); json_bad: certainly bad_json.
bool json_ok(const Part& p) { return p.parsed && p.object && !p.dup && p.depth + 2 <= kDepthLimit; }
bool json_bad(const Part& p) { return !p.parsed || !p.object || p.dup || p.depth > kDepthLimit + 2; }

bool is_string(element v) { return v.type() == element_type::STRING; }
bool is_number(element v) {
  return v.type() == element_type::INT64 || v.type() == element_type::UINT64 || v.type() == element_type::DOUBLE;
}
double number(element v) {
  switch (v.type()) {
    case element_type::INT64: return static_cast<double>(int64_t(v));
    case element_type::UINT64: return static_cast<double>(uint64_t(v));
    default: return double(v);
  }
}

// HeaderModel: the header rules of DESIGN.md and status.hpp, read from a valid JSON object.
struct HeaderModel {
  bool bad = false;            // bad_header
  bool plain_hs256 = false;    // alg HS256, kid absent or the demo HS256 key, no crit
};

HeaderModel model_header(element obj) {
  HeaderModel m;
  bool has_alg = false, has_crit = false, kid_ok = true;
  std::string_view alg;
  size_t members = 0;
  for (auto field : obj.get_object()) {
    ++members;
    const std::string_view key = field.key;
    const element v = field.value;
    if (key == "alg") {
      if (!is_string(v)) m.bad = true;
      else { has_alg = true; alg = std::string_view(v); }
    } else if (key == "kid") {
      if (!is_string(v)) m.bad = true;
      else if (std::string_view(v).size() > kMaxKidBytes) m.bad = true;
      else kid_ok = std::string_view(v) == "hs256-1";
    } else if (key == "typ") {
      if (!is_string(v)) m.bad = true;
    } else if (key == "crit") {
      if (v.type() != element_type::ARRAY || v.get_array().size() == 0) {
        m.bad = true;
      } else {
        has_crit = true;
        for (element name : v.get_array())
          if (!is_string(name)) m.bad = true;
      }
    }
  }
  if (!has_alg || members > Policy{}.max_header_members) m.bad = true;
  m.plain_hs256 = !m.bad && alg == "HS256" && kid_ok && !has_crit;
  return m;
}

// model_claims: the default policy's verdict for valid claims (exp required, no leeway, no
// issuer or audience rules) at `now`, the signature being valid.
Status model_claims(element obj, UnixSeconds now) {
  bool bad = false, has_exp = false, has_nbf = false;
  double exp = 0, nbf = 0;
  for (auto field : obj.get_object()) {
    const std::string_view key = field.key;
    const element v = field.value;
    if (key == "exp" || key == "nbf" || key == "iat") {
      if (!is_number(v)) { bad = true; continue; }
      if (key == "exp") { has_exp = true; exp = number(v); }
      if (key == "nbf") { has_nbf = true; nbf = number(v); }
    } else if (key == "iss" || key == "sub" || key == "jti") {
      if (!is_string(v)) bad = true;
    } else if (key == "aud") {
      if (v.type() == element_type::ARRAY) {
        size_t n = 0;
        for ([[maybe_unused]] element item : v.get_array()) ++n;
        if (n > Policy{}.max_aud_values) bad = true;
        for (element item : v.get_array())
          if (!is_string(item)) bad = true;
      } else if (!is_string(v)) {
        bad = true;
      }
    }
  }
  if (bad) return Status::bad_claim;
  if (!has_exp) return Status::missing_claim;
  const double t = static_cast<double>(now);
  if (t >= exp) return Status::expired;
  if (has_nbf && t < nbf) return Status::not_yet_valid;
  return Status::ok;
}

const Verifier& verifier() {
  static const Verifier v(fuzz::demo_keys(), Policy{});
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)verifier();
  (void)fuzz::demo_hs256_secret();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  static const std::string kHeader = "{\"alg\":\"HS256\",\"kid\":\"hs256-1\"}";
  static const std::string kClaims = "{\"sub\":\"fuzz\",\"exp\":" + std::to_string(fuzz::kNow + 3600) + "}";
  std::string_view header = kHeader, claims = kClaims;
  switch (data[0] % 3) {
    case 0: claims = rest; break;
    case 1: header = rest; break;
    default: {
      const size_t cut = rest.find('\xff');
      header = rest.substr(0, cut);
      claims = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
    }
  }
  const std::string token = fuzz::hs256_token(header, claims);
  const Verdict v = verifier().verify(token, fuzz::kNow);
  const Status s = v.status;
  JWTBATCH_FUZZ_CHECK(s != Status::too_large && s != Status::bad_base64, "a well-encoded token failed to decode");

  if (header.empty() || claims.empty()) {
    JWTBATCH_FUZZ_CHECK(s == Status::malformed, "empty part is not malformed");
    return 0;
  }
  JWTBATCH_FUZZ_CHECK(s != Status::malformed, "malformed with two non-empty parts");

  simdjson::dom::parser header_parser, claims_parser;
  element header_doc, claims_doc;
  const Part h = read_part(header_parser, header, &header_doc);
  if (json_bad(h)) {
    JWTBATCH_FUZZ_CHECK(s == Status::bad_json && v.detail == 1, "bad header JSON is not bad_json");
    return 0;
  }
  if (!json_ok(h)) return 0;  // at the depth limit: either verdict is defensible
  JWTBATCH_FUZZ_CHECK(!(s == Status::bad_json && v.detail == 1), "valid header JSON is bad_json");
  const HeaderModel hm = model_header(header_doc);
  JWTBATCH_FUZZ_CHECK(hm.bad == (s == Status::bad_header), "bad_header disagrees with the header rules");
  if (hm.bad) return 0;

  const Part c = read_part(claims_parser, claims, &claims_doc);
  if (json_bad(c)) {
    JWTBATCH_FUZZ_CHECK(s == Status::bad_json && v.detail == 2, "bad claims JSON is not bad_json");
    return 0;
  }
  if (!json_ok(c)) return 0;
  JWTBATCH_FUZZ_CHECK(s != Status::bad_json, "valid claims JSON is bad_json");
  if (hm.plain_hs256)
    JWTBATCH_FUZZ_CHECK(s == model_claims(claims_doc, fuzz::kNow), "verdict disagrees with the claim rules");
  return 0;
}
