// report.cpp: the mergeable parts of an audit report (include/jwtbatch/audit.hpp): bounded
// count tables (exact, then space-saving with error bounds plus HyperLogLog), replay sets, and
// the report's merge.
//
// References: A. Metwally, D. Agrawal, A. El Abbadi, "Efficient Computation of Frequent and Top-k
// Elements in Data Streams", ICDT 2005 (space-saving; here with batched eviction: the table grows to
// 2 x limit, then keeps the `limit` largest); P. K. Agarwal et al., "Mergeable Summaries", PODS 2012
// (merging such summaries); P. Flajolet, E. Fusy, O. Gandouet, F. Meunier, "HyperLogLog: the
// analysis of a near-optimal cardinality estimation algorithm", AofA 2007 (with the small-range
// correction of section 4).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "audit/internal.hpp"
#include "jwtbatch/audit.hpp"

namespace jwtbatch {

namespace engine {

uint64_t fingerprint(std::string_view s, uint64_t seed) noexcept {
  // Eight bytes at a time (little-endian loads, as on every platform jwtbatch builds for), each
  // word mixed in with a multiply, then MurmurHash3's fmix64 over the whole.
  auto fmix = [](uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
  };
  uint64_t h = 0xcbf29ce484222325ULL ^ seed ^ (s.size() * 0x9e3779b97f4a7c15ULL);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ (w * 0x87c37b91114253d5ULL)) * 0x4cf5ad432745937fULL;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  for (size_t k = 0; i + k < s.size(); ++k) tail |= uint64_t{static_cast<unsigned char>(s[i + k])} << (8 * k);
  h = (h ^ (tail * 0x87c37b91114253d5ULL)) * 0x4cf5ad432745937fULL;
  return fmix(h);
}

}  // namespace engine

namespace {

void hll_add(std::array<uint8_t, 4096>& regs, uint64_t h) {
  const size_t idx = static_cast<size_t>(h >> 52);
  const uint64_t w = (h << 12) | (uint64_t{1} << 11);  // at most 52 + 1 leading zeros
  const uint8_t rank = static_cast<uint8_t>(__builtin_clzll(w) + 1);
  if (rank > regs[idx]) regs[idx] = rank;
}

double hll_estimate(const std::array<uint8_t, 4096>& regs) {
  const double m = 4096.0;
  double sum = 0;
  size_t zeros = 0;
  for (uint8_t r : regs) {
    sum += std::ldexp(1.0, -static_cast<int>(r));
    zeros += r == 0;
  }
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double e = alpha * m * m / sum;
  if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));
  return e;
}

}  // namespace

CountTable::CountTable(size_t limit) : limit_(std::max<size_t>(limit, 1)) {}

void CountTable::add(std::string_view value, uint64_t n) {
  total_ += n;
  hll_add(hll_, engine::fingerprint(value));
  auto it = map_.find(value);  // heterogeneous lookup: no allocation for a known value
  if (it != map_.end()) {
    it->second.count += n;
    return;
  }
  // A value not kept may have been counted up to `floor` times before (space-saving).
  map_.emplace(std::string(value), Entry{n + floor_, floor_});
  if (map_.size() > limit_) {
    exact_ = false;
    if (map_.size() >= 2 * limit_) prune();
  }
}

