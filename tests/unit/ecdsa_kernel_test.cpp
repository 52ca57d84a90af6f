// ecdsa_kernel_test.cpp: the ECDSA kernels (kernels/p256, kernels/p384, kernels/p521) against
// Wycheproof and against BoringSSL's ECDSA_do_verify, one harness for every curve: typed tests over
// a per-curve traits struct (field and digest sizes, hash, BoringSSL curve, the kernel's functions
// and types, table formats, Wycheproof file, case counts). Every variant this CPU runs is checked
// (P-256 and P-384: scalar reference and AVX-512 IFMA lanes; P-521: scalar), in batches (blocks of
// 64 sharing one inversion mod n, mixed keys, uneven batch sizes) and one at a time (verify_one).
//
// Differential cases (seeded; each checked by BoringSSL once, on every core, and by every variant):
// >= 100,000 for P-256 and P-384 and about 10,000 for P-521 in a Release run (BoringSSL's P-521
// verify costs about 1.2 ms): random valid signatures and their high-S twins, every byte of r||s and of the
// digest corrupted, r or s = 0, 1, n - 1, n, n + 1, p, 2^(8 * field bytes) - 1, digests >= n where
// the digest is as long as n (signed as chosen digests, must verify), sums u1*G + u2*Q at infinity,
// points R with x(R) >= n (a key built for them), and keys G, 2G and -G, whose tables make the
// additions meet P + P and P + -P (P-256 and P-384: u1*G == +-u2*Q; P-521: equal first digits, the
// complete recomputation counted). JWTBATCH_LONG_DIFF=N scales the random parts to about N cases
// per curve; JWTBATCH_DIFF_SEED=K draws another set of them (long runs split over processes).
//
// A new curve (the same interface) is a traits struct below and one name in `AllCurves`. What only
// some curves have (P-256's and P-384's dispatch and table formats, P-521's limb layout) is in their
// own sections at the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
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
#include "kernels/p384/p384.hpp"
#include "kernels/p521/p521.hpp"
#include "tests/support/dispatch_model.hpp"
#include "tests/support/long_diff.hpp"
#include "tests/support/wycheproof.hpp"

namespace jwtbatch::kernels {
namespace {

// ---- the curves ---------------------------------------------------------------------------------

// P256 is ES256's kernel: SHA-256 digests as long as n, two table formats (the IFMA variant's keys
// are ifma52; the scalar reference runs both).
struct P256 {
  static constexpr const char* kName = "P256";    // in test names
  static constexpr const char* kLabel = "p256";   // in traces
  static constexpr const char* kCurve = "P-256";  // in the kernel's reasons
  static constexpr int kNid = NID_X9_62_prime256v1;
  static constexpr size_t kFieldBytes = 32, kDigestBytes = 32;
  static void hash(const uint8_t* msg, size_t len, uint8_t* out) { SHA256(msg, len, out); }

  using Key = p256::Key;
  using Job = p256::Job;
  using Variant = p256::Variant;
  static constexpr std::array<const char*, 2> kVariantNames = {"scalar", "avx512_ifma"};  // as built
  static constexpr int kNumFormats = 2;  // by p256::TableFormat
  static constexpr const char* kFormatNames[kNumFormats] = {"mont64", "ifma52"};
  static int format_of(const Variant& v) { return static_cast<int>(v.format); }
  static std::shared_ptr<const Key> prepare_key(std::span<const uint8_t, 32> x, std::span<const uint8_t, 32> y,
                                                int format, const char** why = nullptr) {
    return p256::prepare_key(x, y, static_cast<p256::TableFormat>(format), why);
  }
  static constexpr size_t kMaxPreparedKeys = p256::kMaxPreparedKeys;
  static size_t prepared_key_count() { return p256::prepared_key_count(); }
  static std::span<const Variant> supported_variants() { return p256::supported_variants(); }
  static const Variant* find_variant(std::string_view name) { return p256::find_variant(name); }
  static const Variant& active_variant() { return p256::active_variant(); }
  using VerifyBatchFn = p256::VerifyBatch;
  static bool verify_one(const Key& k, const uint8_t* digest, const uint8_t* sig) {
    return p256::verify_one(k, digest, sig);
  }
  static constexpr int kWindowBits = p256::kWindowBits;
  static constexpr bool kCountsRecomputations = false;  // the IFMA lanes' fallback is not counted
  static uint64_t complete_recomputations() { return 0; }

  static constexpr const char* kWycheproofFile = "ecdsa_secp256r1_sha256_p1363_test.json";
  static constexpr const char* kWycheproofSha = "SHA-256";
  static constexpr size_t kWycheproofKeysPerBatch = 128;  // the whole file (103 keys) in one batch
  static constexpr int64_t kWycheproofMinValid = 0;

  // Differential sizes (JWTBATCH_LONG_DIFF scales them against kDiffTotal).
  static constexpr uint64_t kDiffTotal = 100000;
  static constexpr int kRandomKeys = 8;
  static constexpr size_t kRandomPerKey = 1600, kEqualScalars = 3000, kEqualFirstDigits = 0, kCorruptedSigs = 300,
                          kEdgeRounds = 600, kXAboveNPoints = 48, kXAboveNRound = 48;
  static constexpr size_t kBatchStepMod = 1000;  // batches of 1..1000
  static constexpr size_t kVerifyOneEvery = 16;  // verify_one pays a whole inversion mod n
  static constexpr int kInfinityPerKey = 8;
};

// P384 is ES384's kernel: SHA-384 digests as long as n, two table formats like P-256's.
struct P384 {
  static constexpr const char* kName = "P384";
  static constexpr const char* kLabel = "p384";
  static constexpr const char* kCurve = "P-384";
  static constexpr int kNid = NID_secp384r1;
  static constexpr size_t kFieldBytes = p384::kFieldBytes, kDigestBytes = p384::kDigestBytes;
  static void hash(const uint8_t* msg, size_t len, uint8_t* out) { SHA384(msg, len, out); }

  using Key = p384::Key;
  using Job = p384::Job;
  using Variant = p384::Variant;
  static constexpr std::array<const char*, 2> kVariantNames = {"scalar", "avx512_ifma"};  // as built
  static constexpr int kNumFormats = 2;  // by p384::TableFormat
  static constexpr const char* kFormatNames[kNumFormats] = {"mont64", "ifma52"};
  static int format_of(const Variant& v) { return static_cast<int>(v.format); }
  static std::shared_ptr<const Key> prepare_key(std::span<const uint8_t, kFieldBytes> x,
                                                std::span<const uint8_t, kFieldBytes> y, int format,
                                                const char** why = nullptr) {
    return p384::prepare_key(x, y, static_cast<p384::TableFormat>(format), why);
  }
  static constexpr size_t kMaxPreparedKeys = p384::kMaxPreparedKeys;
  static size_t prepared_key_count() { return p384::prepared_key_count(); }
  static std::span<const Variant> supported_variants() { return p384::supported_variants(); }
  static const Variant* find_variant(std::string_view name) { return p384::find_variant(name); }
  static const Variant& active_variant() { return p384::active_variant(); }
  using VerifyBatchFn = p384::VerifyBatch;
  static bool verify_one(const Key& k, const uint8_t* digest, const uint8_t* sig) {
    return p384::verify_one(k, digest, sig);
  }
  static constexpr int kWindowBits = p384::kWindowBits;
  static constexpr bool kCountsRecomputations = false;  // the IFMA lanes' fallback is not counted
  static uint64_t complete_recomputations() { return 0; }

  static constexpr const char* kWycheproofFile = "ecdsa_secp384r1_sha384_p1363_test.json";
  static constexpr const char* kWycheproofSha = "SHA-384";
  static constexpr size_t kWycheproofKeysPerBatch = 32;  // 95 keys, near kMaxPreparedKeys: 3 batches
  static constexpr int64_t kWycheproofMinValid = 0;

  // Differential sizes as P-256's (JWTBATCH_LONG_DIFF scales them against kDiffTotal), but rounds of
  // 24 x(R) >= n keys: each holds two tables, and 96 may be alive.
  static constexpr uint64_t kDiffTotal = 100000;
  static constexpr int kRandomKeys = 8;
  static constexpr size_t kRandomPerKey = 1600, kEqualScalars = 3000, kEqualFirstDigits = 0, kCorruptedSigs = 300,
                          kEdgeRounds = 600, kXAboveNPoints = 48, kXAboveNRound = 24;
  static constexpr size_t kBatchStepMod = 1000;
  static constexpr size_t kVerifyOneEvery = 16;
  static constexpr int kInfinityPerKey = 8;
};

// P521 is ES512's kernel: SHA-512 digests shorter than n (used whole), one table format, a count of
// the evaluations redone with complete formulas.
struct P521 {
  static constexpr const char* kName = "P521";
  static constexpr const char* kLabel = "p521";
  static constexpr const char* kCurve = "P-521";
  static constexpr int kNid = NID_secp521r1;
  static constexpr size_t kFieldBytes = p521::kFieldBytes, kDigestBytes = p521::kDigestBytes;
  static void hash(const uint8_t* msg, size_t len, uint8_t* out) { SHA512(msg, len, out); }

