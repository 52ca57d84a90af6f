// token_cache_test.cpp: the verified-token cache (capi/token_cache.hpp) alone: the validity
// window (exp, nbf, max_age, leeway, ttl), key-set ids, only ok verdicts, the size bound and
// eviction order, the size bound on stored claims, and many threads at once.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "capi/token_cache.hpp"

namespace jwtbatch::engine {
namespace {

constexpr UnixSeconds kNow = 1767225600;

TokenDigest digest_of(uint64_t i) { return token_digest("token-" + std::to_string(i)); }

Verdict ok_verdict(int64_t exp) {
  Verdict v;
  v.status = Status::ok;
  v.alg = Alg::es256;
  v.key_index = 3;
  v.has_exp = true;
  v.exp = exp;
  return v;
}

bool hit(TokenCache& c, const TokenDigest& d, uint64_t id, UnixSeconds now, Verdict* out = nullptr,
         std::string* extra = nullptr) {
  return c.lookup(d, id, now, [&](const Verdict& v, std::string_view x) {
    if (out) *out = v;
    if (extra) *extra = std::string(x);
  });
}

TEST(TokenCache, DigestIsSha256OfTheWholeToken) {
  // FIPS 180-2, "abc".
  const TokenDigest d = token_digest("abc");
  EXPECT_EQ(d[0], 0xba);
  EXPECT_EQ(d[31], 0xad);
  EXPECT_NE(token_digest("a.b.c"), token_digest("a.b.d"));
}

TEST(TokenCache, WindowFollowsTheClaimsAndThePolicy) {
  Policy p;
  int64_t from, until;
  Verdict v = ok_verdict(kNow + 100);
  TokenCache::window(v, p, kNow, 300, &from, &until);
  EXPECT_EQ(until, kNow + 100);  // exp: expired at now >= exp
  EXPECT_EQ(from, std::numeric_limits<int64_t>::min());
  TokenCache::window(v, p, kNow, 30, &from, &until);
  EXPECT_EQ(until, kNow + 30);  // ttl shorter than exp
  p.leeway_s = 10;
  TokenCache::window(v, p, kNow, 300, &from, &until);
  EXPECT_EQ(until, kNow + 110);
  v.has_nbf = true;
  v.nbf = kNow - 5;
  TokenCache::window(v, p, kNow, 300, &from, &until);
  EXPECT_EQ(from, kNow - 5 + 1 - 10);  // nbf - leeway, rounded inward
  p.max_age_s = 50;
  v.has_iat = true;
  v.iat = kNow - 20;
  TokenCache::window(v, p, kNow, 300, &from, &until);
  EXPECT_EQ(until, kNow - 20 + 50 + 10);  // iat + max_age + leeway
  EXPECT_EQ(from, kNow - 5 + 1 - 10);
  // No exp (a policy without "exp" required): the ttl alone bounds it.
  Verdict no_exp = ok_verdict(0);
  no_exp.has_exp = false;
  TokenCache::window(no_exp, Policy{}, kNow, 300, &from, &until);
  EXPECT_EQ(until, kNow + 300);
  // Saturation instead of overflow.
  Verdict far = ok_verdict(std::numeric_limits<int64_t>::max());
  Policy lee;
  lee.leeway_s = 1000;
  TokenCache::window(far, lee, kNow, std::numeric_limits<int64_t>::max(), &from, &until);
  EXPECT_EQ(until, std::numeric_limits<int64_t>::max());
}

TEST(TokenCache, EntriesNeverOutliveExp) {
  TokenCache c(64, 3600);
  const TokenDigest d = digest_of(1);
  ASSERT_TRUE(c.insert(d, 7, kNow, Policy{}, ok_verdict(kNow + 10), "{}"));
  Verdict got;
  EXPECT_TRUE(hit(c, d, 7, kNow, &got));
  EXPECT_EQ(got.exp, kNow + 10);
  EXPECT_EQ(got.alg, Alg::es256);
  EXPECT_TRUE(hit(c, d, 7, kNow + 9));
  EXPECT_FALSE(hit(c, d, 7, kNow + 10));  // exp reached
  EXPECT_FALSE(hit(c, d, 7, kNow + 5));   // and dropped for good
  const TokenCacheStats s = c.stats();
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.expired, 1u);
  EXPECT_EQ(s.entries, 0u);
  // A token already expired (or not yet valid) at insert time is not stored.
  EXPECT_FALSE(c.insert(digest_of(2), 7, kNow, Policy{}, ok_verdict(kNow), ""));
  Verdict early = ok_verdict(kNow + 100);
  early.has_nbf = true;
  early.nbf = kNow + 50;
  EXPECT_FALSE(c.insert(digest_of(3), 7, kNow, Policy{}, early, ""));
}

TEST(TokenCache, TtlBoundsEntriesWithoutExp) {
  TokenCache c(64, 60);
  Verdict v = ok_verdict(0);
  v.has_exp = false;
  ASSERT_TRUE(c.insert(digest_of(1), 1, kNow, Policy{}, v, ""));
  EXPECT_TRUE(hit(c, digest_of(1), 1, kNow + 59));
  EXPECT_FALSE(hit(c, digest_of(1), 1, kNow + 60));
}

TEST(TokenCache, AnotherKeySetNeverHits) {
  TokenCache c(64, 3600);
  ASSERT_TRUE(c.insert(digest_of(1), 1, kNow, Policy{}, ok_verdict(kNow + 100), ""));
  EXPECT_FALSE(hit(c, digest_of(1), 2, kNow));  // rotated: dropped
  EXPECT_FALSE(hit(c, digest_of(1), 1, kNow));  // even for the old id afterwards
  EXPECT_EQ(c.stats().expired, 1u);
}

TEST(TokenCache, OnlyOkVerdictsAreStored) {
  TokenCache c(64, 3600);
  for (Status s : {Status::bad_signature, Status::expired, Status::key_not_found, Status::malformed}) {
    Verdict v = ok_verdict(kNow + 100);
    v.status = s;
    EXPECT_FALSE(c.insert(digest_of(1), 1, kNow, Policy{}, v, "")) << to_string(s);
  }
  EXPECT_EQ(c.stats().inserts, 0u);
  EXPECT_FALSE(c.insert(digest_of(1), 0, kNow, Policy{}, ok_verdict(kNow + 100), ""));  // id 0: none
}

TEST(TokenCache, ExtraIsStoredUpToItsLimit) {
  TokenCache c(64, 3600);
  const std::string claims = R"({"sub":"alice"})";
  ASSERT_TRUE(c.insert(digest_of(1), 1, kNow, Policy{}, ok_verdict(kNow + 100), claims));
  std::string got;
  EXPECT_TRUE(hit(c, digest_of(1), 1, kNow, nullptr, &got));
  EXPECT_EQ(got, claims);
  EXPECT_FALSE(c.insert(digest_of(2), 1, kNow, Policy{}, ok_verdict(kNow + 100),
                        std::string(TokenCache::kMaxExtraBytes + 1, 'x')));
  EXPECT_TRUE(c.insert(digest_of(3), 1, kNow, Policy{}, ok_verdict(kNow + 100),
                       std::string(TokenCache::kMaxExtraBytes, 'x')));
}

TEST(TokenCache, SizeIsBoundedAndLeastRecentlyUsedGoesFirst) {
  TokenCache c(100, 3600);
  EXPECT_EQ(c.capacity(), 104u);  // rounded up to whole sets of 8
  TokenCache none(0, 3600);
  EXPECT_EQ(none.capacity(), 0u);
  EXPECT_FALSE(none.insert(digest_of(1), 1, kNow, Policy{}, ok_verdict(kNow + 100), ""));
  EXPECT_FALSE(hit(none, digest_of(1), 1, kNow));

  constexpr uint64_t kInserts = 5000;
  for (uint64_t i = 0; i < kInserts; ++i) {
    ASSERT_TRUE(c.insert(digest_of(i), 1, kNow, Policy{}, ok_verdict(kNow + 100), "{}"));
    // Keep token 0 hot: it must survive every eviction in its set.
    ASSERT_TRUE(hit(c, digest_of(0), 1, kNow)) << i;
  }
  const TokenCacheStats s = c.stats();
  EXPECT_EQ(s.entries, c.capacity());
  EXPECT_EQ(s.inserts, kInserts);
  EXPECT_EQ(s.evictions, kInserts - c.capacity());
  // The most recent insert is there; most of the early ones are gone.
  EXPECT_TRUE(hit(c, digest_of(kInserts - 1), 1, kNow));
  size_t early_hits = 0;
  for (uint64_t i = 1; i < 200; ++i) early_hits += hit(c, digest_of(i), 1, kNow);
  EXPECT_LT(early_hits, 20u);
}

TEST(TokenCache, StaleEntriesAreReplacedBeforeLiveOnes) {
  TokenCache c(8, 3600);  // one set
  for (uint64_t i = 0; i < 8; ++i)
    ASSERT_TRUE(c.insert(digest_of(i), 1, kNow, Policy{}, ok_verdict(i == 3 ? kNow + 5 : kNow + 100), ""));
  // At kNow + 10 entry 3 is past its exp: the next insert takes its slot, no live entry is evicted.
  ASSERT_TRUE(c.insert(digest_of(100), 1, kNow + 10, Policy{}, ok_verdict(kNow + 100), ""));
  EXPECT_EQ(c.stats().evictions, 0u);
  EXPECT_EQ(c.stats().expired, 1u);
  for (uint64_t i = 0; i < 8; ++i) EXPECT_EQ(hit(c, digest_of(i), 1, kNow + 10), i != 3) << i;
}

TEST(TokenCache, ConcurrentLookupsAndInsertsStayConsistent) {
  // Threads insert and look up overlapping tokens; every hit must return the verdict stored for
  // that very digest (exp encodes the token number), the counters must add up, the bound hold.
  TokenCache c(256, 3600);
  constexpr int kThreads = 4;
  constexpr uint64_t kOps = 20000, kTokens = 1000;
  std::vector<TokenDigest> digests;
  for (uint64_t i = 0; i < kTokens; ++i) digests.push_back(digest_of(i));
  std::atomic<uint64_t> wrong{0}, hits{0}, lookups{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t + 1);
      for (uint64_t op = 0; op < kOps; ++op) {
        const uint64_t i = rng() % kTokens;
        const uint64_t key_set = 1 + (op / 5000);  // rotations mid-run
        Verdict got;
        ++lookups;
        if (hit(c, digests[i], key_set, kNow, &got)) {
          ++hits;
          if (got.exp != kNow + 1000 + static_cast<int64_t>(i)) ++wrong;
        } else {
          c.insert(digests[i], key_set, kNow, Policy{}, ok_verdict(kNow + 1000 + static_cast<int64_t>(i)),
                   std::to_string(i));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const TokenCacheStats s = c.stats();
  EXPECT_EQ(wrong.load(), 0u);
  EXPECT_GT(hits.load(), 0u);
  EXPECT_EQ(s.hits, hits.load());
  EXPECT_EQ(s.hits + s.misses, lookups.load());
  EXPECT_LE(s.entries, c.capacity());
}

}  // namespace
}  // namespace jwtbatch::engine
