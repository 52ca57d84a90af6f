// gen_tokens.cpp: claims, headers and the failure kinds of `jwtbatch gen` (see gen_tokens.hpp).
//
// A token is built in three steps: its times (iat, nbf, exp) from its kind, its claims and header
// as ordered member lists (so a kind can replace, drop or duplicate one member), then the compact
// serialization, signed with its key and, for the structural kinds, damaged afterwards.
#include "tools/cli/gen_tokens.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace jwtbatch::cli::gen {
namespace {

// --- member lists ----------------------------------------------------------------------------

// Member is one name and its value as raw JSON text.
struct Member {
  std::string name;
  std::string value;
};
using Members = std::vector<Member>;

void set_member(Members& m, std::string_view name, std::string value) {
  for (Member& x : m) {
    if (x.name == name) {
      x.value = std::move(value);
      return;
    }
  }
  m.push_back({std::string(name), std::move(value)});
}

void remove_member(Members& m, std::string_view name) {
  std::erase_if(m, [name](const Member& x) { return x.name == name; });
}

// serialize writes the object compactly, or (spaced) the way RFC 7515's examples do: a space
// after each colon and CRLF plus a space after each comma.
std::string serialize(const Members& m, bool spaced = false) {
  std::string s = "{";
  for (size_t i = 0; i < m.size(); ++i) {
    if (i > 0) s += spaced ? ",\r\n " : ",";
    s += json_string(m[i].name);
    s += spaced ? ": " : ":";
    s += m[i].value;
  }
  s += "}";
  return s;
}

std::string json_array(std::span<const std::string> items) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) s += ",";
    s += json_string(items[i]);
  }
  return s + "]";
}

// --- vocabulary ------------------------------------------------------------------------------

constexpr std::array<std::string_view, 6> kOtherAudiences = {
    "https://billing.example.com", "https://reports.example.com", "urn:example:gateway",
    "api://inventory",             "https://files.example.com",   "https://search.example.com"};

// Names exercise UTF-8 (2, 3 and 4-byte sequences) and characters JSON must escape.
constexpr std::array<std::string_view, 16> kNames = {
    "Ada Lovelace",     "Zoë Müller",          "José Núñez",          "Łukasz Żak",
    "Søren Ødegård",    "Ana Silva",           "John O'Neil",         "李雷",
    "Ærin \"Ace\" Ng",  "Grace Hopper",        "Ngozi Okonkwo",       "Dmitri Ivanov",
    "Chloé Lefèvre",    "Back\\slash Test",    "Emoji 😀 User",       "Παύλος Γεωργίου"};
constexpr std::array<std::string_view, 10> kEmailDomains = {
    "example.com", "example.org", "mail.example.net", "corp.example", "users.example.com",
    "example.io",  "staff.example.com", "example.co.uk", "partners.example", "dev.example"};
constexpr std::array<std::string_view, 12> kScopes = {
    "openid", "profile", "email", "offline_access", "orders:read", "orders:write",
    "invoices:read", "users:read", "users:write", "reports:read", "files:read", "files:write"};
constexpr std::array<std::string_view, 8> kRoles = {"viewer", "editor", "admin", "auditor",
                                                   "billing", "support", "developer", "owner"};
constexpr std::array<std::string_view, 16> kResources = {
    "orders",  "invoices", "users",  "reports", "files",    "projects", "teams",   "billing",
    "catalog", "payments", "audit",  "keys",    "webhooks", "metrics",  "tickets", "settings"};
constexpr std::array<std::string_view, 6> kActions = {"read", "write", "delete", "list", "admin",
                                                     "export"};
constexpr std::array<std::string_view, 8> kGroups = {
    "/org/eng/platform", "/org/eng/data", "/org/sales/emea", "/org/sales/apac",
    "/org/finance",      "/org/support/tier2", "/org/security", "/org/eng/mobile"};
