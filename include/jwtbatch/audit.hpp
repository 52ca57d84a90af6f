// audit.hpp: offline audit of token logs. Verifies every token of a stream (plain one-token-per-line
// input, or raw text with the tokens extracted from it) on every core with bounded memory, and
// aggregates an AuditReport: counts by status, algorithm, kid, issuer and audience, a lifetime
// histogram, replays (same jti, same token) and hygiene findings (RFC 8725 and common practice),
// each with a count and examples (source, line).
//
// An AuditReport is a mergeable value: reports of parts of the input (threads, files, partitions on
// other machines) merge into the report of the whole (AuditReport::merge). Exact counters merge
// exactly; the bounded tables (kid, iss, aud) are exact up to AuditOptions::exact_limit distinct
// values, then a space-saving summary with error bounds plus a HyperLogLog distinct count; replay
// detection is exact up to AuditOptions::replay_limit distinct fingerprints per report, then counts
// only repeats of the values it holds (a lower bound). The report says which parts are exact.
// to_json / from_json is the interchange format; to_html renders a self-contained page.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "jwtbatch/stats.hpp"
#include "jwtbatch/status.hpp"
#include "jwtbatch/verifier.hpp"

namespace jwtbatch {

// Finding is one kind of hygiene problem an audit counts.
enum class Finding : uint8_t {
  long_lived = 0,            // exp - iat over AuditOptions::max_lifetime_s
  missing_exp,               // claims without a numeric exp
  missing_aud,               // claims without aud
  missing_iss,               // claims without iss
  missing_jti,               // claims without jti
  alg_none,                  // header alg "none" in any capitalisation (RFC 8725 section 2.1)
  alg_confusion,             // the header's alg is of another family than every key with its kid
  unknown_key,               // verdict key_not_found: signed by a key missing from the set
  weak_key,                  // kid names a key refused at load time as weak (short secret, small RSA)
  symmetric_multi_audience,  // one HMAC key verified tokens for several audiences (count: keys)
  large_token,               // longer than AuditOptions::large_token_bytes
  sensitive_claims,          // claim names like email, phone, password in a signed, unencrypted token
  header_key_injection,      // header carries jku, x5u, jwk or x5c (never trusted by jwtbatch)
};
inline constexpr size_t kNumFindings = 13;

// to_string returns the finding's stable snake_case name.
std::string_view to_string(Finding finding) noexcept;
// describe returns one sentence saying what the finding means and why it matters.
std::string_view describe(Finding finding) noexcept;

// RefusedKey is a key the key set skipped at load time, from KeySetBuilder::warnings().
struct RefusedKey {
  std::string kid;
  std::string reason;
  bool weak = false;  // refused for weakness (short HMAC secret, small or bad RSA key, bad point)
};

// parse_refused_keys reads KeySetBuilder warnings ("skipped key \"KID\": REASON").
std::vector<RefusedKey> parse_refused_keys(const std::vector<std::string>& warnings);

// AuditOptions tune an audit. The limits bound memory: per worker thread at most about
// exact_limit * 3 table entries (kid, iss, aud; ~100 bytes each) and replay_limit * 2 fingerprints
// (~40 bytes each), whatever the input size.
struct AuditOptions {
  bool extract = false;              // raw text: find the tokens (kernels/extract); else one per line
  int64_t max_lifetime_s = 900;      // long_lived above this (15 minutes)
  size_t large_token_bytes = 4096;   // large_token above this
  size_t exact_limit = 10000;        // distinct values counted exactly per table, then a sketch
  size_t replay_limit = size_t{1} << 18;  // distinct fingerprints remembered exactly per report
  size_t max_examples = 5;           // examples kept per finding (the first ones in input order)
  size_t block_bytes = size_t{1} << 20;   // input read in blocks of this size (at least 2x max token)
  unsigned threads = 0;              // 0: every core
  std::vector<RefusedKey> refused_keys;
  // first_line: the line number of the input's first line (1 for a whole file; for a partition
  // of a file cut at line starts, 1 + the newlines before it, so examples name the file's lines).
  uint64_t first_line = 1;
};

// AuditExample locates one instance of a finding.
struct AuditExample {
  std::string source;  // file name ("-" for standard input)
  uint64_t line = 0;   // 1-based
  std::string detail;
  bool operator<(const AuditExample& o) const;
  bool operator==(const AuditExample&) const = default;
};

// CountTable counts string values (kid, iss, aud) in bounded memory: exact up to `limit` distinct
// values; then a space-saving summary of the largest counts (each kept value's true count lies in
// [count - error, count]; a value not kept occurred at most `floor` times) and a HyperLogLog
// estimate of the number of distinct values (2^12 registers, about 1.6% standard error).
class CountTable {
 public:
  struct Entry {
    uint64_t count = 0;
    uint64_t error = 0;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
  };
  using Map = std::unordered_map<std::string, Entry, Hash, std::equal_to<>>;
  explicit CountTable(size_t limit = 10000);
  void add(std::string_view value, uint64_t n = 1);
  void merge(const CountTable& other);
  bool exact() const { return exact_; }
  uint64_t total() const { return total_; }
  uint64_t floor() const { return floor_; }
  size_t limit() const { return limit_; }
  // distinct returns the number of distinct values: exact, or the HyperLogLog estimate.
  uint64_t distinct() const;
  // top returns up to `n` values with the largest counts, largest first (ties by value).
  std::vector<std::pair<std::string, Entry>> top(size_t n) const;
  const Map& entries() const { return map_; }
  const std::array<uint8_t, 4096>& hll() const { return hll_; }
  // restore sets the whole state (from_json).
  void restore(bool exact, uint64_t total, uint64_t floor, Map map, const std::array<uint8_t, 4096>& hll);