void CountTable::prune() {
  if (map_.size() <= limit_) return;
  std::vector<std::pair<uint64_t, std::string>> order;
  order.reserve(map_.size());
  for (const auto& [k, e] : map_) order.emplace_back(e.count, k);
  std::nth_element(order.begin(), order.begin() + static_cast<ptrdiff_t>(limit_), order.end(),
                   [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (size_t i = limit_; i < order.size(); ++i) {
    floor_ = std::max(floor_, order[i].first);
    map_.erase(order[i].second);
  }
}

void CountTable::merge(const CountTable& o) {
  total_ += o.total_;
  for (size_t i = 0; i < hll_.size(); ++i) hll_[i] = std::max(hll_[i], o.hll_[i]);
  const bool both_exact = exact_ && o.exact_;
  // Values only on one side may have been counted up to the other side's floor there.
  for (auto& [k, e] : map_) {
    if (!o.map_.count(k)) {
      e.count += o.floor_;
      e.error += o.floor_;
    }
  }
  for (const auto& [k, e] : o.map_) {
    auto it = map_.find(k);
    if (it != map_.end()) {
      it->second.count += e.count;
      it->second.error += e.error;
    } else {
      map_.emplace(k, Entry{e.count + floor_, e.error + floor_});
    }
  }
  floor_ += o.floor_;
  exact_ = both_exact && map_.size() <= limit_;
  if (!exact_) prune();
}

uint64_t CountTable::distinct() const {
  if (exact_) return map_.size();
  return static_cast<uint64_t>(std::llround(hll_estimate(hll_)));
}

std::vector<std::pair<std::string, CountTable::Entry>> CountTable::top(size_t n) const {
  std::vector<std::pair<std::string, Entry>> v(map_.begin(), map_.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second.count != b.second.count ? a.second.count > b.second.count : a.first < b.first;
  });
  if (v.size() > n) v.resize(n);
  return v;
}

void CountTable::restore(bool exact, uint64_t total, uint64_t floor, Map map,
                         const std::array<uint8_t, 4096>& hll) {
  exact_ = exact;
  total_ = total;
  floor_ = floor;
  map_ = std::move(map);
  hll_ = hll;
  if (exact_)
    for (const auto& [k, e] : map_) hll_add(hll_, engine::fingerprint(k));
}

uint64_t ReplaySet::add(uint64_t fp, uint64_t n) {
  seen_ += n;
  auto it = map_.find(fp);
  if (it != map_.end()) return it->second += n;
  if (map_.size() >= limit_) {
    exact_ = false;
    return 0;
  }
  map_.emplace(fp, n);
  return n;
}

void ReplaySet::merge(const ReplaySet& o) {
  const uint64_t seen = seen_ + o.seen_;
  exact_ = exact_ && o.exact_;
  for (const auto& [fp, n] : o.map_) add(fp, n);
  seen_ = seen;
}

uint64_t ReplaySet::repeated_values() const {
  uint64_t r = 0;
  for (const auto& [fp, n] : map_) r += n > 1;
  return r;
}

uint64_t ReplaySet::extra_sightings() const {
  uint64_t r = 0;
  for (const auto& [fp, n] : map_) r += n - 1;
  return r;
}

void ReplaySet::restore(bool exact, uint64_t seen, std::unordered_map<uint64_t, uint64_t> map) {
  exact_ = exact;
  seen_ = seen;
  map_ = std::move(map);
}

bool AuditExample::operator<(const AuditExample& o) const {
  if (source != o.source) return source < o.source;
  if (line != o.line) return line < o.line;
  return detail < o.detail;
}

std::string_view to_string(Finding f) noexcept {
  static constexpr std::string_view kNames[kNumFindings] = {
      "long_lived",  "missing_exp",  "missing_aud", "missing_iss",
      "missing_jti", "alg_none",     "alg_confusion", "unknown_key",
      "weak_key",    "symmetric_multi_audience", "large_token", "sensitive_claims",
      "header_key_injection"};
  const size_t i = static_cast<size_t>(f);
  return i < kNumFindings ? kNames[i] : std::string_view();
}

std::string_view describe(Finding f) noexcept {
  static constexpr std::string_view kText[kNumFindings] = {
      "Tokens living longer than the threshold (exp - iat): a stolen token stays useful that long; access tokens should be short-lived (common practice, OAuth 2.0 security best current practice).",
      "Tokens without a numeric exp never expire (RFC 7519 section 4.1.4).",
      "Tokens without aud can be replayed at any service that trusts the issuer (RFC 8725 section 3.9).",
      "Tokens without iss: the verifier cannot tell issuers apart (RFC 8725 section 3.8).",
      "Tokens without jti cannot be checked for replay (RFC 7519 section 4.1.7).",
      "Unsigned tokens (alg none): an attempt to skip verification (RFC 8725 section 2.1).",
      "The header's algorithm is of another family than the key its kid names, e.g. HS256 against an RSA key: algorithm confusion (RFC 8725 section 2.1).",
      "Tokens signed by keys missing from the key set (unknown kid, or no key for the alg).",
      "Tokens whose kid names a key refused at load time as weak (RFC 8725 section 3.5).",
      "One HMAC key verified tokens for several audiences: every one of those services holds the secret and can mint tokens for the others (RFC 8725 section 3.9).",
      "Tokens larger than the size threshold: headers and logs grow, and some proxies truncate them.",
      "Claims with personal or secret-looking names (email, phone, password...) in a signed but unencrypted token: anyone holding it can read them (RFC 7519 section 12).",
      "Headers naming keys by reference or value (jku, x5u, jwk, x5c): key injection attempts if a verifier trusted them (RFC 8725 section 3.10)."};
  const size_t i = static_cast<size_t>(f);
  return i < kNumFindings ? kText[i] : std::string_view();
}

std::string_view lifetime_bucket_name(size_t b) noexcept {
  static constexpr std::string_view kNames[kNumLifetimeBuckets] = {"<=0s", "<=5m", "<=15m", "<=1h", "<=6h",
                                                                   "<=24h", "<=7d", "<=30d", ">30d"};
  return b < kNumLifetimeBuckets ? kNames[b] : std::string_view();
}

std::string_view alg_label_name(size_t label) noexcept {
  if (label == 0) return "other";
  if (label < kNumAlgs) return to_string(static_cast<Alg>(label));
  if (label == kNumAlgs) return "none";
  if (label == kNumAlgs + 1) return "missing";
  return {};
}

std::vector<RefusedKey> parse_refused_keys(const std::vector<std::string>& warnings) {
  std::vector<RefusedKey> out;
  for (const std::string& w : warnings) {
    RefusedKey k;
    std::string_view s = w;
    const size_t q1 = s.find('"');
    const size_t colon = s.find(": ");
    if (q1 != std::string_view::npos && colon != std::string_view::npos && q1 < colon) {
      const size_t q2 = s.rfind('"', colon);
      if (q2 > q1) k.kid = std::string(s.substr(q1 + 1, q2 - q1 - 1));
    }
    k.reason = colon == std::string_view::npos ? w : std::string(s.substr(colon + 2));
    const std::string_view r = k.reason;
    k.weak = r.find("HMAC secret of") != std::string_view::npos || r.find("RSA modulus") != std::string_view::npos ||
             r.find("RSA exponent") != std::string_view::npos || r.find("not on the curve") != std::string_view::npos ||
             r.find("small order") != std::string_view::npos || r.find("non-canonical") != std::string_view::npos;
    out.push_back(std::move(k));
  }
  return out;
}

AuditReport::AuditReport(const AuditOptions& o)
    : by_kid(o.exact_limit), by_iss(o.exact_limit), by_aud(o.exact_limit), replay_tokens(o.replay_limit),
      replay_jti(o.replay_limit), refused_keys(o.refused_keys), max_lifetime_s(o.max_lifetime_s),
      large_token_bytes(o.large_token_bytes), max_examples(o.max_examples) {}

void AuditReport::add_example(std::vector<AuditExample>& list, AuditExample ex) const {
  if (max_examples == 0) return;
  if (list.size() >= max_examples && !(ex < list.back())) return;
  list.insert(std::upper_bound(list.begin(), list.end(), ex), std::move(ex));
  if (list.size() > max_examples) list.pop_back();
}

void AuditReport::merge(const AuditReport& o) {
  tokens += o.tokens;
  token_bytes += o.token_bytes;
  input_bytes += o.input_bytes;
  lines += o.lines;
  for (const std::string& s : o.sources)
    if (std::find(sources.begin(), sources.end(), s) == sources.end()) sources.push_back(s);
  for (size_t i = 0; i < by_status.size(); ++i) by_status[i] += o.by_status[i];
  for (size_t i = 0; i < by_alg.size(); ++i) by_alg[i] += o.by_alg[i];
  by_kid.merge(o.by_kid);
  by_iss.merge(o.by_iss);
  by_aud.merge(o.by_aud);
  for (size_t i = 0; i < lifetimes.size(); ++i) lifetimes[i] += o.lifetimes[i];
  lifetime_unknown += o.lifetime_unknown;
  claims_parsed += o.claims_parsed;
  headers_parsed += o.headers_parsed;
  replay_tokens.merge(o.replay_tokens);
  replay_jti.merge(o.replay_jti);
  for (const AuditExample& e : o.replay_examples) add_example(replay_examples, e);
  for (size_t f = 0; f < kNumFindings; ++f) {
    finding_counts[f] += o.finding_counts[f];
    for (const AuditExample& e : o.finding_examples[f]) add_example(finding_examples[f], e);
  }
  sensitive_names.merge(o.sensitive_names);
  for (const auto& [kid, auds] : o.hmac_audiences) {
    std::vector<std::string>& mine = hmac_audiences[kid];
    for (const std::string& a : auds)
      if (mine.size() < 64 && std::find(mine.begin(), mine.end(), a) == mine.end()) mine.push_back(a);
    std::sort(mine.begin(), mine.end());
  }
  for (const RefusedKey& k : o.refused_keys) {
    const bool have = std::any_of(refused_keys.begin(), refused_keys.end(),
                                  [&](const RefusedKey& m) { return m.kid == k.kid && m.reason == k.reason; });
    if (!have) refused_keys.push_back(k);
  }
  refresh_derived();
}

void AuditReport::refresh_derived() {
  const size_t f = static_cast<size_t>(Finding::symmetric_multi_audience);
  finding_counts[f] = 0;
  finding_examples[f].clear();
  for (const auto& [kid, auds] : hmac_audiences) {
    if (auds.size() < 2) continue;
    ++finding_counts[f];
    std::string d = "kid " + kid + ":";
    for (size_t i = 0; i < auds.size() && i < 8; ++i) d += (i ? ", " : " ") + auds[i];
    if (auds.size() > 8) d += ", ...";
    add_example(finding_examples[f], AuditExample{"(key set)", 0, d});
  }
}

bool AuditReport::exact() const {
  return by_kid.exact() && by_iss.exact() && by_aud.exact() && replay_tokens.exact() && replay_jti.exact() &&
         sensitive_names.exact();
}

AuditStats& AuditStats::operator+=(const AuditStats& o) noexcept {
  for (auto [a, b] : {std::pair{&read, &o.read}, std::pair{&scan, &o.scan}, std::pair{&aggregate, &o.aggregate}}) {
    a->tokens += b->tokens;
    a->bytes += b->bytes;
    a->nanos += b->nanos;
  }
  verify += o.verify;
  return *this;
}

}  // namespace jwtbatch
