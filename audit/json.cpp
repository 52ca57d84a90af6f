// json.cpp: AuditReport::to_json and from_json, the interchange format of audit reports
// (partial reports made elsewhere merge through it). Everything mergeable is in it: exact tables
// in full, sketches with their error bounds and HyperLogLog registers, replay fingerprints.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include <simdjson.h>

#include "audit/internal.hpp"
#include "jwtbatch/audit.hpp"
#include "jwtbatch/json.hpp"

namespace jwtbatch {

namespace {

void num(std::string& out, std::string_view name, uint64_t v, bool comma = true) {
  if (comma) out += ',';
  append_json_string(&out, name);
  out += ':';
  out += std::to_string(v);
}

std::string hex_bytes(const uint8_t* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = kHex[p[i] >> 4];
    s[2 * i + 1] = kHex[p[i] & 15];
  }
  return s;
}

void table_json(std::string& out, const CountTable& t) {
  out += "{\"exact\":";
  out += t.exact() ? "true" : "false";
  num(out, "limit", t.limit());
  num(out, "total", t.total());
  num(out, "distinct", t.distinct());
  num(out, "floor", t.floor());
  out += ",\"values\":[";
  bool first = true;
  for (const auto& [value, e] : t.top(t.entries().size())) {
    if (!first) out += ',';
    first = false;
    out += "{\"value\":";
    append_json_string(&out, value);
    num(out, "count", e.count);
    num(out, "error", e.error);
    out += '}';
  }
  out += ']';
  if (!t.exact()) out += ",\"hll\":\"" + hex_bytes(t.hll().data(), t.hll().size()) + "\"";
  out += '}';
}

void replay_json(std::string& out, const ReplaySet& r) {
  out += "{\"exact\":";
  out += r.exact() ? "true" : "false";
  num(out, "limit", r.limit());
  num(out, "seen", r.seen());
  num(out, "distinct", r.distinct());
  num(out, "repeated_values", r.repeated_values());
  num(out, "extra_sightings", r.extra_sightings());
  out += ",\"fingerprints\":{";
  bool first = true;
  char key[24];
  std::vector<std::pair<uint64_t, uint64_t>> sorted(r.entries().begin(), r.entries().end());
  std::sort(sorted.begin(), sorted.end());  // deterministic output whatever the hash map's order
  for (const auto& [fp, n] : sorted) {
    if (!first) out += ',';
    first = false;
    std::snprintf(key, sizeof key, "\"%016" PRIx64 "\":", fp);
    out += key;
    out += std::to_string(n);
  }
  out += "}}";
}

void examples_json(std::string& out, const std::vector<AuditExample>& list) {
  out += '[';
  for (size_t i = 0; i < list.size(); ++i) {
    if (i) out += ',';
    out += "{\"source\":";
    append_json_string(&out, list[i].source);
    num(out, "line", list[i].line);
    out += ",\"detail\":";
    append_json_string(&out, list[i].detail);
    out += '}';
  }
  out += ']';
}

// --- reading ---

using simdjson::dom::element;
using simdjson::dom::object;

struct Reader {
  std::string* error;
  bool ok = true;
  bool fail(const std::string& why) {
    if (ok && error) *error = why;
    ok = false;
    return false;
  }
  uint64_t u64(object o, const char* name) {
    uint64_t v = 0;
    if (o[name].get_uint64().get(v) != simdjson::SUCCESS) fail(std::string("missing or bad number \"") + name + "\"");
    return v;
  }
  bool boolean(object o, const char* name) {
    bool v = false;
    if (o[name].get_bool().get(v) != simdjson::SUCCESS) fail(std::string("missing or bad boolean \"") + name + "\"");
    return v;
  }
  std::string str(object o, const char* name) {
    std::string_view v;
    if (o[name].get_string().get(v) != simdjson::SUCCESS) fail(std::string("missing or bad string \"") + name + "\"");
    return std::string(v);
  }
  object obj(object o, const char* name) {
    object v;
    if (o[name].get_object().get(v) != simdjson::SUCCESS) fail(std::string("missing object \"") + name + "\"");
    return v;
  }
  simdjson::dom::array arr(object o, const char* name) {
    simdjson::dom::array v;
    if (o[name].get_array().get(v) != simdjson::SUCCESS) fail(std::string("missing array \"") + name + "\"");
    return v;
  }
};

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

CountTable read_table(Reader& r, object o) {
  if (!r.ok) return CountTable();
  CountTable t(r.u64(o, "limit"));
  CountTable::Map map;
  if (!r.ok) return t;
  for (element v : r.arr(o, "values")) {
    object e;
    if (v.get_object().get(e) != simdjson::SUCCESS) {
      r.fail("bad table value");
      break;
    }
    map[r.str(e, "value")] = CountTable::Entry{r.u64(e, "count"), r.u64(e, "error")};
  }
  const bool exact = r.boolean(o, "exact");
  std::array<uint8_t, 4096> hll{};
  if (!exact && r.ok) {
    const std::string h = r.str(o, "hll");
    if (h.size() != 2 * hll.size()) {
      r.fail("bad hll");
    } else {
      for (size_t i = 0; i < hll.size(); ++i) {
        const int a = hexval(h[2 * i]), b = hexval(h[2 * i + 1]);
        if (a < 0 || b < 0) {
          r.fail("bad hll");
          break;
        }
        hll[i] = static_cast<uint8_t>(a << 4 | b);
      }
    }
  }
  if (exact && map.size() > t.limit()) r.fail("exact table over its limit");
  t.restore(exact, r.u64(o, "total"), r.u64(o, "floor"), std::move(map), hll);
  return t;
}

ReplaySet read_replay(Reader& r, object o) {
  if (!r.ok) return ReplaySet();
  ReplaySet s(r.u64(o, "limit"));
  std::unordered_map<uint64_t, uint64_t> map;
  for (auto [key, val] : r.obj(o, "fingerprints")) {
    uint64_t fp = 0, n = 0;
    if (key.size() != 16 || val.get_uint64().get(n) != simdjson::SUCCESS) {
      r.fail("bad fingerprint");
      break;
    }
    for (char c : key) {
      const int h = hexval(c);
      if (h < 0) {
        r.fail("bad fingerprint");
        break;
      }
      fp = fp << 4 | static_cast<uint64_t>(h);
    }
    map[fp] = n;
  }
  s.restore(r.boolean(o, "exact"), r.u64(o, "seen"), std::move(map));
  return s;
}

std::vector<AuditExample> read_examples(Reader& r, simdjson::dom::array a) {
  std::vector<AuditExample> v;
  for (element x : a) {
    object e;
    if (x.get_object().get(e) != simdjson::SUCCESS) {
      r.fail("bad example");
      break;
    }
    v.push_back(AuditExample{r.str(e, "source"), r.u64(e, "line"), r.str(e, "detail")});
  }
  return v;
}

}  // namespace