 private:
  void prune();
  size_t limit_;
  bool exact_ = true;
  uint64_t total_ = 0, floor_ = 0;
  Map map_;
  std::array<uint8_t, 4096> hll_{};
};

// ReplaySet counts 64-bit fingerprints (of a token, or of iss + jti): exact up to `limit` distinct
// ones; past that, new fingerprints are not remembered (exact() turns false and the repeat counts
// become lower bounds: only repeats of remembered values are seen).
class ReplaySet {
 public:
  explicit ReplaySet(size_t limit = size_t{1} << 18) : limit_(limit) {}
  // add counts `fp` and returns its count so far (0 when it could not be remembered).
  uint64_t add(uint64_t fp, uint64_t n = 1);
  void merge(const ReplaySet& other);
  bool exact() const { return exact_; }
  size_t limit() const { return limit_; }
  uint64_t seen() const { return seen_; }            // fingerprints added, with repeats
  uint64_t distinct() const { return map_.size(); }  // remembered distinct values
  uint64_t repeated_values() const;                  // values seen more than once
  uint64_t extra_sightings() const;                  // sum over values of (count - 1)
  const std::unordered_map<uint64_t, uint64_t>& entries() const { return map_; }
  void restore(bool exact, uint64_t seen, std::unordered_map<uint64_t, uint64_t> map);

 private:
  size_t limit_;
  bool exact_ = true;
  uint64_t seen_ = 0;
  std::unordered_map<uint64_t, uint64_t> map_;
};

// kLifetimeBuckets: upper bounds (seconds, inclusive) of the exp - iat histogram; the last bucket
// holds everything above the last bound. Bucket 0 is "<= 0" (exp not after iat).
inline constexpr std::array<int64_t, 8> kLifetimeBounds = {0, 300, 900, 3600, 21600, 86400, 604800, 2592000};
inline constexpr size_t kNumLifetimeBuckets = kLifetimeBounds.size() + 1;
// lifetime_bucket_name returns "<=0s", "<=5m", ..., ">30d".
std::string_view lifetime_bucket_name(size_t bucket) noexcept;

// Algorithm labels of the by-alg counts: the JOSE names, "none" (any capitalisation), "other"
// (any other string), "missing" (no alg, or not a string).
inline constexpr size_t kNumAlgLabels = kNumAlgs + 2;  // unknown slot reused as "other"
std::string_view alg_label_name(size_t label) noexcept;

// AuditReport: everything an audit found. A value type; merge() adds another report.
class AuditReport {
 public:
  explicit AuditReport(const AuditOptions& options = {});

