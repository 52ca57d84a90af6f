// scheduler_test.cpp: batches and streams on oneTBB: verdicts identical at every thread count and
// to one-by-one verification, streams in input order with bounded chunks in flight, key rotation
// while batches run (each batch sees one key set). Run under ThreadSanitizer too (tools/sanitize.sh tsan).
#include <gtest/gtest.h>

#include <time.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "jwtbatch/jwtbatch.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch {
namespace {

using test::b64url;
using test::make_token;

constexpr UnixSeconds kNow = 1767225600;

std::shared_ptr<const KeySet> load(const std::string& jwks) {
  std::string error;
  auto keys = KeySet::from_jwks(jwks, &error);
  EXPECT_TRUE(keys) << error;
  return keys;
}

std::string hs_jwks(const std::string& secret) {
  return "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k\",\"alg\":\"HS256\",\"k\":\"" + b64url(secret) + "\"}]}";
}

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A mixed corpus over every test algorithm: valid, expired, forged, unknown kid, malformed.
std::vector<std::string> mixed(size_t n) {
  const char* algs[][2] = {{"HS256", "hs"}, {"RS256", "rs"}, {"PS256", "ps"}, {"ES256", "es"}, {"EdDSA", "ed"}};
  std::vector<std::string> base;
  for (auto& a : algs) {
    const std::string h = std::string("{\"alg\":\"") + a[0] + "\",\"kid\":\"" + a[1] + "\"}";
    base.push_back(make_token(a[0], h, "{\"exp\":" + std::to_string(kNow + 99) + "}"));
    base.push_back(make_token(a[0], h, "{\"exp\":" + std::to_string(kNow - 99) + "}"));
    std::string forged = make_token(a[0], h, "{\"exp\":" + std::to_string(kNow + 99) + "}");
    forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'Q' : 'A';
    base.push_back(forged);
  }
  base.push_back("x.y");
  base.push_back(make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"nope\"}", "{}"));
  std::vector<std::string> out;
  for (size_t i = 0; out.size() < n; ++i) out.push_back(base[(i * 7) % base.size()]);
  return out;
}

TEST(Scheduler, BatchStreamAndSingleAgree) {
  auto keys = load(test::test_keys().jwks());
  Verifier verifier(keys, Policy{});
  const std::vector<std::string> tokens = mixed(5000);
  const std::vector<std::string_view> views(tokens.begin(), tokens.end());
  std::vector<Verdict> single;
  for (auto t : views) single.push_back(verifier.verify(t, kNow));
  for (unsigned threads : {1u, 2u, 4u}) {
    std::vector<Verdict> batch(views.size());
    verifier.verify_batch(views, batch, kNow, nullptr, {threads});
    // The same through the stream, in uneven chunks, with few chunks in flight.
    size_t pos = 0, written = 0;
    StreamOptions opt;
    opt.threads = threads;
    opt.chunks_in_flight = 3;
    opt.chunk_tokens = 333;
    BatchStats stats;
    verifier.verify_stream(
        [&](StreamChunk& c) {
          const size_t n = std::min<size_t>(opt.chunk_tokens, views.size() - pos);
          for (size_t i = 0; i < n; ++i) c.tokens.push_back(views[pos + i]);
          pos += n;
          return n > 0;
        },
        [&](const StreamChunk& c) {
          ASSERT_EQ(c.first_index, written);
          for (size_t i = 0; i < c.tokens.size(); ++i) {
            ASSERT_EQ(c.tokens[i], views[written + i]);
            ASSERT_EQ(c.verdicts[i].status, single[written + i].status) << written + i;
          }
          written += c.tokens.size();
        },
        kNow, &stats, opt);
    EXPECT_EQ(written, views.size());
    EXPECT_EQ(stats.tokens, views.size());
    for (size_t i = 0; i < views.size(); ++i) {
      ASSERT_EQ(batch[i].status, single[i].status) << "threads " << threads << " token " << i;
      ASSERT_EQ(batch[i].key_index, single[i].key_index) << i;
    }
  }
}

TEST(Scheduler, StreamOwnsStorageAndBoundsChunks) {
  auto keys = load(hs_jwks(std::string(32, 's')));
  Verifier verifier(keys, Policy{});
  const std::string t = make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"k\"}",
                                   "{\"exp\":" + std::to_string(kNow + 9) + "}", bytes(std::string(32, 's')));
  std::atomic<int> alive{0};
  int max_alive = 0;
  size_t made = 0, ok = 0;
  std::set<const StreamChunk*> distinct;
  StreamOptions opt;
  opt.threads = 2;
  opt.chunks_in_flight = 4;
  verifier.verify_stream(
      [&](StreamChunk& c) {
        if (made == 200) return false;
        ++made;
        distinct.insert(&c);
        c.storage = t + t;  // the tokens live in the chunk's own storage
        c.tokens = {std::string_view(c.storage).substr(0, t.size()), std::string_view(c.storage).substr(t.size())};
        max_alive = std::max(max_alive, ++alive);
        return true;
      },
      [&](const StreamChunk& c) {
        --alive;
        for (const Verdict& v : c.verdicts) ok += v.status == Status::ok;
      },
      kNow, nullptr, opt);
  EXPECT_EQ(ok, 400u);
  EXPECT_LE(max_alive, 4);
  EXPECT_LE(distinct.size(), 4u);  // chunks are recycled: memory is bounded
}