std::string AuditReport::to_json() const {
  std::string j = "{\"format\":\"jwtbatch-audit-1\",\"exact\":";
  j += exact() ? "true" : "false";
  j += ",\"settings\":{";
  num(j, "max_lifetime_s", static_cast<uint64_t>(max_lifetime_s), false);
  num(j, "large_token_bytes", large_token_bytes);
  num(j, "max_examples", max_examples);
  j += "},\"sources\":[";
  for (size_t i = 0; i < sources.size(); ++i) {
    if (i) j += ',';
    append_json_string(&j, sources[i]);
  }
  j += "],\"totals\":{";
  num(j, "tokens", tokens, false);
  num(j, "token_bytes", token_bytes);
  num(j, "input_bytes", input_bytes);
  num(j, "lines", lines);
  num(j, "headers_parsed", headers_parsed);
  num(j, "claims_parsed", claims_parsed);
  j += "},\"by_status\":{";
  for (size_t i = 0; i < kNumStatuses; ++i) num(j, to_string(static_cast<Status>(i)), by_status[i], i > 0);
  j += "},\"by_alg\":{";
  for (size_t i = 0; i < kNumAlgLabels; ++i) num(j, alg_label_name(i), by_alg[i], i > 0);
  j += "},\"by_kid\":";
  table_json(j, by_kid);
  j += ",\"by_iss\":";
  table_json(j, by_iss);
  j += ",\"by_aud\":";
  table_json(j, by_aud);
  j += ",\"sensitive_claim_names\":";
  table_json(j, sensitive_names);
  j += ",\"lifetimes\":{\"buckets\":[";
  for (size_t b = 0; b < kNumLifetimeBuckets; ++b) {
    if (b) j += ',';
    j += "{\"le\":";
    append_json_string(&j, lifetime_bucket_name(b));
    num(j, "count", lifetimes[b]);
    j += '}';
  }
  j += ']';
  num(j, "unknown", lifetime_unknown);
  j += "},\"replay\":{\"tokens\":";
  replay_json(j, replay_tokens);
  j += ",\"jti\":";
  replay_json(j, replay_jti);
  j += ",\"examples\":";
  examples_json(j, replay_examples);
  j += "},\"findings\":[";
  for (size_t f = 0; f < kNumFindings; ++f) {
    if (f) j += ',';
    j += "{\"name\":";
    append_json_string(&j, to_string(static_cast<Finding>(f)));
    num(j, "count", finding_counts[f]);
    j += ",\"description\":";
    append_json_string(&j, describe(static_cast<Finding>(f)));
    j += ",\"examples\":";
    examples_json(j, finding_examples[f]);
    j += '}';
  }
  j += "],\"hmac_audiences\":{";
  bool first = true;
  for (const auto& [kid, auds] : hmac_audiences) {
    if (!first) j += ',';
    first = false;
    append_json_string(&j, kid);
    j += ":[";
    for (size_t i = 0; i < auds.size(); ++i) {
      if (i) j += ',';
      append_json_string(&j, auds[i]);
    }
    j += ']';
  }
  j += "},\"refused_keys\":[";
  for (size_t i = 0; i < refused_keys.size(); ++i) {
    if (i) j += ',';
    j += "{\"kid\":";
    append_json_string(&j, refused_keys[i].kid);
    j += ",\"reason\":";
    append_json_string(&j, refused_keys[i].reason);
    j += ",\"weak\":";
    j += refused_keys[i].weak ? "true" : "false";
    j += '}';
  }
  j += "]}\n";
  return j;
}

