// p521_test.cpp: the P-521 ECDSA kernel (kernels/p521) against Wycheproof and against BoringSSL's
// ECDSA_do_verify, in batches (blocks of 64 sharing one inversion mod n, mixed keys, uneven batch
// sizes) and one at a time (verify_one).
//
// Differential cases (seeded; each checked by BoringSSL once, by the kernel batched and single),
// about 10,000 in a Release run (BoringSSL's P-521 verify costs about 1.2 ms, so its verdicts are
// computed on every core): random valid signatures and their high-S twins, every byte of r||s and
// of the digest corrupted, r or s = 0, 1, n - 1, n, n + 1, p, 2^528 - 1, digests 0 and 2^512 - 1,
// sums u1*G + u2*Q at infinity, points R with x(R) >= n (a key built for them), and keys G and -G
// with signatures whose first digits make the fast additions meet P + P and P + -P (the complete
// recomputation is counted). JWTBATCH_LONG_DIFF=N scales the random parts to about N cases;
// JWTBATCH_DIFF_SEED=K draws another set of them (long runs split over processes).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/nid.h>
#include <openssl/sha.h>

#include "kernels/p521/p521.hpp"
#include "tests/support/long_diff.hpp"
#include "tests/support/wycheproof.hpp"

namespace jwtbatch::kernels::p521 {
namespace {

using Bytes66 = std::array<uint8_t, kFieldBytes>;
using Digest = std::array<uint8_t, kDigestBytes>;
using Sig = std::array<uint8_t, kSigBytes>;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr size_t kScale = 10;  // sanitizer builds: a tenth of the cases
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr size_t kScale = 10;
#else
constexpr size_t kScale = 1;
#endif
#else
constexpr size_t kScale = 1;
#endif

// scaled returns `n` cases for CI, scaled by JWTBATCH_LONG_DIFF (target total, of ~10,000) when set.
size_t scaled(size_t n) {
  static const double factor = test::long_diff_scale(10000);
  return std::max<size_t>(1, static_cast<size_t>(static_cast<double>(n) * factor) / kScale);
}

using test::diff_seed;

const EC_GROUP* group() {
  static const EC_GROUP* g = EC_GROUP_new_by_curve_name(NID_secp521r1);
  return g;
}
const BIGNUM* order() { return EC_GROUP_get0_order(group()); }

bssl::UniquePtr<BIGNUM> bn_from(const uint8_t* b, size_t len) { return bssl::UniquePtr<BIGNUM>(BN_bin2bn(b, len, nullptr)); }
Bytes66 bn66(const BIGNUM* b) {
  Bytes66 out{};
  EXPECT_TRUE(BN_bn2bin_padded(out.data(), out.size(), b));
  return out;
}
bssl::UniquePtr<BIGNUM> field_p() {
  bssl::UniquePtr<BIGNUM> p(BN_new()), a(BN_new()), b(BN_new());
  EC_GROUP_get_curve_GFp(group(), p.get(), a.get(), b.get(), nullptr);
  return p;
}

// TestKey is one key: BoringSSL's EC_KEY (private part when known) and the kernel key.
struct TestKey {
  bssl::UniquePtr<EC_KEY> ec;
  bssl::UniquePtr<BIGNUM> d;  // null when unknown
  Bytes66 x{}, y{};
  std::shared_ptr<const Key> kernel;
};

std::unique_ptr<TestKey> key_from_point(const EC_POINT* q) {
  auto k = std::make_unique<TestKey>();
  k->ec.reset(EC_KEY_new());
  EC_KEY_set_group(k->ec.get(), group());
  EXPECT_TRUE(EC_KEY_set_public_key(k->ec.get(), q));
  bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
  EXPECT_TRUE(EC_POINT_get_affine_coordinates_GFp(group(), q, x.get(), y.get(), nullptr));
  k->x = bn66(x.get());
  k->y = bn66(y.get());
  const char* why = nullptr;
  k->kernel = prepare_key(k->x, k->y, &why);
  EXPECT_NE(k->kernel, nullptr) << (why ? why : "");
  return k;
}

std::unique_ptr<TestKey> key_from_private(const BIGNUM* d) {
  bssl::UniquePtr<EC_POINT> q(EC_POINT_new(group()));
  EXPECT_TRUE(EC_POINT_mul(group(), q.get(), d, nullptr, nullptr, nullptr));
  auto k = key_from_point(q.get());
  k->d.reset(BN_dup(d));
  EXPECT_TRUE(EC_KEY_set_private_key(k->ec.get(), d));
  return k;
}

std::unique_ptr<TestKey> random_key() {
  bssl::UniquePtr<BIGNUM> d(BN_new());
  EXPECT_TRUE(BN_rand_range_ex(d.get(), 1, order()));
  return key_from_private(d.get());
}

// Case is one verification: a key, a 64-byte digest, a 132-byte r||s, and what it should give when
// the test knows (-1: whatever BoringSSL says).
struct Case {
  const TestKey* key;
  Digest digest;
  Sig sig;
  int expect = -1;
  const char* kind = "";
};

Sig join(const Bytes66& r, const Bytes66& s) {
  Sig out;
  std::copy(r.begin(), r.end(), out.begin());
  std::copy(s.begin(), s.end(), out.begin() + kFieldBytes);
  return out;
}
Bytes66 r_of(const Sig& sig) {
  Bytes66 r;
  std::copy(sig.begin(), sig.begin() + kFieldBytes, r.begin());
  return r;
}
Bytes66 s_of(const Sig& sig) {
  Bytes66 s;
  std::copy(sig.begin() + kFieldBytes, sig.end(), s.begin());
  return s;
}

bool boringssl_verify(const TestKey& key, const Digest& digest, const Sig& sig) {
  bssl::UniquePtr<ECDSA_SIG> s(ECDSA_SIG_new());
  BN_bin2bn(sig.data(), kFieldBytes, s->r);
  BN_bin2bn(sig.data() + kFieldBytes, kFieldBytes, s->s);
  const bool ok = ECDSA_do_verify(digest.data(), digest.size(), s.get(), key.ec.get()) == 1;
  ERR_clear_error();
  return ok;
}

// sign_raw signs the digest `e` with key `d` and nonce `k`.
Sig sign_raw(const BIGNUM* d, const BIGNUM* k, const BIGNUM* e) {
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  bssl::UniquePtr<EC_POINT> rp(EC_POINT_new(group()));
  bssl::UniquePtr<BIGNUM> x(BN_new()), r(BN_new()), s(BN_new()), kinv(BN_new()), t(BN_new());
  EXPECT_TRUE(EC_POINT_mul(group(), rp.get(), k, nullptr, nullptr, ctx.get()));
  EXPECT_TRUE(EC_POINT_get_affine_coordinates_GFp(group(), rp.get(), x.get(), nullptr, ctx.get()));
  EXPECT_TRUE(BN_nnmod(r.get(), x.get(), order(), ctx.get()));
  EXPECT_TRUE(BN_mod_inverse(kinv.get(), k, order(), ctx.get()));
  EXPECT_TRUE(BN_mod_mul(t.get(), r.get(), d, order(), ctx.get()));
  EXPECT_TRUE(BN_mod_add(t.get(), t.get(), e, order(), ctx.get()));
  EXPECT_TRUE(BN_mod_mul(s.get(), t.get(), kinv.get(), order(), ctx.get()));
  return join(bn66(r.get()), bn66(s.get()));
}

Digest random_digest(std::mt19937_64& rng) {
  Digest b;
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

// Signer signs many digests with one key, one nonce per 16 signatures (nonce reuse is harmless here
// and saves the point multiplications of signing).
class Signer {
 public:
  Signer(const TestKey& key, std::mt19937_64& rng) : key_(key), rng_(rng) {}
  Sig sign(const Digest& digest) {
    if (used_++ % 16 == 0) new_nonce();
    bssl::UniquePtr<BIGNUM> e(bn_from(digest.data(), digest.size())), s(BN_new());
    BN_mod_add(s.get(), e.get(), rd_.get(), order(), ctx_.get());
    BN_mod_mul(s.get(), s.get(), kinv_.get(), order(), ctx_.get());
    return join(bn66(r_.get()), bn66(s.get()));
  }
  const BIGNUM* r() const { return r_.get(); }
  const BIGNUM* kinv() const { return kinv_.get(); }
  const BIGNUM* rd() const { return rd_.get(); }
  void new_nonce() {
    uint8_t seed[72];
    for (auto& b : seed) b = static_cast<uint8_t>(rng_());
    BN_bin2bn(seed, sizeof seed, k_.get());
    BN_nnmod(k_.get(), k_.get(), order(), ctx_.get());
    if (BN_is_zero(k_.get())) BN_one(k_.get());
    EC_POINT_mul(group(), rp_.get(), k_.get(), nullptr, nullptr, ctx_.get());
    EC_POINT_get_affine_coordinates_GFp(group(), rp_.get(), x_.get(), nullptr, ctx_.get());
    BN_nnmod(r_.get(), x_.get(), order(), ctx_.get());
    BN_mod_inverse(kinv_.get(), k_.get(), order(), ctx_.get());
    BN_mod_mul(rd_.get(), r_.get(), key_.d.get(), order(), ctx_.get());
  }

 private:
  const TestKey& key_;
  std::mt19937_64& rng_;
  size_t used_ = 0;
  bssl::UniquePtr<BN_CTX> ctx_{BN_CTX_new()};
  bssl::UniquePtr<EC_POINT> rp_{EC_POINT_new(group())};
  bssl::UniquePtr<BIGNUM> k_{BN_new()}, x_{BN_new()}, r_{BN_new()}, kinv_{BN_new()}, rd_{BN_new()};
};

// boringssl_verdicts runs BoringSSL on every case, spread over the machine's cores.
std::vector<uint8_t> boringssl_verdicts(const std::vector<Case>& cases) {
  std::vector<uint8_t> want(cases.size());
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < cases.size();)
      want[i] = boringssl_verify(*cases[i].key, cases[i].digest, cases[i].sig);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return want;
}

// run_all checks every case with BoringSSL, with the kernel in batches of uneven sizes (keys mixed
// as they come) and with verify_one; returns the number of cases.
size_t run_all(const std::vector<Case>& cases) {
  const std::vector<uint8_t> want = boringssl_verdicts(cases);
  size_t positives = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    positives += want[i];
    if (cases[i].expect >= 0) {
      EXPECT_EQ(static_cast<int>(want[i]), cases[i].expect)
          << "BoringSSL disagrees with the test's construction: " << cases[i].kind << " #" << i;
    }
  }
  std::vector<Job> jobs;
  for (const Case& c : cases) jobs.push_back(Job{c.key->kernel.get(), c.digest.data(), c.sig.data()});
  std::unique_ptr<bool[]> got(new bool[jobs.size()]);
  // Uneven batch sizes, as stage 6 hands them (chunks of up to ~1000, any mix of keys).
  for (size_t i = 0, step = 1; i < jobs.size(); i += step, step = step * 3 % 200 + 1)
    verify_batch(std::span<const Job>(jobs).subspan(i, std::min(step, jobs.size() - i)), got.get() + i);
  size_t mismatches = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const bool one = verify_one(*cases[i].key->kernel, cases[i].digest.data(), cases[i].sig.data());
    if ((got[i] != static_cast<bool>(want[i]) || one != static_cast<bool>(want[i])) && ++mismatches < 20) {
      ADD_FAILURE() << cases[i].kind << " #" << i << ": batch " << got[i] << ", verify_one " << one << ", BoringSSL "
                    << int(want[i]) << " sig " << test::to_hex(cases[i].sig) << " digest " << test::to_hex(cases[i].digest);
    }
  }
  EXPECT_EQ(mismatches, 0u);
  std::printf("[p521] %zu cases (%zu valid per BoringSSL)\n", cases.size(), positives);
  return cases.size();
}