  using Key = p521::Key;
  using Job = p521::Job;
  using Variant = p521::Variant;
  static constexpr std::array<const char*, 1> kVariantNames = {"scalar"};
  static constexpr int kNumFormats = 1;
  static constexpr const char* kFormatNames[kNumFormats] = {"58-bit limbs"};
  static int format_of(const Variant&) { return 0; }
  static std::shared_ptr<const Key> prepare_key(std::span<const uint8_t, kFieldBytes> x,
                                                std::span<const uint8_t, kFieldBytes> y, int /*format*/,
                                                const char** why = nullptr) {
    return p521::prepare_key(x, y, why);
  }
  static constexpr size_t kMaxPreparedKeys = p521::kMaxPreparedKeys;
  static size_t prepared_key_count() { return p521::prepared_key_count(); }
  static std::span<const Variant> supported_variants() { return p521::supported_variants(); }
  static const Variant* find_variant(std::string_view name) { return p521::find_variant(name); }
  static bool verify_one(const Key& k, const uint8_t* digest, const uint8_t* sig) {
    return p521::verify_one(k, digest, sig);
  }
  static constexpr int kWindowBits = p521::kWindowBits;
  static constexpr bool kCountsRecomputations = true;
  static uint64_t complete_recomputations() { return p521::complete_recomputations(); }

  static constexpr const char* kWycheproofFile = "ecdsa_secp521r1_sha512_p1363_test.json";
  static constexpr const char* kWycheproofSha = "SHA-512";
  static constexpr size_t kWycheproofKeysPerBatch = 1;  // 98 keys: more than kMaxPreparedKeys at once
  static constexpr int64_t kWycheproofMinValid = 200;