constexpr std::array<std::string_view, 5> kUserAgents = {
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "okhttp/4.12.0", "curl/8.5.0"};
struct Place {
  std::string_view country, lat, lon, locale;
};
constexpr std::array<Place, 6> kPlaces = {{{"DE", "52.52", "13.405", "de-DE"},
                                           {"FR", "48.8566", "2.3522", "fr-FR"},
                                           {"JP", "35.6762", "139.6503", "ja-JP"},
                                           {"BR", "-23.5505", "-46.6333", "pt-BR"},
                                           {"US", "37.7749", "-122.4194", "en-US"},
                                           {"NZ", "-36.8485", "174.7633", "en-NZ"}}};
// Raw JSON string literals with escapes a verifier must read right (and must not trip on).
constexpr std::array<std::string_view, 4> kNotes = {
    R"("caf\u00e9 \ud83d\ude80 \"quoted\" back\\slash\/slash\ttab\nnew line")",
    R"("line one\r\nline two \u2028 sep")",
    R"("plain ascii note")",
    R"("\u0041\u0042\u0043 = ABC")"};

std::string random_hex(Rng& rng, size_t num_bytes) {
  std::vector<uint8_t> b(num_bytes);
  rng.fill(b);
  return hex(b);
}

// --- claims ----------------------------------------------------------------------------------

struct Times {
  int64_t iat = 0;
  std::optional<int64_t> nbf;
  int64_t exp = 0;
};

// times_for draws a token's times: issued up to 10 minutes ago, living 15 to 60 minutes; nbf = iat
// when present. expired moves the whole window an hour into the past (exp = now - 3600),
// not_yet_valid starts it an hour into the future (nbf = now + 3600).
Times times_for(Rng& rng, int64_t now, bool expired, bool not_yet_valid, double nbf_chance) {
  Times t;
  const int64_t age = rng.range(0, 600);
  const int64_t lifetime = rng.range(900, 3600);
  const bool has_nbf = rng.chance(nbf_chance);
  t.iat = now - age;
  t.exp = t.iat + lifetime;
  if (has_nbf) t.nbf = t.iat;
  if (expired) {
    t.exp = now - 3600;
    t.iat = t.exp - lifetime;
    if (has_nbf) t.nbf = t.iat;
  } else if (not_yet_valid) {
    t.nbf = now + 3600;
    t.exp = *t.nbf + lifetime;
  }
  return t;
}

std::string audience(Rng& rng, const TokenContext& ctx, bool allow_array) {
  if (!allow_array || rng.chance(0.5)) return json_string(ctx.aud);
  std::vector<std::string> auds{ctx.aud};
  const int64_t extra = rng.range(0, 2);
  for (int64_t i = 0; i < extra; ++i) {
    std::string a(rng.pick(kOtherAudiences));
    if (a != ctx.aud && std::find(auds.begin(), auds.end(), a) == auds.end()) auds.push_back(a);
  }
  rng.shuffle(auds);
  return json_array(auds);
}

