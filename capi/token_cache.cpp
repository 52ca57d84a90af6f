// token_cache.cpp: the verified-token cache (see token_cache.hpp for what it guarantees).
#include "capi/token_cache.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include <openssl/sha.h>

namespace jwtbatch::engine {
namespace {

constexpr size_t kMaxShards = 64;

int64_t sat_add(int64_t a, int64_t b) noexcept {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? std::numeric_limits<int64_t>::max()
                                                     : std::numeric_limits<int64_t>::min();
  return r;
}

}  // namespace

TokenDigest token_digest(std::string_view token) noexcept {
  TokenDigest d;
  SHA256(reinterpret_cast<const uint8_t*>(token.data()), token.size(), d.data());
  return d;
}

TokenCache::TokenCache(size_t capacity, int64_t max_ttl_s)
    : num_sets_((capacity + kWays - 1) / kWays),
      num_shards_(std::max<size_t>(1, std::min(kMaxShards, num_sets_))),
      max_ttl_s_(max_ttl_s),
      entries_(num_sets_ * kWays),
      shards_(std::make_unique<Shard[]>(num_shards_)) {}

TokenCache::~TokenCache() = default;

size_t TokenCache::set_of(const TokenDigest& d) const noexcept {
  uint64_t h;
  std::memcpy(&h, d.data(), sizeof h);  // SHA-256 output: uniform, not chosen by the client
  return static_cast<size_t>(h % num_sets_);
}

void TokenCache::window(const Verdict& v, const Policy& policy, UnixSeconds now, int64_t max_ttl_s,
                        int64_t* out_from, int64_t* out_until) noexcept {
  // The engine compares the claims as doubles; the Verdict holds them truncated toward zero. Each
  // bound below is rounded inward (a missed second re-verifies; a late hit would be wrong).
  const int64_t leeway = policy.leeway_s;
  int64_t from = std::numeric_limits<int64_t>::min();
  int64_t until = sat_add(now, std::max<int64_t>(0, max_ttl_s));
  // expired when now >= exp + leeway.
  if (v.has_exp) until = std::min(until, sat_add(v.exp, leeway));
  // not_yet_valid when now + leeway < nbf: valid from nbf - leeway (+1 for a truncated fraction).
  if (v.has_nbf) from = std::max(from, sat_add(sat_add(v.nbf, 1), -leeway));
  if (policy.max_age_s && v.has_iat) {
    // expired when now - leeway > iat + max_age; not_yet_valid when iat > now + leeway.
    until = std::min(until, sat_add(sat_add(v.iat, *policy.max_age_s), leeway));
    from = std::max(from, sat_add(sat_add(v.iat, 1), -leeway));
  }
  *out_from = from;
  *out_until = until;
}

bool TokenCache::insert(const TokenDigest& digest, uint64_t keyset_id, UnixSeconds now,
                        const Policy& policy, const Verdict& verdict, std::string_view extra) {
  if (num_sets_ == 0 || keyset_id == 0 || verdict.status != Status::ok || extra.size() > kMaxExtraBytes)
    return false;
  int64_t from, until;
  window(verdict, policy, now, max_ttl_s_, &from, &until);
  if (now < from || now >= until) return false;
  const size_t set = set_of(digest);
  Shard& shard = shard_of(set);
  std::lock_guard<std::mutex> lock(shard.mutex);
  Entry* ways = &entries_[set * kWays];
  // The slot: the same digest (a second verifier thread raced this one), else an empty one, else
  // one of an old key set or past its window, else the least recently used (an eviction).
  Entry* slot = nullptr;
  Entry* stale = nullptr;
  Entry* empty = nullptr;
  Entry* lru = ways;
  for (size_t i = 0; i < kWays; ++i) {
    Entry* e = &ways[i];
    if (e->keyset_id == 0) {
      if (!empty) empty = e;
      continue;
    }
    if (e->digest == digest) {
      slot = e;
      break;
    }
    if (!stale && (e->keyset_id != keyset_id || now >= e->valid_until || now < e->valid_from)) stale = e;
    if (e->last_used < lru->last_used) lru = e;
  }
  if (!slot) {
    if (empty) {
      slot = empty;
      ++shard.entries;
    } else if (stale) {
      slot = stale;
      ++shard.expired;
    } else {
      slot = lru;
      ++shard.evictions;
    }
  }
  slot->digest = digest;
  slot->keyset_id = keyset_id;
  slot->valid_from = from;
  slot->valid_until = until;
  slot->last_used = ++shard.clock;
  slot->verdict = verdict;
  slot->extra.assign(extra.data(), extra.size());
  ++shard.inserts;
  return true;
}

TokenCacheStats TokenCache::stats() const {
  TokenCacheStats s;
  s.capacity = capacity();
  for (size_t i = 0; i < num_shards_; ++i) {
    Shard& shard = shards_[i];
    std::lock_guard<std::mutex> lock(shard.mutex);
    s.hits += shard.hits;
    s.misses += shard.misses;
    s.inserts += shard.inserts;
    s.evictions += shard.evictions;
    s.expired += shard.expired;
    s.entries += shard.entries;
  }
  return s;
}

}  // namespace jwtbatch::engine
