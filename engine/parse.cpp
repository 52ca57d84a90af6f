// parse.cpp: stage 3. simdjson parses the decoded header and claims in place (the arena keeps
// SIMDJSON_PADDING spare bytes after each). The DOM parser validates the whole document (structure,
// UTF-8, numbers, escapes, depth), including members jwtbatch never reads, so nothing invalid goes
// unseen; duplicate member names, at any depth, are rejected on top of that. The members the later
// stages need are copied into the arena, because the parser's buffers are reused by the next parse.
//
// Why the DOM API and not On-Demand: On-Demand validates only what it visits, and the security
// stance (DESIGN.md) wants every byte of both objects validated; walking every value with On-Demand
// would cost what the DOM costs, with more code to get wrong.
#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>

#include "engine/pipeline.hpp"

namespace jwtbatch::engine {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// copy_to copies `s` into the arena. decode_chunk reserved room for these copies: they come from
// distinct strings of the decoded JSON, each unescaped value no longer than its JSON text.
std::string_view copy_to(Arena& arena, std::string_view s) {
  uint8_t* p = arena.alloc_bytes(s.size());
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return {reinterpret_cast<const char*>(p), s.size()};
}

// load_le returns the `n` (1, 2, 4 or 8) bytes at `p` as a little-endian integer (both targets,
// x86-64 and ARM64, are little-endian).
static_assert(std::endian::native == std::endian::little, "prefix8 combines little-endian loads");
template <size_t n>
uint64_t load_le(const char* p) {
  if constexpr (n == 1) {
    return static_cast<uint8_t>(*p);
  } else {
    std::conditional_t<n == 2, uint16_t, std::conditional_t<n == 4, uint32_t, uint64_t>> v;
    std::memcpy(&v, p, n);
    return v;
  }
}

// prefix8 returns the first min(8, size) bytes of `s`, zero-padded, as a little-endian integer,
// from at most two overlapping loads of the string's own bytes combined in registers. (A memcpy of
// a variable length into a zeroed local compiles to byte, word and dword stores followed by one
// qword load, which cannot be forwarded from them: a stall of about 15 cycles a member name, which
// made this check as costly as simdjson's whole stage 2 on typical claims.)
uint64_t prefix8(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  if (n >= 8) return load_le<8>(p);
  if (n >= 4) return load_le<4>(p) | load_le<4>(p + n - 4) << (8 * (n - 4));
  if (n >= 2) return load_le<2>(p) | load_le<2>(p + n - 2) << (8 * (n - 2));
  return n == 1 ? load_le<1>(p) : 0;
}

// same_name returns a == b for names whose prefix8 values are given: lengths and prefixes compared as
// integers, memcmp only for what lies past the first 8 bytes.
bool same_name(std::string_view a, uint64_t a_prefix, std::string_view b, uint64_t b_prefix) {
  return a.size() == b.size() && a_prefix == b_prefix &&
         (a.size() <= 8 || std::memcmp(a.data() + 8, b.data() + 8, a.size() - 8) == 0);
}

// has_duplicate_names reports whether any object in `e` (at any depth) names a member twice, or a
// container lies more than `levels_below` levels below `e` (the depth limit: see parse_chunk).
// Objects of up to 16 members (every real header and claims set) compare each name with those
// before it as (length, first 8 bytes zero-padded) integer pairs, calling memcmp only for the rest
// of equal-prefix names longer than 8 bytes: JWT names are short and often the same length ("iss",
// "sub", "aud", "exp"), so string_view's == spent a memcmp call on nearly every pair. Larger
// objects sort the names.
bool has_duplicate_names(element e, std::vector<std::string_view>& names, size_t levels_below) {
  if (simdjson::dom::array arr; e.get_array().get(arr) == simdjson::SUCCESS) {
    for (element child : arr) {
      const element_type t = child.type();
      if ((t == element_type::OBJECT || t == element_type::ARRAY) &&
          (levels_below == 0 || has_duplicate_names(child, names, levels_below - 1)))
        return true;
    }
    return false;
  }
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return false;
  bool small = obj.size() <= 16;
  if (small) {
    uint64_t prefix[16];
    size_t length[16];
    const char* data[16];
    size_t n = 0;
    // A 256-bit filter of (length, prefix) hashes: only a name whose bit is already set is compared
    // with the names before it (the usual claims set of about a dozen distinct names rarely does).
    uint64_t filter[4] = {0, 0, 0, 0};
    for (auto field : obj) {
      if (n == 16) {  // more members than size() said: check the whole object the other way
        small = false;
        break;
      }
      const std::string_view key = field.key;
      const uint64_t p = prefix8(key);
      const uint64_t h = ((p ^ key.size()) * 0x9e3779b97f4a7c15u) >> 56;
      const uint64_t bit = uint64_t{1} << (h & 63);
      if (filter[h >> 6] & bit) {
        for (size_t j = 0; j < n; ++j)
          if (same_name({data[j], length[j]}, prefix[j], key, p)) return true;
      }
      filter[h >> 6] |= bit;
      prefix[n] = p;
      length[n] = key.size();
      data[n++] = key.data();
    }
  }
  if (!small) {
    const size_t base = names.size();
    for (auto field : obj) names.push_back(field.key);
    const auto first = names.begin() + static_cast<ptrdiff_t>(base);
    std::sort(first, names.end());
    const bool dup = std::adjacent_find(first, names.end()) != names.end();
    names.resize(base);
    if (dup) return true;
  }
  for (auto field : obj) {
    const element_type t = field.value.type();  // scalars (most members) need no call
    if ((t == element_type::OBJECT || t == element_type::ARRAY) &&
        (levels_below == 0 || has_duplicate_names(field.value, names, levels_below - 1)))
      return true;
  }
  return false;
}

// parse_object parses `len` bytes at `p` as one JSON object without duplicate names, nested at most
// `max_depth` containers deep (the object itself is level 1).
bool parse_object(Workspace& ws, const uint8_t* p, size_t len, size_t max_depth, simdjson::dom::object* out) {
  element doc;
  if (ws.parser.parse(p, len, false).get(doc) != simdjson::SUCCESS) return false;
  if (doc.get_object().get(*out) != simdjson::SUCCESS) return false;
  return !has_duplicate_names(doc, ws.names, max_depth - 1);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// media_type drops the "application/" prefix that RFC 7515 section 4.1.9 lets producers omit.
std::string_view media_type(std::string_view t) {
  constexpr std::string_view kApp = "application/";
  if (t.size() > kApp.size() && iequals(t.substr(0, kApp.size()), kApp) &&
      t.find('/', kApp.size()) == std::string_view::npos)
    return t.substr(kApp.size());
  return t;
}

void fail_header(TokenWork& w, HeaderProblem p) {
  w.status = Status::bad_header;
  w.detail = static_cast<uint32_t>(p);
}

void parse_header(const BatchContext& ctx, Workspace& ws, TokenWork& w) {
  simdjson::dom::object obj;
  if (!parse_object(ws, w.header, w.header_len, ws.parser_depth - 1, &obj)) {
    w.status = Status::bad_json;
    w.detail = static_cast<uint32_t>(JsonPart::header);
    return;
  }
  // Limits first, so that no loop below runs longer than they allow (size() reads the tape).
  if (obj.size() > ctx.policy->max_header_members) return fail_header(w, HeaderProblem::too_many_members);
  bool has_alg = false, has_typ = false;
  std::string_view typ;
  for (auto field : obj) {
    const std::string_view key = field.key;
    const element v = field.value;
    if (key == "alg") {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return fail_header(w, HeaderProblem::alg_type);
      has_alg = true;
      w.alg = alg_from_string(s);
      // Remember "none" in any capitalisation, for a clearer message (it is never accepted).
      if (w.alg == Alg::unknown && iequals(s, "none")) w.detail = static_cast<uint32_t>(AlgProblem::none);
    } else if (key == "kid") {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return fail_header(w, HeaderProblem::kid_type);
      // No key has a longer kid (KeySetBuilder skips them): refuse before hashing or copying it.
      if (s.size() > kMaxKidBytes) return fail_header(w, HeaderProblem::kid_too_long);
      w.has_kid = true;
      w.kid = copy_to(ws.arena, s);
    } else if (key == "typ") {
      if (v.get_string().get(typ) != simdjson::SUCCESS) return fail_header(w, HeaderProblem::typ_type);
      has_typ = true;
    } else if (key == "crit") {
      // RFC 7515 section 4.1.11: a non-empty array of member names. jwtbatch implements no
      // extension, so a well-formed crit is unsupported_crit (decided in stage 4).
      simdjson::dom::array arr;
      if (v.get_array().get(arr) != simdjson::SUCCESS || arr.size() == 0)
        return fail_header(w, HeaderProblem::crit_type);
      for (element name : arr)
        if (name.type() != element_type::STRING) return fail_header(w, HeaderProblem::crit_type);
      w.has_crit = true;
    }
    // jku, x5u, jwk, x5c and every other member: validated as JSON above, never used.
  }
  if (!has_alg) return fail_header(w, HeaderProblem::no_alg);
  if (ctx.policy->typ && (!has_typ || !iequals(media_type(typ), media_type(*ctx.policy->typ))))
    return fail_header(w, HeaderProblem::typ_mismatch);
}

void fail_claim(TokenWork& w, ClaimName c) {
  if (w.claim_status == Status::ok) {
    w.claim_status = Status::bad_claim;
    w.claim_detail = static_cast<uint32_t>(c);
  }
}

bool get_time(element v, double* out) {
  switch (v.type()) {
    case element_type::INT64: {
      int64_t i = 0;
      if (v.get_int64().get(i) != simdjson::SUCCESS) return false;
      *out = static_cast<double>(i);
      return true;
    }
    case element_type::UINT64: {
      uint64_t u = 0;
      if (v.get_uint64().get(u) != simdjson::SUCCESS) return false;
      *out = static_cast<double>(u);
      return true;
    }
    case element_type::DOUBLE:
      return v.get_double().get(*out) == simdjson::SUCCESS;
    default: return false;
  }
}

// RequiredNames: the policy's required claim names (at most 64) with their prefix8 values, found
// once per chunk rather than for every member of every token.
struct RequiredNames {
  explicit RequiredNames(const Policy& policy)
      : names(policy.required_claims), num(std::min<size_t>(names.size(), 64)) {
    for (size_t i = 0; i < num; ++i) prefix[i] = prefix8(names[i]);
  }
  const std::vector<std::string>& names;
  size_t num;
  uint64_t prefix[64];
};

void parse_claims(const BatchContext& ctx, const RequiredNames& required, Workspace& ws, TokenWork& w) {
  simdjson::dom::object obj;
  if (!parse_object(ws, w.claims, w.claims_len, ws.parser_depth - 1, &obj)) {
    w.status = Status::bad_json;
    w.detail = static_cast<uint32_t>(JsonPart::claims);
    return;
  }
  const size_t num_required = required.num;
  for (auto field : obj) {
    const std::string_view key = field.key;
    const element v = field.value;
    // Names are short and often of one length ("exp" against "iss", "sub", "aud"...): same_name
    // compares them as integers before any memcmp.
    const uint64_t key_prefix = num_required != 0 ? prefix8(key) : 0;
    for (size_t i = 0; i < num_required; ++i)
      if (same_name(required.names[i], required.prefix[i], key, key_prefix)) w.required_seen |= uint64_t{1} << i;
    if (key.size() != 3) continue;  // every registered claim name has three letters
    if (key == "exp") {
      if (get_time(v, &w.exp)) w.has_exp = true; else fail_claim(w, ClaimName::exp);
    } else if (key == "nbf") {
      if (get_time(v, &w.nbf)) w.has_nbf = true; else fail_claim(w, ClaimName::nbf);
    } else if (key == "iat") {
      if (get_time(v, &w.iat)) w.has_iat = true; else fail_claim(w, ClaimName::iat);
    } else if (key == "iss") {
      std::string_view s;
      if (v.get_string().get(s) == simdjson::SUCCESS) {
        w.has_iss = true;
        w.iss = copy_to(ws.arena, s);
      } else {
        fail_claim(w, ClaimName::iss);
      }
    } else if (key == "aud") {
      // A string or an array of strings (RFC 7519 section 4.1.3).
      w.aud_begin = static_cast<uint32_t>(ws.aud_pool.size());
      std::string_view s;
      if (v.get_string().get(s) == simdjson::SUCCESS) {
        ws.aud_pool.push_back(copy_to(ws.arena, s));
      } else if (simdjson::dom::array arr; v.get_array().get(arr) == simdjson::SUCCESS) {
        if (arr.size() > ctx.policy->max_aud_values) {  // copy none of it
          if (w.claim_status == Status::ok) {
            w.claim_status = Status::bad_claim;
            w.claim_detail = kAudTooLong;
          }
        } else {
          for (element item : arr) {
            if (item.get_string().get(s) != simdjson::SUCCESS) {
              fail_claim(w, ClaimName::aud);
              break;
            }
            ws.aud_pool.push_back(copy_to(ws.arena, s));
          }
        }
      } else {
        fail_claim(w, ClaimName::aud);
      }
      w.has_aud = true;
      w.aud_count = static_cast<uint32_t>(ws.aud_pool.size() - w.aud_begin);
    } else if (key == "sub") {
      if (v.type() != element_type::STRING) fail_claim(w, ClaimName::sub);
    } else if (key == "jti") {
      if (v.type() != element_type::STRING) fail_claim(w, ClaimName::jti);
    }
  }
}

}  // namespace

void parse_chunk(const BatchContext& ctx, Workspace& ws, std::span<TokenWork> work,
                 StageStats& stats) noexcept {
  // The parser parses in place without reallocating: grow it (rarely) to the largest part here.
  size_t largest = 0;
  for (const TokenWork& w : work)
    if (w.status == Status::ok) largest = std::max<size_t>({largest, w.header_len, w.claims_len});
  // simdjson's depth counts a scalar inside a container as one more level (it refuses a non-empty
  // container at its last level), so it gets one level more than the policy's limit, and
  // has_duplicate_names, which walks every container anyway, refuses a container below the limit.
  // Capped: has_duplicate_names recurses once per level.
  const size_t depth = std::min(std::max<size_t>(ctx.policy->max_json_depth, 1), kMaxJsonDepth) + 1;
  if (largest > ws.parser_capacity || depth != ws.parser_depth) {
    const size_t cap = std::max<size_t>(largest, std::max<size_t>(ws.parser_capacity, 4096));
    if (ws.parser.allocate(cap, depth) != simdjson::SUCCESS) {
      for (TokenWork& w : work)
        if (w.status == Status::ok) w.status = Status::too_large;
      return;
    }
    ws.parser_capacity = cap;
    ws.parser_depth = depth;
  }

  // Header cache: the tokens of one issuer and key mostly carry byte-identical headers
  // ({"alg":"RS256","typ":"JWT","kid":"..."}), and the same bytes parse to the same result under the
  // same policy, so a header equal to the last one parsed in this chunk takes that result (its kid
  // view points into this chunk's arena) instead of being parsed again.
  struct HeaderResult {
    const uint8_t* bytes = nullptr;  // nullptr: nothing cached
    uint32_t len = 0;
    Status status = Status::ok;
    uint32_t detail = 0;
    Alg alg = Alg::unknown;
    bool has_kid = false, has_crit = false;
    std::string_view kid;
  } last;
  const RequiredNames required(*ctx.policy);
  constexpr uint32_t kMaxCachedHeader = 256;  // longer headers are rare: not worth the compare
  uint64_t tokens = 0, bytes = 0;
  for (TokenWork& w : work) {
    if (w.status != Status::ok) continue;
    ++tokens;
    bytes += w.header_len + w.claims_len;
    if (last.bytes != nullptr && w.header_len == last.len &&
        std::memcmp(w.header, last.bytes, w.header_len) == 0) {
      w.status = last.status;
      w.detail = last.detail;
      w.alg = last.alg;
      w.has_kid = last.has_kid;
      w.kid = last.kid;
      w.has_crit = last.has_crit;
    } else {
      parse_header(ctx, ws, w);
      if (w.header_len <= kMaxCachedHeader) {
        last = {w.header, w.header_len, w.status, w.detail, w.alg, w.has_kid, w.has_crit, w.kid};
      } else {
        last.bytes = nullptr;
      }
    }
    if (w.status == Status::ok) parse_claims(ctx, required, ws, w);
  }
  stats.tokens += tokens;
  stats.bytes += bytes;
}

}  // namespace jwtbatch::engine
