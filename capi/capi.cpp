// capi.cpp: the C API (include/jwtbatch/jwtbatch.h) over the C++ Verifier, with the
// verified-token cache (capi/token_cache.hpp) on the per-request path. Nothing throws across the
// boundary: every entry point catches, and the hot path (a cache hit) neither allocates nor throws.
#include "jwtbatch/jwtbatch.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/sha.h>
#include <simdjson.h>

#include "capi/token_cache.hpp"
#include "jwtbatch/jwtbatch.hpp"
#include "jwtbatch/options.hpp"
#include "jwtbatch/text.hpp"

struct jwtbatch_options {
  jwtbatch::Policy policy;
  std::vector<std::string> claims;  // names returned as JSON by jwtbatch_verify
  size_t cache_size = 0;
  int64_t cache_ttl_s = 300;
  unsigned threads = 0;
  jwtbatch::AuditOptions audit;  // jwtbatch_audit_buffer (extract, max_lifetime, ..., examples)
};

static_assert(JWTBATCH_NUM_STATUSES == jwtbatch::kNumStatuses);
static_assert(JWTBATCH_BAD_CLAIM == static_cast<int>(jwtbatch::Status::bad_claim));
static_assert(JWTBATCH_BAD_SIGNATURE == static_cast<int>(jwtbatch::Status::bad_signature));
static_assert(JWTBATCH_EXPIRED == static_cast<int>(jwtbatch::Status::expired));
static_assert(JWTBATCH_EDDSA == static_cast<int>(jwtbatch::Alg::eddsa));
static_assert(JWTBATCH_ES256 == static_cast<int>(jwtbatch::Alg::es256));
static_assert(jwtbatch::kNoKey == 0xffffffffu);

namespace {

using jwtbatch::Status;
using jwtbatch::Verdict;

// Counters of jwtbatch_verify, one shard per thread slot (a relaxed add on a line no other
// thread usually writes), summed when read.
constexpr size_t kCounterShards = 16;
struct alignas(64) CounterShard {
  std::atomic<uint64_t> status_counts[jwtbatch::kNumStatuses] = {};
};

size_t counter_shard() noexcept {
  static std::atomic<size_t> next{0};
  thread_local const size_t slot = next.fetch_add(1, std::memory_order_relaxed) % kCounterShards;
  return slot;
}

// write_text copies `s` into out[0..out_len), NUL-terminated, truncated if need be.
void write_text(char* out, size_t out_len, std::string_view s) noexcept {
  if (!out || out_len == 0) return;
  const size_t n = std::min(s.size(), out_len - 1);
  std::memcpy(out, s.data(), n);
  out[n] = '\0';
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) {
    if (!s.empty()) s += '\n';
    s += l;
  }
  return s;
}

bool parse_int(std::string_view s, int64_t lo, int64_t hi, int64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

// A claim name we return as a JSON key: printable ASCII, no quote or backslash (no escaping needed).
bool valid_claim_name(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name)
    if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') return false;
  return true;
}

// ClaimsScratch: one thread's buffers for extracting claims (the miss path only).
struct ClaimsScratch {
  std::vector<uint8_t> decoded;
  simdjson::dom::parser parser;
  std::string json;
};

ClaimsScratch& claims_scratch() {
  thread_local ClaimsScratch s;
  return s;
}

// select_claims writes to `out` the JSON object of the claims named in `names` that `token` (a
// token the engine has just verified ok: its parts are valid base64url and JSON) holds.
bool select_claims(std::string_view token, const std::vector<std::string>& names, std::string& out) {
  out.clear();
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot1 == std::string_view::npos || dot2 == std::string_view::npos) return false;
  const std::string_view part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  ClaimsScratch& s = claims_scratch();
  const size_t cap = jwtbatch::base64url_decode_capacity(part.size());
  s.decoded.resize(cap + simdjson::SIMDJSON_PADDING);  // simdjson reads past the decoded bytes
  size_t len = 0;
  if (!jwtbatch::base64url_decode(part, s.decoded, &len)) return false;
  simdjson::dom::object obj;
  if (s.parser.parse(s.decoded.data(), len, false).get_object().get(obj) != simdjson::SUCCESS) return false;
  out += '{';
  for (const std::string& name : names) {
    simdjson::dom::element e;
    if (obj.at_key(name).get(e) != simdjson::SUCCESS) continue;
    if (out.size() > 1) out += ',';
    out += '"';
    out += name;
    out += "\":";
    out += simdjson::to_string(e);
  }
  out += '}';
  return true;
}