// Keys shared by the tests: random ones, and G, 2G and -G (private keys 1, 2, n - 1), whose tables
// equal the generator's, or its doubles or negatives.
struct Keys {
  std::vector<std::unique_ptr<TestKey>> random;
  std::unique_ptr<TestKey> g, g2, neg_g;
};
const Keys& keys() {
  static const Keys* k = [] {
    auto* r = new Keys;
    for (int i = 0; i < 6; ++i) r->random.push_back(random_key());
    bssl::UniquePtr<BIGNUM> d(BN_new());
    BN_set_word(d.get(), 1);
    r->g = key_from_private(d.get());
    BN_set_word(d.get(), 2);
    r->g2 = key_from_private(d.get());
    BN_sub(d.get(), order(), BN_value_one());
    r->neg_g = key_from_private(d.get());
    return r;
  }();
  return *k;
}

std::vector<const TestKey*> all_keys() {
  const Keys& k = keys();
  std::vector<const TestKey*> all;
  for (auto& key : k.random) all.push_back(key.get());
  all.push_back(k.g.get()), all.push_back(k.g2.get()), all.push_back(k.neg_g.get());
  return all;
}

bool verify(const TestKey& k, const Digest& digest, const Sig& sig) {
  bool batch = false;
  const Job job{k.kernel.get(), digest.data(), sig.data()};
  verify_batch({&job, 1}, &batch);
  const bool one = verify_one(*k.kernel, digest.data(), sig.data());
  EXPECT_EQ(batch, one) << "batch and verify_one disagree";
  return batch;
}

