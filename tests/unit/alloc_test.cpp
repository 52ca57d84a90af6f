// alloc_test.cpp: the steady state allocates nothing per token in jwtbatch's own code. Counts calls
// to the global operator new (what jwtbatch's containers use; BoringSSL allocates with malloc,
// outside this count) while a warmed-up Verifier runs: one token and 4096 tokens must cost the same
// number of allocations (per batch: TBB's per-call bookkeeping), and verify() none at all.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "jwtbatch/jwtbatch.hpp"
#include "tests/support/token_builder.hpp"

// This file replaces the global operator new and delete with malloc and free; GCC cannot see that
// they pair up and warns where it inlines them.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// Sanitizers bring their own operator new and delete (and check that they pair up); counting needs
// ours, so under a sanitizer this test does not run (it runs in every plain build: tools/test.sh).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define JWTBATCH_COUNT_NEW 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define JWTBATCH_COUNT_NEW 0
#endif
#endif
#ifndef JWTBATCH_COUNT_NEW
#define JWTBATCH_COUNT_NEW 1
#endif

namespace {
std::atomic<long> g_news{0};
thread_local bool t_counting = false;
}  // namespace

#if JWTBATCH_COUNT_NEW
void* operator new(std::size_t n) {
  if (t_counting) g_news.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace jwtbatch {
namespace {

constexpr UnixSeconds kNow = 1767225600;

long count_news(const std::function<void()>& f) {
  g_news = 0;
  t_counting = true;
  f();
  t_counting = false;
  return g_news.load();
}

TEST(Allocation, NonePerToken) {
  if (!JWTBATCH_COUNT_NEW) GTEST_SKIP() << "sanitizer build: operator new belongs to the sanitizer";
  // The counter counts (the replacement operator new is the one in use).
  ASSERT_EQ(count_news([] { ::operator delete(::operator new(16)); }), 1);  // (a new-expression may be elided)
  std::string error;
  auto keys = KeySet::from_jwks(test::test_keys().jwks(), &error);
  ASSERT_TRUE(keys) << error;
  Policy policy;
  policy.audiences = {"api"};
  Verifier verifier(keys, policy);
  std::vector<std::string> tokens;
  for (auto [alg, kid] : {std::pair{"HS256", "hs"}, {"ES256", "es"}, {"EdDSA", "ed"}, {"RS256", "rs"}}) {
    const std::string h = std::string("{\"alg\":\"") + alg + "\",\"kid\":\"" + kid + "\"}";
    tokens.push_back(test::make_token(alg, h, "{\"exp\":" + std::to_string(kNow + 60) + ",\"aud\":[\"x\",\"api\"],\"iss\":\"i\"}"));
    tokens.push_back(test::make_token(alg, h, "{\"exp\":" + std::to_string(kNow - 60) + ",\"aud\":\"api\"}"));
  }
  tokens.push_back("garbage");
  std::vector<std::string_view> many;
  while (many.size() < 4096) many.insert(many.end(), tokens.begin(), tokens.end());
  many.resize(4096);
  std::vector<Verdict> out(many.size());
  // Warm up: workspaces grow to their steady size.
  verifier.verify_batch(many, out, kNow, nullptr, {1});
  for (const auto& t : tokens) verifier.verify(t, kNow);

  const long one = count_news([&] { verifier.verify_batch(std::span(many).first(1), out, kNow, nullptr, {1}); });
  const long all = count_news([&] { verifier.verify_batch(many, out, kNow, nullptr, {1}); });
  std::printf("operator new calls: 1 token %ld, 4096 tokens %ld\n", one, all);
  EXPECT_EQ(all, one) << "allocations grow with the number of tokens";
  EXPECT_LE(all, 4) << "more than TBB's per-batch bookkeeping";
  const long single = count_news([&] {
    for (const auto& t : tokens) verifier.verify(t, kNow);
  });
  EXPECT_EQ(single, 0);
  EXPECT_EQ(out[0].status, Status::ok);
}

}  // namespace
}  // namespace jwtbatch
