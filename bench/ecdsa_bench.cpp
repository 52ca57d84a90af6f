// ecdsa_bench.cpp: ECDSA verification (ES256's, ES384's and ES512's signature checks), one core, each curve's
// kernel variants beside BoringSSL's ECDSA_do_verify on the same signatures (digests precomputed,
// r and s already parsed for BoringSSL, keys prepared once). One harness, templated over the curve.
// Compare ratios within one run only.
//
//   BM_verify_es256/boringssl                 ECDSA_do_verify, one key
//   BM_verify_es256/boringssl/keys:16         ECDSA_do_verify, 16 keys in rotation
//   BM_verify_es256/scalar/single             verify_one (scalar, its own inversion mod n)
//   BM_verify_es256/scalar/batch:64           verify_batch_scalar, 64 signatures per call
//   BM_verify_es256/avx512_ifma/lanes:N       verify_batch_avx512_ifma with N = 1..8 signatures per
//                                             call (a partial batch costs one lane group, one inversion)
//   BM_verify_es256/avx512_ifma/batch:64      64 per call (8 lane groups, one inversion)
//   BM_verify_es256/avx512_ifma/keys:16       64 per call, signatures of 16 keys in rotation
//   BM_verify_es384/...                       as ES256: boringssl, boringssl/keys:16, scalar/single,
//                                             scalar/batch:64, avx512_ifma/lanes:1 and lanes:8,
//                                             avx512_ifma/batch:64, avx512_ifma/keys:16
//   BM_prepare_key_p384                       prepare_key (ifma52 table): validation and the table
//   BM_verify_es512/boringssl                 ECDSA_do_verify, one key
//   BM_verify_es512/boringssl/keys:16         ECDSA_do_verify, 16 keys in rotation
//   BM_verify_es512/scalar/single             verify_one (its own inversion mod n per signature)
//   BM_verify_es512/scalar/batch:N            verify_batch, N = 1, 8, 64 signatures per call (one
//                                             inversion mod n per call)
//   BM_verify_es512/scalar/keys:16            64 per call, signatures of 16 keys in rotation
//   BM_prepare_key_p521                       prepare_key: validation and the key's table
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/nid.h>

#include "kernels/p256/p256.hpp"
#include "kernels/p384/p384.hpp"
#include "kernels/p521/p521.hpp"