// ---- key preparation and tables -----------------------------------------------------------------

TEST(P521Key, CurveConstantsAndTablesMatchBoringSSL) {
  const Keys& k = keys();
  bssl::UniquePtr<BIGNUM> gx(BN_new()), gy(BN_new());
  ASSERT_TRUE(EC_POINT_get_affine_coordinates_GFp(group(), EC_GROUP_get0_generator(group()), gx.get(), gy.get(), nullptr));
  EXPECT_EQ(k.g->x, bn66(gx.get()));
  EXPECT_EQ(k.g->y, bn66(gy.get()));
  // The key G's table is the generator's, built by the same code.
  EXPECT_EQ(std::memcmp(k.g->kernel->table(), generator_table(), Key::table_bytes()), 0);
  EXPECT_EQ(Key::table_bytes(), kTablePoints * 144);
  // Entries (window, digit) against BoringSSL's digit * 2^(w * window) * G: first, last, random.
  std::mt19937_64 rng(9);
  std::vector<std::pair<int, int>> entries = {{0, 1}, {0, 2}, {1, 1}, {kNumWindows - 1, kWindowEntries}};
  for (int i = 0; i < 12; ++i)
    entries.emplace_back(static_cast<int>(rng() % kNumWindows), 1 + static_cast<int>(rng() % kWindowEntries));
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  for (auto [w, d] : entries) {
    bssl::UniquePtr<BIGNUM> m(BN_new()), x(BN_new()), y(BN_new());
    BN_set_word(m.get(), d);
    BN_lshift(m.get(), m.get(), w * kWindowBits);
    BN_nnmod(m.get(), m.get(), order(), ctx.get());
    bssl::UniquePtr<EC_POINT> pt(EC_POINT_new(group()));
    ASSERT_TRUE(EC_POINT_mul(group(), pt.get(), m.get(), nullptr, nullptr, ctx.get()));
    ASSERT_TRUE(EC_POINT_get_affine_coordinates_GFp(group(), pt.get(), x.get(), y.get(), ctx.get()));
    // Limbs of 58 bits, little-endian, back to an integer.
    for (int c = 0; c < 2; ++c) {
      const uint64_t* limbs = generator_table() + (size_t(w) * kWindowEntries + size_t(d - 1)) * kEntryWords + c * kLimbs;
      bssl::UniquePtr<BIGNUM> v(BN_new()), t(BN_new());
      BN_zero(v.get());
      for (int i = kLimbs - 1; i >= 0; --i) {
        ASSERT_LT(limbs[i], uint64_t{1} << 58) << "limb " << i << " not reduced";
        BN_lshift(v.get(), v.get(), 58);
        BN_set_u64(t.get(), limbs[i]);
        BN_add(v.get(), v.get(), t.get());
      }
      EXPECT_EQ(BN_cmp(v.get(), c == 0 ? x.get() : y.get()), 0) << "entry (" << w << ", " << d << ") coordinate " << c;
    }
  }
}