std::optional<AuditReport> AuditReport::from_json(std::string_view json, std::string* out_error) {
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
    if (out_error) *out_error = "not valid JSON";
    return std::nullopt;
  }
  object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) {
    if (out_error) *out_error = "not a JSON object";
    return std::nullopt;
  }
  Reader r{out_error};
  if (r.str(root, "format") != "jwtbatch-audit-1") {
    r.ok = true;
    r.fail("not a jwtbatch audit report (format jwtbatch-audit-1)");
    return std::nullopt;
  }
  AuditReport rep;
  const object settings = r.obj(root, "settings");
  if (!r.ok) return std::nullopt;
  rep.max_lifetime_s = static_cast<int64_t>(r.u64(settings, "max_lifetime_s"));
  rep.large_token_bytes = r.u64(settings, "large_token_bytes");
  rep.max_examples = r.u64(settings, "max_examples");
  for (element s : r.arr(root, "sources")) {
    std::string_view v;
    if (s.get_string().get(v) != simdjson::SUCCESS) r.fail("bad source");
    rep.sources.emplace_back(v);
  }
  const object totals = r.obj(root, "totals");
  if (!r.ok) return std::nullopt;
  rep.tokens = r.u64(totals, "tokens");
  rep.token_bytes = r.u64(totals, "token_bytes");
  rep.input_bytes = r.u64(totals, "input_bytes");
  rep.lines = r.u64(totals, "lines");
  rep.headers_parsed = r.u64(totals, "headers_parsed");
  rep.claims_parsed = r.u64(totals, "claims_parsed");
  const object st = r.obj(root, "by_status");
  if (!r.ok) return std::nullopt;
  for (size_t i = 0; i < kNumStatuses; ++i) rep.by_status[i] = r.u64(st, std::string(to_string(static_cast<Status>(i))).c_str());
  const object al = r.obj(root, "by_alg");
  if (!r.ok) return std::nullopt;
  for (size_t i = 0; i < kNumAlgLabels; ++i) rep.by_alg[i] = r.u64(al, std::string(alg_label_name(i)).c_str());
  rep.by_kid = read_table(r, r.obj(root, "by_kid"));
  rep.by_iss = read_table(r, r.obj(root, "by_iss"));
  rep.by_aud = read_table(r, r.obj(root, "by_aud"));
  rep.sensitive_names = read_table(r, r.obj(root, "sensitive_claim_names"));
  if (!r.ok) return std::nullopt;
  const object lt = r.obj(root, "lifetimes");
  if (!r.ok) return std::nullopt;
  size_t b = 0;
  for (element x : r.arr(lt, "buckets")) {
    object e;
    if (b >= kNumLifetimeBuckets || x.get_object().get(e) != simdjson::SUCCESS) {
      r.fail("bad lifetime bucket");
      break;
    }
    rep.lifetimes[b++] = r.u64(e, "count");
  }
  if (b != kNumLifetimeBuckets) r.fail("wrong number of lifetime buckets");
  rep.lifetime_unknown = r.u64(lt, "unknown");
  const object rp = r.obj(root, "replay");
  if (!r.ok) return std::nullopt;
  rep.replay_tokens = read_replay(r, r.obj(rp, "tokens"));
  rep.replay_jti = read_replay(r, r.obj(rp, "jti"));
  if (!r.ok) return std::nullopt;
  rep.replay_examples = read_examples(r, r.arr(rp, "examples"));
  for (element x : r.arr(root, "findings")) {
    object e;
    if (x.get_object().get(e) != simdjson::SUCCESS) {
      r.fail("bad finding");
      break;
    }
    const std::string name = r.str(e, "name");
    size_t f = 0;
    while (f < kNumFindings && to_string(static_cast<Finding>(f)) != name) ++f;
    if (f == kNumFindings) {
      r.fail("unknown finding \"" + name + "\"");
      break;
    }
    rep.finding_counts[f] = r.u64(e, "count");
    if (!r.ok) break;
    rep.finding_examples[f] = read_examples(r, r.arr(e, "examples"));
  }
  for (auto [kid, val] : r.obj(root, "hmac_audiences")) {
    simdjson::dom::array a;
    if (val.get_array().get(a) != simdjson::SUCCESS) {
      r.fail("bad hmac_audiences");
      break;
    }
    std::vector<std::string>& list = rep.hmac_audiences[std::string(kid)];
    for (element x : a) {
      std::string_view s;
      if (x.get_string().get(s) != simdjson::SUCCESS) r.fail("bad audience");
      list.emplace_back(s);
    }
  }
  for (element x : r.arr(root, "refused_keys")) {
    object e;
    if (x.get_object().get(e) != simdjson::SUCCESS) {
      r.fail("bad refused key");
      break;
    }
    rep.refused_keys.push_back(RefusedKey{r.str(e, "kid"), r.str(e, "reason"), r.boolean(e, "weak")});
  }
  if (!r.ok) return std::nullopt;
  return rep;
}

}  // namespace jwtbatch