Members make_claims(Rng& rng, const TokenContext& ctx, Profile profile, const Times& t) {
  Members m;
  const int64_t user = rng.range(1, 999999);
  m.push_back({"iss", json_string(ctx.iss)});
  m.push_back({"sub", json_string("user-" + std::to_string(user))});
  m.push_back({"aud", audience(rng, ctx, profile != Profile::small)});
  m.push_back({"iat", std::to_string(t.iat)});
  if (t.nbf) m.push_back({"nbf", std::to_string(*t.nbf)});
  m.push_back({"exp", std::to_string(t.exp)});
  m.push_back({"jti", json_string(random_hex(rng, profile == Profile::small ? 8 : 16))});
  if (profile == Profile::small) return m;

  // typical: what an OAuth access token or an OIDC ID token carries.
  std::string name(rng.pick(kNames));
  std::string email = "user" + std::to_string(user) + "@" + std::string(rng.pick(kEmailDomains));
  std::vector<std::string> scopes;
  const int64_t num_scopes = rng.range(2, 6);
  for (int64_t i = 0; i < num_scopes; ++i) {
    std::string s(rng.pick(kScopes));
    if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) scopes.push_back(s);
  }
  std::string scope;
  for (const std::string& s : scopes) {
    if (!scope.empty()) scope += " ";
    scope += s;
  }
  std::vector<std::string> roles;
  const int64_t num_roles = rng.range(1, 4);
  for (int64_t i = 0; i < num_roles; ++i) {
    std::string r(rng.pick(kRoles));
    if (std::find(roles.begin(), roles.end(), r) == roles.end()) roles.push_back(r);
  }
  m.push_back({"azp", json_string("client-" + std::to_string(rng.range(100, 999)))});
  m.push_back({"scope", json_string(scope)});
  m.push_back({"roles", json_array(roles)});
  m.push_back({"name", json_string(name)});
  m.push_back({"email", json_string(email)});
  m.push_back({"email_verified", rng.chance(0.8) ? "true" : "false"});
  m.push_back({"tenant", json_string("t-" + std::to_string(rng.range(1000, 9999)))});
  m.push_back({"auth_time", std::to_string(t.iat - rng.range(0, 3600))});
  if (profile == Profile::typical) return m;

  // large: fine-grained permissions, groups and request context (about 2 KiB of claims).
  std::vector<std::string> perms;
  const int64_t num_perms = rng.range(45, 75);
  for (int64_t i = 0; i < num_perms; ++i) {
    perms.push_back(std::string(rng.pick(kResources)) + ":" + std::string(rng.pick(kActions)));
  }
  std::vector<std::string> groups;
  const int64_t num_groups = rng.range(2, 6);
  for (int64_t i = 0; i < num_groups; ++i) groups.emplace_back(rng.pick(kGroups));
  const Place& place = rng.pick(kPlaces);
  std::string ip = "10." + std::to_string(rng.range(0, 255)) + "." + std::to_string(rng.range(0, 255)) +
                   "." + std::to_string(rng.range(1, 254));
  std::string ctx_json = "{\"ip\":" + json_string(ip) + ",\"ua\":" + json_string(rng.pick(kUserAgents)) +
                         ",\"geo\":{\"country\":" + json_string(place.country) +
                         ",\"lat\":" + std::string(place.lat) + ",\"lon\":" + std::string(place.lon) +
                         "},\"device\":" + json_string(random_hex(rng, 8)) +
                         ",\"risk\":0." + std::to_string(rng.range(1, 99)) +
                         ",\"mfa\":" + (rng.chance(0.6) ? "true" : "false") +
                         ",\"session\":null,\"hops\":[],\"flags\":{}}";
  m.push_back({"permissions", json_array(perms)});
  m.push_back({"groups", json_array(groups)});
  m.push_back({"ctx", ctx_json});
  m.push_back({"amr", rng.chance(0.5) ? R"(["pwd","otp"])" : R"(["pwd"])"});
  m.push_back({"acr", json_string("urn:example:loa:" + std::to_string(rng.range(1, 3)))});
  m.push_back({"locale", json_string(place.locale)});
  m.push_back({"note", std::string(rng.pick(kNotes))});
  m.push_back({"ver", std::to_string(rng.range(1, 3))});
  m.push_back({"quota", std::to_string(rng.range(1, 9)) + ".5e3"});
  // Registered claims are not always first: sometimes the whole object is shuffled.
  if (rng.chance(0.25)) rng.shuffle(m);
  return m;
}

// --- headers ---------------------------------------------------------------------------------

// make_header returns {"alg","typ","kid"} with some variety a verifier must not depend on: the
// members in another order, or no typ.
Members make_header(Rng& rng, std::string_view alg, std::string_view kid) {
  Members h{{"alg", json_string(alg)}, {"typ", "\"JWT\""}, {"kid", json_string(kid)}};
  const uint64_t r = rng.below(20);
  if (r == 0) {
    remove_member(h, "typ");
  } else if (r == 1) {
    std::swap(h[0], h[2]);  // kid first
  } else if (r == 2) {
    std::swap(h[0], h[1]);  // typ first
  }
  return h;
}

// --- failure kinds ---------------------------------------------------------------------------

struct KindInfo {
  Kind kind;
  std::string_view name;
  Status status;
  std::array<std::string_view, 4> variants;  // "" for unused
};

