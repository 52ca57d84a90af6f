// run.cpp: audit_stream (include/jwtbatch/audit.hpp). The input runs through
// Verifier::verify_stream: a serial reader cuts it into blocks at line ends and counts lines; in
// the parallel stage each block's tokens are found (one per line, or find_tokens in raw text),
// verified, and aggregated into the worker thread's own AuditReport (header and claims decoded
// again here: the engine keeps only what verification needs); at the end the workers' reports
// merge into the caller's. Memory: chunks_in_flight blocks, plus each worker's bounded report.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>

#include <simdjson.h>
#include <tbb/enumerable_thread_specific.h>

#include "audit/internal.hpp"
#include "jwtbatch/audit.hpp"
#include "jwtbatch/text.hpp"

namespace jwtbatch {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t nanos_between(Clock::time_point a, Clock::time_point b) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

KeyFamily family_of(Alg a) {
  switch (a) {
    case Alg::hs256: case Alg::hs384: case Alg::hs512: return KeyFamily::hmac;
    case Alg::rs256: case Alg::rs384: case Alg::rs512:
    case Alg::ps256: case Alg::ps384: case Alg::ps512: return KeyFamily::rsa;
    case Alg::es256: case Alg::es384: case Alg::es512: return KeyFamily::ec;
    default: return KeyFamily::okp;
  }
}

// sensitive_name says whether a claim name looks like personal data or a secret: the name with
// '_' and '-' removed, lower-cased, is one of a list, or contains "password" or "secret".
bool sensitive_name(std::string_view name) {
  char buf[64];
  size_t n = 0;
  for (char c : name) {
    if (c == '_' || c == '-') continue;
    if (n == sizeof buf) return false;
    buf[n++] = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const std::string_view s(buf, n);
  static constexpr std::string_view kNames[] = {
      "email", "mail", "phone", "phonenumber", "mobile", "password", "passwd", "pwd", "secret",
      "clientsecret", "ssn", "socialsecuritynumber", "creditcard", "cardnumber", "ccnumber", "cvv",
      "iban", "birthdate", "dateofbirth", "dob", "address", "streetaddress", "passport",
      "nationalid", "taxid", "pin"};
  for (std::string_view k : kNames)
    if (s == k) return true;
  return s.find("password") != std::string_view::npos || s.find("secret") != std::string_view::npos;
}

bool number_of(simdjson::dom::element e, int64_t* out) {
  int64_t i;
  if (e.get_int64().get(i) == simdjson::SUCCESS) {
    *out = i;
    return true;
  }
  uint64_t u;
  if (e.get_uint64().get(u) == simdjson::SUCCESS) {
    *out = INT64_MAX;
    return true;
  }
  double d;
  if (e.get_double().get(d) == simdjson::SUCCESS) {
    *out = d > 9.2e18 ? INT64_MAX : d < -9.2e18 ? INT64_MIN : static_cast<int64_t>(d);
    return true;
  }
  return false;
}

// Worker is one thread's audit state.
struct Worker {
  explicit Worker(const AuditOptions& o) : report(o) {}
  AuditReport report;
  std::vector<uint8_t> buf;
  simdjson::dom::parser hparser, cparser;
  std::vector<TokenSpan> spans;
  std::vector<std::vector<std::string>> hmac_auds;  // by key index
  std::vector<std::string_view> auds;
  AuditStats stats;
};

// Shared is what every worker reads.
struct Shared {
  const AuditOptions* options = nullptr;
  const KeySet* keys = nullptr;
  const Policy* policy = nullptr;
  std::string source;
  std::unordered_map<std::string, uint8_t> kid_families;  // bit per KeyFamily
  std::unordered_map<std::string, bool> refused_weak;
};

// decode_part decodes base64url `part` into w.buf (padded for simdjson) and parses it.
bool parse_part(const Shared& sh, Worker& w, simdjson::dom::parser& parser, std::string_view part,
                simdjson::dom::object* out) {
  if (part.empty()) return false;
  const size_t need = base64url_decode_capacity(part.size()) + simdjson::SIMDJSON_PADDING;
  if (w.buf.size() < need) w.buf.resize(need);
  size_t len = 0;
  if (!base64url_decode(part, w.buf, &len)) return false;
  std::memset(w.buf.data() + len, 0, simdjson::SIMDJSON_PADDING);
  simdjson::dom::element doc;
  if (parser.parse(w.buf.data(), len, false).get(doc) != simdjson::SUCCESS) return false;
  return doc.get_object().get(*out) == simdjson::SUCCESS;
}

bool wants(const AuditReport& rep, const std::vector<AuditExample>& list, const std::string& source, uint64_t line) {
  if (rep.max_examples == 0) return false;
  if (list.size() < rep.max_examples) return true;
  const AuditExample& last = list.back();
  return source < last.source || (source == last.source && line < last.line);
}

void note(Worker& w, const Shared& sh, Finding f, uint64_t line, const std::function<std::string()>& detail) {
  AuditReport& rep = w.report;
  const size_t i = static_cast<size_t>(f);
  ++rep.finding_counts[i];
  if (wants(rep, rep.finding_examples[i], sh.source, line))
    rep.add_example(rep.finding_examples[i], AuditExample{sh.source, line, detail()});
}

std::string hex64(uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

void audit_token(const Shared& sh, Worker& w, std::string_view tok, const Verdict& v, uint64_t line) {
  AuditReport& rep = w.report;
  const AuditOptions& o = *sh.options;
  ++rep.tokens;
  rep.token_bytes += tok.size();
  ++rep.by_status[static_cast<size_t>(v.status)];
  if (tok.size() > o.large_token_bytes)
    note(w, sh, Finding::large_token, line, [&] { return std::to_string(tok.size()) + " bytes"; });
  if (v.status == Status::too_large) return;  // nothing more is read from an oversized token
  {
    const uint64_t fp = engine::fingerprint(tok, engine::kTokenSeed);
    if (rep.replay_tokens.add(fp) == 2 && wants(rep, rep.replay_examples, sh.source, line))
      rep.add_example(rep.replay_examples, AuditExample{sh.source, line, "same token seen again (fingerprint " + hex64(fp) + ")"});
  }
  if (v.status == Status::key_not_found)
    note(w, sh, Finding::unknown_key, line, [&] { return std::string("alg ") + std::string(to_string(v.alg)); });

  const size_t d1 = tok.find('.');
  const size_t d2 = d1 == std::string_view::npos ? d1 : tok.find('.', d1 + 1);
  if (d2 == std::string_view::npos || tok.find('.', d2 + 1) != std::string_view::npos) return;
  using verdict_detail::JsonPart;
  const bool header_json_bad = v.status == Status::bad_json && v.detail == uint32_t(JsonPart::header);
  const bool claims_json_bad = v.status == Status::bad_json && v.detail == uint32_t(JsonPart::claims);

  // Header.
  simdjson::dom::object h;
  Alg alg = Alg::unknown;
  if (!header_json_bad && parse_part(sh, w, w.hparser, tok.substr(0, d1), &h)) {
    ++rep.headers_parsed;
    std::string_view alg_text, kid;
    size_t label = kNumAlgs + 1;  // missing
    if (h["alg"].get_string().get(alg_text) == simdjson::SUCCESS) {
      alg = alg_from_string(alg_text);
      if (alg != Alg::unknown) {
        label = static_cast<size_t>(alg);
      } else {
        std::string lower(alg_text.substr(0, 8));
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        label = lower == "none" && alg_text.size() == 4 ? kNumAlgs : 0;
      }
    }
    ++rep.by_alg[label];
    if (label == kNumAlgs)
      note(w, sh, Finding::alg_none, line, [&] { return "alg \"" + std::string(alg_text) + "\""; });
    const bool has_kid = h["kid"].get_string().get(kid) == simdjson::SUCCESS;
    if (has_kid) {
      rep.by_kid.add(kid);
      if (alg != Alg::unknown) {
        auto it = sh.kid_families.find(std::string(kid));
        if (it != sh.kid_families.end() && !(it->second & (1u << static_cast<unsigned>(family_of(alg)))))
          note(w, sh, Finding::alg_confusion, line,
               [&] { return "alg " + std::string(alg_text) + " with kid " + std::string(kid); });
      }
      auto weak = sh.refused_weak.find(std::string(kid));
      if (weak != sh.refused_weak.end() && weak->second)
        note(w, sh, Finding::weak_key, line, [&] { return "kid " + std::string(kid); });
    }
    for (const char* m : {"jku", "x5u", "jwk", "x5c"}) {
      if (h[m].error() == simdjson::SUCCESS) {
        note(w, sh, Finding::header_key_injection, line, [&] { return std::string("header member ") + m; });
        break;
      }
    }
  }

  // Claims.
  simdjson::dom::object c;
  if (claims_json_bad || !parse_part(sh, w, w.cparser, tok.substr(d1 + 1, d2 - d1 - 1), &c)) return;
  ++rep.claims_parsed;
  int64_t exp = 0, iat = 0;
  simdjson::dom::element e;
  const bool has_exp = c["exp"].get(e) == simdjson::SUCCESS && number_of(e, &exp);
  const bool has_iat = c["iat"].get(e) == simdjson::SUCCESS && number_of(e, &iat);
  if (!has_exp) note(w, sh, Finding::missing_exp, line, [] { return std::string("no numeric exp"); });
  if (has_exp && has_iat) {
    const __int128 life = static_cast<__int128>(exp) - iat;
    size_t b = 0;
    while (b < kLifetimeBounds.size() && life > kLifetimeBounds[b]) ++b;
    ++rep.lifetimes[b];
    if (life > o.max_lifetime_s)
      note(w, sh, Finding::long_lived, line, [&] { return "lifetime " + std::to_string(static_cast<long long>(life)) + " s"; });
  } else {
    ++rep.lifetime_unknown;
  }
  std::string_view iss;
  const bool has_iss = c["iss"].get_string().get(iss) == simdjson::SUCCESS;
  if (has_iss) rep.by_iss.add(iss);
  else note(w, sh, Finding::missing_iss, line, [] { return std::string("no iss"); });
  w.auds.clear();
  std::string_view a;
  if (c["aud"].get(e) == simdjson::SUCCESS) {
    if (e.get_string().get(a) == simdjson::SUCCESS) {
      w.auds.push_back(a);
    } else if (simdjson::dom::array arr; e.get_array().get(arr) == simdjson::SUCCESS) {
      for (simdjson::dom::element x : arr)
        if (x.get_string().get(a) == simdjson::SUCCESS) w.auds.push_back(a);
    }
  }
  if (w.auds.empty()) note(w, sh, Finding::missing_aud, line, [] { return std::string("no aud"); });
  for (std::string_view x : w.auds) rep.by_aud.add(x);
  std::string_view jti;
  if (c["jti"].get_string().get(jti) == simdjson::SUCCESS) {
    // Scoped by issuer (RFC 7519 section 4.1.7: jti is unique per issuer).
    if (rep.replay_jti.add(engine::fingerprint(jti, engine::fingerprint(iss, engine::kJtiSeed))) == 2 &&
        wants(rep, rep.replay_examples, sh.source, line))
      rep.add_example(rep.replay_examples, AuditExample{sh.source, line, "jti " + std::string(jti.substr(0, 64)) + " seen again"});
  } else {
    note(w, sh, Finding::missing_jti, line, [] { return std::string("no jti"); });
  }
  // Sensitive-looking names.
  std::string names;
  for (auto [key, val] : c) {
    if (!sensitive_name(key)) continue;
    rep.sensitive_names.add(key);
    if (names.size() < 120) {
      if (!names.empty()) names += ", ";
      names += key;
    }
  }
  if (!names.empty()) note(w, sh, Finding::sensitive_claims, line, [&] { return names; });
  // One HMAC key, several audiences: only tokens whose signature held.
  const bool signature_held = v.status == Status::ok || v.status > Status::bad_signature;
  if (signature_held && v.key_index != kNoKey && family_of(v.alg) == KeyFamily::hmac && v.alg != Alg::unknown) {
    if (w.hmac_auds.size() <= v.key_index) w.hmac_auds.resize(v.key_index + 1);
    std::vector<std::string>& list = w.hmac_auds[v.key_index];
    for (std::string_view x : w.auds)
      if (list.size() < 64 && std::find(list.begin(), list.end(), x) == list.end()) list.emplace_back(x);
  }
}

}  // namespace

Status audit_stream(const Verifier& verifier, const AuditOptions& options, const AuditRead& read,
                    std::string_view source, UnixSeconds now, AuditReport& report, AuditStats* stats) {
  const Policy& policy = verifier.policy();
  if (options.block_bytes < 2 * policy.max_token_bytes + 2) return Status::malformed;
  const std::shared_ptr<const KeySet> keys = verifier.keys();
  Shared sh;
  sh.options = &options;
  sh.keys = keys.get();
  sh.policy = &policy;
  sh.source = std::string(source);
  for (size_t i = 0; i < keys->size(); ++i)
    sh.kid_families[std::string(keys->kid(i))] |= static_cast<uint8_t>(1u << static_cast<unsigned>(keys->family(i)));
  for (const RefusedKey& k : options.refused_keys)
    if (!sh.kid_families.count(k.kid)) sh.refused_weak[k.kid] = sh.refused_weak[k.kid] || k.weak;

  tbb::enumerable_thread_specific<Worker> workers([&] { return Worker(options); });
  const size_t max_len = policy.max_token_bytes;
  const std::string stand_in(max_len + 1, '.');  // an overlong line (lines mode): too_large
  std::string carry;
  const uint64_t first_line = options.first_line;
  uint64_t next_line = first_line, input_bytes = 0;
  bool eof = false, skip_to_newline = false, last_was_newline = true;
  StageStats read_stats;

  // Serial: a block of whole lines (or, in raw text, cut after a non-token byte) in `storage`,
  // its first line number in `tag`.
  auto fill = [&](StreamChunk& chunk) -> bool {
    const Clock::time_point t0 = Clock::now();
    std::string& s = chunk.storage;
    s.swap(carry);
    carry.clear();
    while (!eof && s.size() < options.block_bytes) {
      const size_t have = s.size();
      s.resize(options.block_bytes);
      const size_t n = read(s.data() + have, options.block_bytes - have);
      s.resize(have + n);
      if (n == 0) {
        eof = true;
        break;
      }
      input_bytes += n;
      if (skip_to_newline) {  // the rest of an overlong line
        const void* nl = std::memchr(s.data() + have, '\n', n);
        if (!nl) {
          s.resize(have);
          continue;
        }
        s.erase(have, static_cast<size_t>(static_cast<const char*>(nl) - (s.data() + have)) + 1);
        skip_to_newline = false;
      }
    }
    if (s.empty()) {
      read_stats.nanos += nanos_between(t0, Clock::now());
      return false;
    }
    chunk.tag = next_line;
    if (!eof) {
      const void* nl = memrchr(s.data(), '\n', s.size());
      if (nl) {
        const size_t cut = static_cast<size_t>(static_cast<const char*>(nl) - s.data()) + 1;
        carry.assign(s, cut, std::string::npos);
        s.resize(cut);
      } else if (!options.extract) {
        s = stand_in;  // one line longer than a block: far over the token limit
        skip_to_newline = true;
      } else {
        size_t cut = s.size();
        while (cut > 0 && is_token_char(static_cast<unsigned char>(s[cut - 1]))) --cut;
        if (cut == 0) cut = s.size();
        carry.assign(s, cut, std::string::npos);
        s.resize(cut);
      }
    }
    if (skip_to_newline) {
      next_line += 1;
      last_was_newline = true;
    } else {
      next_line += count_newlines(s);
      last_was_newline = s.back() == '\n';
    }
    read_stats.bytes += s.size();
    read_stats.nanos += nanos_between(t0, Clock::now());
    ++read_stats.tokens;  // blocks
    return true;
  };

  // Parallel, before verification: the block's tokens and their lines.
  auto find_tokens = [&](StreamChunk& chunk) {
    Worker& w = workers.local();
    const Clock::time_point t0 = Clock::now();
    const std::string& s = chunk.storage;
    chunk.tokens.clear();
    chunk.token_tags.clear();
    uint64_t line = chunk.tag;
    if (!options.extract) {
      size_t pos = 0;
      while (pos < s.size()) {
        const void* nl = std::memchr(s.data() + pos, '\n', s.size() - pos);
        const size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - s.data()) : s.size();
        size_t len = end - pos;
        if (len > 0 && s[pos + len - 1] == '\r') --len;
        chunk.tokens.emplace_back(s.data() + pos, len);
        chunk.token_tags.push_back(line++);
        pos = end + 1;
      }
    } else {
      if (w.spans.size() < 4096) w.spans.resize(4096);
      size_t start = 0, counted = 0;
      for (;;) {
        const FindTokensResult r = jwtbatch::find_tokens(s, start, max_len, w.spans);
        for (size_t i = 0; i < r.num_tokens; ++i) {
          const TokenSpan& t = w.spans[i];
          line += count_newlines(std::string_view(s.data() + counted, t.offset - counted));
          counted = t.offset;
          chunk.tokens.emplace_back(s.data() + t.offset, t.len);
          chunk.token_tags.push_back(line);
        }
        if (r.resume >= s.size()) break;
        start = r.resume;
      }
      w.stats.scan.tokens += chunk.tokens.size();
      w.stats.scan.bytes += s.size();
    }
    w.stats.scan.nanos += nanos_between(t0, Clock::now());
  };

  // Parallel, after verification: into the worker's report.
  auto aggregate = [&](StreamChunk& chunk) {
    Worker& w = workers.local();
    const Clock::time_point t0 = Clock::now();
    for (size_t i = 0; i < chunk.tokens.size(); ++i)
      audit_token(sh, w, chunk.tokens[i], chunk.verdicts[i], chunk.token_tags[i]);
    w.stats.aggregate.tokens += chunk.tokens.size();
    for (std::string_view t : chunk.tokens) w.stats.aggregate.bytes += t.size();
    w.stats.aggregate.nanos += nanos_between(t0, Clock::now());
  };

  StreamOptions so;
  so.threads = options.threads;
  BatchStats verify_stats;
  verifier.verify_stream(fill, [](const StreamChunk&) {}, now, stats ? &verify_stats : nullptr, so, aggregate,
                         find_tokens);

  // Merge the workers' reports into one for this input, then into the caller's.
  AuditReport part(options);
  part.sources.push_back(sh.source);
  part.input_bytes = input_bytes;
  part.lines = next_line - first_line + (last_was_newline ? 0 : 1);
  AuditStats total;
  for (Worker& w : workers) {
    for (size_t k = 0; k < w.hmac_auds.size(); ++k) {
      if (w.hmac_auds[k].empty()) continue;
      std::string kid(keys->kid(k));
      if (kid.empty()) kid = "(key " + std::to_string(k) + ", no kid)";
      std::vector<std::string>& list = w.report.hmac_audiences[kid];
      for (std::string& a : w.hmac_auds[k])
        if (list.size() < 64 && std::find(list.begin(), list.end(), a) == list.end()) list.push_back(std::move(a));
      std::sort(list.begin(), list.end());
    }
    part.merge(w.report);
    total += w.stats;
  }
  report.merge(part);
  if (stats) {
    total.read = read_stats;
    total.verify = verify_stats;
    *stats += total;
  }
  return Status::ok;
}

}  // namespace jwtbatch