  static constexpr uint64_t kDiffTotal = 10000;
  static constexpr int kRandomKeys = 6;
  static constexpr size_t kRandomPerKey = 160, kEqualScalars = 0, kEqualFirstDigits = 240, kCorruptedSigs = 12,
                          kEdgeRounds = 60, kXAboveNPoints = 16, kXAboveNRound = 16;
  static constexpr size_t kBatchStepMod = 200;
  static constexpr size_t kVerifyOneEvery = 1;
  static constexpr int kInfinityPerKey = 4;
};

// ---- helpers over a curve C ---------------------------------------------------------------------

template <class C> using Field = std::array<uint8_t, C::kFieldBytes>;
template <class C> using Digest = std::array<uint8_t, C::kDigestBytes>;
template <class C> using Sig = std::array<uint8_t, 2 * C::kFieldBytes>;

// digest_covers_n: the digest is as long as n, so any value mod n (and values >= n) can be chosen as
// a digest. P-521's 512-bit digest cannot name most residues of its 521-bit n.
template <class C> constexpr bool digest_covers_n() { return C::kDigestBytes >= C::kFieldBytes; }

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

// scaled returns `n` cases for CI, scaled by JWTBATCH_LONG_DIFF (target total, of C::kDiffTotal)
// when set.
template <class C> size_t scaled(size_t n) {
  static const double factor = test::long_diff_scale(C::kDiffTotal);
  return std::max<size_t>(1, static_cast<size_t>(static_cast<double>(n) * factor) / kScale);
}

using test::diff_seed;

template <class C> const EC_GROUP* group() {
  static const EC_GROUP* g = EC_GROUP_new_by_curve_name(C::kNid);
  return g;
}
template <class C> const BIGNUM* order() { return EC_GROUP_get0_order(group<C>()); }
template <class C> bssl::UniquePtr<BIGNUM> field_p() {
  bssl::UniquePtr<BIGNUM> p(BN_new()), a(BN_new()), b(BN_new());
  EC_GROUP_get_curve_GFp(group<C>(), p.get(), a.get(), b.get(), nullptr);
  return p;
}

bssl::UniquePtr<BIGNUM> bn_from(const uint8_t* b, size_t len) { return bssl::UniquePtr<BIGNUM>(BN_bin2bn(b, len, nullptr)); }
template <size_t N> std::array<uint8_t, N> bn_fixed(const BIGNUM* b) {
  std::array<uint8_t, N> out{};
  EXPECT_TRUE(BN_bn2bin_padded(out.data(), out.size(), b));
  return out;
}
template <class C> Field<C> bn_field(const BIGNUM* b) { return bn_fixed<C::kFieldBytes>(b); }
template <class C> Digest<C> bn_digest(const BIGNUM* b) { return bn_fixed<C::kDigestBytes>(b); }

// TestKey is one key: BoringSSL's EC_KEY (private part when known) and the kernel key per format.
template <class C> struct TestKey {
  bssl::UniquePtr<EC_KEY> ec;
  bssl::UniquePtr<BIGNUM> d;  // null when unknown
  Field<C> x{}, y{};
  std::shared_ptr<const typename C::Key> kernel[C::kNumFormats];
  const typename C::Key* for_format(int f) const { return kernel[f].get(); }
};

template <class C> std::unique_ptr<TestKey<C>> key_from_point(const EC_POINT* q) {
  auto k = std::make_unique<TestKey<C>>();
  k->ec.reset(EC_KEY_new());
  EC_KEY_set_group(k->ec.get(), group<C>());
  EXPECT_TRUE(EC_KEY_set_public_key(k->ec.get(), q));
  bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
  EXPECT_TRUE(EC_POINT_get_affine_coordinates_GFp(group<C>(), q, x.get(), y.get(), nullptr));
  k->x = bn_field<C>(x.get());
  k->y = bn_field<C>(y.get());
  for (int f = 0; f < C::kNumFormats; ++f) {
    const char* why = nullptr;
    k->kernel[f] = C::prepare_key(k->x, k->y, f, &why);
    EXPECT_NE(k->kernel[f], nullptr) << (why ? why : "");
  }
  return k;
}

template <class C> std::unique_ptr<TestKey<C>> key_from_private(const BIGNUM* d) {
  bssl::UniquePtr<EC_POINT> q(EC_POINT_new(group<C>()));
  EXPECT_TRUE(EC_POINT_mul(group<C>(), q.get(), d, nullptr, nullptr, nullptr));
  auto k = key_from_point<C>(q.get());
  k->d.reset(BN_dup(d));
  EXPECT_TRUE(EC_KEY_set_private_key(k->ec.get(), d));
  return k;
}

template <class C> std::unique_ptr<TestKey<C>> random_key() {
  bssl::UniquePtr<BIGNUM> d(BN_new());
  EXPECT_TRUE(BN_rand_range_ex(d.get(), 1, order<C>()));
  return key_from_private<C>(d.get());
}

// Case is one verification: a key, a digest, a raw r||s, and what it should give when the test
// knows (-1: whatever BoringSSL says).
template <class C> struct Case {
  const TestKey<C>* key;
  Digest<C> digest;
  Sig<C> sig;
  int expect = -1;
  const char* kind = "";
};

template <class C> Sig<C> join(const Field<C>& r, const Field<C>& s) {
  Sig<C> out;
  std::copy(r.begin(), r.end(), out.begin());
  std::copy(s.begin(), s.end(), out.begin() + C::kFieldBytes);
  return out;
}
template <class C> Field<C> r_of(const Sig<C>& sig) {
  Field<C> r;
  std::copy(sig.begin(), sig.begin() + C::kFieldBytes, r.begin());
  return r;
}
template <class C> Field<C> s_of(const Sig<C>& sig) {
  Field<C> s;
  std::copy(sig.begin() + C::kFieldBytes, sig.end(), s.begin());
  return s;
}

template <class C> bool boringssl_verify(const TestKey<C>& key, const Digest<C>& digest, const Sig<C>& sig) {
  bssl::UniquePtr<ECDSA_SIG> s(ECDSA_SIG_new());
  BN_bin2bn(sig.data(), C::kFieldBytes, s->r);
  BN_bin2bn(sig.data() + C::kFieldBytes, C::kFieldBytes, s->s);
  const bool ok = ECDSA_do_verify(digest.data(), digest.size(), s.get(), key.ec.get()) == 1;
  ERR_clear_error();
  return ok;
}

// sign_raw signs the integer `e` (taken mod n, as a digest would be) with key `d` and nonce `k`.
template <class C> Sig<C> sign_raw(const BIGNUM* d, const BIGNUM* k, const BIGNUM* e) {
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  bssl::UniquePtr<EC_POINT> rp(EC_POINT_new(group<C>()));
  bssl::UniquePtr<BIGNUM> x(BN_new()), r(BN_new()), s(BN_new()), kinv(BN_new()), t(BN_new()), em(BN_new());
  EXPECT_TRUE(EC_POINT_mul(group<C>(), rp.get(), k, nullptr, nullptr, ctx.get()));
  EXPECT_TRUE(EC_POINT_get_affine_coordinates_GFp(group<C>(), rp.get(), x.get(), nullptr, ctx.get()));
  EXPECT_TRUE(BN_nnmod(r.get(), x.get(), order<C>(), ctx.get()));
  EXPECT_TRUE(BN_nnmod(em.get(), e, order<C>(), ctx.get()));
  EXPECT_TRUE(BN_mod_inverse(kinv.get(), k, order<C>(), ctx.get()));
  EXPECT_TRUE(BN_mod_mul(t.get(), r.get(), d, order<C>(), ctx.get()));
  EXPECT_TRUE(BN_mod_add(t.get(), t.get(), em.get(), order<C>(), ctx.get()));
  EXPECT_TRUE(BN_mod_mul(s.get(), t.get(), kinv.get(), order<C>(), ctx.get()));
  return join<C>(bn_field<C>(r.get()), bn_field<C>(s.get()));
}

template <class C> Digest<C> random_digest(std::mt19937_64& rng) {
  Digest<C> b;
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

// Signer signs many digests with one key, one nonce per 16 signatures (nonce reuse is harmless here
// and saves the point multiplications of signing).
template <class C> class Signer {
 public:
  Signer(const TestKey<C>& key, std::mt19937_64& rng) : key_(key), rng_(rng) {}
  Sig<C> sign(const Digest<C>& digest) {
    if (used_++ % 16 == 0) new_nonce();
    bssl::UniquePtr<BIGNUM> e(bn_from(digest.data(), digest.size())), s(BN_new());
    BN_nnmod(e.get(), e.get(), order<C>(), ctx_.get());
    BN_mod_add(s.get(), e.get(), rd_.get(), order<C>(), ctx_.get());
    BN_mod_mul(s.get(), s.get(), kinv_.get(), order<C>(), ctx_.get());
    return join<C>(bn_field<C>(r_.get()), bn_field<C>(s.get()));
  }
  const BIGNUM* r() const { return r_.get(); }
  const BIGNUM* kinv() const { return kinv_.get(); }
  const BIGNUM* rd() const { return rd_.get(); }
  void new_nonce() {
    uint8_t seed[C::kFieldBytes + 8];
    for (auto& b : seed) b = static_cast<uint8_t>(rng_());
    BN_bin2bn(seed, sizeof seed, k_.get());
    BN_nnmod(k_.get(), k_.get(), order<C>(), ctx_.get());
    if (BN_is_zero(k_.get())) BN_one(k_.get());
    EC_POINT_mul(group<C>(), rp_.get(), k_.get(), nullptr, nullptr, ctx_.get());
    EC_POINT_get_affine_coordinates_GFp(group<C>(), rp_.get(), x_.get(), nullptr, ctx_.get());
    BN_nnmod(r_.get(), x_.get(), order<C>(), ctx_.get());
    BN_mod_inverse(kinv_.get(), k_.get(), order<C>(), ctx_.get());
    BN_mod_mul(rd_.get(), r_.get(), key_.d.get(), order<C>(), ctx_.get());
  }

 private:
  const TestKey<C>& key_;
  std::mt19937_64& rng_;
  size_t used_ = 0;
  bssl::UniquePtr<BN_CTX> ctx_{BN_CTX_new()};
  bssl::UniquePtr<EC_POINT> rp_{EC_POINT_new(group<C>())};
  bssl::UniquePtr<BIGNUM> k_{BN_new()}, x_{BN_new()}, r_{BN_new()}, kinv_{BN_new()}, rd_{BN_new()};
};

// boringssl_verdicts runs BoringSSL on every case, spread over the machine's cores.
template <class C> std::vector<uint8_t> boringssl_verdicts(const std::vector<Case<C>>& cases) {
  std::vector<uint8_t> want(cases.size());
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < cases.size();)
      want[i] = boringssl_verify<C>(*cases[i].key, cases[i].digest, cases[i].sig);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return want;
}

// run_all checks every case with BoringSSL, with every variant in batches of uneven sizes (keys in
// the variant's format, mixed as they come; the reference also with keys of the other formats, the
// path of exceptional IFMA lanes, on every 8th case), and with verify_one on every
// C::kVerifyOneEvery-th case; returns the number of cases.
template <class C> size_t run_all(const std::vector<Case<C>>& cases) {
  using Job = typename C::Job;
  const std::vector<uint8_t> want = boringssl_verdicts(cases);
  size_t positives = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    positives += want[i];
    if (cases[i].expect >= 0) {
      EXPECT_EQ(static_cast<int>(want[i]), cases[i].expect)
          << "BoringSSL disagrees with the test's construction: " << cases[i].kind << " #" << i;
    }
  }
  size_t mismatches = 0;
  const auto variants = C::supported_variants();
  for (size_t vi = 0; vi < variants.size(); ++vi) {
    const auto& v = variants[vi];
    for (int f = 0; f < C::kNumFormats; ++f) {
      const bool own = f == C::format_of(v);
      if (!own && vi != 0) continue;
      const size_t every = own ? 1 : 8;
      std::vector<Job> jobs;
      std::vector<size_t> which;
      for (size_t i = 0; i < cases.size(); i += every) {
        jobs.push_back(Job{cases[i].key->for_format(f), cases[i].digest.data(), cases[i].sig.data()});
        which.push_back(i);
      }
      std::unique_ptr<bool[]> got(new bool[jobs.size() + 1]);
      // Uneven batch sizes, as stage 6 hands them (chunks of up to ~1000, any mix of keys).
      for (size_t i = 0, step = 1; i < jobs.size(); i += step, step = step * 3 % C::kBatchStepMod + 1) {
        v.verify_batch(std::span<const Job>(jobs).subspan(i, std::min(step, jobs.size() - i)), got.get() + i);
      }
      for (size_t j = 0; j < jobs.size(); ++j) {
        const size_t i = which[j];
        if (got[j] != static_cast<bool>(want[i]) && ++mismatches < 20) {
          ADD_FAILURE() << v.name << " (keys " << C::kFormatNames[f] << ") " << cases[i].kind << " #" << i
                        << ": kernel " << got[j] << ", BoringSSL " << int(want[i]) << " sig "
                        << test::to_hex(cases[i].sig) << " digest " << test::to_hex(cases[i].digest);
        }
      }
    }
  }
  for (size_t i = 0; i < cases.size(); i += C::kVerifyOneEvery) {
    const bool one = C::verify_one(*cases[i].key->for_format(0), cases[i].digest.data(), cases[i].sig.data());
    if (one != static_cast<bool>(want[i]) && ++mismatches < 20) {
      ADD_FAILURE() << "verify_one " << cases[i].kind << " #" << i << ": kernel " << one << ", BoringSSL "
                    << int(want[i]) << " sig " << test::to_hex(cases[i].sig) << " digest "
                    << test::to_hex(cases[i].digest);
    }
  }
  EXPECT_EQ(mismatches, 0u);
  std::printf("[%s] %zu cases (%zu valid per BoringSSL), variants:", C::kLabel, cases.size(), positives);
  for (const auto& v : variants) std::printf(" %s", std::string(v.name).c_str());
  std::printf("\n");
  return cases.size();
}

// Keys shared by the tests: random ones, and G, 2G and -G (private keys 1, 2, n - 1), whose tables
// equal the generator's, or its doubles or negatives (the additions meet P + P and P + -P).
template <class C> struct Keys {
  std::vector<std::unique_ptr<TestKey<C>>> random;
  std::unique_ptr<TestKey<C>> g, g2, neg_g;
};
template <class C> const Keys<C>& keys() {
  static const Keys<C>* k = [] {
    auto* r = new Keys<C>;
    for (int i = 0; i < C::kRandomKeys; ++i) r->random.push_back(random_key<C>());
    bssl::UniquePtr<BIGNUM> d(BN_new());
    BN_set_word(d.get(), 1);
    r->g = key_from_private<C>(d.get());
    BN_set_word(d.get(), 2);
    r->g2 = key_from_private<C>(d.get());
    BN_sub(d.get(), order<C>(), BN_value_one());
    r->neg_g = key_from_private<C>(d.get());
    return r;
  }();
  return *k;
}

template <class C> std::vector<const TestKey<C>*> all_keys() {
  const Keys<C>& k = keys<C>();
  std::vector<const TestKey<C>*> all;
  for (auto& key : k.random) all.push_back(key.get());
  all.push_back(k.g.get()), all.push_back(k.g2.get()), all.push_back(k.neg_g.get());
  return all;
}

// ---- the typed suites ---------------------------------------------------------------------------

// OnVariant is curve C's variant number I of C::kVariantNames (the per-variant tests skip one this
// CPU or build does not run).
template <class C, size_t I> struct OnVariant {
  using Curve = C;
  static constexpr std::string_view name() { return C::kVariantNames[I]; }
};

template <class C, size_t... I>
auto variants_of(std::index_sequence<I...>) -> ::testing::Types<OnVariant<C, I>...>;
template <class C> using VariantsOf = decltype(variants_of<C>(std::make_index_sequence<C::kVariantNames.size()>()));

template <class... Lists> struct Concat;
template <class... A> struct Concat<::testing::Types<A...>> {
  using type = ::testing::Types<A...>;
};
template <class... A, class... B, class... Rest>
struct Concat<::testing::Types<A...>, ::testing::Types<B...>, Rest...> : Concat<::testing::Types<A..., B...>, Rest...> {};

template <class... Curves> struct CurveList {
  using curves = ::testing::Types<Curves...>;
  using variants = typename Concat<VariantsOf<Curves>...>::type;
};

// AllCurves is every curve the harness runs.
using AllCurves = CurveList<P256, P384, P521>;

struct CurveName {
  template <class C> static std::string GetName(int) { return C::kName; }
};
struct VariantName {
  template <class V> static std::string GetName(int) {
    return std::string(V::Curve::kName) + "_" + std::string(V::name());
  }
};

// EcdsaKernel<C>: key preparation and the differential runs (each run covers every variant).
template <class C> class EcdsaKernel : public ::testing::Test {};
TYPED_TEST_SUITE(EcdsaKernel, AllCurves::curves, CurveName);

// EcdsaKernelVariant<OnVariant<C, I>>: known answers and the checks of fast-paths.md, through one
// variant (keys in its format); verify also asks verify_one.
template <class V> class EcdsaKernelVariant : public ::testing::Test {
 protected:
  using C = typename V::Curve;
  void SetUp() override {
    variant_ = C::find_variant(V::name());
    if (variant_ == nullptr) GTEST_SKIP() << C::kName << " variant " << V::name() << " does not run here";
  }
  const typename C::Variant& variant() const { return *variant_; }
  const typename C::Key* key(const TestKey<C>& k) const { return k.for_format(C::format_of(variant())); }
  bool verify(const TestKey<C>& k, const Digest<C>& digest, const Sig<C>& sig) const {
    bool batch = false;
    const typename C::Job job{key(k), digest.data(), sig.data()};
    variant().verify_batch({&job, 1}, &batch);
    const bool one = C::verify_one(*key(k), digest.data(), sig.data());
    EXPECT_EQ(batch, one) << "batch and verify_one disagree";
    return batch;
  }

 private:
  const typename C::Variant* variant_ = nullptr;
};
TYPED_TEST_SUITE(EcdsaKernelVariant, AllCurves::variants, VariantName);

// The tests that only some curves can run get suites of their own over those curves, so that no
// curve instantiates a test it would have to skip. WideDigestCurves: the digest is as long as n, so
// e can be chosen freely mod n (P-521's SHA-512 is shorter than its 521-bit n). CountingCurves: the
// kernel counts its complete recomputations (P-256's IFMA lanes do not). The asserts keep the lists
// in step with the traits.
using WideDigestCurves = CurveList<P256, P384>;
using CountingCurves = CurveList<P521>;
static_assert(digest_covers_n<P256>() && digest_covers_n<P384>() && !digest_covers_n<P521>(),
              "update WideDigestCurves");
static_assert(P521::kCountsRecomputations && !P256::kCountsRecomputations && !P384::kCountsRecomputations,
              "update CountingCurves");

template <class C> class EcdsaKernelWideDigest : public EcdsaKernel<C> {};
TYPED_TEST_SUITE(EcdsaKernelWideDigest, WideDigestCurves::curves, CurveName);
template <class C> class EcdsaKernelCounted : public EcdsaKernel<C> {};
TYPED_TEST_SUITE(EcdsaKernelCounted, CountingCurves::curves, CurveName);
template <class V> class EcdsaKernelVariantWideDigest : public EcdsaKernelVariant<V> {};
TYPED_TEST_SUITE(EcdsaKernelVariantWideDigest, WideDigestCurves::variants, VariantName);

// ---- key preparation ----------------------------------------------------------------------------

TYPED_TEST(EcdsaKernel, RejectsPointsOffTheCurveAndOutOfRange) {
  using C = TypeParam;
  const Keys<C>& k = keys<C>();
  const Field<C> x = k.random[0]->x, y = k.random[0]->y;
  const std::string not_on = std::string("point is not on ") + C::kCurve;
  const char* why = nullptr;
  ASSERT_NE(C::prepare_key(x, y, 0, &why), nullptr);
  Field<C> y2 = y;
  y2[C::kFieldBytes - 1] ^= 1;  // off the curve
  for (int f = 0; f < C::kNumFormats; ++f) {
    EXPECT_EQ(C::prepare_key(x, y2, f, &why), nullptr) << C::kFormatNames[f];
    EXPECT_STREQ(why, not_on.c_str());
  }
  const Field<C> zero{};
  EXPECT_EQ(C::prepare_key(zero, zero, 0, &why), nullptr);  // (0, 0): not a point
  EXPECT_STREQ(why, not_on.c_str());
  Field<C> ff;
  ff.fill(0xFF);
  EXPECT_EQ(C::prepare_key(ff, y, 0, &why), nullptr);
  EXPECT_STREQ(why, "coordinate >= p");
  // p itself (the field size) and y + p, x + p (the same residues, not canonical coordinates) where
  // they fit the field's bytes.
  auto p = field_p<C>();
  EXPECT_EQ(C::prepare_key(x, bn_field<C>(p.get()), 0, &why), nullptr);
  EXPECT_STREQ(why, "coordinate >= p");
  bssl::UniquePtr<BIGNUM> yp(bn_from(y.data(), y.size())), xp(bn_from(x.data(), x.size()));
  BN_add(yp.get(), yp.get(), p.get());
  BN_add(xp.get(), xp.get(), p.get());
  if (BN_num_bytes(yp.get()) <= C::kFieldBytes) {
    EXPECT_EQ(C::prepare_key(x, bn_field<C>(yp.get()), 0, &why), nullptr);
    EXPECT_STREQ(why, "coordinate >= p");
  }
  if (BN_num_bytes(xp.get()) <= C::kFieldBytes) {
    EXPECT_EQ(C::prepare_key(bn_field<C>(xp.get()), y, 0, &why), nullptr);
    EXPECT_STREQ(why, "coordinate >= p");
  }
  // The x of a point with y = 0 would need x^3 + ax + b = 0; none exists on a prime-order curve, so
  // the other half of "the point at infinity has no affine coordinates" is that (0, 0) fails above.
}

TYPED_TEST(EcdsaKernel, LimitOnPreparedKeys) {
  using C = TypeParam;
  const Keys<C>& k = keys<C>();
  const size_t before = C::prepared_key_count();
  ASSERT_LE(before, C::kMaxPreparedKeys);
  std::vector<std::shared_ptr<const typename C::Key>> held;
  while (C::prepared_key_count() < C::kMaxPreparedKeys) {
    auto key = C::prepare_key(k.random[1]->x, k.random[1]->y, 0);
    ASSERT_NE(key, nullptr) << "refused at " << C::prepared_key_count();
    held.push_back(std::move(key));
  }
  const char* why = nullptr;
  EXPECT_EQ(C::prepare_key(k.random[1]->x, k.random[1]->y, 0, &why), nullptr);
  EXPECT_STREQ(why, (std::string("too many prepared ") + C::kCurve + " keys").c_str());
  held.pop_back();
  EXPECT_NE(C::prepare_key(k.random[1]->x, k.random[1]->y, C::kNumFormats - 1), nullptr) << "a slot freed";
  held.clear();
  EXPECT_EQ(C::prepared_key_count(), before);
}

// ---- every variant: known answers and the checks of fast-paths.md --------------------------------

TYPED_TEST(EcdsaKernelVariant, WycheproofP1363) {
  using C = typename TestFixture::C;
  using Job = typename C::Job;
  const std::string file = test::wycheproof_dir() + C::kWycheproofFile;
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " not found";
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.load(file).get(root), simdjson::SUCCESS);
  test::WycheproofTally t;
  t.file = C::kWycheproofFile;
  t.number_of_tests = root["numberOfTests"];
  // The cases of up to C::kWycheproofKeysPerBatch groups go through one batch (many keys, lanes
  // filled across them), then each again alone and through verify_one.
  struct Pending {
    test::WycheproofCase c;
    size_t job;  // SIZE_MAX: wrong signature length (raw r||s must be 2 * field bytes)
  };
  std::vector<Pending> pending;
  std::vector<std::shared_ptr<const typename C::Key>> kernel_keys;
  std::vector<Digest<C>> digests;
  std::vector<Sig<C>> sigs;
  std::vector<const typename C::Key*> job_keys;
  auto flush = [&] {
    std::vector<Job> jobs;
    for (size_t i = 0; i < digests.size(); ++i) jobs.push_back(Job{job_keys[i], digests[i].data(), sigs[i].data()});
    std::unique_ptr<bool[]> batch(new bool[jobs.size() + 1]);
    this->variant().verify_batch(jobs, batch.get());
    for (const Pending& p : pending) {
      if (p.job == SIZE_MAX) {
        t.record(p.c, false);
        continue;
      }
      bool alone = false;
      this->variant().verify_batch({&jobs[p.job], 1}, &alone);
      const bool one = C::verify_one(*jobs[p.job].key, jobs[p.job].digest, jobs[p.job].sig);
      if (alone != batch[p.job] || one != batch[p.job]) {
        t.record_failure(p.c, "batch, single and verify_one disagree");
        continue;
      }
      t.record(p.c, batch[p.job]);
    }
    pending.clear(), kernel_keys.clear(), digests.clear(), sigs.clear(), job_keys.clear();
  };
  for (simdjson::dom::element g : root["testGroups"].get_array()) {
    ASSERT_EQ(std::string_view(g["sha"]), C::kWycheproofSha);
    auto point = test::from_hex(std::string_view(g["publicKey"]["uncompressed"]));
    ASSERT_TRUE(point && point->size() == 1 + 2 * C::kFieldBytes && (*point)[0] == 4);
    if (kernel_keys.size() == C::kWycheproofKeysPerBatch) flush();
    const char* why = nullptr;
    auto k = C::prepare_key(std::span<const uint8_t, C::kFieldBytes>(point->data() + 1, C::kFieldBytes),
                            std::span<const uint8_t, C::kFieldBytes>(point->data() + 1 + C::kFieldBytes, C::kFieldBytes),
                            C::format_of(this->variant()), &why);
    ASSERT_NE(k, nullptr) << (why ? why : "");
    kernel_keys.push_back(k);
    for (simdjson::dom::element test : g["tests"].get_array()) {
      Pending p;
      ASSERT_TRUE(test::read_case(test, &p.c));
      auto msg = test::from_hex(std::string_view(test["msg"]));
      auto sig = test::from_hex(std::string_view(test["sig"]));
      ASSERT_TRUE(msg && sig);
      p.job = SIZE_MAX;
      if (sig->size() == 2 * C::kFieldBytes) {
        Digest<C> d;
        C::hash(msg->data(), msg->size(), d.data());
        Sig<C> s;
        std::copy(sig->begin(), sig->end(), s.begin());
        p.job = digests.size();
        digests.push_back(d);
        sigs.push_back(s);
        job_keys.push_back(k.get());
      }
      pending.push_back(p);
    }
  }
  flush();
  std::printf("[wycheproof %s %s] %s\n", C::kLabel, std::string(this->variant().name).c_str(), t.summary().c_str());
  EXPECT_EQ(t.total(), t.number_of_tests);
  EXPECT_EQ(t.failures, 0);
  for (const std::string& line : t.failure_lines) ADD_FAILURE() << line;
  EXPECT_GT(t.valid_verified, C::kWycheproofMinValid);
  EXPECT_GT(t.invalid_rejected, 0);
}