constexpr std::array<KindInfo, 17> kKinds = {{
    {Kind::expired, "expired", Status::expired, {""}},
    {Kind::not_yet_valid, "not_yet_valid", Status::not_yet_valid, {""}},
    {Kind::bad_issuer, "bad_issuer", Status::bad_issuer, {""}},
    {Kind::bad_audience, "bad_audience", Status::bad_audience, {"string", "array"}},
    {Kind::missing_claim, "missing_claim", Status::missing_claim, {"no_exp"}},
    {Kind::bad_claim, "bad_claim", Status::bad_claim, {"exp_string"}},
    {Kind::bad_signature, "bad_signature", Status::bad_signature, {"bit_flip", "expired_and_forged"}},
    {Kind::key_not_found, "key_not_found", Status::key_not_found, {"unknown_kid"}},
    {Kind::unsupported_alg, "unsupported_alg", Status::unsupported_alg, {"none", "None", "NONE", "nOnE"}},
    {Kind::alg_not_allowed, "alg_not_allowed", Status::alg_not_allowed, {"hs256_with_public_key_pem"}},
    {Kind::malformed, "malformed", Status::malformed, {"two_parts", "four_parts", "empty_header", "empty_claims"}},
    {Kind::bad_base64, "bad_base64", Status::bad_base64, {"signature_padding", "header_plus", "header_slash", "noncanonical_tail"}},
    {Kind::bad_json, "bad_json", Status::bad_json, {"trailing_comma", "duplicate_exp", "invalid_utf8", "trailing_garbage"}},
    {Kind::bad_header, "bad_header", Status::bad_header, {"alg_number", "alg_missing"}},
    {Kind::unsupported_crit, "unsupported_crit", Status::unsupported_crit, {"x-ext"}},
    {Kind::ok, "ok", Status::ok, {""}},
    {Kind::too_large, "too_large", Status::too_large, {""}},
}};

const KindInfo& info(Kind kind) { return kKinds[static_cast<size_t>(kind)]; }

// flip_bit flips one random bit of `sig`.
void flip_bit(Rng& rng, std::vector<uint8_t>& sig) {
  const uint64_t bit = rng.below(sig.size() * 8);
  sig[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
}

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// make_noncanonical sets a low bit of the last character of a part whose length leaves unused bits
// (length % 4 of 2 or 3), trying the signature, then the claims, then the header. Returns false if
// no part has unused bits.
bool make_noncanonical(std::array<std::string, 3>& parts) {
  for (int i : {2, 1, 0}) {
    std::string& p = parts[i];
    if (p.size() % 4 != 2 && p.size() % 4 != 3) continue;
    const size_t v = kAlphabet.find(p.back());
    p.back() = kAlphabet[v | 1];  // canonical encodings have these bits zero
    return true;
  }
  return false;
}

// make_label returns a line of cases.txt: "<kind>[/<variant>] <ALG> <profile>".
std::string make_label(std::string_view what, Alg alg, Profile profile) {
  std::string s(what);
  s += ' ';
  s += to_string(alg);
  s += ' ';
  s += to_string(profile);
  return s;
}

std::string join(const std::array<std::string, 3>& parts) { return parts[0] + "." + parts[1] + "." + parts[2]; }

}  // namespace

std::string_view to_string(Profile profile) noexcept {
  static constexpr std::string_view kNames[] = {"small", "typical", "large", "mixed"};
  return kNames[static_cast<size_t>(profile)];
}

std::string_view kind_name(Kind kind) noexcept { return info(kind).name; }

size_t num_variants(Kind kind) noexcept {
  size_t n = 0;
  for (std::string_view v : info(kind).variants) n += !v.empty();
  return n == 0 ? 1 : n;
}

std::vector<Slot> plan_slots(uint64_t seed, size_t count, double fail_rate, size_t num_keys) {
  size_t num_failing = static_cast<size_t>(std::llround(static_cast<double>(count) * fail_rate));
  if (num_failing > count) num_failing = count;
  std::vector<Slot> slots(count);
  std::array<uint32_t, kNumFailureKinds> seen{};
  for (size_t i = 0; i < num_failing; ++i) {
    const auto kind = static_cast<Kind>(i % kNumFailureKinds);
    const uint32_t n = seen[i % kNumFailureKinds]++;
    slots[i] = {kind, static_cast<uint32_t>(n % num_variants(kind)), static_cast<uint32_t>(n % num_keys)};
  }
  for (size_t i = num_failing; i < count; ++i) {
    slots[i] = {Kind::ok, 0, static_cast<uint32_t>((i - num_failing) % num_keys)};
  }
  Rng rng(seed, "layout", 0);
  rng.shuffle(slots);
  return slots;
}