TEST(P521Key, RejectsPointsOffTheCurveAndOutOfRange) {
  const Keys& k = keys();
  const Bytes66 x = k.random[0]->x, y = k.random[0]->y;
  const char* why = nullptr;
  ASSERT_NE(prepare_key(x, y, &why), nullptr);
  Bytes66 y2 = y;
  y2[65] ^= 1;  // off the curve
  EXPECT_EQ(prepare_key(x, y2, &why), nullptr);
  EXPECT_STREQ(why, "point is not on P-521");
  const Bytes66 zero{};
  EXPECT_EQ(prepare_key(zero, zero, &why), nullptr);  // (0, 0): not a point
  EXPECT_STREQ(why, "point is not on P-521");
  Bytes66 ff;
  ff.fill(0xFF);
  EXPECT_EQ(prepare_key(ff, y, &why), nullptr);
  EXPECT_STREQ(why, "coordinate >= p");
  // p itself (the field size) and y + p (the same residue, not a canonical coordinate).
  auto p = field_p();
  EXPECT_EQ(prepare_key(x, bn66(p.get()), &why), nullptr);
  EXPECT_STREQ(why, "coordinate >= p");
  bssl::UniquePtr<BIGNUM> yp(bn_from(y.data(), y.size()));
  BN_add(yp.get(), yp.get(), p.get());
  EXPECT_EQ(prepare_key(x, bn66(yp.get()), &why), nullptr);
  EXPECT_STREQ(why, "coordinate >= p");
  bssl::UniquePtr<BIGNUM> xp(bn_from(x.data(), x.size()));
  BN_add(xp.get(), xp.get(), p.get());
  EXPECT_EQ(prepare_key(bn66(xp.get()), y, &why), nullptr);
  EXPECT_STREQ(why, "coordinate >= p");
}

TEST(P521Key, LimitOnPreparedKeys) {
  const Keys& k = keys();
  const size_t before = prepared_key_count();
  ASSERT_LE(before, kMaxPreparedKeys);
  std::vector<std::shared_ptr<const Key>> held;
  while (prepared_key_count() < kMaxPreparedKeys) {
    auto key = prepare_key(k.random[1]->x, k.random[1]->y);
    ASSERT_NE(key, nullptr) << "refused at " << prepared_key_count();
    held.push_back(std::move(key));
  }
  const char* why = nullptr;
  EXPECT_EQ(prepare_key(k.random[1]->x, k.random[1]->y, &why), nullptr);
  EXPECT_STREQ(why, "too many prepared P-521 keys");
  held.pop_back();
  EXPECT_NE(prepare_key(k.random[1]->x, k.random[1]->y), nullptr) << "a slot freed";
  held.clear();
  EXPECT_EQ(prepared_key_count(), before);
}

// ---- known answers and the checks of fast-paths.md ----------------------------------------------