namespace jwtbatch::bench {
namespace {

namespace p256 = kernels::p256;
namespace p384 = kernels::p384;
namespace p521 = kernels::p521;

constexpr size_t kKeys = 16;

// A curve's traits: its BoringSSL group, sizes, how many signatures the runs cycle through, how its
// kernel prepares keys (one context per table format the variants use), and its batch entries by
// variant name.
template <class JobT>
struct BatchEntry {
  int format;  // index of the key context the entry wants
  void (*verify_batch)(std::span<const JobT>, bool*) noexcept;
};

struct P256Curve {
  static constexpr int kNid = NID_X9_62_prime256v1;
  static constexpr uint64_t kSeed = 256;
  static constexpr size_t kSigs = 1024;
  static constexpr size_t kFieldBytes = 32;
  static constexpr size_t kDigestBytes = 32;
  static constexpr int kNumFormats = 2;  // by TableFormat
  static constexpr int kSingleFormat = static_cast<int>(p256::TableFormat::mont64);
  using Key = p256::Key;
  using Job = p256::Job;
  static std::shared_ptr<const Key> prepare(const uint8_t* x, const uint8_t* y, int format) {
    return p256::prepare_key(std::span<const uint8_t, 32>(x, 32), std::span<const uint8_t, 32>(y, 32),
                             static_cast<p256::TableFormat>(format));
  }
  static bool find(std::string_view variant, BatchEntry<Job>* out) {
    const p256::Variant* v = p256::find_variant(variant);
    if (v == nullptr) return false;
    *out = {static_cast<int>(v->format), v->verify_batch};
    return true;
  }
  static bool verify_one(const Job& j) { return p256::verify_one(*j.key, j.digest, j.sig); }
};

struct P384Curve {
  static constexpr int kNid = NID_secp384r1;
  static constexpr uint64_t kSeed = 384;
  static constexpr size_t kSigs = 512;
  static constexpr size_t kFieldBytes = p384::kFieldBytes;
  static constexpr size_t kDigestBytes = p384::kDigestBytes;
  static constexpr int kNumFormats = 2;  // by TableFormat
  static constexpr int kSingleFormat = static_cast<int>(p384::TableFormat::mont64);
  using Key = p384::Key;
  using Job = p384::Job;
  static std::shared_ptr<const Key> prepare(const uint8_t* x, const uint8_t* y, int format) {
    return p384::prepare_key(std::span<const uint8_t, kFieldBytes>(x, kFieldBytes),
                             std::span<const uint8_t, kFieldBytes>(y, kFieldBytes), static_cast<p384::TableFormat>(format));
  }
  static bool find(std::string_view variant, BatchEntry<Job>* out) {
    const p384::Variant* v = p384::find_variant(variant);
    if (v == nullptr) return false;
    *out = {static_cast<int>(v->format), v->verify_batch};
    return true;
  }
  static bool verify_one(const Job& j) { return p384::verify_one(*j.key, j.digest, j.sig); }
};

struct P521Curve {
  static constexpr int kNid = NID_secp521r1;
  static constexpr uint64_t kSeed = 521;
  static constexpr size_t kSigs = 256;
  static constexpr size_t kFieldBytes = p521::kFieldBytes;
  static constexpr size_t kDigestBytes = p521::kDigestBytes;
  static constexpr int kNumFormats = 1;
  static constexpr int kSingleFormat = 0;
  using Key = p521::Key;
  using Job = p521::Job;
  static std::shared_ptr<const Key> prepare(const uint8_t* x, const uint8_t* y, int) {
    return p521::prepare_key(std::span<const uint8_t, kFieldBytes>(x, kFieldBytes),
                             std::span<const uint8_t, kFieldBytes>(y, kFieldBytes));
  }
  // One variant, "scalar".
  static bool find(std::string_view variant, BatchEntry<Job>* out) {
    if (variant != "scalar") return false;
    *out = {0, &p521::verify_batch};
    return true;
  }
  static bool verify_one(const Job& j) { return p521::verify_one(*j.key, j.digest, j.sig); }
};

template <class C>
struct BenchKey {
  bssl::UniquePtr<EC_KEY> ec;
  uint8_t x[C::kFieldBytes], y[C::kFieldBytes];
  std::shared_ptr<const typename C::Key> kernel[C::kNumFormats];
};

template <class C>
struct Sig {
  size_t key;
  uint8_t digest[C::kDigestBytes];
  uint8_t rs[2 * C::kFieldBytes];
  bssl::UniquePtr<ECDSA_SIG> parsed;
};

template <class C>
struct Data {
  std::vector<BenchKey<C>> keys;
  std::vector<Sig<C>> one_key;   // every signature by key 0
  std::vector<Sig<C>> rotation;  // signature i by key i % 16
  std::string error;
};

template <class C>
const Data<C>& data() {
  static const Data<C>* d = [] {
    auto* r = new Data<C>;
    std::mt19937_64 rng(C::kSeed);
    const EC_GROUP* group = EC_GROUP_new_by_curve_name(C::kNid);
    for (size_t k = 0; k < kKeys; ++k) {
      BenchKey<C> bk;
      bk.ec.reset(EC_KEY_new());
      EC_KEY_set_group(bk.ec.get(), group);
      EC_KEY_generate_key(bk.ec.get());
      bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
      EC_POINT_get_affine_coordinates_GFp(group, EC_KEY_get0_public_key(bk.ec.get()), x.get(), y.get(), nullptr);
      BN_bn2bin_padded(bk.x, sizeof bk.x, x.get());
      BN_bn2bin_padded(bk.y, sizeof bk.y, y.get());
      for (int f = 0; f < C::kNumFormats; ++f) {
        bk.kernel[f] = C::prepare(bk.x, bk.y, f);
        if (!bk.kernel[f]) r->error = "prepare_key failed";
      }
      r->keys.push_back(std::move(bk));
    }
    for (int set = 0; set < 2; ++set) {
      auto& out = set == 0 ? r->one_key : r->rotation;
      for (size_t i = 0; i < C::kSigs; ++i) {
        Sig<C> s;
        s.key = set == 0 ? 0 : i % kKeys;
        for (auto& b : s.digest) b = static_cast<uint8_t>(rng());
        s.parsed.reset(ECDSA_do_sign(s.digest, sizeof s.digest, r->keys[s.key].ec.get()));
        BN_bn2bin_padded(s.rs, C::kFieldBytes, s.parsed->r);
        BN_bn2bin_padded(s.rs + C::kFieldBytes, C::kFieldBytes, s.parsed->s);
        out.push_back(std::move(s));
      }
    }
    return r;
  }();
  return *d;
}

template <class C>
void bm_boringssl(benchmark::State& state, bool rotation) {
  const Data<C>& d = data<C>();
  const auto& sigs = rotation ? d.rotation : d.one_key;
  for (const Sig<C>& s : sigs)
    if (ECDSA_do_verify(s.digest, sizeof s.digest, s.parsed.get(), d.keys[s.key].ec.get()) != 1)
      return state.SkipWithError("BoringSSL rejected a signature");
  size_t i = 0;
  for (auto _ : state) {
    const Sig<C>& s = sigs[i];
    benchmark::DoNotOptimize(ECDSA_do_verify(s.digest, sizeof s.digest, s.parsed.get(), d.keys[s.key].ec.get()));
    if (++i == sigs.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

template <class C>
std::vector<typename C::Job> jobs_for(const std::vector<Sig<C>>& sigs, int format) {
  std::vector<typename C::Job> jobs;
  for (const Sig<C>& s : sigs) jobs.push_back(typename C::Job{data<C>().keys[s.key].kernel[format].get(), s.digest, s.rs});
  return jobs;
}

// bm_kernel verifies `per_call` signatures per call of `variant`'s batch entry.
template <class C>
void bm_kernel(benchmark::State& state, std::string variant, size_t per_call, bool rotation) {
  const Data<C>& d = data<C>();
  if (!d.error.empty()) return state.SkipWithError(d.error.c_str());
  BatchEntry<typename C::Job> v;
  if (!C::find(variant, &v)) return state.SkipWithError(("variant not supported here: " + variant).c_str());
  const auto jobs = jobs_for<C>(rotation ? d.rotation : d.one_key, v.format);
  std::unique_ptr<bool[]> out(new bool[jobs.size()]);
  using Span = std::span<const typename C::Job>;
  for (size_t i = 0; i < jobs.size(); i += per_call)
    v.verify_batch(Span(jobs).subspan(i, std::min(per_call, jobs.size() - i)), out.get() + i);
  for (size_t i = 0; i < jobs.size(); ++i)
    if (!out[i]) return state.SkipWithError("the kernel rejected a valid signature");
  // Each call verifies a fresh window of the signatures (calls of per_call that do not divide their
  // number wrap to the start).
  size_t i = 0;
  for (auto _ : state) {
    if (i + per_call > jobs.size()) i = 0;
    v.verify_batch(Span(jobs).subspan(i, per_call), out.get());
    benchmark::DoNotOptimize(out.get());
    i += per_call;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * per_call));
  state.SetLabel(variant);
}

template <class C>
void bm_single(benchmark::State& state) {
  const Data<C>& d = data<C>();
  if (!d.error.empty()) return state.SkipWithError(d.error.c_str());
  const auto jobs = jobs_for<C>(d.one_key, C::kSingleFormat);
  for (const auto& j : jobs)
    if (!C::verify_one(j)) return state.SkipWithError("verify_one rejected a valid signature");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(C::verify_one(jobs[i]));
    if (++i == jobs.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// bm_prepare times prepare_key on key 1's point (every table format the curve uses).
template <class C>
void bm_prepare(benchmark::State& state) {
  const Data<C>& d = data<C>();
  if (!d.error.empty()) return state.SkipWithError(d.error.c_str());
  for (auto _ : state) {
    for (int f = 0; f < C::kNumFormats; ++f) {
      auto key = C::prepare(d.keys[1].x, d.keys[1].y, f);
      if (!key) return state.SkipWithError("prepare_key failed");
      benchmark::DoNotOptimize(key.get());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// register_curve registers `family`'s BoringSSL and single-signature runs, then the kernel runs
// given as (name suffix, variant, signatures per call, rotation).
struct KernelRun {
  std::string suffix, variant;
  size_t per_call;
  bool rotation;
};

template <class C>
void register_curve(const std::string& family, const std::vector<KernelRun>& runs) {
  benchmark::RegisterBenchmark((family + "/boringssl").c_str(), bm_boringssl<C>, false);
  benchmark::RegisterBenchmark((family + "/boringssl/keys:16").c_str(), bm_boringssl<C>, true);
  benchmark::RegisterBenchmark((family + "/scalar/single").c_str(), bm_single<C>);
  for (const KernelRun& r : runs)
    benchmark::RegisterBenchmark((family + "/" + r.variant + "/" + r.suffix).c_str(), bm_kernel<C>, r.variant,
                                 r.per_call, r.rotation);
}

int register_all() {
  std::vector<KernelRun> es256 = {{"batch:64", "scalar", 64, false}};
  for (size_t lanes = 1; lanes <= 8; ++lanes) es256.push_back({"lanes:" + std::to_string(lanes), "avx512_ifma", lanes, false});
  es256.push_back({"batch:64", "avx512_ifma", 64, false});
  es256.push_back({"keys:16", "avx512_ifma", 64, true});
  register_curve<P256Curve>("BM_verify_es256", es256);

  std::vector<KernelRun> es384 = {{"batch:64", "scalar", 64, false},
                                  {"lanes:1", "avx512_ifma", 1, false},
                                  {"lanes:8", "avx512_ifma", 8, false},
                                  {"batch:64", "avx512_ifma", 64, false},
                                  {"keys:16", "avx512_ifma", 64, true}};
  register_curve<P384Curve>("BM_verify_es384", es384);
  benchmark::RegisterBenchmark("BM_prepare_key_p384", bm_prepare<P384Curve>);

  std::vector<KernelRun> es512;
  for (size_t n : {1, 8, 64}) es512.push_back({"batch:" + std::to_string(n), "scalar", n, false});
  es512.push_back({"keys:16", "scalar", 64, true});
  register_curve<P521Curve>("BM_verify_es512", es512);
  benchmark::RegisterBenchmark("BM_prepare_key_p521", bm_prepare<P521Curve>);
  return 0;
}
const int registered = register_all();

}  // namespace
}  // namespace jwtbatch::bench