GeneratedToken make_token(const TokenContext& ctx, const Slot& slot, uint64_t index) {
  Rng rng(ctx.seed, "token", index);
  const GenKey& key = ctx.keys[slot.key_index];
  const KindInfo& ki = info(slot.kind);
  const std::string_view variant = ki.variants[slot.variant];

  Profile profile = ctx.profile;
  if (profile == Profile::mixed) {
    const uint64_t r = rng.below(100);
    profile = r < 40 ? Profile::small : r < 85 ? Profile::typical : Profile::large;
  }

  GeneratedToken out;
  out.expected = ki.status;
  std::string what(ki.name);
  if (!variant.empty()) {
    what += '/';
    what += variant;
  }
  out.label = make_label(what, key.alg, profile);

  const bool expired = slot.kind == Kind::expired || variant == "expired_and_forged";
  const Times t = times_for(rng, ctx.now, expired, slot.kind == Kind::not_yet_valid,
                            profile == Profile::small ? 0.3 : 0.8);
  Members claims = make_claims(rng, ctx, profile, t);
  const bool spaced = rng.chance(0.05);

  std::string alg(to_string(key.alg));
  std::string kid = key.kid;
  switch (slot.kind) {
    case Kind::bad_issuer:
      set_member(claims, "iss", json_string(ctx.wrong_iss));
      break;
    case Kind::bad_audience:
      set_member(claims, "aud", variant == "array"
                                    ? json_array(std::vector<std::string>{ctx.wrong_aud, ctx.wrong_aud2})
                                    : json_string(ctx.wrong_aud));
      break;
    case Kind::missing_claim:
      remove_member(claims, "exp");
      break;
    case Kind::bad_claim:
      set_member(claims, "exp", json_string(std::to_string(t.exp)));
      break;
    case Kind::key_not_found:
      kid = "unknown-" + std::to_string(index);
      break;
    default:
      break;
  }

  // The claims text, damaged for bad_json.
  std::string claims_json;
  if (slot.kind == Kind::bad_json && variant == "duplicate_exp") {
    claims.push_back({"exp", std::to_string(t.exp + 60)});
    claims_json = serialize(claims, spaced);
  } else if (slot.kind == Kind::bad_json && variant == "invalid_utf8") {
    set_member(claims, "name", "\"Jos\xc3\x28 Bad\"");  // 0xC3 must be followed by 0x80..0xBF
    claims_json = serialize(claims, spaced);
  } else {
    claims_json = serialize(claims, spaced);
    if (slot.kind == Kind::bad_json && variant == "trailing_comma") {
      claims_json.insert(claims_json.size() - 1, ",");
    } else if (slot.kind == Kind::bad_json && variant == "trailing_garbage") {
      claims_json += " x";
    }
  }

  // The header.
  Members header;
  const GenKey* signer = &key;
  std::vector<uint8_t> confusion_secret;
  if (slot.kind == Kind::unsupported_alg) {
    header = {{"alg", json_string(variant)}, {"typ", "\"JWT\""}};
  } else if (slot.kind == Kind::alg_not_allowed) {
    if (ctx.confusion_key >= 0) {
      // RFC 8725 section 2.1: HS256 keyed with the bytes of an RSA/EC/OKP public key's PEM.
      const GenKey& victim = key.kty != Kty::oct ? key : ctx.keys[ctx.confusion_key];
      std::string pem = spki_pem(victim);
      confusion_secret.assign(pem.begin(), pem.end());
      header = make_header(rng, "HS256", victim.kid);
      out.label = make_label("alg_not_allowed/hs256_with_public_key_pem", victim.alg, profile);
    } else {
      // Only HMAC keys: an RSA algorithm named against an HMAC key.
      header = make_header(rng, "RS256", kid);
      out.label = make_label("alg_not_allowed/rs256_with_hmac_key", key.alg, profile);
    }
  } else if (slot.kind == Kind::bad_header && variant == "alg_number") {
    header = make_header(rng, alg, kid);
    set_member(header, "alg", "256");
  } else if (slot.kind == Kind::bad_header && variant == "alg_missing") {
    header = make_header(rng, alg, kid);
    remove_member(header, "alg");
  } else {
    header = make_header(rng, alg, kid);
    if (slot.kind == Kind::unsupported_crit) {
      header.push_back({"crit", R"(["x-ext"])"});
      header.push_back({"x-ext", "true"});
    }
  }

  std::array<std::string, 3> parts{b64url(serialize(header)), b64url(claims_json), ""};
  const std::string signing_input = parts[0] + "." + parts[1];
  std::vector<uint8_t> sig;
  if (slot.kind == Kind::unsupported_alg) {
    // no signature: "alg":"none" tokens end in a dot
  } else if (slot.kind == Kind::alg_not_allowed && ctx.confusion_key >= 0) {
    sig = hmac_sign(Alg::hs256, confusion_secret, signing_input);
  } else if (slot.kind == Kind::alg_not_allowed) {
    sig.resize(256);
    rng.fill(sig);
  } else {
    sig = sign(*signer, signing_input, rng);
    if (sig.empty()) {
      out.failed = true;
      return out;
    }
    if (slot.kind == Kind::bad_signature) flip_bit(rng, sig);
  }
  parts[2] = b64url(sig);

  switch (slot.kind) {
    case Kind::malformed:
      if (variant == "two_parts") {
        out.token = parts[0] + "." + parts[1];
      } else if (variant == "four_parts") {
        out.token = join(parts) + "." + parts[2];
      } else if (variant == "empty_header") {
        out.token = std::string(1, '.') + parts[1] + "." + parts[2];
      } else {
        out.token = parts[0] + ".." + parts[2];
      }
      return out;
    case Kind::bad_base64:
      if (variant == "header_plus" || variant == "header_slash") {
        parts[0][rng.below(parts[0].size())] = variant == "header_plus" ? '+' : '/';
      } else if (variant == "noncanonical_tail" && make_noncanonical(parts)) {
        // done
      } else {
        // '=' padding as standard base64 would write it (at least one).
        const size_t pad = (4 - parts[2].size() % 4) % 4;
        parts[2].append(pad == 0 ? 1 : pad, '=');
        if (variant != "signature_padding") {
          out.label = make_label("bad_base64/signature_padding", key.alg, profile);
        }
      }
      out.token = join(parts);
      return out;
    default:
      out.token = join(parts);
      return out;
  }
}