TEST(P521Kernel, WycheproofEcdsaSecp521r1Sha512P1363) {
  const std::string file = test::wycheproof_dir() + "ecdsa_secp521r1_sha512_p1363_test.json";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " not found";
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.load(file).get(root), simdjson::SUCCESS);
  test::WycheproofTally t;
  t.file = "ecdsa_secp521r1_sha512_p1363_test.json";
  t.number_of_tests = root["numberOfTests"];
  // Group by group (98 keys: more than kMaxPreparedKeys alive at once), each group's cases in one
  // batch, then each again alone and through verify_one.
  for (simdjson::dom::element g : root["testGroups"].get_array()) {
    ASSERT_EQ(std::string_view(g["sha"]), "SHA-512");
    auto point = test::from_hex(std::string_view(g["publicKey"]["uncompressed"]));
    ASSERT_TRUE(point && point->size() == 1 + 2 * kFieldBytes && (*point)[0] == 4);
    const char* why = nullptr;
    auto key = prepare_key(std::span<const uint8_t, kFieldBytes>(point->data() + 1, kFieldBytes),
                           std::span<const uint8_t, kFieldBytes>(point->data() + 1 + kFieldBytes, kFieldBytes), &why);
    ASSERT_NE(key, nullptr) << (why ? why : "");
    std::vector<test::WycheproofCase> wrong_length;
    std::vector<test::WycheproofCase> cs;
    std::vector<Digest> digests;
    std::vector<Sig> sigs;
    for (simdjson::dom::element test : g["tests"].get_array()) {
      test::WycheproofCase c;
      ASSERT_TRUE(test::read_case(test, &c));
      auto msg = test::from_hex(std::string_view(test["msg"]));
      auto sig = test::from_hex(std::string_view(test["sig"]));
      ASSERT_TRUE(msg && sig);
      if (sig->size() != kSigBytes) {  // raw r||s must be 132 bytes: rejected before the kernel
        wrong_length.push_back(c);
        continue;
      }
      Digest d;
      SHA512(msg->data(), msg->size(), d.data());
      Sig s;
      std::copy(sig->begin(), sig->end(), s.begin());
      cs.push_back(c);
      digests.push_back(d);
      sigs.push_back(s);
    }
    for (const auto& c : wrong_length) t.record(c, false);
    std::vector<Job> jobs;
    for (size_t i = 0; i < cs.size(); ++i) jobs.push_back(Job{key.get(), digests[i].data(), sigs[i].data()});
    std::unique_ptr<bool[]> batch(new bool[jobs.size() + 1]);
    verify_batch(jobs, batch.get());
    for (size_t i = 0; i < cs.size(); ++i) {
      bool alone = false;
      verify_batch({&jobs[i], 1}, &alone);
      const bool one = verify_one(*key, jobs[i].digest, jobs[i].sig);
      if (alone != batch[i] || one != batch[i]) {
        t.record_failure(cs[i], "batch, single and verify_one disagree");
        continue;
      }
      t.record(cs[i], batch[i]);
    }
  }
  std::printf("[wycheproof p521 kernel] %s\n", t.summary().c_str());
  EXPECT_EQ(t.total(), t.number_of_tests);
  EXPECT_EQ(t.failures, 0);
  for (const std::string& line : t.failure_lines) ADD_FAILURE() << line;
  EXPECT_GT(t.valid_verified, 200);
  EXPECT_GT(t.invalid_rejected, 0);
}

TEST(P521Kernel, RAndSOutOfRangeFail) {
  const TestKey& k = *keys().random[3];
  std::mt19937_64 rng(3);
  const Digest digest = random_digest(rng);
  bssl::UniquePtr<BIGNUM> kn(BN_new()), e(bn_from(digest.data(), digest.size()));
  BN_rand_range_ex(kn.get(), 1, order());
  const Sig good = sign_raw(k.d.get(), kn.get(), e.get());
  ASSERT_TRUE(verify(k, digest, good));
  const Bytes66 r = r_of(good), s = s_of(good), zero{}, n = bn66(order());
  Bytes66 ff;
  ff.fill(0xFF);
  bssl::UniquePtr<BIGNUM> t(bn_from(r.data(), r.size()));
  BN_add(t.get(), t.get(), order());
  const Bytes66 r_plus_n = bn66(t.get());  // < 2^522: fits 66 bytes, names the same x mod n
  t = bn_from(s.data(), s.size());
  BN_add(t.get(), t.get(), order());
  const Bytes66 s_plus_n = bn66(t.get());
  for (const Sig& bad : {join(zero, s), join(r, zero), join(zero, zero), join(n, s), join(r, n), join(r_plus_n, s),
                         join(r, s_plus_n), join(ff, s), join(r, ff)}) {
    EXPECT_FALSE(verify(k, digest, bad)) << test::to_hex(bad);
    EXPECT_FALSE(boringssl_verify(k, digest, bad)) << test::to_hex(bad);
  }
  // High-S (n - s) is a valid ECDSA signature too (JWS does not forbid it; BoringSSL accepts it).
  bssl::UniquePtr<BIGNUM> hs(bn_from(s.data(), s.size()));
  BN_sub(hs.get(), order(), hs.get());
  EXPECT_TRUE(verify(k, digest, join(r, bn66(hs.get()))));
}