  // Totals.
  uint64_t tokens = 0;        // tokens verified
  uint64_t token_bytes = 0;
  uint64_t input_bytes = 0;   // bytes read (text scanned with --extract)
  uint64_t lines = 0;         // input lines
  std::vector<std::string> sources;  // inputs, in the order they were first merged

  std::array<uint64_t, kNumStatuses> by_status{};
  std::array<uint64_t, kNumAlgLabels> by_alg{};
  CountTable by_kid, by_iss, by_aud;
  std::array<uint64_t, kNumLifetimeBuckets> lifetimes{};
  uint64_t lifetime_unknown = 0;  // claims parsed, but exp or iat missing or not numbers
  uint64_t claims_parsed = 0, headers_parsed = 0;

  ReplaySet replay_tokens, replay_jti;
  std::vector<AuditExample> replay_examples;  // second sightings (first in input order)

  std::array<uint64_t, kNumFindings> finding_counts{};
  std::array<std::vector<AuditExample>, kNumFindings> finding_examples;
  CountTable sensitive_names{256};  // which sensitive-looking claim names, how often
  // HMAC keys' audiences (kid -> audiences, at most 64 kept per key) of tokens whose signature held.
  std::map<std::string, std::vector<std::string>> hmac_audiences;
  std::vector<RefusedKey> refused_keys;

  // Settings the report was made with (merge keeps the first report's).
  int64_t max_lifetime_s = 900;
  size_t large_token_bytes = 4096;
  size_t max_examples = 5;

  // merge adds `other` into this report: counters add, tables and sketches merge, examples keep
  // the first max_examples in (source, line) order, symmetric_multi_audience is recomputed.
  void merge(const AuditReport& other);
  // add_example keeps `ex` if it is among the first max_examples of its finding.
  void add_example(std::vector<AuditExample>& list, AuditExample ex) const;
  // exact says whether every count in the report is exact (no table or replay set overflowed).
  bool exact() const;
  // refresh_derived recomputes symmetric_multi_audience from hmac_audiences.
  void refresh_derived();

  std::string to_json() const;
  // from_json reads what to_json wrote; nullopt and `out_error` on malformed input.
  static std::optional<AuditReport> from_json(std::string_view json, std::string* out_error);
  // to_html renders a single self-contained page (inline CSS and SVG, no scripts, no fonts).
  std::string to_html() const;
  // summary returns a short text summary for a terminal.
  std::string summary() const;
};

// AuditStats: the audit's own stages beside the verifier's six.
struct AuditStats {
  StageStats read;       // serial: reading blocks, cutting them at line ends, counting lines
  StageStats scan;       // parallel: finding tokens in the text (bytes: text scanned)
  StageStats aggregate;  // parallel: decoding header and claims for the report, counting
  BatchStats verify;     // the six verification stages
  AuditStats& operator+=(const AuditStats& o) noexcept;
};

// AuditRead fills `buf` with up to `cap` bytes of input and returns how many (0 at the end of
// input); it sets *error (when not null) on a read failure.
using AuditRead = std::function<size_t(char* buf, size_t cap)>;

// audit_stream verifies every token of one input (`source` names it in examples) with `verifier`
// at time `now` and merges what it finds into `report`. It reads through `read` in blocks of
// options.block_bytes, so memory stays bounded whatever the input size. When `stats` is not null
// the stages' counters are added to it. It returns ok, or malformed when the options cannot work
// (block_bytes under 2 * max_token_bytes + 2).
Status audit_stream(const Verifier& verifier, const AuditOptions& options, const AuditRead& read,
                    std::string_view source, UnixSeconds now, AuditReport& report,
                    AuditStats* stats = nullptr);

}  // namespace jwtbatch
