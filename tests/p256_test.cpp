// p256_test.cpp: the P-256 ECDSA kernel (kernels/p256) against Wycheproof and against BoringSSL's
// ECDSA_do_verify, through every variant this CPU runs (scalar reference, AVX-512 IFMA lanes), in
// batches (the lanes, blocks of 64 sharing one inversion) and one at a time (verify_one).
//
// Differential cases (seeded, each case checked by BoringSSL once and by every variant), >= 100,000
// in all in a Release run: random valid signatures and their high-S twins, every byte of r||s and of
// the digest corrupted, r or s = 0, 1, n - 1, n, n + 1, 2^256 - 1, digests >= n (signed as chosen
// digests, must verify), sums u1*G + u2*Q at infinity (e = -r*d mod n with a known key), points R
// with x(R) >= n (a key built for them), and keys G and -G, whose tables make the lanes add a point
// to itself or to its negative. JWTBATCH_LONG_DIFF=N scales the random parts to about N cases;
// JWTBATCH_DIFF_SEED=K draws another set of them (long runs split over processes).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/nid.h>
#include <openssl/sha.h>

#include "kernels/cpu/features.hpp"
#include "kernels/p256/p256.hpp"
#include "tests/support/dispatch_model.hpp"
#include "tests/support/long_diff.hpp"
#include "tests/support/wycheproof.hpp"