void fill_result(const Verdict& v, jwtbatch_result* out) noexcept {
  out->status = static_cast<int32_t>(v.status);
  out->alg = static_cast<int32_t>(v.alg);
  out->detail = v.detail;
  out->key_index = v.key_index;
  out->exp = v.exp;
  out->nbf = v.nbf;
  out->iat = v.iat;
  out->has_exp = v.has_exp;
  out->has_nbf = v.has_nbf;
  out->has_iat = v.has_iat;
}

// write_claims copies the selected claims' JSON to the caller's buffer (or only reports its size).
void write_claims(std::string_view json, char* claims_out, size_t claims_cap, jwtbatch_result* out) noexcept {
  out->claims_len = json.size();
  if (json.empty()) return;
  if (claims_out && json.size() < claims_cap) {
    std::memcpy(claims_out, json.data(), json.size());
    claims_out[json.size()] = '\0';
  }
}

}  // namespace

struct jwtbatch_verifier {
  jwtbatch_options options;
  std::unique_ptr<jwtbatch::Verifier> verifier;
  std::unique_ptr<jwtbatch::engine::TokenCache> cache;
  CounterShard counters[kCounterShards];
  std::atomic<uint64_t> key_sets{1};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> batch_wall_nanos{0};
  std::mutex rotate_mutex;  // serialises jwtbatch_verifier_set_jwks calls
  // Keys the current key set refused (for the audit's weak_key finding); guarded by refused_mutex.
  std::mutex refused_mutex;
  std::vector<jwtbatch::RefusedKey> refused_keys;

  void count(Status s, uint64_t n = 1) noexcept {
    counters[counter_shard()].status_counts[static_cast<size_t>(s)].fetch_add(n, std::memory_order_relaxed);
  }
};