TEST(P521Kernel, SumAtInfinityFails) {
  // With Q = d*G: u1*G + u2*Q = (e + r*d)/s * G, infinity when r = -e/d (mod n). Its "x" must not
  // be compared with r: the verification fails whatever s is.
  std::mt19937_64 rng(5);
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  for (const TestKey* k : {keys().random[4].get(), keys().g.get(), keys().neg_g.get()}) {
    for (int i = 0; i < 4; ++i) {
      const Digest digest = random_digest(rng);
      bssl::UniquePtr<BIGNUM> r(BN_new()), s(BN_new()), e(bn_from(digest.data(), digest.size())), dinv(BN_new());
      BN_mod_inverse(dinv.get(), k->d.get(), order(), ctx.get());
      BN_mod_mul(r.get(), e.get(), dinv.get(), order(), ctx.get());
      BN_sub(r.get(), order(), r.get());
      BN_rand_range_ex(s.get(), 1, order());
      const Sig sig = join(bn66(r.get()), bn66(s.get()));
      const uint64_t before = complete_recomputations();
      EXPECT_FALSE(verify(*k, digest, sig));
      EXPECT_FALSE(boringssl_verify(*k, digest, sig));
      EXPECT_GT(complete_recomputations(), before) << "a sum at infinity ends with Z = 0";
    }
  }
}

TEST(P521Kernel, ExtremeDigests) {
  // The digest is used whole (512 bits < 521): 0 and 2^512 - 1 sign and verify, and differ.
  const TestKey& k = *keys().random[5];
  std::mt19937_64 rng(7);
  Signer signer(k, rng);
  Digest zero{}, ones;
  ones.fill(0xFF);
  const Sig s0 = signer.sign(zero), s1 = signer.sign(ones);
  EXPECT_TRUE(verify(k, zero, s0));
  EXPECT_TRUE(verify(k, ones, s1));
  EXPECT_FALSE(verify(k, ones, s0));
  EXPECT_FALSE(verify(k, zero, s1));
  EXPECT_TRUE(boringssl_verify(k, zero, s0));
  EXPECT_TRUE(boringssl_verify(k, ones, s1));
}

// ---- differential against BoringSSL -------------------------------------------------------------

TEST(P521Differential, RandomValidAndHighS) {
  std::mt19937_64 rng(diff_seed(1));
  std::vector<Case> cases;
  const size_t per_key = scaled(160);
  for (const TestKey* key : all_keys()) {
    Signer signer(*key, rng);
    for (size_t i = 0; i < per_key; ++i) {
      const Digest digest = random_digest(rng);
      const Sig sig = signer.sign(digest);
      cases.push_back(Case{key, digest, sig, 1, "valid"});
      bssl::UniquePtr<BIGNUM> s(bn_from(sig.data() + kFieldBytes, kFieldBytes));
      BN_sub(s.get(), order(), s.get());
      cases.push_back(Case{key, digest, join(r_of(sig), bn66(s.get())), 1, "high-S"});
    }
  }
  std::shuffle(cases.begin(), cases.end(), rng);  // mixed key order, as a chunk of several keys
  EXPECT_GE(run_all(cases), per_key * 9 * 2);
}

TEST(P521Differential, EqualFirstDigitsOnGeneratorKeys) {
  // Keys G and -G share G's table (negated for -G). Valid signatures whose u1 and u2 agree in their
  // first window up to sign make the first fast addition P + P or P + -P, recomputed with complete
  // formulas. Each is checked, and its high-S twin (u1, u2 -> n - u1, n - u2: first digits equal
  // stay equal, opposite ones in general do not).
  std::mt19937_64 rng(diff_seed(2));
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  std::vector<Case> cases;
  const size_t want = scaled(240);
  size_t exceptional = 0;  // cases that must take the complete recomputation
  constexpr unsigned kMask = (1u << kWindowBits) - 1;
  // first_digits_clash: the first window's digits of u1 and u2 (their low bits) are equal or
  // opposite, and not zero.
  auto first_digits_clash = [&](const BIGNUM* u1, const BIGNUM* u2) {
    uint8_t lo1[kFieldBytes], lo2[kFieldBytes];
    BN_bn2bin_padded(lo1, sizeof lo1, u1);
    BN_bn2bin_padded(lo2, sizeof lo2, u2);
    const unsigned v1 = lo1[kFieldBytes - 1] & kMask, v2 = lo2[kFieldBytes - 1] & kMask;
    return v1 != 0 && (v1 == v2 || v1 + v2 == kMask + 1);
  };
  for (const TestKey* key : {keys().g.get(), keys().neg_g.get()}) {
    Signer signer(*key, rng);
    signer.new_nonce();
    bssl::UniquePtr<BIGNUM> e(BN_new()), s(BN_new()), w(BN_new()), u1(BN_new()), u2(BN_new());
    size_t found = 0;
    for (size_t tries = 0; found < want / 2 && tries < want * 1000; ++tries) {
      const Digest digest = random_digest(rng);
      BN_bin2bn(digest.data(), digest.size(), e.get());
      BN_mod_add(s.get(), e.get(), signer.rd(), order(), ctx.get());
      BN_mod_mul(s.get(), s.get(), signer.kinv(), order(), ctx.get());
      BN_mod_inverse(w.get(), s.get(), order(), ctx.get());
      BN_mod_mul(u1.get(), e.get(), w.get(), order(), ctx.get());
      BN_mod_mul(u2.get(), signer.r(), w.get(), order(), ctx.get());
      if (!first_digits_clash(u1.get(), u2.get())) continue;
      cases.push_back(Case{key, digest, join(bn66(signer.r()), bn66(s.get())), 1, "first digits equal up to sign"});
      ++exceptional;
      BN_sub(s.get(), order(), s.get());
      BN_sub(u1.get(), order(), u1.get());
      BN_sub(u2.get(), order(), u2.get());
      exceptional += first_digits_clash(u1.get(), u2.get());
      cases.push_back(Case{key, digest, join(bn66(signer.r()), bn66(s.get())), 1, "the same, high-S"});
      ++found;
    }
    EXPECT_EQ(found, want / 2);
  }
  const uint64_t before = complete_recomputations();
  EXPECT_GE(run_all(cases), want * 2 - 2);
  // Each case ran twice (batch and verify_one).
  EXPECT_GE(exceptional, cases.size() / 2);
  EXPECT_GE(complete_recomputations() - before, 2 * exceptional);
}

