// verifier.hpp: verify one token or a batch of tokens against a KeySet and a Policy.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/keyset.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/stats.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch {

// UnixSeconds is a time in seconds since 1970-01-01T00:00:00Z. The engine never reads the clock:
// the caller passes the time to verify at.
using UnixSeconds = int64_t;

inline constexpr uint32_t kNoKey = 0xffffffffu;

// Verdict is one token's result. Fields past `status` are filled as far as the token got: `alg`
// once the header parsed, `key_index` once a key was chosen (an index into the KeySet the batch
// ran with), the time claims once the claims parsed (has_* say which were present as numbers;
// values are truncated to whole seconds and clamped to the int64 range).
struct Verdict {
  Status status = Status::malformed;
  Alg alg = Alg::unknown;
  bool has_exp = false, has_nbf = false, has_iat = false;
  uint32_t key_index = kNoKey;
  // detail: for bad_base64 the offset in the token of the first bad character; otherwise 0.
  uint32_t detail = 0;
  int64_t exp = 0, nbf = 0, iat = 0;
};

// verdict_detail: the codes of Verdict::detail, by status (explain() turns them into words). They
// are stable within a major version; the C API keeps them opaque (jwtbatch_describe reads them).
//   bad_base64       the offset in the token of the first bad character
//   bad_json         JsonPart
//   bad_header       HeaderProblem
//   unsupported_alg  AlgProblem
//   alg_not_allowed, key_not_found   KeyProblem
//   expired, not_yet_valid           TimeProblem
//   missing_claim    an index into Policy::required_claims, or kMissingIat/Iss/Aud
//   bad_claim        ClaimName, or kAudTooLong
namespace verdict_detail {
enum class JsonPart : uint32_t { header = 1, claims = 2 };
enum class HeaderProblem : uint32_t {
  no_alg = 1, alg_type, kid_type, typ_type, crit_type, typ_mismatch, too_many_members, kid_too_long
};
enum class ClaimName : uint32_t { exp = 1, nbf, iat, iss, aud, sub, jti };
// kAudTooLong: bad_claim for an aud array longer than Policy::max_aud_values.
inline constexpr uint32_t kAudTooLong = 32;
enum class AlgProblem : uint32_t { none = 1, other };
enum class KeyProblem : uint32_t { kid_unknown = 1, no_key_for_alg, kid_other_family, kid_required };
enum class TimeProblem : uint32_t { exp = 1, nbf, iat_too_old, iat_future };
// missing_claim codes of the claims that other policy settings require (detail < 64 is an index
// into Policy::required_claims).
inline constexpr uint32_t kMissingIat = 64, kMissingIss = 65, kMissingAud = 66;
}  // namespace verdict_detail

// BatchOptions tune one verify_batch call.
struct BatchOptions {
  // threads: how many threads may run the batch; 0 means every core.
  unsigned threads = 0;
};

// StreamChunk is one chunk of a stream (see Verifier::verify_stream). The reader fills `tokens`,
// which may point into `storage` (the chunk's own bytes, reused from chunk to chunk) or into any
// memory the reader keeps alive until the chunk has been written; the engine fills `verdicts`.
struct StreamChunk {
  uint64_t first_index = 0;  // index of tokens[0] in the whole stream (set by the engine)
  std::string storage;
  std::vector<std::string_view> tokens;
  std::vector<Verdict> verdicts;
  std::string output;  // free for the caller: e.g. the chunk's formatted verdicts (see verify_stream)
  // Free for the caller too: e.g. where the chunk and each of its tokens came from (an audit keeps
  // the first line number in `tag` and each token's line in `token_tags`).
  uint64_t tag = 0;
  std::vector<uint64_t> token_tags;
};

// StreamOptions tune one verify_stream call.
struct StreamOptions {
  unsigned threads = 0;          // 0: every core
  size_t chunks_in_flight = 0;   // 0: four per thread. Bounds memory: at most this many chunks exist.
  size_t chunk_tokens = 1024;    // the most tokens the reader is asked for per chunk
};

// Verifier checks tokens against a key set and a policy. It is safe to call from many threads at
// once, and its key set can be swapped (set_keys) while batches run: a batch sees one key set from
// start to end.
class Verifier {
 public:
  Verifier(std::shared_ptr<const KeySet> keys, Policy policy);
  ~Verifier();
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // verify checks one `token` at time `now`. It never throws, and allocates nothing in the steady
  // state of a thread.
  Verdict verify(std::string_view token, UnixSeconds now) const noexcept;
  // verify checks `token` with `keys` (borrowed; the caller keeps it alive) instead of the current
  // key set: for callers that must know which key set a verdict came from (a verdict cache).
  Verdict verify(std::string_view token, UnixSeconds now, const KeySet& keys) const noexcept;

  // verify_batch checks each of `tokens` at time `now` and writes one verdict per token to `out`
  // (at least tokens.size() long), in input order. Both are borrowed. When `stats` is not null the
  // batch's counters are added to it. It returns ok, or a failure only if the batch as a whole
  // could not run (out too short: malformed).
  Status verify_batch(std::span<const std::string_view> tokens, std::span<Verdict> out,
                      UnixSeconds now, BatchStats* stats = nullptr,
                      BatchOptions options = {}) const noexcept;

  // verify_stream runs a pipeline over a stream of any length in bounded memory: `read` is called
  // serially, in order, to fill a chunk with at most options.chunk_tokens tokens and returns false
  // at the end of input; chunks are verified in parallel (each on one thread); `write` is called
  // serially, in input order, with each verified chunk. A throw from `read` or `write` cancels the
  // stream and propagates. The key set is taken once, at the start. `after_verify`, when given, is
  // called in the parallel stage right after a chunk is verified (on any thread, several chunks at
  // once): work per chunk that need not be serial, such as formatting its output, belongs there.
  // `before_verify`, when given, is called in the parallel stage before the chunk is verified: it
  // may fill or replace `tokens` (e.g. find them in raw text that `read` put in `storage`; then
  // `first_index` counts only the tokens `read` put in, and options.chunk_tokens bounds only those).
  Status verify_stream(const std::function<bool(StreamChunk&)>& read,
                       const std::function<void(const StreamChunk&)>& write, UnixSeconds now,
                       BatchStats* stats = nullptr, StreamOptions options = {},
                       const std::function<void(StreamChunk&)>& after_verify = {},
                       const std::function<void(StreamChunk&)>& before_verify = {}) const;

  // keys returns the key set in use now; set_keys swaps it atomically (key rotation).
  std::shared_ptr<const KeySet> keys() const noexcept;
  void set_keys(std::shared_ptr<const KeySet> keys) noexcept;

  const Policy& policy() const noexcept { return policy_; }

  // State is the per-thread scratch, private to the library (only declared here).
  struct State;

 private:
  std::atomic<std::shared_ptr<const KeySet>> keys_;
  Policy policy_;
  std::unique_ptr<State> state_;
};

// explain returns a one-line, human-readable reason for `verdict` as judged under `policy` ("token
// expired at 2026-09-21T05:46:40Z"); "" for ok. It allocates: call it off the hot path.
std::string explain(const Verdict& verdict, const Policy& policy);

// format_utc writes `t` as an RFC 3339 UTC time ("2026-09-21T05:46:40Z").
std::string format_utc(UnixSeconds t);

}  // namespace jwtbatch