namespace jwtbatch::kernels::p256 {
namespace {

using Bytes32 = std::array<uint8_t, 32>;
using Bytes64 = std::array<uint8_t, 64>;

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

// scaled returns `n` cases for CI, scaled by JWTBATCH_LONG_DIFF (target total, of ~100,000) when set.
size_t scaled(size_t n) {
  static const double factor = test::long_diff_scale(100000);
  return std::max<size_t>(1, static_cast<size_t>(static_cast<double>(n) * factor) / kScale);
}

using test::diff_seed;

const EC_GROUP* group() {
  static const EC_GROUP* g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  return g;
}

bssl::UniquePtr<BIGNUM> bn_from(const uint8_t* b, size_t len) { return bssl::UniquePtr<BIGNUM>(BN_bin2bn(b, len, nullptr)); }
bssl::UniquePtr<BIGNUM> bn_hex(const char* hex) {
  BIGNUM* b = nullptr;
  BN_hex2bn(&b, hex);
  return bssl::UniquePtr<BIGNUM>(b);
}
Bytes32 bn_bytes(const BIGNUM* b) {
  Bytes32 out{};
  EXPECT_TRUE(BN_bn2bin_padded(out.data(), out.size(), b));
  return out;
}
const BIGNUM* order() { return EC_GROUP_get0_order(group()); }

// TestKey is one key: BoringSSL's EC_KEY (private part when known) and the kernel key per format.
struct TestKey {
  bssl::UniquePtr<EC_KEY> ec;
  bssl::UniquePtr<BIGNUM> d;  // null when unknown
  Bytes32 x{}, y{};
  std::shared_ptr<const Key> kernel[2];  // by TableFormat
  const Key* for_format(TableFormat f) const { return kernel[static_cast<int>(f)].get(); }
};

std::unique_ptr<TestKey> key_from_point(const EC_POINT* q) {
  auto k = std::make_unique<TestKey>();
  k->ec.reset(EC_KEY_new());
  EC_KEY_set_group(k->ec.get(), group());
  EXPECT_TRUE(EC_KEY_set_public_key(k->ec.get(), q));
  bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
  EXPECT_TRUE(EC_POINT_get_affine_coordinates_GFp(group(), q, x.get(), y.get(), nullptr));
  k->x = bn_bytes(x.get());
  k->y = bn_bytes(y.get());
  for (TableFormat f : {TableFormat::mont64, TableFormat::ifma52}) {
    const char* why = nullptr;
    k->kernel[static_cast<int>(f)] = prepare_key(k->x, k->y, f, &why);
    EXPECT_NE(k->kernel[static_cast<int>(f)], nullptr) << (why ? why : "");
  }
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

// Case is one verification: a key, a 32-byte digest, a 64-byte r||s, and what it should give when
// the test knows (-1: whatever BoringSSL says).
struct Case {
  const TestKey* key;
  Bytes32 digest;
  Bytes64 sig;
  int expect = -1;
  const char* kind = "";
};

Bytes64 join(const Bytes32& r, const Bytes32& s) {
  Bytes64 out;
  std::copy(r.begin(), r.end(), out.begin());
  std::copy(s.begin(), s.end(), out.begin() + 32);
  return out;
}

bool boringssl_verify(const Case& c) {
  bssl::UniquePtr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BN_bin2bn(c.sig.data(), 32, sig->r);
  BN_bin2bn(c.sig.data() + 32, 32, sig->s);
  const bool ok = ECDSA_do_verify(c.digest.data(), 32, sig.get(), c.key->ec.get()) == 1;
  ERR_clear_error();
  return ok;
}

// sign_raw signs the integer `e` (taken mod n, as a digest would be) with key `d` and nonce `k`.
Bytes64 sign_raw(const BIGNUM* d, const BIGNUM* k, const BIGNUM* e) {
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  bssl::UniquePtr<EC_POINT> rp(EC_POINT_new(group()));
  bssl::UniquePtr<BIGNUM> x(BN_new()), r(BN_new()), s(BN_new()), kinv(BN_new()), t(BN_new()), em(BN_new());
  EXPECT_TRUE(EC_POINT_mul(group(), rp.get(), k, nullptr, nullptr, ctx.get()));
  EXPECT_TRUE(EC_POINT_get_affine_coordinates_GFp(group(), rp.get(), x.get(), nullptr, ctx.get()));
  EXPECT_TRUE(BN_nnmod(r.get(), x.get(), order(), ctx.get()));
  EXPECT_TRUE(BN_nnmod(em.get(), e, order(), ctx.get()));
  EXPECT_TRUE(BN_mod_inverse(kinv.get(), k, order(), ctx.get()));
  EXPECT_TRUE(BN_mod_mul(t.get(), r.get(), d, order(), ctx.get()));
  EXPECT_TRUE(BN_mod_add(t.get(), t.get(), em.get(), order(), ctx.get()));
  EXPECT_TRUE(BN_mod_mul(s.get(), t.get(), kinv.get(), order(), ctx.get()));
  return join(bn_bytes(r.get()), bn_bytes(s.get()));
}

// sign_many signs `digests` with one nonce per 16 (nonce reuse is harmless here and saves the point
// multiplications of signing).
std::vector<Bytes64> sign_many(const TestKey& key, const std::vector<Bytes32>& digests, std::mt19937_64& rng) {
  std::vector<Bytes64> out;
  bssl::UniquePtr<BIGNUM> k(BN_new());
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  bssl::UniquePtr<EC_POINT> rp(EC_POINT_new(group()));
  bssl::UniquePtr<BIGNUM> x(BN_new()), r(BN_new()), s(BN_new()), kinv(BN_new()), rd(BN_new()), e(BN_new());
  for (size_t i = 0; i < digests.size(); ++i) {
    if (i % 16 == 0) {
      uint8_t seed[32];
      for (auto& b : seed) b = static_cast<uint8_t>(rng());
      BN_bin2bn(seed, 32, k.get());
      BN_nnmod(k.get(), k.get(), order(), ctx.get());
      if (BN_is_zero(k.get())) BN_one(k.get());
      EC_POINT_mul(group(), rp.get(), k.get(), nullptr, nullptr, ctx.get());
      EC_POINT_get_affine_coordinates_GFp(group(), rp.get(), x.get(), nullptr, ctx.get());
      BN_nnmod(r.get(), x.get(), order(), ctx.get());
      BN_mod_inverse(kinv.get(), k.get(), order(), ctx.get());
      BN_mod_mul(rd.get(), r.get(), key.d.get(), order(), ctx.get());
    }
    BN_bin2bn(digests[i].data(), 32, e.get());
    BN_nnmod(e.get(), e.get(), order(), ctx.get());
    BN_mod_add(s.get(), e.get(), rd.get(), order(), ctx.get());
    BN_mod_mul(s.get(), s.get(), kinv.get(), order(), ctx.get());
    out.push_back(join(bn_bytes(r.get()), bn_bytes(s.get())));
  }
  return out;
}

Bytes32 random32(std::mt19937_64& rng) {
  Bytes32 b;
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

// run_all checks every case with BoringSSL, with every variant in batches (keys in the variant's
// format, and in the other format), and with verify_one; returns the number of cases.
size_t run_all(const std::vector<Case>& cases) {
  std::vector<uint8_t> want(cases.size());
  size_t positives = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    want[i] = boringssl_verify(cases[i]);
    positives += want[i];
    if (cases[i].expect >= 0) {
      EXPECT_EQ(static_cast<int>(want[i]), cases[i].expect) << "BoringSSL disagrees with the test's construction: "
                                                            << cases[i].kind << " #" << i;
    }
  }
  size_t mismatches = 0;
  for (const Variant& v : supported_variants()) {
    for (TableFormat f : {v.format, v.format == TableFormat::mont64 ? TableFormat::ifma52 : TableFormat::mont64}) {
      if (f != v.format && &v != &supported_variants()[0]) continue;  // scalar also runs ifma52 keys
      // The scalar variant with ifma52 keys (the path of exceptional IFMA lanes) on every 8th case.
      const size_t every = f == v.format ? 1 : 8;
      std::vector<Job> jobs;
      std::vector<size_t> which;
      for (size_t i = 0; i < cases.size(); i += every) {
        jobs.push_back(Job{cases[i].key->for_format(f), cases[i].digest.data(), cases[i].sig.data()});
        which.push_back(i);
      }
      std::unique_ptr<bool[]> got(new bool[jobs.size()]);
      // Uneven batch sizes, as stage 6 hands them (chunks of up to ~1000, any mix of keys).
      for (size_t i = 0, step = 1; i < jobs.size(); i += step, step = step * 3 % 1000 + 1) {
        const size_t len = std::min(step, jobs.size() - i);
        v.verify_batch(std::span<const Job>(jobs).subspan(i, len), got.get() + i);
      }
      for (size_t j = 0; j < jobs.size(); ++j) {
        const size_t i = which[j];
        if (got[j] != static_cast<bool>(want[i]) && ++mismatches < 20) {
          ADD_FAILURE() << v.name << " (keys " << (f == TableFormat::mont64 ? "mont64" : "ifma52") << ") "
                        << cases[i].kind << " #" << i << ": kernel " << got[j] << ", BoringSSL "
                        << int(want[i]) << " sig " << test::to_hex(cases[i].sig) << " digest "
                        << test::to_hex(cases[i].digest);
        }
      }
    }
  }
  // The single-shot reference on every 16th case (it pays a whole inversion mod n each).
  for (size_t i = 0; i < cases.size(); i += 16) {
    const bool got = verify_one(*cases[i].key->for_format(TableFormat::mont64), cases[i].digest.data(), cases[i].sig.data());
    if (got != static_cast<bool>(want[i]) && ++mismatches < 20) {
      ADD_FAILURE() << "verify_one " << cases[i].kind << " #" << i << ": kernel " << got << ", BoringSSL " << int(want[i]);
    }
  }
  EXPECT_EQ(mismatches, 0u);
  std::printf("[p256] %zu cases (%zu valid per BoringSSL), variants:", cases.size(), positives);
  for (const Variant& v : supported_variants()) std::printf(" %s", std::string(v.name).c_str());
  std::printf("\n");
  return cases.size();
}

// Keys shared by the differential tests: random ones, and G, 2G and -G (private keys 1, 2, n - 1),
// whose tables collide with the generator's (doubling and opposite points inside the lanes).
struct Keys {
  std::vector<std::unique_ptr<TestKey>> random;
  std::unique_ptr<TestKey> g, g2, neg_g;
};
const Keys& keys() {
  static const Keys* k = [] {
    auto* r = new Keys;
    for (int i = 0; i < 8; ++i) r->random.push_back(random_key());
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

const TestKey* any_key(std::mt19937_64& rng) {
  const Keys& k = keys();
  const size_t i = rng() % (k.random.size() + 3);
  if (i < k.random.size()) return k.random[i].get();
  return i == k.random.size() ? k.g.get() : i == k.random.size() + 1 ? k.g2.get() : k.neg_g.get();
}

// ---- key preparation ----------------------------------------------------------------------------

TEST(P256Key, GeneratorAndRandomKeysPrepare) {
  const Keys& k = keys();
  EXPECT_EQ(test::to_hex(k.g->x), "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
  for (auto f : {TableFormat::mont64, TableFormat::ifma52}) {
    EXPECT_EQ(k.g->for_format(f)->format(), f);
    EXPECT_EQ(k.g->for_format(f)->table_bytes(), kTablePoints * table_entry_words(f) * 8);
    EXPECT_LE(k.g->for_format(f)->table_bytes(), size_t{200} << 10) << "bounded memory per key";
  }
}

TEST(P256Key, RejectsPointsOffTheCurveAndOutOfRange) {
  const Keys& k = keys();
  Bytes32 x = k.random[0]->x, y = k.random[0]->y;
  const char* why = nullptr;
  ASSERT_NE(prepare_key(x, y, TableFormat::mont64, &why), nullptr);
  Bytes32 y2 = y;
  y2[31] ^= 1;  // off the curve
  EXPECT_EQ(prepare_key(x, y2, TableFormat::mont64, &why), nullptr);
  EXPECT_STREQ(why, "point is not on P-256");
  EXPECT_EQ(prepare_key(x, y2, TableFormat::ifma52, &why), nullptr);
  Bytes32 zero{};
  EXPECT_EQ(prepare_key(zero, zero, TableFormat::mont64, &why), nullptr);  // (0, 0): not a point
  // y + p is the same residue but not a canonical coordinate (and p itself, the field size).
  Bytes32 ff;
  ff.fill(0xFF);
  EXPECT_EQ(prepare_key(ff, y, TableFormat::mont64, &why), nullptr);
  EXPECT_STREQ(why, "coordinate >= p");
  const Bytes32 p = bn_bytes(bn_hex("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF").get());
  EXPECT_EQ(prepare_key(x, p, TableFormat::mont64, &why), nullptr);
  EXPECT_STREQ(why, "coordinate >= p");
  // The x of a point with y = 0 would need x^3 - 3x + b = 0; none exists on a prime-order curve, so
  // the other half of "the point at infinity has no affine coordinates" is that (0, 0) fails above.
}

TEST(P256Key, LimitOnPreparedKeys) {
  const Keys& k = keys();
  const size_t before = prepared_key_count();
  ASSERT_LE(before, kMaxPreparedKeys);
  std::vector<std::shared_ptr<const Key>> held;
  while (prepared_key_count() < kMaxPreparedKeys) {
    auto key = prepare_key(k.random[1]->x, k.random[1]->y, TableFormat::mont64);
    ASSERT_NE(key, nullptr) << "refused at " << prepared_key_count();
    held.push_back(std::move(key));
  }
  const char* why = nullptr;
  EXPECT_EQ(prepare_key(k.random[1]->x, k.random[1]->y, TableFormat::mont64, &why), nullptr);
  EXPECT_STREQ(why, "too many prepared P-256 keys");
  held.pop_back();
  EXPECT_NE(prepare_key(k.random[1]->x, k.random[1]->y, TableFormat::ifma52), nullptr) << "a slot freed";
  held.clear();
  EXPECT_EQ(prepared_key_count(), before);
}

// ---- dispatch -----------------------------------------------------------------------------------

TEST(P256Dispatch, ScalarFirstAndActiveIsSupported) {
  ASSERT_FALSE(supported_variants().empty());
  EXPECT_EQ(supported_variants()[0].verify_batch, &verify_batch_scalar);
  std::vector<std::string_view> names;
  for (const Variant& v : supported_variants()) names.push_back(v.name);
  EXPECT_EQ(names, test::expected_supported(test::family_model("p256"), cpu_features()));
  EXPECT_EQ(find_variant(active_variant().name), &active_variant());
  if (const char* want = std::getenv("JWTBATCH_TEST_EXPECT_VARIANT"); want != nullptr) {
    EXPECT_EQ(active_variant().name, want);
  }
}

// The choice is made once per process, so forcing is checked in children under every
// JWTBATCH_FORCE_ISA value (avx2 is below the IFMA variant's level avx512: scalar).
TEST(P256Dispatch, ForcedIsaInChildProcesses) {
  test::expect_children_follow_policy("p256", "P256Dispatch.ScalarFirstAndActiveIsSupported", false);
}

// ---- every variant: known answers and the checks of fast-paths.md --------------------------------

class P256Variant : public ::testing::TestWithParam<std::string> {
 protected:
  const Variant& variant() const { return *find_variant(GetParam()); }
  const Key* key(const TestKey& k) const { return k.for_format(variant().format); }
  bool verify(const TestKey& k, const Bytes32& digest, const Bytes64& sig) const {
    bool out = false;
    const Job job{key(k), digest.data(), sig.data()};
    variant().verify_batch({&job, 1}, &out);
    return out;
  }
};

std::vector<std::string> variant_names() {
  std::vector<std::string> names;
  for (const Variant& v : supported_variants()) names.emplace_back(v.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Variants, P256Variant, ::testing::ValuesIn(variant_names()),
                         [](const auto& info) { return info.param; });

TEST_P(P256Variant, WycheproofEcdsaSecp256r1Sha256P1363) {
  const std::string file = test::wycheproof_dir() + "ecdsa_secp256r1_sha256_p1363_test.json";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " not found";
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.load(file).get(root), simdjson::SUCCESS);
  test::WycheproofTally t;
  t.file = "ecdsa_secp256r1_sha256_p1363_test.json";
  t.number_of_tests = root["numberOfTests"];
  // All cases of the file go through one batch (many keys, lanes filled across them), then each
  // again alone.
  struct Pending {
    test::WycheproofCase c;
    size_t job;  // SIZE_MAX: wrong signature length (raw r||s must be 64 bytes)
  };
  std::vector<Pending> pending;
  std::vector<std::shared_ptr<const Key>> kernel_keys;
  std::vector<Bytes32> digests;
  std::vector<Bytes64> sigs;
  std::vector<const Key*> job_keys;
  for (simdjson::dom::element g : root["testGroups"].get_array()) {
    ASSERT_EQ(std::string_view(g["sha"]), "SHA-256");
    auto point = test::from_hex(std::string_view(g["publicKey"]["uncompressed"]));
    ASSERT_TRUE(point && point->size() == 65 && (*point)[0] == 4);
    const char* why = nullptr;
    auto k = prepare_key(std::span<const uint8_t, 32>(point->data() + 1, 32),
                         std::span<const uint8_t, 32>(point->data() + 33, 32), variant().format, &why);
    ASSERT_NE(k, nullptr) << (why ? why : "");
    kernel_keys.push_back(k);
    for (simdjson::dom::element test : g["tests"].get_array()) {
      Pending p;
      ASSERT_TRUE(test::read_case(test, &p.c));
      auto msg = test::from_hex(std::string_view(test["msg"]));
      auto sig = test::from_hex(std::string_view(test["sig"]));
      ASSERT_TRUE(msg && sig);
      p.job = SIZE_MAX;
      if (sig->size() == 64) {
        Bytes32 d;
        SHA256(msg->data(), msg->size(), d.data());
        Bytes64 s;
        std::copy(sig->begin(), sig->end(), s.begin());
        p.job = digests.size();
        digests.push_back(d);
        sigs.push_back(s);
        job_keys.push_back(k.get());
      }
      pending.push_back(p);
    }
  }
  std::vector<Job> jobs;
  for (size_t i = 0; i < digests.size(); ++i) jobs.push_back(Job{job_keys[i], digests[i].data(), sigs[i].data()});
  std::unique_ptr<bool[]> batch(new bool[jobs.size()]);
  variant().verify_batch(jobs, batch.get());
  for (const Pending& p : pending) {
    if (p.job == SIZE_MAX) {
      t.record(p.c, false);
      continue;
    }
    bool alone = false;
    variant().verify_batch({&jobs[p.job], 1}, &alone);
    const bool one = verify_one(*jobs[p.job].key, jobs[p.job].digest, jobs[p.job].sig);
    if (alone != batch[p.job] || one != batch[p.job]) {
      t.record_failure(p.c, "batch, single and verify_one disagree");
      continue;
    }
    t.record(p.c, batch[p.job]);
  }
  std::printf("[wycheproof %s] %s\n", GetParam().c_str(), t.summary().c_str());
  EXPECT_EQ(t.total(), t.number_of_tests);
  EXPECT_EQ(t.failures, 0);
  for (const std::string& line : t.failure_lines) ADD_FAILURE() << line;
  EXPECT_GT(t.valid_verified, 0);
  EXPECT_GT(t.invalid_rejected, 0);
}

TEST_P(P256Variant, DigestAtOrAboveNIsReducedAndVerifies) {
  const TestKey& k = *keys().random[2];
  std::mt19937_64 rng(11);
  bssl::UniquePtr<BIGNUM> kn(BN_new());
  int checked = 0;
  for (const char* hex : {"FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",   // n: e = 0
                          "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632552",   // n + 1
                          "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",   // 2^256 - 1
                          "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF"}) { // p
    auto e = bn_hex(hex);
    Bytes32 digest = bn_bytes(e.get());
    BN_rand_range_ex(kn.get(), 1, order());
    const Bytes64 sig = sign_raw(k.d.get(), kn.get(), e.get());
    EXPECT_TRUE(verify(k, digest, sig)) << hex;
    // The same signature over e - n (the reduced digest) verifies too; over e + 1 it does not.
    bssl::UniquePtr<BIGNUM> red(BN_new());
    BN_sub(red.get(), e.get(), order());
    EXPECT_TRUE(verify(k, bn_bytes(red.get()), sig)) << hex;
    Bytes32 other = digest;
    other[31] ^= 1;
    EXPECT_FALSE(verify(k, other, sig)) << hex;
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST_P(P256Variant, RAndSOutOfRangeFail) {
  const TestKey& k = *keys().random[3];
  Bytes32 digest{};
  digest[0] = 0x42;
  bssl::UniquePtr<BIGNUM> kn(BN_new()), e(bn_from(digest.data(), 32));
  BN_rand_range_ex(kn.get(), 1, order());
  const Bytes64 good = sign_raw(k.d.get(), kn.get(), e.get());
  ASSERT_TRUE(verify(k, digest, good));
  Bytes32 r, s;
  std::copy(good.begin(), good.begin() + 32, r.begin());
  std::copy(good.begin() + 32, good.end(), s.begin());
  const Bytes32 zero{}, n = bn_bytes(order());
  Bytes32 r_plus_n, s_plus_n, ff;
  ff.fill(0xFF);
  {
    bssl::UniquePtr<BIGNUM> t(bn_from(r.data(), 32));
    BN_add(t.get(), t.get(), order());
    // r + n fits 32 bytes only when r < 2^256 - n; then it must fail (it names the same x mod n).
    r_plus_n = BN_num_bytes(t.get()) <= 32 ? bn_bytes(t.get()) : ff;
    t = bn_from(s.data(), 32);
    BN_add(t.get(), t.get(), order());
    s_plus_n = BN_num_bytes(t.get()) <= 32 ? bn_bytes(t.get()) : ff;
  }
  for (const Bytes64& bad : {join(zero, s), join(r, zero), join(zero, zero), join(n, s), join(r, n),
                             join(r_plus_n, s), join(r, s_plus_n), join(ff, s), join(r, ff)}) {
    EXPECT_FALSE(verify(k, digest, bad)) << test::to_hex(bad);
    EXPECT_FALSE(boringssl_verify(Case{&k, digest, bad})) << test::to_hex(bad);
  }
  // High-S (n - s) is a valid ECDSA signature too (JWS does not forbid it; BoringSSL accepts it).
  bssl::UniquePtr<BIGNUM> hs(bn_from(s.data(), 32));
  BN_sub(hs.get(), order(), hs.get());
  EXPECT_TRUE(verify(k, digest, join(r, bn_bytes(hs.get()))));
}

TEST_P(P256Variant, SumAtInfinityFails) {
  // With Q = d*G: u1*G + u2*Q = (e + r*d)/s * G, infinity when e = -r*d (mod n). Its "x" must not
  // be compared with r: the verification fails whatever r and s are.
  std::mt19937_64 rng(5);
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  for (const TestKey* k : {keys().random[4].get(), keys().g.get(), keys().neg_g.get()}) {
    for (int i = 0; i < 8; ++i) {
      bssl::UniquePtr<BIGNUM> r(BN_new()), s(BN_new()), e(BN_new());
      BN_rand_range_ex(r.get(), 1, order());
      BN_rand_range_ex(s.get(), 1, order());
      BN_mod_mul(e.get(), r.get(), k->d.get(), order(), ctx.get());
      BN_sub(e.get(), order(), e.get());
      const Bytes64 sig = join(bn_bytes(r.get()), bn_bytes(s.get()));
      EXPECT_FALSE(verify(*k, bn_bytes(e.get()), sig));
      EXPECT_FALSE(boringssl_verify(Case{k, bn_bytes(e.get()), sig}));
    }
  }
}

// ---- differential against BoringSSL --------------------------------------------------------------

TEST(P256Differential, RandomValidAndHighS) {
  std::mt19937_64 rng(diff_seed(1));
  std::vector<Case> cases;
  const size_t per_key = scaled(1600);
  const Keys& k = keys();
  std::vector<const TestKey*> all;
  for (auto& key : k.random) all.push_back(key.get());
  all.push_back(k.g.get()), all.push_back(k.g2.get()), all.push_back(k.neg_g.get());
  for (const TestKey* key : all) {
    std::vector<Bytes32> digests;
    for (size_t i = 0; i < per_key; ++i) {
      digests.push_back(random32(rng));
      // Keys G and 2G: e = r makes u1 = u2, the lanes then add a point to itself.
    }
    auto sigs = sign_many(*key, digests, rng);
    for (size_t i = 0; i < per_key; ++i) {
      cases.push_back(Case{key, digests[i], sigs[i], 1, "valid"});
      // The high-S twin (r, n - s).
      bssl::UniquePtr<BIGNUM> s(bn_from(sigs[i].data() + 32, 32));
      BN_sub(s.get(), order(), s.get());
      Bytes32 r{};
      std::copy(sigs[i].begin(), sigs[i].begin() + 32, r.begin());
      cases.push_back(Case{key, digests[i], join(r, bn_bytes(s.get())), 1, "high-S"});
    }
  }
  // Mixed key order, as a chunk of several keys would be.
  std::shuffle(cases.begin(), cases.end(), rng);
  EXPECT_GE(run_all(cases), scaled(1600) * 11 * 2);
}

TEST(P256Differential, EqualScalarsOnGeneratorKeys) {
  // Keys G, 2G, -G with e = r*c: u1*G and u2*Q then share digits window by window, so the lanes meet
  // P + P and P + (-P); signed validly with chosen nonces.
  std::mt19937_64 rng(diff_seed(2));
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  std::vector<Case> cases;
  const Keys& k = keys();
  const size_t n = scaled(3000);
  for (size_t i = 0; i < n; ++i) {
    const TestKey* key = i % 3 == 0 ? k.g.get() : i % 3 == 1 ? k.g2.get() : k.neg_g.get();
    bssl::UniquePtr<BIGNUM> kn(BN_new()), x(BN_new()), r(BN_new()), e(BN_new());
    BN_rand_range_ex(kn.get(), 1, order());
    bssl::UniquePtr<EC_POINT> rp(EC_POINT_new(group()));
    EC_POINT_mul(group(), rp.get(), kn.get(), nullptr, nullptr, ctx.get());
    EC_POINT_get_affine_coordinates_GFp(group(), rp.get(), x.get(), nullptr, ctx.get());
    BN_nnmod(r.get(), x.get(), order(), ctx.get());
    // e = r * d makes u1 = u2 * d, so u1*G = u2*Q.
    BN_mod_mul(e.get(), r.get(), key->d.get(), order(), ctx.get());
    const Bytes64 sig = sign_raw(key->d.get(), kn.get(), e.get());
    cases.push_back(Case{key, bn_bytes(e.get()), sig, 1, "u1*G == u2*Q"});
    // e = -r * d: the sum is infinity.
    BN_sub(e.get(), order(), e.get());
    cases.push_back(Case{key, bn_bytes(e.get()), sig, 0, "u1*G == -u2*Q"});
  }
  EXPECT_GE(run_all(cases), 2 * n);
}

TEST(P256Differential, EveryByteCorrupted) {
  // Every byte of r||s and of the digest, each flipped in a random bit, plus random byte values.
  std::mt19937_64 rng(diff_seed(3));
  std::vector<Case> cases;
  const size_t sigs_n = scaled(300);
  for (size_t j = 0; j < sigs_n; ++j) {
    const TestKey* key = any_key(rng);
    std::vector<Bytes32> digests = {random32(rng)};
    const Bytes64 sig = sign_many(*key, digests, rng)[0];
    cases.push_back(Case{key, digests[0], sig, 1, "valid"});
    for (int pos = 0; pos < 64; ++pos) {
      Case c{key, digests[0], sig, -1, "sig byte"};
      c.sig[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
      cases.push_back(c);
      c = Case{key, digests[0], sig, -1, "sig byte value"};
      c.sig[pos] = static_cast<uint8_t>(rng());
      cases.push_back(c);
    }
    for (int pos = 0; pos < 32; ++pos) {
      Case c{key, digests[0], sig, 0, "digest byte"};
      c.digest[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
      cases.push_back(c);
    }
  }
  EXPECT_GE(run_all(cases), sigs_n * 161);
}

TEST(P256Differential, EdgeScalarsAndDigests) {
  std::mt19937_64 rng(diff_seed(4));
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  std::vector<Case> cases;
  const Bytes32 n = bn_bytes(order());
  std::vector<Bytes32> edge;
  auto add_edge = [&](const char* hex) { edge.push_back(bn_bytes(bn_hex(hex).get())); };
  add_edge("0");
  add_edge("1");
  add_edge("2");
  add_edge("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632550");  // n - 1
  add_edge("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");  // n
  add_edge("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632552");  // n + 1
  add_edge("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");  // p
  add_edge("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");  // 2^256 - 1
  add_edge("7FFFFFFF800000007FFFFFFFFFFFFFFFDE737D56D38BCF4279DCE5617E3192A8");  // (n - 1) / 2
  add_edge("4319055358E8617B0C46353D039CDAAB");                                    // p - n
  const size_t rounds = scaled(600);
  for (size_t j = 0; j < rounds; ++j) {
    const TestKey* key = any_key(rng);
    // A digest >= n signed as such (BoringSSL reduces it; so must the kernel).
    Bytes32 digest = random32(rng);
    std::fill(digest.begin(), digest.begin() + 4, 0xFF);
    digest[4] |= 1;
    const Bytes64 sig = sign_many(*key, {digest}, rng)[0];
    cases.push_back(Case{key, digest, sig, 1, "digest >= n"});
    // r or s replaced by an edge value, the other kept.
    for (const Bytes32& v : edge) {
      Bytes64 a = sig, b = sig;
      std::copy(v.begin(), v.end(), a.begin());
      std::copy(v.begin(), v.end(), b.begin() + 32);
      cases.push_back(Case{key, digest, a, -1, "edge r"});
      cases.push_back(Case{key, digest, b, -1, "edge s"});
    }
    // An edge digest (0, n, n + 1, p, 2^256 - 1, ...) signed.
    const Bytes32& ed = edge[rng() % edge.size()];
    cases.push_back(Case{key, ed, sign_many(*key, {ed}, rng)[0], 1, "edge digest"});
    // Infinity: e = -r*d mod n, and e + n when it fits 256 bits (a digest >= n naming it).
    bssl::UniquePtr<BIGNUM> r(BN_new()), s(BN_new()), e(BN_new());
    BN_rand_range_ex(r.get(), 1, order());
    BN_rand_range_ex(s.get(), 1, order());
    BN_mod_mul(e.get(), r.get(), key->d.get(), order(), ctx.get());
    BN_sub(e.get(), order(), e.get());
    const Bytes64 inf_sig = join(bn_bytes(r.get()), bn_bytes(s.get()));
    cases.push_back(Case{key, bn_bytes(e.get()), inf_sig, 0, "infinity"});
    BN_add(e.get(), e.get(), order());
    if (BN_num_bytes(e.get()) <= 32) cases.push_back(Case{key, bn_bytes(e.get()), inf_sig, 0, "infinity, e + n"});
  }
  (void)n;
  EXPECT_GE(run_all(cases), rounds * 23);
}

TEST(P256Differential, ResultWithXAtOrAboveN) {
  // R = (x, y) with n <= x < p; a key Q = (R - u1*G) / u2 makes (r = x - n, s) a valid signature:
  // the kernel must find x(R) == r + n (mod p) in Jacobian coordinates. r = x (>= n) must fail.
  std::mt19937_64 rng(diff_seed(6));
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  const BIGNUM* nn = order();
  auto p = bn_hex("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
  auto b = bn_hex("5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B");
  // Each point gets its own key (two kernel keys, one per format): rounds of at most kRound points
  // keep the live keys under kMaxPreparedKeys however long the run.
  constexpr size_t kRound = 48;
  std::vector<std::unique_ptr<TestKey>> made;
  std::vector<Case> cases;
  const size_t want_points = std::max<size_t>(4, scaled(48));
  size_t points = 0, checked = 0;
  bssl::UniquePtr<BIGNUM> x(BN_new()), rhs(BN_new()), t(BN_new()), y(BN_new());
  BN_copy(x.get(), nn);
  while (points < want_points) {
    if (made.size() == kRound) {
      checked += run_all(cases);
      cases.clear();
      made.clear();
    }
    // x = n + random 120-bit offset (p - n is about 2^128).
    uint8_t off[15];
    for (auto& c : off) c = static_cast<uint8_t>(rng());
    BN_bin2bn(off, sizeof off, t.get());
    BN_add(x.get(), nn, t.get());
    if (BN_cmp(x.get(), p.get()) >= 0) continue;
    // rhs = x^3 - 3x + b mod p, and its square root when there is one.
    BN_mod_sqr(rhs.get(), x.get(), p.get(), ctx.get());
    BN_mod_mul(rhs.get(), rhs.get(), x.get(), p.get(), ctx.get());
    BN_mod_add(t.get(), x.get(), x.get(), p.get(), ctx.get());
    BN_mod_add(t.get(), t.get(), x.get(), p.get(), ctx.get());
    BN_mod_sub(rhs.get(), rhs.get(), t.get(), p.get(), ctx.get());
    BN_mod_add(rhs.get(), rhs.get(), b.get(), p.get(), ctx.get());
    if (BN_mod_sqrt(y.get(), rhs.get(), p.get(), ctx.get()) == nullptr) {
      ERR_clear_error();
      continue;
    }
    bssl::UniquePtr<EC_POINT> rp(EC_POINT_new(group())), tp(EC_POINT_new(group())), q(EC_POINT_new(group()));
    ASSERT_TRUE(EC_POINT_set_affine_coordinates_GFp(group(), rp.get(), x.get(), y.get(), ctx.get()));
    bssl::UniquePtr<BIGNUM> r(BN_new()), s(BN_new()), e(BN_new()), w(BN_new()), u1(BN_new()), u2(BN_new()), u2i(BN_new());
    BN_sub(r.get(), x.get(), nn);
    BN_rand_range_ex(s.get(), 1, nn);
    const Bytes32 digest = random32(rng);
    BN_bin2bn(digest.data(), 32, e.get());
    BN_nnmod(e.get(), e.get(), nn, ctx.get());
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
    const Bytes32 rb = bn_bytes(r.get()), sb = bn_bytes(s.get());
    cases.push_back(Case{key, digest, join(rb, sb), 1, "x(R) >= n"});
    cases.push_back(Case{key, digest, join(bn_bytes(x.get()), sb), 0, "r = x(R) >= n"});
    Bytes32 r1 = rb;
    r1[31] ^= 1;
    cases.push_back(Case{key, digest, join(r1, sb), 0, "r off by one bit"});
    // s -> n - s negates u1 and u2, so the sum is -R: same x, valid as well.
    BN_sub(s.get(), nn, s.get());
    cases.push_back(Case{key, digest, join(rb, bn_bytes(s.get())), 1, "x(-R) >= n"});
  }
  checked += run_all(cases);
  EXPECT_GE(checked, want_points * 4);
}

}  // namespace
}  // namespace jwtbatch::kernels::p256
