// token_cache.hpp (internal): the verified-token cache of the per-request path (C API, gateway
// module). A client presents the same access token hundreds of times during its life; the cache
// answers the repeats without decoding, parsing or checking the signature again.
//
// - Keyed by the SHA-256 of the whole token (all of its bytes: two tokens that differ anywhere,
//   signature included, are different keys), plus the id of the KeySet that verified it: after a
//   key rotation no entry of the old set can match.
// - Stores only ok verdicts, with the window [valid_from, valid_until) in which the same verdict
//   is certain under the verifier's fixed policy: never past exp + leeway, nor past iat + max_age,
//   nor before nbf - leeway, nor longer than max_ttl_s after it was stored. Computed from the
//   Verdict's whole-second claims, rounded so that the window can only be shorter than the true one
//   (an entry may miss a second early, never hit a second late).
// - Bounded: `capacity` entries (a multiple of kWays), set-associative, kWays entries per set; a
//   full set drops its entry of an old key set or past its window first, else its least recently
//   used one (counted as an eviction). Each entry's extra bytes (the selected claims) are at most
//   kMaxExtraBytes: longer ones are not stored.
// - Safe under concurrency: sets are spread over shards, each behind its own mutex (one lock per
//   lookup, held while comparing at most kWays digests and copying one entry out).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/policy.hpp"
#include "jwtbatch/verifier.hpp"

namespace jwtbatch::engine {

using TokenDigest = std::array<uint8_t, 32>;

// token_digest returns the SHA-256 of `token` (BoringSSL).
TokenDigest token_digest(std::string_view token) noexcept;

struct TokenCacheStats {
  uint64_t hits = 0, misses = 0, inserts = 0, evictions = 0, expired = 0, entries = 0, capacity = 0;
};

class TokenCache {
 public:
  static constexpr size_t kWays = 8;
  static constexpr size_t kMaxExtraBytes = 4096;

  // TokenCache holds at most `capacity` rounded up to a multiple of kWays entries (0: none, every
  // lookup misses and nothing is stored); entries live at most `max_ttl_s` seconds.
  TokenCache(size_t capacity, int64_t max_ttl_s);
  ~TokenCache();
  TokenCache(const TokenCache&) = delete;
  TokenCache& operator=(const TokenCache&) = delete;

  size_t capacity() const noexcept { return num_sets_ * kWays; }

  // lookup finds `digest` stored under key set `keyset_id` whose window holds `now`. On a hit it
  // calls on_hit(verdict, extra) under the shard's lock (copy out, do not call back into the cache)
  // and returns true. An entry found of another key set or outside its window is dropped.
  template <typename OnHit>
  bool lookup(const TokenDigest& digest, uint64_t keyset_id, UnixSeconds now, OnHit&& on_hit);

  // insert stores an ok `verdict` (with `extra`, at most kMaxExtraBytes) of a token verified at
  // `now` under `policy` with key set `keyset_id`. Anything else, or a window that is already
  // empty, is not stored. Returns whether it was stored.
  bool insert(const TokenDigest& digest, uint64_t keyset_id, UnixSeconds now, const Policy& policy,
              const Verdict& verdict, std::string_view extra);

  // window computes the [valid_from, valid_until) of an ok `verdict` got at `now` (exposed for
  // tests).
  static void window(const Verdict& verdict, const Policy& policy, UnixSeconds now, int64_t max_ttl_s,
                     int64_t* out_from, int64_t* out_until) noexcept;

  TokenCacheStats stats() const;

 private:
  struct Entry {
    TokenDigest digest{};
    uint64_t keyset_id = 0;  // 0: empty
    int64_t valid_from = 0, valid_until = 0;
    uint64_t last_used = 0;
    Verdict verdict;
    std::string extra;
  };
  struct alignas(64) Shard {
    std::mutex mutex;
    uint64_t clock = 0;
    uint64_t hits = 0, misses = 0, inserts = 0, evictions = 0, expired = 0, entries = 0;
  };

  size_t set_of(const TokenDigest& d) const noexcept;
  Shard& shard_of(size_t set) const noexcept { return shards_[set % num_shards_]; }

  size_t num_sets_;
  size_t num_shards_;
  int64_t max_ttl_s_;
  std::vector<Entry> entries_;  // num_sets_ * kWays
  std::unique_ptr<Shard[]> shards_;
};

template <typename OnHit>
bool TokenCache::lookup(const TokenDigest& digest, uint64_t keyset_id, UnixSeconds now, OnHit&& on_hit) {
  if (num_sets_ == 0) return false;
  const size_t set = set_of(digest);
  Shard& shard = shard_of(set);
  std::lock_guard<std::mutex> lock(shard.mutex);
  Entry* e = &entries_[set * kWays];
  for (size_t i = 0; i < kWays; ++i, ++e) {
    if (e->keyset_id == 0 || e->digest != digest) continue;
    if (e->keyset_id != keyset_id || now < e->valid_from || now >= e->valid_until) {
      // Of an old key set, or past (or before) its window: never used again. (A window seen
      // before its start only happens when callers' clocks disagree; dropping it is safe.)
      e->keyset_id = 0;
      e->extra.clear();
      ++shard.expired;
      --shard.entries;
      break;
    }
    e->last_used = ++shard.clock;
    ++shard.hits;
    on_hit(static_cast<const Verdict&>(e->verdict), std::string_view(e->extra));
    return true;
  }
  ++shard.misses;
  return false;
}

}  // namespace jwtbatch::engine