TYPED_TEST(EcdsaKernelVariantWideDigest, DigestAtOrAboveNIsReducedAndVerifies) {
  using C = typename TestFixture::C;
  const TestKey<C>& k = *keys<C>().random[2];
  bssl::UniquePtr<BIGNUM> kn(BN_new());
  int checked = 0;
  // n (e = 0), n + 1, 2^(8 * digest bytes) - 1, p.
  std::vector<bssl::UniquePtr<BIGNUM>> values;
  values.emplace_back(BN_dup(order<C>()));
  values.emplace_back(BN_dup(order<C>()));
  BN_add(values.back().get(), values.back().get(), BN_value_one());
  values.emplace_back(BN_new());
  BN_set_word(values.back().get(), 1);
  BN_lshift(values.back().get(), values.back().get(), 8 * C::kDigestBytes);
  BN_sub(values.back().get(), values.back().get(), BN_value_one());
  values.push_back(field_p<C>());
  for (const auto& v : values) {
    const Digest<C> digest = bn_digest<C>(v.get());
    const std::string hex = test::to_hex(digest);
    BN_rand_range_ex(kn.get(), 1, order<C>());
    const Sig<C> sig = sign_raw<C>(k.d.get(), kn.get(), v.get());
    EXPECT_TRUE(this->verify(k, digest, sig)) << hex;
    // The same signature over e - n (the reduced digest) verifies too; over e + 1 it does not.
    bssl::UniquePtr<BIGNUM> red(BN_new());
    BN_sub(red.get(), v.get(), order<C>());
    EXPECT_TRUE(this->verify(k, bn_digest<C>(red.get()), sig)) << hex;
    Digest<C> other = digest;
    other[C::kDigestBytes - 1] ^= 1;
    EXPECT_FALSE(this->verify(k, other, sig)) << hex;
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TYPED_TEST(EcdsaKernelVariant, ExtremeDigests) {
  // 0 and 2^(8 * digest bytes) - 1 sign and verify, and differ (P-521: the digest is used whole,
  // 512 bits < 521; P-256: all-ones is >= n and reduced).
  using C = typename TestFixture::C;
  const TestKey<C>& k = *keys<C>().random[5];
  std::mt19937_64 rng(7);
  Signer<C> signer(k, rng);
  Digest<C> zero{}, ones;
  ones.fill(0xFF);
  const Sig<C> s0 = signer.sign(zero), s1 = signer.sign(ones);
  EXPECT_TRUE(this->verify(k, zero, s0));
  EXPECT_TRUE(this->verify(k, ones, s1));
  EXPECT_FALSE(this->verify(k, ones, s0));
  EXPECT_FALSE(this->verify(k, zero, s1));
  EXPECT_TRUE(boringssl_verify<C>(k, zero, s0));
  EXPECT_TRUE(boringssl_verify<C>(k, ones, s1));
}

TYPED_TEST(EcdsaKernelVariant, RAndSOutOfRangeFail) {
  using C = typename TestFixture::C;
  const TestKey<C>& k = *keys<C>().random[3];
  std::mt19937_64 rng(3);
  const Digest<C> digest = random_digest<C>(rng);
  bssl::UniquePtr<BIGNUM> kn(BN_new()), e(bn_from(digest.data(), digest.size()));
  BN_rand_range_ex(kn.get(), 1, order<C>());
  const Sig<C> good = sign_raw<C>(k.d.get(), kn.get(), e.get());
  ASSERT_TRUE(this->verify(k, digest, good));
  const Field<C> r = r_of<C>(good), s = s_of<C>(good), zero{}, n = bn_field<C>(order<C>());
  Field<C> ff;
  ff.fill(0xFF);
  // r + n names the same x mod n; where it does not fit the field's bytes, 2^(8 * bytes) - 1 stands in.
  auto plus_n = [&](const Field<C>& v) {
    bssl::UniquePtr<BIGNUM> t(bn_from(v.data(), v.size()));
    BN_add(t.get(), t.get(), order<C>());
    return BN_num_bytes(t.get()) <= C::kFieldBytes ? bn_field<C>(t.get()) : ff;
  };
  const Field<C> r_plus_n = plus_n(r), s_plus_n = plus_n(s);
  for (const Sig<C>& bad : {join<C>(zero, s), join<C>(r, zero), join<C>(zero, zero), join<C>(n, s), join<C>(r, n),
                            join<C>(r_plus_n, s), join<C>(r, s_plus_n), join<C>(ff, s), join<C>(r, ff)}) {
    EXPECT_FALSE(this->verify(k, digest, bad)) << test::to_hex(bad);
    EXPECT_FALSE(boringssl_verify<C>(k, digest, bad)) << test::to_hex(bad);
  }
  // High-S (n - s) is a valid ECDSA signature too (JWS does not forbid it; BoringSSL accepts it).
  bssl::UniquePtr<BIGNUM> hs(bn_from(s.data(), s.size()));
  BN_sub(hs.get(), order<C>(), hs.get());
  EXPECT_TRUE(this->verify(k, digest, join<C>(r, bn_field<C>(hs.get()))));
}

TYPED_TEST(EcdsaKernelVariant, SumAtInfinityFails) {
  // With Q = d*G: u1*G + u2*Q = (e + r*d)/s * G, infinity when r = -e/d (mod n), or, where any
  // residue is a digest, when e = -r*d. Its "x" must not be compared with r: the verification fails
  // whatever s is.
  using C = typename TestFixture::C;
  std::mt19937_64 rng(5);
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  auto check = [&](const TestKey<C>& k, const Digest<C>& digest, const Sig<C>& sig) {
    const uint64_t before = C::complete_recomputations();
    EXPECT_FALSE(this->verify(k, digest, sig));
    EXPECT_FALSE(boringssl_verify<C>(k, digest, sig));
    if (C::kCountsRecomputations) {
      EXPECT_GT(C::complete_recomputations(), before) << "a sum at infinity ends with Z = 0";
    }
  };
  for (const TestKey<C>* k : {keys<C>().random[4].get(), keys<C>().g.get(), keys<C>().neg_g.get()}) {
    for (int i = 0; i < C::kInfinityPerKey; ++i) {
      bssl::UniquePtr<BIGNUM> r(BN_new()), s(BN_new()), e(BN_new()), dinv(BN_new());
      BN_rand_range_ex(s.get(), 1, order<C>());
      if constexpr (digest_covers_n<C>()) {
        BN_rand_range_ex(r.get(), 1, order<C>());
        BN_mod_mul(e.get(), r.get(), k->d.get(), order<C>(), ctx.get());
        BN_sub(e.get(), order<C>(), e.get());
        check(*k, bn_digest<C>(e.get()), join<C>(bn_field<C>(r.get()), bn_field<C>(s.get())));
      } else {
        const Digest<C> digest = random_digest<C>(rng);
        e = bn_from(digest.data(), digest.size());
        BN_mod_inverse(dinv.get(), k->d.get(), order<C>(), ctx.get());
        BN_mod_mul(r.get(), e.get(), dinv.get(), order<C>(), ctx.get());
        BN_sub(r.get(), order<C>(), r.get());
        check(*k, digest, join<C>(bn_field<C>(r.get()), bn_field<C>(s.get())));
      }
    }
  }
}

// ---- differential against BoringSSL --------------------------------------------------------------

TYPED_TEST(EcdsaKernel, RandomValidAndHighS) {
  using C = TypeParam;
  std::mt19937_64 rng(diff_seed(1));
  std::vector<Case<C>> cases;
  const size_t per_key = scaled<C>(C::kRandomPerKey);
  for (const TestKey<C>* key : all_keys<C>()) {
    Signer<C> signer(*key, rng);
    for (size_t i = 0; i < per_key; ++i) {
      const Digest<C> digest = random_digest<C>(rng);
      const Sig<C> sig = signer.sign(digest);
      cases.push_back(Case<C>{key, digest, sig, 1, "valid"});
      // The high-S twin (r, n - s).
      bssl::UniquePtr<BIGNUM> s(bn_from(sig.data() + C::kFieldBytes, C::kFieldBytes));
      BN_sub(s.get(), order<C>(), s.get());
      cases.push_back(Case<C>{key, digest, join<C>(r_of<C>(sig), bn_field<C>(s.get())), 1, "high-S"});
    }
  }
  std::shuffle(cases.begin(), cases.end(), rng);  // mixed key order, as a chunk of several keys
  EXPECT_GE(run_all(cases), per_key * (C::kRandomKeys + 3) * 2);
}

TYPED_TEST(EcdsaKernelWideDigest, EqualScalarsOnGeneratorKeys) {
  // Keys G, 2G, -G with e = r*d: u1*G and u2*Q then share digits window by window, so the additions
  // meet P + P and P + (-P); signed validly with chosen nonces. Needs e chosen freely mod n.
  using C = TypeParam;
  std::mt19937_64 rng(diff_seed(2));
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  std::vector<Case<C>> cases;
  const Keys<C>& k = keys<C>();
  const size_t n = scaled<C>(C::kEqualScalars);
  for (size_t i = 0; i < n; ++i) {
    const TestKey<C>* key = i % 3 == 0 ? k.g.get() : i % 3 == 1 ? k.g2.get() : k.neg_g.get();
    bssl::UniquePtr<BIGNUM> kn(BN_new()), x(BN_new()), r(BN_new()), e(BN_new());
    BN_rand_range_ex(kn.get(), 1, order<C>());
    bssl::UniquePtr<EC_POINT> rp(EC_POINT_new(group<C>()));
    EC_POINT_mul(group<C>(), rp.get(), kn.get(), nullptr, nullptr, ctx.get());
    EC_POINT_get_affine_coordinates_GFp(group<C>(), rp.get(), x.get(), nullptr, ctx.get());
    BN_nnmod(r.get(), x.get(), order<C>(), ctx.get());
    // e = r * d makes u1 = u2 * d, so u1*G = u2*Q.
    BN_mod_mul(e.get(), r.get(), key->d.get(), order<C>(), ctx.get());
    const Sig<C> sig = sign_raw<C>(key->d.get(), kn.get(), e.get());
    cases.push_back(Case<C>{key, bn_digest<C>(e.get()), sig, 1, "u1*G == u2*Q"});
    // e = -r * d: the sum is infinity.
    BN_sub(e.get(), order<C>(), e.get());
    cases.push_back(Case<C>{key, bn_digest<C>(e.get()), sig, 0, "u1*G == -u2*Q"});
  }
  EXPECT_GE(run_all(cases), 2 * n);
}

TYPED_TEST(EcdsaKernelCounted, EqualFirstDigitsOnGeneratorKeys) {
  // Keys G and -G share G's table (negated for -G). Valid signatures whose u1 and u2 agree in their
  // first window up to sign make the first fast addition P + P or P + -P, recomputed with complete
  // formulas. Each is checked, and its high-S twin (u1, u2 -> n - u1, n - u2: first digits equal
  // stay equal, opposite ones in general do not). Needs the kernel's count of recomputations.
  using C = TypeParam;
  std::mt19937_64 rng(diff_seed(2));
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  std::vector<Case<C>> cases;
  const size_t want = scaled<C>(C::kEqualFirstDigits);
  size_t exceptional = 0;  // cases that must take the complete recomputation
  constexpr unsigned kMask = (1u << C::kWindowBits) - 1;
  // first_digits_clash: the first window's digits of u1 and u2 (their low bits) are equal or
  // opposite, and not zero.
  auto first_digits_clash = [&](const BIGNUM* u1, const BIGNUM* u2) {
    uint8_t lo1[C::kFieldBytes], lo2[C::kFieldBytes];
    BN_bn2bin_padded(lo1, sizeof lo1, u1);
    BN_bn2bin_padded(lo2, sizeof lo2, u2);
    const unsigned v1 = lo1[C::kFieldBytes - 1] & kMask, v2 = lo2[C::kFieldBytes - 1] & kMask;
    return v1 != 0 && (v1 == v2 || v1 + v2 == kMask + 1);
  };
  for (const TestKey<C>* key : {keys<C>().g.get(), keys<C>().neg_g.get()}) {
    Signer<C> signer(*key, rng);
    bssl::UniquePtr<BIGNUM> e(BN_new()), s(BN_new()), w(BN_new()), u1(BN_new()), u2(BN_new());
    size_t found = 0;
    for (size_t tries = 0; found < want / 2 && tries < want * 1000; ++tries) {
      // A fresh nonce every 256 tries: with the key G (d = 1) u1 + u2 = k, with -G u1 - u2 = k (mod
      // n), so how often the first digits clash depends on k's low bits and on how often the sum
      // wraps mod n; one unlucky k can make clashes rare (a seed found none in 24,000 tries).
      if (tries % 256 == 0) signer.new_nonce();
      const Digest<C> digest = random_digest<C>(rng);
      BN_bin2bn(digest.data(), digest.size(), e.get());
      BN_mod_add(s.get(), e.get(), signer.rd(), order<C>(), ctx.get());
      BN_mod_mul(s.get(), s.get(), signer.kinv(), order<C>(), ctx.get());
      BN_mod_inverse(w.get(), s.get(), order<C>(), ctx.get());
      BN_mod_mul(u1.get(), e.get(), w.get(), order<C>(), ctx.get());
      BN_mod_mul(u2.get(), signer.r(), w.get(), order<C>(), ctx.get());
      if (!first_digits_clash(u1.get(), u2.get())) continue;
      cases.push_back(Case<C>{key, digest, join<C>(bn_field<C>(signer.r()), bn_field<C>(s.get())), 1,
                              "first digits equal up to sign"});
      ++exceptional;
      BN_sub(s.get(), order<C>(), s.get());
      BN_sub(u1.get(), order<C>(), u1.get());
      BN_sub(u2.get(), order<C>(), u2.get());
      exceptional += first_digits_clash(u1.get(), u2.get());
      cases.push_back(Case<C>{key, digest, join<C>(bn_field<C>(signer.r()), bn_field<C>(s.get())), 1, "the same, high-S"});
      ++found;
    }
    EXPECT_EQ(found, want / 2);
  }
  const uint64_t before = C::complete_recomputations();
  EXPECT_GE(run_all(cases), want * 2 - 2);
  // Each case ran at least twice (batch and verify_one).
  EXPECT_GE(exceptional, cases.size() / 2);
  EXPECT_GE(C::complete_recomputations() - before, 2 * exceptional);
}

TYPED_TEST(EcdsaKernel, EveryByteCorrupted) {
  // Every byte of r||s and of the digest, each flipped in a random bit, plus random byte values.
  using C = TypeParam;
  std::mt19937_64 rng(diff_seed(3));
  std::vector<Case<C>> cases;
  const size_t sigs_n = scaled<C>(C::kCorruptedSigs);
  const auto keys_list = all_keys<C>();
  for (size_t j = 0; j < sigs_n; ++j) {
    const TestKey<C>* key = keys_list[j % keys_list.size()];
    Signer<C> signer(*key, rng);
    const Digest<C> digest = random_digest<C>(rng);
    const Sig<C> sig = signer.sign(digest);
    cases.push_back(Case<C>{key, digest, sig, 1, "valid"});
    for (size_t pos = 0; pos < sig.size(); ++pos) {
      Case<C> c{key, digest, sig, 0, "sig bit"};
      c.sig[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
      cases.push_back(c);
      c = Case<C>{key, digest, sig, -1, "sig byte value"};
      c.sig[pos] = static_cast<uint8_t>(rng());
      cases.push_back(c);
    }
    for (size_t pos = 0; pos < C::kDigestBytes; ++pos) {
      Case<C> c{key, digest, sig, 0, "digest bit"};
      c.digest[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
      cases.push_back(c);
    }
  }
  EXPECT_GE(run_all(cases), sigs_n * (1 + 4 * C::kFieldBytes + C::kDigestBytes));
}

TYPED_TEST(EcdsaKernel, EdgeScalarsAndDigests) {
  using C = TypeParam;
  std::mt19937_64 rng(diff_seed(4));
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  std::vector<Case<C>> cases;
  std::vector<Field<C>> edge;
  auto p = field_p<C>();
  bssl::UniquePtr<BIGNUM> t(BN_new());
  auto add_edge = [&](const BIGNUM* v) { edge.push_back(bn_field<C>(v)); };
  BN_zero(t.get()), add_edge(t.get());
  BN_one(t.get()), add_edge(t.get());
  BN_set_word(t.get(), 2), add_edge(t.get());
  BN_sub(t.get(), order<C>(), BN_value_one()), add_edge(t.get());  // n - 1
  add_edge(order<C>());                                            // n
  BN_add(t.get(), order<C>(), BN_value_one()), add_edge(t.get());  // n + 1
  BN_rshift1(t.get(), order<C>()), add_edge(t.get());              // (n - 1) / 2
  add_edge(p.get());                                               // p
  BN_sub(t.get(), p.get(), order<C>()), add_edge(t.get());         // p - n
  Field<C> ff;
  ff.fill(0xFF);
  edge.push_back(ff);  // 2^(8 * field bytes) - 1
  const size_t rounds = scaled<C>(C::kEdgeRounds);
  const auto keys_list = all_keys<C>();
  for (size_t j = 0; j < rounds; ++j) {
    const TestKey<C>* key = keys_list[j % keys_list.size()];
    Signer<C> signer(*key, rng);
    Digest<C> digest = random_digest<C>(rng);
    const char* kind = "valid";
    if constexpr (digest_covers_n<C>()) {
      // A digest >= n signed as such (BoringSSL reduces it; so must the kernel).
      for (size_t i = 0; i < digest.size() && BN_cmp(bn_from(digest.data(), digest.size()).get(), order<C>()) < 0; ++i)
        digest[i] = 0xFF;
      kind = "digest >= n";
    }
    const Sig<C> sig = signer.sign(digest);
    cases.push_back(Case<C>{key, digest, sig, 1, kind});
    // r or s replaced by an edge value, the other kept.
    for (const Field<C>& v : edge) {
      cases.push_back(Case<C>{key, digest, join<C>(v, s_of<C>(sig)), -1, "edge r"});
      cases.push_back(Case<C>{key, digest, join<C>(r_of<C>(sig), v), -1, "edge s"});
    }
    bssl::UniquePtr<BIGNUM> r(BN_new()), s(BN_new()), e(BN_new());
    BN_rand_range_ex(s.get(), 1, order<C>());
    if constexpr (digest_covers_n<C>()) {
      // An edge digest (0, n, n + 1, p, 2^256 - 1, ...) signed.
      const Field<C>& ed = edge[rng() % edge.size()];
      Digest<C> edd{};
      std::copy(ed.begin(), ed.end(), edd.end() - C::kFieldBytes);
      cases.push_back(Case<C>{key, edd, signer.sign(edd), 1, "edge digest"});
      // Infinity: e = -r*d mod n, and e + n when it fits the digest (a digest >= n naming it).
      BN_rand_range_ex(r.get(), 1, order<C>());
      BN_mod_mul(e.get(), r.get(), key->d.get(), order<C>(), ctx.get());
      BN_sub(e.get(), order<C>(), e.get());
      const Sig<C> inf_sig = join<C>(bn_field<C>(r.get()), bn_field<C>(s.get()));
      cases.push_back(Case<C>{key, bn_digest<C>(e.get()), inf_sig, 0, "infinity"});
      BN_add(e.get(), e.get(), order<C>());
      if (BN_num_bytes(e.get()) <= C::kDigestBytes)
        cases.push_back(Case<C>{key, bn_digest<C>(e.get()), inf_sig, 0, "infinity, e + n"});
    } else {
      // Infinity: r = -e/d mod n, any s.
      bssl::UniquePtr<BIGNUM> dinv(BN_new());
      e = bn_from(digest.data(), digest.size());
      BN_mod_inverse(dinv.get(), key->d.get(), order<C>(), ctx.get());
      BN_mod_mul(r.get(), e.get(), dinv.get(), order<C>(), ctx.get());
      BN_sub(r.get(), order<C>(), r.get());
      cases.push_back(Case<C>{key, digest, join<C>(bn_field<C>(r.get()), bn_field<C>(s.get())), 0, "infinity"});
    }
  }
  EXPECT_GE(run_all(cases), rounds * (2 + 2 * edge.size() + (digest_covers_n<C>() ? 1 : 0)));
}

TYPED_TEST(EcdsaKernel, ResultWithXAtOrAboveN) {
  // R = (x, y) with n <= x < p; a key Q = (R - u1*G) / u2 makes (r = x - n, s) a valid signature:
  // the kernel must find x(R) == r + n (mod p) in Jacobian coordinates. r = x (>= n) must fail.
  using C = TypeParam;
  std::mt19937_64 rng(diff_seed(6));
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  const BIGNUM* nn = order<C>();
  bssl::UniquePtr<BIGNUM> p(BN_new()), a(BN_new()), b(BN_new());
  EC_GROUP_get_curve_GFp(group<C>(), p.get(), a.get(), b.get(), ctx.get());
  // Each point gets its own key (a kernel key per format): rounds of at most kXAboveNRound points
  // keep the live keys under kMaxPreparedKeys however long the run.
  std::vector<std::unique_ptr<TestKey<C>>> made;
  std::vector<Case<C>> cases;
  const size_t want_points = std::max<size_t>(4, scaled<C>(C::kXAboveNPoints));
  size_t points = 0, checked = 0;
  bssl::UniquePtr<BIGNUM> x(BN_new()), rhs(BN_new()), t(BN_new()), y(BN_new()), y2(BN_new());
  // x = n + a random offset below p - n: as many whole random bytes as fit below p - n.
  BN_sub(t.get(), p.get(), nn);
  const size_t offset_bytes = (BN_num_bits(t.get()) - 1) / 8;
  std::vector<uint8_t> off(offset_bytes);
  while (points < want_points) {
    if (made.size() == C::kXAboveNRound) {
      checked += run_all(cases);
      cases.clear();
      made.clear();
    }
    for (auto& c : off) c = static_cast<uint8_t>(rng());
    BN_bin2bn(off.data(), off.size(), t.get());
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
    // BN_mod_sqrt of a non-residue may return a non-root (P-521): check the square.
    BN_mod_sqr(y2.get(), y.get(), p.get(), ctx.get());
    if (BN_cmp(y2.get(), rhs.get()) != 0) continue;
    bssl::UniquePtr<EC_POINT> rp(EC_POINT_new(group<C>())), tp(EC_POINT_new(group<C>())), q(EC_POINT_new(group<C>()));
    ASSERT_TRUE(EC_POINT_set_affine_coordinates_GFp(group<C>(), rp.get(), x.get(), y.get(), ctx.get()));
    bssl::UniquePtr<BIGNUM> r(BN_new()), s(BN_new()), e(BN_new()), w(BN_new()), u1(BN_new()), u2(BN_new()), u2i(BN_new());
    BN_sub(r.get(), x.get(), nn);
    BN_rand_range_ex(s.get(), 1, nn);
    const Digest<C> digest = random_digest<C>(rng);
    BN_bin2bn(digest.data(), digest.size(), e.get());
    BN_nnmod(e.get(), e.get(), nn, ctx.get());
    BN_mod_inverse(w.get(), s.get(), nn, ctx.get());
    BN_mod_mul(u1.get(), e.get(), w.get(), nn, ctx.get());
    BN_mod_mul(u2.get(), r.get(), w.get(), nn, ctx.get());
    BN_mod_inverse(u2i.get(), u2.get(), nn, ctx.get());
    // Q = u2^-1 * (R - u1*G).
    EC_POINT_mul(group<C>(), tp.get(), u1.get(), nullptr, nullptr, ctx.get());
    EC_POINT_invert(group<C>(), tp.get(), ctx.get());
    EC_POINT_add(group<C>(), tp.get(), rp.get(), tp.get(), ctx.get());
    EC_POINT_mul(group<C>(), q.get(), nullptr, tp.get(), u2i.get(), ctx.get());
    made.push_back(key_from_point<C>(q.get()));
    ++points;
    const TestKey<C>* key = made.back().get();
    const Field<C> rb = bn_field<C>(r.get()), sb = bn_field<C>(s.get());
    cases.push_back(Case<C>{key, digest, join<C>(rb, sb), 1, "x(R) >= n"});
    cases.push_back(Case<C>{key, digest, join<C>(bn_field<C>(x.get()), sb), 0, "r = x(R) >= n"});
    Field<C> r1 = rb;
    r1[C::kFieldBytes - 1] ^= 1;
    cases.push_back(Case<C>{key, digest, join<C>(r1, sb), 0, "r off by one bit"});
    // s -> n - s negates u1 and u2, so the sum is -R: same x, valid as well.
    BN_sub(s.get(), nn, s.get());
    cases.push_back(Case<C>{key, digest, join<C>(rb, bn_field<C>(s.get())), 1, "x(-R) >= n"});
  }
  checked += run_all(cases);
  EXPECT_GE(checked, want_points * 4);
}

// ---- P-256 only: table formats, dispatch ---------------------------------------------------------

TEST(P256Key, GeneratorAndRandomKeysPrepare) {
  const Keys<P256>& k = keys<P256>();
  EXPECT_EQ(test::to_hex(k.g->x), "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
  for (auto f : {p256::TableFormat::mont64, p256::TableFormat::ifma52}) {
    const p256::Key* key = k.g->for_format(static_cast<int>(f));
    EXPECT_EQ(key->format(), f);
    EXPECT_EQ(key->table_bytes(), p256::kTablePoints * p256::table_entry_words(f) * 8);
    EXPECT_LE(key->table_bytes(), size_t{200} << 10) << "bounded memory per key";
  }
}

// expect_dispatch_follows_model checks curve C's variant list against the dispatch model of
// `family`, and the active variant against JWTBATCH_TEST_EXPECT_VARIANT when a parent sets it.
template <class C> void expect_dispatch_follows_model(const char* family, typename C::VerifyBatchFn scalar_entry) {
  ASSERT_FALSE(C::supported_variants().empty());
  EXPECT_EQ(C::supported_variants()[0].verify_batch, scalar_entry);
  std::vector<std::string_view> names;
  for (const auto& v : C::supported_variants()) names.push_back(v.name);
  EXPECT_EQ(names, test::expected_supported(test::family_model(family), cpu_features()));
  EXPECT_EQ(C::find_variant(C::active_variant().name), &C::active_variant());
  if (const char* want = std::getenv("JWTBATCH_TEST_EXPECT_VARIANT"); want != nullptr) {
    EXPECT_EQ(C::active_variant().name, want);
  }
}

TEST(P256Dispatch, ScalarFirstAndActiveIsSupported) {
  expect_dispatch_follows_model<P256>("p256", &p256::verify_batch_scalar);
}

// The choice is made once per process, so forcing is checked in children under every
// JWTBATCH_FORCE_ISA value (avx2 is below the IFMA variant's level avx512: scalar).
TEST(P256Dispatch, ForcedIsaInChildProcesses) {
  test::expect_children_follow_policy("p256", "P256Dispatch.ScalarFirstAndActiveIsSupported", false);
}

// ---- P-384 only: table formats, dispatch ---------------------------------------------------------

TEST(P384Dispatch, ScalarFirstAndActiveIsSupported) {
  expect_dispatch_follows_model<P384>("p384", &p384::verify_batch_scalar);
}

TEST(P384Dispatch, ForcedIsaInChildProcesses) {
  test::expect_children_follow_policy("p384", "P384Dispatch.ScalarFirstAndActiveIsSupported", false);
}

// Both table formats against BoringSSL: G's coordinates, the key G's table equal to the generator's,
// and entries (window, digit) equal to digit * 2^(7 window) * G, read back from Montgomery form
// (x * 2^384 or x * 2^416 mod p) in 64- or 52-bit limbs.
TEST(P384Key, CurveConstantsAndTablesMatchBoringSSL) {
  using namespace p384;
  const Keys<P384>& k = keys<P384>();
  const EC_GROUP* grp = group<P384>();
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  bssl::UniquePtr<BIGNUM> gx(BN_new()), gy(BN_new());
  ASSERT_TRUE(EC_POINT_get_affine_coordinates_GFp(grp, EC_GROUP_get0_generator(grp), gx.get(), gy.get(), nullptr));
  EXPECT_EQ(k.g->x, bn_field<P384>(gx.get()));
  EXPECT_EQ(k.g->y, bn_field<P384>(gy.get()));
  const auto p = field_p<P384>();
  std::mt19937_64 rng(9);
  std::vector<std::pair<int, int>> entries = {{0, 1}, {0, 2}, {1, 1}, {kNumWindows - 1, kWindowEntries}};
  for (int i = 0; i < 12; ++i)
    entries.emplace_back(static_cast<int>(rng() % kNumWindows), 1 + static_cast<int>(rng() % kWindowEntries));
  for (TableFormat f : {TableFormat::mont64, TableFormat::ifma52}) {
    SCOPED_TRACE(static_cast<int>(f));
    const Key* key = k.g->for_format(static_cast<int>(f));
    ASSERT_EQ(key->format(), f);
    EXPECT_EQ(key->table_bytes(), kTablePoints * table_entry_words(f) * 8);
    EXPECT_LE(key->table_bytes(), size_t{450} << 10) << "bounded memory per key";
    EXPECT_EQ(std::memcmp(key->table(), generator_table(f), key->table_bytes()), 0);
    const int limb_bits = f == TableFormat::mont64 ? 64 : 52, limbs = f == TableFormat::mont64 ? 6 : kIfmaLimbs;
    // R^-1 mod p, R = 2^(64 * 6) or 2^(52 * 8).
    bssl::UniquePtr<BIGNUM> rinv(BN_new());
    BN_one(rinv.get());
    BN_lshift(rinv.get(), rinv.get(), limb_bits * limbs);
    ASSERT_TRUE(BN_mod_inverse(rinv.get(), rinv.get(), p.get(), ctx.get()));
    for (auto [w, d] : entries) {
      bssl::UniquePtr<BIGNUM> m(BN_new()), x(BN_new()), y(BN_new());
      BN_set_word(m.get(), d);
      BN_lshift(m.get(), m.get(), w * kWindowBits);
      BN_nnmod(m.get(), m.get(), order<P384>(), ctx.get());
      bssl::UniquePtr<EC_POINT> pt(EC_POINT_new(grp));
      ASSERT_TRUE(EC_POINT_mul(grp, pt.get(), m.get(), nullptr, nullptr, ctx.get()));
      ASSERT_TRUE(EC_POINT_get_affine_coordinates_GFp(grp, pt.get(), x.get(), y.get(), ctx.get()));
      for (int c = 0; c < 2; ++c) {
        const uint64_t* words =
            generator_table(f) + (size_t(w) * kWindowEntries + size_t(d - 1)) * table_entry_words(f) + c * limbs;
        bssl::UniquePtr<BIGNUM> v(BN_new()), t(BN_new());
        BN_zero(v.get());
        for (int i = limbs - 1; i >= 0; --i) {
          if (limb_bits < 64) {
            ASSERT_LT(words[i], uint64_t{1} << limb_bits) << "limb " << i << " not reduced";
          }
          BN_lshift(v.get(), v.get(), limb_bits);
          BN_set_u64(t.get(), words[i]);
          BN_add(v.get(), v.get(), t.get());
        }
        EXPECT_LT(BN_cmp(v.get(), p.get()), 0) << "not canonical";
        ASSERT_TRUE(BN_mod_mul(v.get(), v.get(), rinv.get(), p.get(), ctx.get()));
        EXPECT_EQ(BN_cmp(v.get(), c == 0 ? x.get() : y.get()), 0) << "entry (" << w << ", " << d << ") coordinate " << c;
      }
    }
  }
}

// ---- P-521 only: the 58-bit limb tables ----------------------------------------------------------

TEST(P521Key, CurveConstantsAndTablesMatchBoringSSL) {
  using namespace p521;
  const Keys<P521>& k = keys<P521>();
  const EC_GROUP* grp = group<P521>();
  bssl::UniquePtr<BIGNUM> gx(BN_new()), gy(BN_new());
  ASSERT_TRUE(EC_POINT_get_affine_coordinates_GFp(grp, EC_GROUP_get0_generator(grp), gx.get(), gy.get(), nullptr));
  EXPECT_EQ(k.g->x, bn_field<P521>(gx.get()));
  EXPECT_EQ(k.g->y, bn_field<P521>(gy.get()));
  // The key G's table is the generator's, built by the same code.
  EXPECT_EQ(std::memcmp(k.g->for_format(0)->table(), generator_table(), Key::table_bytes()), 0);
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
    BN_nnmod(m.get(), m.get(), order<P521>(), ctx.get());
    bssl::UniquePtr<EC_POINT> pt(EC_POINT_new(grp));
    ASSERT_TRUE(EC_POINT_mul(grp, pt.get(), m.get(), nullptr, nullptr, ctx.get()));
    ASSERT_TRUE(EC_POINT_get_affine_coordinates_GFp(grp, pt.get(), x.get(), y.get(), ctx.get()));
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

}  // namespace
}  // namespace jwtbatch::kernels