TEST(Scheduler, RotationWhileBatchesRun) {
  // Two key sets with the same kid and different secrets. Tokens signed under each. While batches
  // run on two threads, another thread keeps swapping the sets: within one batch every verdict must
  // come from one and the same set.
  const std::string s1(32, 'a'), s2(32, 'b');
  auto keys1 = load(hs_jwks(s1));
  auto keys2 = load(hs_jwks(s2));
  const std::string h = "{\"alg\":\"HS256\",\"kid\":\"k\"}", c = "{\"exp\":" + std::to_string(kNow + 9) + "}";
  const std::string t1 = make_token("HS256", h, c, bytes(s1)), t2 = make_token("HS256", h, c, bytes(s2));
  std::vector<std::string_view> views;
  for (int i = 0; i < 4000; ++i) views.push_back(i % 2 ? t2 : t1);
  Verifier verifier(keys1, Policy{});
  std::atomic<bool> stop{false};
  std::thread rotator([&] {
    for (int i = 0; !stop; ++i) verifier.set_keys(i % 2 ? keys1 : keys2);
  });
  int saw1 = 0, saw2 = 0;
  for (int round = 0; round < 60; ++round) {
    std::vector<Verdict> out(views.size());
    verifier.verify_batch(views, out, kNow, nullptr, {2});
    // Set 1: even tokens ok, odd forged; set 2: the opposite.
    const bool set1 = out[0].status == Status::ok;
    (set1 ? saw1 : saw2)++;
    for (size_t i = 0; i < views.size(); ++i) {
      const bool expect_ok = (i % 2 == 0) == set1;
      ASSERT_EQ(out[i].status, expect_ok ? Status::ok : Status::bad_signature) << "round " << round << " token " << i;
    }
  }
  stop = true;
  rotator.join();
  EXPECT_GT(saw1 + saw2, 0);
}

TEST(Scheduler, ConcurrentCallersShareOneVerifier) {
  auto keys = load(test::test_keys().jwks());
  Verifier verifier(keys, Policy{});
  const std::vector<std::string> tokens = mixed(3000);
  const std::vector<std::string_view> views(tokens.begin(), tokens.end());
  std::vector<Verdict> expect(views.size());
  verifier.verify_batch(views, expect, kNow, nullptr, {1});
  std::vector<std::thread> callers;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&, t] {
      if (t == 0) {
        for (size_t i = 0; i < views.size(); ++i)
          if (verifier.verify(views[i], kNow).status != expect[i].status) ++mismatches;
      } else {
        std::vector<Verdict> out(views.size());
        verifier.verify_batch(views, out, kNow, nullptr, {2});
        for (size_t i = 0; i < views.size(); ++i)
          if (out[i].status != expect[i].status) ++mismatches;
      }
    });
  }
  for (auto& c : callers) c.join();
  EXPECT_EQ(mismatches, 0);
}

// Stage times are the verifying thread's CPU time, not wall-clock laps: with the cores oversubscribed
// by spinning threads, a one-thread batch's stage times still sum to no more than the CPU time its
// thread (the caller: an arena of one thread runs on it) spent in the call. Wall-clock laps would
// count the time the thread waited preempted.
TEST(Scheduler, StageTimesAreThreadCpuTime) {
  auto keys = load(hs_jwks(std::string(32, 's')));
  Verifier verifier(keys, Policy{});
  const std::string t = make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"k\"}",
                                   "{\"exp\":" + std::to_string(kNow + 9) + "}", bytes(std::string(32, 's')));
  const std::vector<std::string_view> views(5000, t);
  std::vector<Verdict> out(views.size());
  auto thread_cpu = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
  };
  std::atomic<bool> stop{false};
  std::vector<std::thread> spinners;
  for (unsigned i = 0; i < 2 * std::max(1u, std::thread::hardware_concurrency()); ++i)
    spinners.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
      }
    });
  BatchStats stats;
  const uint64_t before = thread_cpu();
  verifier.verify_batch(views, out, kNow, &stats, {1});
  const uint64_t spent = thread_cpu() - before;
  stop = true;
  for (auto& s : spinners) s.join();
  uint64_t staged = 0;
  for (const StageStats& st : stats.stages) staged += st.nanos;
  EXPECT_EQ(stats.tokens, views.size());
  EXPECT_EQ(stats.status_counts[static_cast<size_t>(Status::ok)], views.size());
  EXPECT_GT(staged, 0u);
  EXPECT_GT(stats.stage(Stage::verify).nanos, 0u);
  EXPECT_LE(staged, spent) << "stage times exceed the thread's CPU time: wall-clock laps?";
}

}  // namespace
}  // namespace jwtbatch