extern "C" {

int jwtbatch_api_version(void) { return JWTBATCH_C_API_VERSION; }

const char* jwtbatch_status_name(int status) {
  if (status < 0 || status >= static_cast<int>(jwtbatch::kNumStatuses)) return "unknown";
  // to_string's names are string literals: NUL-terminated.
  return jwtbatch::to_string(static_cast<Status>(status)).data();
}

const char* jwtbatch_alg_name(int alg) {
  if (alg <= 0 || alg >= static_cast<int>(jwtbatch::kNumAlgs)) return "";
  return jwtbatch::to_string(static_cast<jwtbatch::Alg>(alg)).data();
}

size_t jwtbatch_crypto_provider(char* out, size_t out_len) {
  // The address of SHA256 as this object sees it (through its GOT: the same binding its calls get).
  Dl_info info{};
  void* fn = reinterpret_cast<void*>(&SHA256);
  if (dladdr(fn, &info) == 0 || !info.dli_fname) {
    write_text(out, out_len, "");
    return 0;
  }
  write_text(out, out_len, info.dli_fname);
  return std::strlen(info.dli_fname);
}

int jwtbatch_load(const char*, char* out_error, size_t out_error_len) {
  write_text(out_error, out_error_len, "");
  return 0;
}

jwtbatch_options* jwtbatch_options_new(void) { return new (std::nothrow) jwtbatch_options(); }

void jwtbatch_options_free(jwtbatch_options* options) { delete options; }

int jwtbatch_options_set(jwtbatch_options* o, const char* name_c, const char* value_c, char* out_error,
                         size_t out_error_len) {
  auto fail = [&](std::string_view why) {
    write_text(out_error, out_error_len, why);
    return -1;
  };
  if (!o || !name_c || !value_c) return fail("options, name and value must not be NULL");
  try {
    const std::string_view name(name_c), value(value_c);
    int64_t n = 0;
    if (const jwtbatch::PolicyOption* option = jwtbatch::find_policy_option(name)) {
      std::string error;
      if (!jwtbatch::set_policy_option(&o->policy, option->name, value, &error)) return fail(error);
    } else if (name == "claims") {
      for (const std::string& c : jwtbatch::split_option_list(value)) {
        if (!valid_claim_name(c)) return fail("claims: \"" + std::string(c) + "\" is not a usable claim name");
        if (std::find(o->claims.begin(), o->claims.end(), c) == o->claims.end()) o->claims.emplace_back(c);
      }
      if (o->claims.size() > 64) return fail("claims: at most 64 names");
    } else if (name == "cache_size") {
      if (!parse_int(value, 0, int64_t{1} << 26, &n)) return fail("cache_size: entries, an integer from 0 to 2^26");
      o->cache_size = static_cast<size_t>(n);
    } else if (name == "cache_ttl") {
      if (!parse_int(value, 0, int64_t{1} << 40, &n)) return fail("cache_ttl: seconds, a non-negative integer");
      o->cache_ttl_s = n;
    } else if (name == "threads") {
      if (!parse_int(value, 0, 4096, &n)) return fail("threads: an integer from 0 to 4096");
      o->threads = static_cast<unsigned>(n);
    } else if (name == "extract") {
      if (value != "0" && value != "1") return fail("extract: 0 or 1");
      o->audit.extract = value == "1";
    } else if (name == "max_lifetime") {
      if (!parse_int(value, 0, int64_t{1} << 40, &n)) return fail("max_lifetime: seconds, a non-negative integer");
      o->audit.max_lifetime_s = n;
    } else if (name == "large_token_bytes") {
      if (!parse_int(value, 1, int64_t{1} << 30, &n)) return fail("large_token_bytes: an integer from 1 to 2^30");
      o->audit.large_token_bytes = static_cast<size_t>(n);
    } else if (name == "exact_limit") {
      if (!parse_int(value, 1, int64_t{1} << 24, &n)) return fail("exact_limit: an integer from 1 to 2^24");
      o->audit.exact_limit = static_cast<size_t>(n);
    } else if (name == "replay_limit") {
      if (!parse_int(value, 1, int64_t{1} << 26, &n)) return fail("replay_limit: an integer from 1 to 2^26");
      o->audit.replay_limit = static_cast<size_t>(n);
    } else if (name == "examples") {
      if (!parse_int(value, 0, 1000, &n)) return fail("examples: an integer from 0 to 1000");
      o->audit.max_examples = static_cast<size_t>(n);
    } else {
      return fail("unknown option \"" + std::string(name) + "\"");
    }
    write_text(out_error, out_error_len, "");
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

jwtbatch_verifier* jwtbatch_verifier_new(const char* jwks, size_t jwks_len, const jwtbatch_options* options,
                                         char* out_message, size_t out_message_len) {
  try {
    if (!jwks && jwks_len > 0) {
      write_text(out_message, out_message_len, "jwks is NULL");
      return nullptr;
    }
    std::string error;
    std::vector<std::string> warnings;
    auto keys = jwtbatch::KeySet::from_jwks(std::string_view(jwks ? jwks : "", jwks_len), &error, &warnings);
    if (!keys) {
      write_text(out_message, out_message_len, error);
      return nullptr;
    }
    auto v = std::make_unique<jwtbatch_verifier>();
    if (options) v->options = *options;
    v->verifier = std::make_unique<jwtbatch::Verifier>(std::move(keys), v->options.policy);
    if (v->options.cache_size > 0)
      v->cache = std::make_unique<jwtbatch::engine::TokenCache>(v->options.cache_size, v->options.cache_ttl_s);
    v->refused_keys = jwtbatch::parse_refused_keys(warnings);
    write_text(out_message, out_message_len, join_lines(warnings));
    return v.release();
  } catch (const std::exception& e) {
    write_text(out_message, out_message_len, e.what());
    return nullptr;
  }
}

void jwtbatch_verifier_free(jwtbatch_verifier* verifier) { delete verifier; }

int jwtbatch_verifier_set_jwks(jwtbatch_verifier* v, const char* jwks, size_t jwks_len, char* out_message,
                               size_t out_message_len) {
  if (!v || (!jwks && jwks_len > 0)) {
    write_text(out_message, out_message_len, "verifier or jwks is NULL");
    return -1;
  }
  try {
    std::string error;
    std::vector<std::string> warnings;
    auto keys = jwtbatch::KeySet::from_jwks(std::string_view(jwks ? jwks : "", jwks_len), &error, &warnings);
    if (!keys) {
      write_text(out_message, out_message_len, error);
      return -1;
    }
    std::lock_guard<std::mutex> lock(v->rotate_mutex);
    // Cached verdicts carry the id of the key set that made them: the new set's id matches none.
    {
      std::lock_guard<std::mutex> refused_lock(v->refused_mutex);
      v->refused_keys = jwtbatch::parse_refused_keys(warnings);
    }
    v->verifier->set_keys(std::move(keys));
    v->key_sets.fetch_add(1, std::memory_order_relaxed);
    write_text(out_message, out_message_len, join_lines(warnings));
    return 0;
  } catch (const std::exception& e) {
    write_text(out_message, out_message_len, e.what());
    return -1;
  }
}

int jwtbatch_verify(const jwtbatch_verifier* vc, const char* token, size_t token_len, int64_t now,
                    jwtbatch_result* out, char* claims_out, size_t claims_cap) {
  if (!out) return JWTBATCH_MALFORMED;
  *out = jwtbatch_result{};
  out->status = JWTBATCH_MALFORMED;
  out->key_index = jwtbatch::kNoKey;
  if (claims_out && claims_cap > 0) claims_out[0] = '\0';
  if (!vc) return JWTBATCH_MALFORMED;
  auto* v = const_cast<jwtbatch_verifier*>(vc);  // counters and the cache are internally synchronised
  const std::string_view tok(token ? token : "", token ? token_len : 0);
  // One key set for the whole call: the cache key and the verification both use it.
  const std::shared_ptr<const jwtbatch::KeySet> keys = v->verifier->keys();
  const bool use_cache = v->cache && tok.size() <= v->options.policy.max_token_bytes;
  jwtbatch::engine::TokenDigest digest{};
  if (use_cache) {
    digest = jwtbatch::engine::token_digest(tok);
    const bool hit = v->cache->lookup(digest, keys->id(), now, [&](const Verdict& verdict, std::string_view extra) {
      fill_result(verdict, out);
      write_claims(extra, claims_out, claims_cap, out);
    });
    if (hit) {
      out->from_cache = 1;
      v->count(Status::ok);
      return out->status;
    }
  }
  const Verdict verdict = v->verifier->verify(tok, now, *keys);
  fill_result(verdict, out);
  if (verdict.status == Status::ok) {
    try {
      std::string* json = nullptr;
      if (!v->options.claims.empty()) {
        json = &claims_scratch().json;
        if (!select_claims(tok, v->options.claims, *json)) json->clear();
        write_claims(*json, claims_out, claims_cap, out);
      }
      if (use_cache) v->cache->insert(digest, keys->id(), now, v->options.policy, verdict, json ? *json : "");
    } catch (...) {
      // Out of memory while copying claims: the verdict stands, without claims or caching.
    }
  }
  v->count(verdict.status);
  return out->status;
}

int jwtbatch_verify_batch(const jwtbatch_verifier* vc, const char* const* tokens, const size_t* token_lens,
                          size_t num_tokens, int64_t now, jwtbatch_result* out) {
  if (num_tokens == 0) return vc ? 0 : -1;
  if (!vc || !tokens || !token_lens || !out) return -1;
  auto* v = const_cast<jwtbatch_verifier*>(vc);
  try {
    std::vector<std::string_view> views(num_tokens);
    for (size_t i = 0; i < num_tokens; ++i)
      views[i] = tokens[i] ? std::string_view(tokens[i], token_lens[i]) : std::string_view();
    std::vector<Verdict> verdicts(num_tokens);
    jwtbatch::BatchStats stats;
    jwtbatch::BatchOptions options;
    options.threads = v->options.threads;
    v->verifier->verify_batch(views, verdicts, now, &stats, options);
    for (size_t i = 0; i < num_tokens; ++i) {
      out[i] = jwtbatch_result{};
      fill_result(verdicts[i], &out[i]);
    }
    for (size_t s = 0; s < jwtbatch::kNumStatuses; ++s)
      if (stats.status_counts[s]) v->count(static_cast<Status>(s), stats.status_counts[s]);
    v->batches.fetch_add(1, std::memory_order_relaxed);
    v->batch_wall_nanos.fetch_add(stats.wall_nanos, std::memory_order_relaxed);
    return 0;
  } catch (...) {
    return -1;
  }
}

size_t jwtbatch_describe(const jwtbatch_verifier* v, const jwtbatch_result* r, char* out, size_t out_len) {
  if (!v || !r) {
    write_text(out, out_len, "");
    return 0;
  }
  try {
    Verdict verdict;
    verdict.status = static_cast<Status>(std::clamp<int32_t>(r->status, 0, jwtbatch::kNumStatuses - 1));
    verdict.alg = static_cast<jwtbatch::Alg>(std::clamp<int32_t>(r->alg, 0, jwtbatch::kNumAlgs - 1));
    verdict.detail = r->detail;
    verdict.key_index = r->key_index;
    verdict.has_exp = r->has_exp;
    verdict.has_nbf = r->has_nbf;
    verdict.has_iat = r->has_iat;
    verdict.exp = r->exp;
    verdict.nbf = r->nbf;
    verdict.iat = r->iat;
    std::string text = jwtbatch::explain(verdict, v->options.policy);
    // RFC 6750 error_description: %x20-21 / %x23-5B / %x5D-7E.
    for (char& c : text) {
      if (c == '"') c = '\'';
      else if (c == '\\') c = '/';
      else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    }
    write_text(out, out_len, text);
    return text.size();
  } catch (...) {
    write_text(out, out_len, "");
    return 0;
  }
}

int jwtbatch_claim_value(const char* claims_json, size_t claims_len, const char* name, char* out, size_t out_len,
                         size_t* out_value_len) {
  if (out && out_len > 0) out[0] = '\0';
  if (out_value_len) *out_value_len = 0;
  if (!claims_json || !name) return -3;
  try {
    ClaimsScratch& s = claims_scratch();
    simdjson::dom::object obj;
    if (s.parser.parse(claims_json, claims_len, true).get_object().get(obj) != simdjson::SUCCESS) return -3;
    simdjson::dom::element e;
    if (obj.at_key(name).get(e) != simdjson::SUCCESS) return 0;
    std::string_view value;
    std::string text;
    if (e.get_string().get(value) != simdjson::SUCCESS) {
      text = simdjson::to_string(e);
      value = text;
    }
    for (char c : value)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return -2;
    if (out_value_len) *out_value_len = value.size();
    if (!out || value.size() >= out_len) return -1;
    std::memcpy(out, value.data(), value.size());
    out[value.size()] = '\0';
    return 1;
  } catch (...) {
    return -3;
  }
}

int jwtbatch_verifier_stats(const jwtbatch_verifier* vc, jwtbatch_stats* out, size_t out_size) {
  if (!vc || !out) return -1;
  auto* v = const_cast<jwtbatch_verifier*>(vc);
  jwtbatch_stats s{};
  for (const CounterShard& shard : v->counters)
    for (size_t i = 0; i < jwtbatch::kNumStatuses; ++i) s.status_counts[i] += shard.status_counts[i].load(std::memory_order_relaxed);
  for (size_t i = 0; i < jwtbatch::kNumStatuses; ++i) s.tokens += s.status_counts[i];
  s.batches = v->batches.load(std::memory_order_relaxed);
  s.batch_wall_nanos = v->batch_wall_nanos.load(std::memory_order_relaxed);
  if (v->cache) {
    const jwtbatch::engine::TokenCacheStats c = v->cache->stats();
    s.cache_hits = c.hits;
    s.cache_misses = c.misses;
    s.cache_inserts = c.inserts;
    s.cache_evictions = c.evictions;
    s.cache_expired = c.expired;
    s.cache_entries = c.entries;
    s.cache_capacity = c.capacity;
  }
  s.key_sets = v->key_sets.load(std::memory_order_relaxed);
  s.keys = v->verifier->keys()->size();
  std::memcpy(out, &s, std::min(out_size, sizeof s));
  return 0;
}


}  // extern "C"

// ---- audit ----------------------------------------------------------------------------------

namespace {

// give_text hands `text` to the caller as a malloc'd, NUL-terminated copy (freed with
// jwtbatch_string_free). Returns false when out of memory.
bool give_text(const std::string& text, char** out, size_t* out_len) noexcept {
  char* p = static_cast<char*>(std::malloc(text.size() + 1));
  if (!p) return false;
  std::memcpy(p, text.data(), text.size());
  p[text.size()] = '\0';
  *out = p;
  if (out_len) *out_len = text.size();
  return true;
}

void clear_out(char** out, size_t* out_len) noexcept {
  if (out) *out = nullptr;
  if (out_len) *out_len = 0;
}

}  // namespace

extern "C" {

int jwtbatch_audit_buffer(const jwtbatch_verifier* vc, const char* data, size_t data_len, uint64_t first_line,
                          const char* source_name, int64_t now, char** out_json, size_t* out_json_len,
                          char* out_error, size_t out_error_len) {
  clear_out(out_json, out_json_len);
  auto fail = [&](std::string_view why) {
    write_text(out_error, out_error_len, why);
    return -1;
  };
  if (!vc || !out_json || (!data && data_len > 0)) return fail("verifier, data and out_json must not be NULL");
  if (first_line == 0) return fail("first_line starts at 1");
  auto* v = const_cast<jwtbatch_verifier*>(vc);
  try {
    jwtbatch::AuditOptions options = v->options.audit;
    options.threads = v->options.threads;
    options.first_line = first_line;
    options.block_bytes = std::max(options.block_bytes, 2 * v->options.policy.max_token_bytes + 4);
    {
      std::lock_guard<std::mutex> lock(v->refused_mutex);
      options.refused_keys = v->refused_keys;
    }
    size_t pos = 0;
    auto read = [&](char* buf, size_t cap) -> size_t {
      const size_t n = std::min(cap, data_len - pos);
      if (n) std::memcpy(buf, data + pos, n);
      pos += n;
      return n;
    };
    jwtbatch::AuditReport report(options);
    const std::string source = source_name ? source_name : "-";
    if (jwtbatch::audit_stream(*v->verifier, options, read, source, now, report) != Status::ok)
      return fail("audit options cannot work (block size)");
    if (!give_text(report.to_json(), out_json, out_json_len)) return fail("out of memory");
    write_text(out_error, out_error_len, "");
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

int jwtbatch_audit_merge(const char* json_a, size_t json_a_len, const char* json_b, size_t json_b_len,
                         char** out_json, size_t* out_json_len, char* out_error, size_t out_error_len) {
  clear_out(out_json, out_json_len);
  auto fail = [&](std::string_view why) {
    write_text(out_error, out_error_len, why);
    return -1;
  };
  if (!json_a || !json_b || !out_json) return fail("json_a, json_b and out_json must not be NULL");
  try {
    std::string error;
    std::optional<jwtbatch::AuditReport> a = jwtbatch::AuditReport::from_json({json_a, json_a_len}, &error);
    if (!a) return fail("first report: " + error);
    std::optional<jwtbatch::AuditReport> b = jwtbatch::AuditReport::from_json({json_b, json_b_len}, &error);
    if (!b) return fail("second report: " + error);
    a->merge(*b);
    if (!give_text(a->to_json(), out_json, out_json_len)) return fail("out of memory");
    write_text(out_error, out_error_len, "");
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

int jwtbatch_audit_render(const char* json, size_t json_len, const char* format, char** out, size_t* out_len,
                          char* out_error, size_t out_error_len) {
  clear_out(out, out_len);
  auto fail = [&](std::string_view why) {
    write_text(out_error, out_error_len, why);
    return -1;
  };
  if (!json || !format || !out) return fail("json, format and out must not be NULL");
  try {
    const std::string_view f(format);
    if (f != "html" && f != "summary" && f != "json") return fail("format: html, summary or json");
    std::string error;
    std::optional<jwtbatch::AuditReport> r = jwtbatch::AuditReport::from_json({json, json_len}, &error);
    if (!r) return fail(error);
    const std::string text = f == "html" ? r->to_html() : f == "summary" ? r->summary() : r->to_json();
    if (!give_text(text, out, out_len)) return fail("out of memory");
    write_text(out_error, out_error_len, "");
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

void jwtbatch_string_free(char* s) { std::free(s); }

}  // extern "C"