GeneratedToken make_too_large_token(const TokenContext& ctx, uint64_t index) {
  constexpr size_t kTarget = 70 * 1024;
  Rng rng(ctx.seed, "too_large", index);
  const GenKey& key = ctx.keys[0];
  GeneratedToken out;
  out.expected = Status::too_large;
  out.label = make_label("too_large", key.alg, Profile::typical);
  const Times t = times_for(rng, ctx.now, false, false, 1.0);
  const Members base = make_claims(rng, ctx, Profile::typical, t);
  const std::string header = b64url(serialize(make_header(rng, to_string(key.alg), key.kid)));
  const size_t sig_len = (signature_len(key) * 4 + 2) / 3;
  // Pad the claims with a "blob" member until the whole token reaches kTarget bytes.
  size_t blob_len = 0;
  for (;;) {
    Members claims = base;
    std::string blob(blob_len, 'A');
    for (char& c : blob) c = kAlphabet[rng.below(62)];
    claims.push_back({"blob", json_string(blob)});
    std::string claims_b64 = b64url(serialize(claims));
    const size_t total = header.size() + 1 + claims_b64.size() + 1 + sig_len;
    if (total < kTarget) {
      blob_len += (kTarget - total) * 3 / 4 + 1;
      continue;
    }
    const std::string signing_input = header + "." + claims_b64;
    std::vector<uint8_t> sig = sign(key, signing_input, rng);
    if (sig.empty()) {
      out.failed = true;
      return out;
    }
    out.token = signing_input + "." + b64url(sig);
    return out;
  }
}

}  // namespace jwtbatch::cli::gen