TEST(P521Differential, EveryByteCorrupted) {
  // Every byte of r||s and of the digest, each flipped in a random bit, plus random byte values.
  std::mt19937_64 rng(diff_seed(3));
  std::vector<Case> cases;
  const size_t sigs_n = scaled(12);
  const auto keys_list = all_keys();
  for (size_t j = 0; j < sigs_n; ++j) {
    const TestKey* key = keys_list[j % keys_list.size()];
    Signer signer(*key, rng);
    const Digest digest = random_digest(rng);
    const Sig sig = signer.sign(digest);
    cases.push_back(Case{key, digest, sig, 1, "valid"});
    for (size_t pos = 0; pos < kSigBytes; ++pos) {
      Case c{key, digest, sig, 0, "sig bit"};
      c.sig[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
      cases.push_back(c);
      c = Case{key, digest, sig, -1, "sig byte value"};
      c.sig[pos] = static_cast<uint8_t>(rng());
      cases.push_back(c);
    }
    for (size_t pos = 0; pos < kDigestBytes; ++pos) {
      Case c{key, digest, sig, 0, "digest bit"};
      c.digest[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
      cases.push_back(c);
    }
  }
  EXPECT_GE(run_all(cases), sigs_n * (1 + 2 * kSigBytes + kDigestBytes));
}

TEST(P521Differential, EdgeScalars) {
  std::mt19937_64 rng(diff_seed(4));
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  std::vector<Case> cases;
  std::vector<Bytes66> edge;
  auto p = field_p();
  bssl::UniquePtr<BIGNUM> t(BN_new());
  auto add_edge = [&](const BIGNUM* v) { edge.push_back(bn66(v)); };
  BN_zero(t.get()), add_edge(t.get());
  BN_one(t.get()), add_edge(t.get());
  BN_set_word(t.get(), 2), add_edge(t.get());
  BN_sub(t.get(), order(), BN_value_one()), add_edge(t.get());  // n - 1
  add_edge(order());                                            // n
  BN_add(t.get(), order(), BN_value_one()), add_edge(t.get());  // n + 1
  BN_rshift1(t.get(), order()), add_edge(t.get());              // (n - 1) / 2
  add_edge(p.get());                                            // p
  BN_sub(t.get(), p.get(), order()), add_edge(t.get());         // p - n
  Bytes66 ff;
  ff.fill(0xFF);
  edge.push_back(ff);                                           // 2^528 - 1
  const size_t rounds = scaled(60);
  const auto keys_list = all_keys();
  for (size_t j = 0; j < rounds; ++j) {
    const TestKey* key = keys_list[j % keys_list.size()];
    Signer signer(*key, rng);
    const Digest digest = random_digest(rng);
    const Sig sig = signer.sign(digest);
    cases.push_back(Case{key, digest, sig, 1, "valid"});
    // r or s replaced by an edge value, the other kept.
    for (const Bytes66& v : edge) {
      cases.push_back(Case{key, digest, join(v, s_of(sig)), -1, "edge r"});
      cases.push_back(Case{key, digest, join(r_of(sig), v), -1, "edge s"});
    }
    // Infinity: r = -e/d mod n, any s.
    bssl::UniquePtr<BIGNUM> r(BN_new()), s(BN_new()), e(bn_from(digest.data(), digest.size())), dinv(BN_new());
    BN_mod_inverse(dinv.get(), key->d.get(), order(), ctx.get());
    BN_mod_mul(r.get(), e.get(), dinv.get(), order(), ctx.get());
    BN_sub(r.get(), order(), r.get());
    BN_rand_range_ex(s.get(), 1, order());
    cases.push_back(Case{key, digest, join(bn66(r.get()), bn66(s.get())), 0, "infinity"});
  }
  EXPECT_GE(run_all(cases), rounds * (2 + 2 * edge.size()));
}

TEST(P521Differential, ResultWithXAtOrAboveN) {
  // R = (x, y) with n <= x < p; a key Q = (R - u1*G) / u2 makes (r = x - n, s) a valid signature:
  // the kernel must find x(R) == r + n (mod p) in Jacobian coordinates. r = x (>= n) must fail.
  std::mt19937_64 rng(diff_seed(6));
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  const BIGNUM* nn = order();
  auto p = field_p();
  bssl::UniquePtr<BIGNUM> a(BN_new()), b(BN_new()), pp(BN_new());
  EC_GROUP_get_curve_GFp(group(), pp.get(), a.get(), b.get(), ctx.get());
  // Rounds of at most kRound points (each its own kernel key) stay under kMaxPreparedKeys.
  constexpr size_t kRound = 16;
  std::vector<std::unique_ptr<TestKey>> made;
  std::vector<Case> cases;
  const size_t want_points = std::max<size_t>(4, scaled(16));
  size_t points = 0, checked = 0;
  bssl::UniquePtr<BIGNUM> x(BN_new()), rhs(BN_new()), t(BN_new()), y(BN_new());
  while (points < want_points) {
    if (made.size() == kRound) {
      checked += run_all(cases);
      cases.clear();
      made.clear();
    }
    // x = n + a random offset below p - n (about 2^259.5): 256 random bits.
    uint8_t off[32];
    for (auto& c : off) c = static_cast<uint8_t>(rng());
    BN_bin2bn(off, sizeof off, t.get());
    BN_add(x.get(), nn, t.get());
    if (BN_cmp(x.get(), p.get()) >= 0) continue;
    // rhs = x^3 + a x + b mod p, and its square root when there is one.
    BN_mod_sqr(rhs.get(), x.get(), p.get(), ctx.get());
    BN_mod_mul(rhs.get(), rhs.get(), x.get(), p.get(), ctx.get());
    BN_mod_mul(t.get(), a.get(), x.get(), p.get(), ctx.get());
    BN_mod_add(rhs.get(), rhs.get(), t.get(), p.get(), ctx.get());
    BN_mod_add(rhs.get(), rhs.get(), b.get(), p.get(), ctx.get());
    if (BN_mod_sqrt(y.get(), rhs.get(), p.get(), ctx.get()) == nullptr) {
      ERR_clear_error();
      continue;
    }
    bssl::UniquePtr<EC_POINT> rp(EC_POINT_new(group())), tp(EC_POINT_new(group())), q(EC_POINT_new(group()));
    if (!EC_POINT_set_affine_coordinates_GFp(group(), rp.get(), x.get(), y.get(), ctx.get())) {
      ERR_clear_error();  // BN_mod_sqrt of a non-residue may return a non-root
      continue;
    }
    bssl::UniquePtr<BIGNUM> r(BN_new()), s(BN_new()), e(BN_new()), w(BN_new()), u1(BN_new()), u2(BN_new()), u2i(BN_new());
    BN_sub(r.get(), x.get(), nn);
    BN_rand_range_ex(s.get(), 1, nn);
    const Digest digest = random_digest(rng);
    BN_bin2bn(digest.data(), digest.size(), e.get());
    BN_mod_inverse(w.get(), s.get(), nn, ctx.get());
    BN_mod_mul(u1.get(), e.get(), w.get(), nn, ctx.get());
    BN_mod_mul(u2.get(), r.get(), w.get(), nn, ctx.get());
    BN_mod_inverse(u2i.get(), u2.get(), nn, ctx.get());
    // Q = u2^-1 * (R - u1*G).
    EC_POINT_mul(group(), tp.get(), u1.get(), nullptr, nullptr, ctx.get());
    EC_POINT_invert(group(), tp.get(), ctx.get());
    EC_POINT_add(group(), tp.get(), rp.get(), tp.get(), ctx.get());
    EC_POINT_mul(group(), q.get(), nullptr, tp.get(), u2i.get(), ctx.get());
    made.push_back(key_from_point(q.get()));
    ++points;
    const TestKey* key = made.back().get();
    const Bytes66 rb = bn66(r.get()), sb = bn66(s.get());
    cases.push_back(Case{key, digest, join(rb, sb), 1, "x(R) >= n"});
    cases.push_back(Case{key, digest, join(bn66(x.get()), sb), 0, "r = x(R) >= n"});
    Bytes66 r1 = rb;
    r1[65] ^= 1;
    cases.push_back(Case{key, digest, join(r1, sb), 0, "r off by one bit"});
    // s -> n - s negates u1 and u2, so the sum is -R: same x, valid as well.
    BN_sub(s.get(), nn, s.get());
    cases.push_back(Case{key, digest, join(rb, bn66(s.get())), 1, "x(-R) >= n"});
  }
  checked += run_all(cases);
  EXPECT_GE(checked, want_points * 4);
}

}  // namespace
}  // namespace jwtbatch::kernels::p521
