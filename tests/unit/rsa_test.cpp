// rsa_test.cpp: the RSA public-operation kernels (kernels/rsa) against BoringSSL's BN_mod_exp, every
// variant this CPU runs, single-shot and in batches of 1..8 lanes mixing keys; key preparation
// (Montgomery constants) against BIGNUM arithmetic; below_modulus; dispatch.
//
// Moduli are random odd numbers of 256, 384 and 512 bytes (the kernel needs nothing else of an RSA
// key), including the extremes for the almost-Montgomery bounds: all ones, 2^(k-1) + 1, and
// moduli a few bits shorter than their byte length. Exponents: 3, 17, 65537, 2^32 + 1, and random
// odd 64-bit ones. Inputs: 0, 1, 2, n - 1, n - 2, random below n. Fixed seed, traced on failure.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <openssl/bn.h>

#include "kernels/cpu/features.hpp"
#include "kernels/rsa/rsa.hpp"
#include "tests/support/dispatch_model.hpp"

namespace jwtbatch::kernels::rsa {
namespace {

using Bytes = std::vector<uint8_t>;

struct BnCtx {
  BN_CTX* ctx = BN_CTX_new();
  ~BnCtx() { BN_CTX_free(ctx); }
};

bssl::UniquePtr<BIGNUM> bn(const Bytes& b) { return bssl::UniquePtr<BIGNUM>(BN_bin2bn(b.data(), b.size(), nullptr)); }

Bytes to_bytes(const BIGNUM* x, size_t len) {
  Bytes out(len);
  EXPECT_TRUE(BN_bn2bin_padded(out.data(), len, x));
  return out;
}

Bytes be64(uint64_t e) {
  Bytes out(8);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(e >> (56 - 8 * i));
  return out;
}

std::string hex(const Bytes& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t c : b) s += d[c >> 4], s += d[c & 15];
  return s;
}

// random_modulus returns an odd modulus of `len` bytes; `shape` picks an extreme or a random one.
Bytes random_modulus(std::mt19937_64& rng, size_t len, int shape) {
  Bytes n(len);
  for (auto& b : n) b = static_cast<uint8_t>(rng());
  switch (shape) {
    case 0: std::fill(n.begin(), n.end(), 0xff); break;                  // 2^k - 1
    case 1: std::fill(n.begin(), n.end(), 0); n[0] = 0x80; break;        // 2^(k-1) + 1
    case 2: n[0] = static_cast<uint8_t>(1 + rng() % 0x7f); break;       // a few bits short
    default: n[0] |= 0x80; break;                                        // full length
  }
  n.back() |= 1;
  return n;
}

// random_below returns a `len`-byte number below `n` (by clearing top bits until it is).
Bytes random_below(std::mt19937_64& rng, const Bytes& n) {
  Bytes s(n.size());
  for (auto& b : s) b = static_cast<uint8_t>(rng());
  s[0] &= n[0];
  if (s >= n) s[0] = 0;
  if (s >= n) std::fill(s.begin(), s.end(), 0);
  return s;
}

struct TestKey {
  Bytes n;
  uint64_t e;
  std::shared_ptr<const Key> key;
};

TestKey make_key(const Bytes& n, uint64_t e) {
  TestKey k{n, e, prepare_key(n, be64(e))};
  EXPECT_NE(k.key, nullptr) << hex(n);
  return k;
}

// expected is s^e mod n by BIGNUM.
Bytes expected(const TestKey& k, const Bytes& s) {
  BnCtx c;
  auto bs = bn(s), bn_n = bn(k.n), be = bn(be64(k.e));
  bssl::UniquePtr<BIGNUM> r(BN_new());
  EXPECT_TRUE(BN_mod_exp(r.get(), bs.get(), be.get(), bn_n.get(), c.ctx));
  return to_bytes(r.get(), k.n.size());
}

std::vector<Bytes> inputs(std::mt19937_64& rng, const Bytes& n, int num_random) {
  std::vector<Bytes> v;
  Bytes zero(n.size(), 0), one = zero, two = zero;
  one.back() = 1;
  two.back() = 2;
  v.push_back(zero);
  v.push_back(one);
  v.push_back(two);
  auto bn_n = bn(n);
  for (int d = 1; d <= 2; ++d) {
    bssl::UniquePtr<BIGNUM> x(BN_dup(bn_n.get()));
    BN_sub_word(x.get(), d);
    v.push_back(to_bytes(x.get(), n.size()));
  }
  for (int i = 0; i < num_random; ++i) v.push_back(random_below(rng, n));
  return v;
}

// bn_from_limbs52 returns the number whose little-endian 52-bit limbs are limbs[0..num).
bssl::UniquePtr<BIGNUM> bn_from_limbs52(const uint64_t* limbs, size_t num) {
  bssl::UniquePtr<BIGNUM> x(BN_new());
  BN_zero(x.get());
  for (size_t i = num; i-- > 0;) {
    BN_lshift(x.get(), x.get(), 52);
    bssl::UniquePtr<BIGNUM> l(BN_new());
    BN_set_u64(l.get(), limbs[i]);
    BN_add(x.get(), x.get(), l.get());
  }
  return x;
}

TEST(RsaKernel, PrepareKeyConstantsMatchBignum) {
  std::mt19937_64 rng(0x5eed0001);
  BnCtx c;
  for (size_t len : {256, 384, 512}) {
    for (int shape = 0; shape < 5; ++shape) {
      Bytes n = random_modulus(rng, len, shape);
      auto key = prepare_key(n, be64(65537));
      ASSERT_NE(key, nullptr);
      auto bn_n = bn(n);
      EXPECT_EQ(key->n_len, len);
      EXPECT_EQ(key->num_bits, static_cast<int>(BN_num_bits(bn_n.get())));
      EXPECT_EQ(key->e, 65537u);
      // -n^-1 mod 2^64 and mod 2^52.
      EXPECT_EQ(key->n0inv64 * key->n64[0], ~uint64_t{0}) << "n0inv64 * n0 must be -1";
      EXPECT_EQ((key->n0inv52 * key->n52[0]) & ((uint64_t{1} << 52) - 1), (uint64_t{1} << 52) - 1);
      EXPECT_LT(key->n0inv52, uint64_t{1} << 52);
      // R^2 mod n for both limb sizes.
      for (int which = 0; which < 2; ++which) {
        const size_t bits = which == 0 ? 64 * key->num_limbs64 : 52 * key->num_limbs52;
        bssl::UniquePtr<BIGNUM> rr(BN_new());
        ASSERT_TRUE(BN_set_bit(rr.get(), static_cast<int>(2 * bits)));
        ASSERT_TRUE(BN_mod(rr.get(), rr.get(), bn_n.get(), c.ctx));
        bssl::UniquePtr<BIGNUM> got(BN_new());
        BN_zero(got.get());
        const size_t limbs = which == 0 ? key->num_limbs64 : key->num_limbs52;
        for (size_t i = limbs; i-- > 0;) {
          ASSERT_TRUE(BN_lshift(got.get(), got.get(), which == 0 ? 64 : 52));
          const uint64_t limb = which == 0 ? key->rr64[i] : key->rr52[i];
          bssl::UniquePtr<BIGNUM> l(BN_new());
          ASSERT_TRUE(BN_set_u64(l.get(), limb));
          ASSERT_TRUE(BN_add(got.get(), got.get(), l.get()));
          if (which == 1) {
            ASSERT_LT(limb, uint64_t{1} << 52);
          }
        }
        EXPECT_EQ(BN_cmp(got.get(), rr.get()), 0) << "len " << len << " shape " << shape << " which " << which;
      }
      // The conversion table: row j is 2^(52 (L + 2 + j)) mod n, every limb below 2^52.
      const size_t L = key->num_limbs52;
      ASSERT_EQ(key->conv52.size(), L * L);
      for (size_t j = 0; j < L; ++j) {
        bssl::UniquePtr<BIGNUM> want(BN_new());
        ASSERT_TRUE(BN_set_bit(want.get(), static_cast<int>(52 * (L + 2 + j))));
        ASSERT_TRUE(BN_mod(want.get(), want.get(), bn_n.get(), c.ctx));
        const uint64_t* row = key->conv52.data() + j * L;
        for (size_t i = 0; i < L; ++i) ASSERT_LT(row[i], uint64_t{1} << 52);
        EXPECT_EQ(BN_cmp(bn_from_limbs52(row, L).get(), want.get()), 0)
            << "len " << len << " shape " << shape << " row " << j;
      }
      // The PKCS#1 tables: K = R^-(e-1) mod n, R = 2^(52 L); row j = K 2^(104 + 52 j) mod n; base h
      // = EM_h K 2^104 mod n, EM_h the encoding of an all-zero digest of 32, 48 or 64 bytes.
      {
        bssl::UniquePtr<BIGNUM> r(BN_new()), rinv(BN_new()), k(BN_new()), exp(BN_new());
        ASSERT_TRUE(BN_set_bit(r.get(), static_cast<int>(52 * L)));
        ASSERT_TRUE(BN_mod_inverse(rinv.get(), r.get(), bn_n.get(), c.ctx));
        ASSERT_TRUE(BN_set_word(exp.get(), 65537 - 1));
        ASSERT_TRUE(BN_mod_exp(k.get(), rinv.get(), exp.get(), bn_n.get(), c.ctx));
        ASSERT_EQ(key->pkcs1_rows52.size(), kPkcs1Rows * L + 8);
        ASSERT_EQ(key->pkcs1_base52.size(), 3 * L + 8);
        for (size_t j = 0; j < kPkcs1Rows; ++j) {
          bssl::UniquePtr<BIGNUM> want(BN_new()), p2(BN_new());
          ASSERT_TRUE(BN_set_bit(p2.get(), static_cast<int>(104 + 52 * j)));
          ASSERT_TRUE(BN_mod_mul(want.get(), k.get(), p2.get(), bn_n.get(), c.ctx));
          EXPECT_EQ(BN_cmp(bn_from_limbs52(key->pkcs1_rows52.data() + j * L, L).get(), want.get()), 0)
              << "len " << len << " shape " << shape << " PKCS#1 row " << j;
        }
        const size_t digest_lens[3] = {32, 48, 64};
        for (size_t h = 0; h < 3; ++h) {
          Bytes em(len), zero(digest_lens[h], 0);
          ASSERT_TRUE(pkcs1_encode(len, zero.data(), zero.size(), em.data()));
          bssl::UniquePtr<BIGNUM> want(BN_new()), p2(BN_new());
          ASSERT_TRUE(BN_set_bit(p2.get(), 104));
          ASSERT_TRUE(BN_mod_mul(want.get(), bn(em).get(), k.get(), bn_n.get(), c.ctx));
          ASSERT_TRUE(BN_mod_mul(want.get(), want.get(), p2.get(), bn_n.get(), c.ctx));
          EXPECT_EQ(BN_cmp(bn_from_limbs52(key->pkcs1_base52.data() + h * L, L).get(), want.get()), 0)
              << "len " << len << " shape " << shape << " PKCS#1 base " << h;
        }
      }
      // R52 >= 4n, and a multiple of four limbs.
      EXPECT_EQ(key->num_limbs52 % 4, 0u);
      EXPECT_GE(52 * key->num_limbs52, static_cast<size_t>(key->num_bits) + 2);
      EXPECT_LE(key->num_limbs52, kMaxLimbs52);
    }
  }
}

TEST(RsaKernel, PrepareKeyRefusesWhatItDoesNotTake) {
  std::mt19937_64 rng(0x5eed0002);
  Bytes n = random_modulus(rng, 256, 3);
  EXPECT_NE(prepare_key(n, be64(65537)), nullptr);
  Bytes with_zeros(3, 0);
  with_zeros.insert(with_zeros.end(), n.begin(), n.end());
  EXPECT_NE(prepare_key(with_zeros, be64(65537)), nullptr) << "leading zero bytes are fine";
  Bytes even = n;
  even.back() &= 0xfe;
  EXPECT_EQ(prepare_key(even, be64(65537)), nullptr);
  EXPECT_EQ(prepare_key(random_modulus(rng, 255, 3), be64(65537)), nullptr);
  EXPECT_EQ(prepare_key(random_modulus(rng, 128, 3), be64(65537)), nullptr);
  EXPECT_EQ(prepare_key(random_modulus(rng, 640, 3), be64(65537)), nullptr);
  EXPECT_EQ(prepare_key(n, be64(65536)), nullptr);
  EXPECT_EQ(prepare_key(n, be64(1)), nullptr);
  EXPECT_EQ(prepare_key(n, be64(0)), nullptr);
  EXPECT_EQ(prepare_key(n, Bytes{}), nullptr);
  Bytes e9(9, 0);
  e9[0] = 1;
  e9.back() = 1;
  EXPECT_EQ(prepare_key(n, e9), nullptr) << "e of 65 bits";
  Bytes e9small(9, 0);
  e9small.back() = 3;
  EXPECT_NE(prepare_key(n, e9small), nullptr) << "nine bytes with leading zeros is e = 3";
}

TEST(RsaKernel, BelowModulus) {
  std::mt19937_64 rng(0x5eed0003);
  for (size_t len : {256, 384, 512}) {
    Bytes n = random_modulus(rng, len, 3);
    auto key = prepare_key(n, be64(65537));
    ASSERT_NE(key, nullptr);
    auto bn_n = bn(n);
    auto at = [&](long delta) {
      bssl::UniquePtr<BIGNUM> x(BN_dup(bn_n.get()));
      if (delta < 0) BN_sub_word(x.get(), -delta); else BN_add_word(x.get(), delta);
      return to_bytes(x.get(), len);
    };
    EXPECT_FALSE(below_modulus(*key, n.data()));
    EXPECT_TRUE(below_modulus(*key, at(-1).data()));
    EXPECT_TRUE(below_modulus(*key, at(-2).data()));
    Bytes big = at(1);
    EXPECT_FALSE(below_modulus(*key, big.data()));
    Bytes zero(len, 0), ones(len, 0xff);
    EXPECT_TRUE(below_modulus(*key, zero.data()));
    EXPECT_FALSE(below_modulus(*key, ones.data()));
    for (size_t i = 0; i < len; ++i) {  // n with one byte changed: below iff that byte went down
      Bytes s = n;
      s[i] ^= static_cast<uint8_t>(1 + rng() % 255);
      EXPECT_EQ(below_modulus(*key, s.data()), s < n) << "byte " << i;
    }
  }
}

// In-process check of the dispatch. Run as a child by ForcedIsaInChildProcesses, it also checks
// the choice its parent expects (JWTBATCH_TEST_EXPECT_VARIANT, JWTBATCH_TEST_EXPECT_ENGINE).
TEST(RsaKernel, DispatchOffersWhatTheCpuRuns) {
  auto vs = supported_variants();
  ASSERT_FALSE(vs.empty());
  std::vector<std::string_view> names;
  for (const Variant& v : vs) names.push_back(v.name);
  EXPECT_EQ(names, test::expected_supported(test::family_model("rsa"), cpu_features()));
  EXPECT_EQ(find_variant(active_variant().name), &active_variant());
  std::printf("[rsa] active variant: %s\n", std::string(active_variant().name).c_str());
  if (const char* want = std::getenv("JWTBATCH_TEST_EXPECT_VARIANT"); want != nullptr) {
    EXPECT_EQ(active_variant().name, want);
  }
  if (const char* want = std::getenv("JWTBATCH_TEST_EXPECT_ENGINE"); want != nullptr) {
    EXPECT_EQ(engine_uses_kernels(), std::string_view(want) == "1");
  }
}

// The choice is made once per process, so forcing is checked in children under every
// JWTBATCH_FORCE_ISA value. Without forcing and without IFMA the engine keeps BoringSSL (the
// portable reference is slower); a forced reference is used.
TEST(RsaKernel, ForcedIsaInChildProcesses) {
  test::expect_children_follow_policy("rsa", "RsaKernel.DispatchOffersWhatTheCpuRuns", true);
}

class RsaKernelVariant : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    variant_ = find_variant(GetParam());
    ASSERT_NE(variant_, nullptr) << GetParam();
  }
  const Variant* variant_ = nullptr;
};

TEST_P(RsaKernelVariant, SingleMatchesBnModExp) {
  std::mt19937_64 rng(0x5eed0010);
  const uint64_t exps[] = {3, 17, 65537, (uint64_t{1} << 32) + 1, rng() | 1, rng() | 1};
  for (size_t len : {256, 384, 512}) {
    for (int shape = 0; shape < 4; ++shape) {
      for (uint64_t e : exps) {
        if (len == 512 && e > 65537 && shape != 3) continue;  // keep the run short
        TestKey k = make_key(random_modulus(rng, len, shape), e);
        for (const Bytes& s : inputs(rng, k.n, 2)) {
          Bytes out(len);
          variant_->single(*k.key, s.data(), out.data());
          ASSERT_EQ(hex(out), hex(expected(k, s))) << "n " << hex(k.n) << " e " << e << " s " << hex(s);
          Bytes in_place = s;  // s and out may alias
          variant_->single(*k.key, in_place.data(), in_place.data());
          ASSERT_EQ(in_place, out);
        }
      }
    }
  }
}

TEST_P(RsaKernelVariant, BatchMatchesBnModExpForEveryLaneCount) {
  std::mt19937_64 rng(0x5eed0011);
  for (size_t len : {256, 384, 512}) {
    for (uint64_t e : {uint64_t{65537}, uint64_t{3}, (uint64_t{1} << 32) + 1}) {
      // Eight keys of this size (all shapes) so lanes mix keys.
      std::vector<TestKey> keys;
      for (int i = 0; i < 8; ++i) keys.push_back(make_key(random_modulus(rng, len, i % 4), e));
      for (size_t lanes = 1; lanes <= kMaxLanes; ++lanes) {
        const Key* kp[kMaxLanes];
        const uint8_t* sp[kMaxLanes];
        uint8_t* op[kMaxLanes];
        std::vector<Bytes> s(lanes), out(lanes, Bytes(len)), want(lanes);
        for (size_t i = 0; i < lanes; ++i) {
          const TestKey& k = keys[(i * 3 + lanes) % keys.size()];
          kp[i] = k.key.get();
          auto in = inputs(rng, k.n, 1);
          s[i] = in[(i + lanes) % in.size()];
          sp[i] = s[i].data();
          op[i] = out[i].data();
          want[i] = expected(k, s[i]);
        }
        variant_->batch(kp, sp, op, lanes);
        for (size_t i = 0; i < lanes; ++i)
          ASSERT_EQ(hex(out[i]), hex(want[i])) << "len " << len << " e " << e << " lanes " << lanes
                                               << " lane " << i << " s " << hex(s[i]);
      }
    }
  }
}

TEST_P(RsaKernelVariant, BatchWithOneKeyInEveryLaneMatchesBnModExp) {
  // One key in every lane (the usual case after stage 6 sorts by key; the IFMA code broadcasts
  // that key's limbs instead of gathering them per lane), each size and every lane count, with the
  // edge inputs (0, 1, 2, n - 1, n - 2) among the signatures, and outputs written over the inputs.
  std::mt19937_64 rng(0x5eed0013);
  for (size_t len : {256, 384, 512}) {
    for (int shape = 0; shape < 4; ++shape) {
      const TestKey k = make_key(random_modulus(rng, len, shape), 65537);
      const std::vector<Bytes> in = inputs(rng, k.n, 3);
      for (size_t lanes = 1; lanes <= kMaxLanes; ++lanes) {
        const Key* kp[kMaxLanes];
        uint8_t* op[kMaxLanes];
        std::vector<Bytes> buf(lanes), want(lanes);
        for (size_t i = 0; i < lanes; ++i) {
          kp[i] = k.key.get();
          buf[i] = in[(i + lanes + static_cast<size_t>(shape)) % in.size()];
          want[i] = expected(k, buf[i]);
          op[i] = buf[i].data();
        }
        variant_->batch(kp, op, op, lanes);  // in place
        for (size_t i = 0; i < lanes; ++i)
          ASSERT_EQ(hex(buf[i]), hex(want[i])) << "len " << len << " shape " << shape << " lanes "
                                               << lanes << " lane " << i;
      }
    }
  }
}

TEST_P(RsaKernelVariant, BatchAgreesWithScalarOnRandomInputs) {
  // A longer sweep against the scalar reference (cheaper than BN_mod_exp): 2048-bit, e = 65537.
  std::mt19937_64 rng(0x5eed0012);
  std::vector<TestKey> keys;
  for (int i = 0; i < 8; ++i) keys.push_back(make_key(random_modulus(rng, 256, i % 4), 65537));
  for (int round = 0; round < 40; ++round) {
    const Key* kp[kMaxLanes];
    const uint8_t* sp[kMaxLanes];
    uint8_t* op[kMaxLanes];
    Bytes s[kMaxLanes], out[kMaxLanes];
    for (size_t i = 0; i < kMaxLanes; ++i) {
      const TestKey& k = keys[rng() % keys.size()];
      kp[i] = k.key.get();
      s[i] = random_below(rng, k.n);
      out[i].assign(256, 0);
      sp[i] = s[i].data();
      op[i] = out[i].data();
    }
    variant_->batch(kp, sp, op, kMaxLanes);
    for (size_t i = 0; i < kMaxLanes; ++i) {
      Bytes ref(256);
      public_op_scalar(*kp[i], s[i].data(), ref.data());
      ASSERT_EQ(out[i], ref) << "round " << round << " lane " << i << " s " << hex(s[i]);
    }
  }
}

// limbs returns x (below 2^(bits num)) as `num` little-endian limbs of `bits` bits (52 or 64), padded
// with zero limbs to a multiple of 8.
std::vector<uint64_t> limbs(const BIGNUM* x, size_t num, int bits) {
  std::vector<uint64_t> out((num + 7) / 8 * 8, 0);
  bssl::UniquePtr<BIGNUM> t(BN_dup(x));
  for (size_t j = 0; j < num; ++j) {
    bssl::UniquePtr<BIGNUM> l(BN_dup(t.get()));
    BN_mask_bits(l.get(), bits);
    EXPECT_TRUE(BN_get_u64(l.get(), &out[j]));
    BN_rshift(t.get(), t.get(), bits);
  }
  EXPECT_TRUE(BN_is_zero(t.get()));
  return out;
}

// The variant's modular products alone, against BIGNUM, on the inputs that take their rare paths:
// for avx512_ifma the Montgomery squaring and multiplication (mont_mul_avx512_ifma: a^2 R^-1 and
// a b R^-1 mod n, inputs below 2n), whose Karatsuba carries need a low half of all ones (a0 + a1
// overflows the half), which random exponentiations essentially never reach; for the scalar
// reference its a b mod n (mod_mul_scalar, inputs below n). Inputs: low halves of all ones under
// random and the largest high halves, 2n - 1, 2n - 2, 0, 1, n, n - 1, random below 2n (reduced mod n
// for the reference); squares, and products of each input with the next.
TEST_P(RsaKernelVariant, ModularProductsMatchBignumOnEdgeInputs) {
  const bool ifma = variant_->name == "avx512_ifma";
  std::mt19937_64 rng(0x5eed0014);
  BnCtx c;
  size_t carries = 0;
  for (size_t len : {256, 384, 512}) {
    for (int shape = 0; shape < 4; ++shape) {
      const TestKey k = make_key(random_modulus(rng, len, shape), 65537);
      const size_t L = k.key->num_limbs52, H = L / 2;
      auto n = bn(k.n);
      bssl::UniquePtr<BIGNUM> two_n(BN_new()), r(BN_new()), rinv(BN_new()), x_half(BN_new());
      BN_lshift1(two_n.get(), n.get());
      BN_one(r.get());
      BN_lshift(r.get(), r.get(), static_cast<int>(52 * L));
      ASSERT_NE(BN_mod_inverse(rinv.get(), r.get(), n.get(), c.ctx), nullptr);
      BN_one(x_half.get());
      BN_lshift(x_half.get(), x_half.get(), static_cast<int>(52 * H));  // X = 2^(52 H)
      std::vector<bssl::UniquePtr<BIGNUM>> in;
      auto add = [&](bssl::UniquePtr<BIGNUM> v) {
        if (BN_cmp(v.get(), two_n.get()) >= 0) return;
        if (!ifma) BN_nnmod(v.get(), v.get(), n.get(), c.ctx);  // the reference takes a, b < n
        in.push_back(std::move(v));
      };
      for (int i = 0; i < 24; ++i) {  // low half X - 1, high half random below (2n - X + 1) / X
        bssl::UniquePtr<BIGNUM> top(BN_new()), hi(BN_new()), v(BN_new());
        BN_rshift(top.get(), two_n.get(), static_cast<int>(52 * H));
        if (i > 0) {
          ASSERT_TRUE(BN_rand_range(hi.get(), top.get()));
        } else {
          BN_copy(hi.get(), top.get());
          BN_sub_word(hi.get(), 1);  // the largest high half
        }
        BN_mul(v.get(), hi.get(), x_half.get(), c.ctx);
        BN_add(v.get(), v.get(), x_half.get());
        BN_sub_word(v.get(), 1);
        add(std::move(v));
      }
      for (BN_ULONG d : {1, 2}) {  // 2n - 1, 2n - 2
        bssl::UniquePtr<BIGNUM> v(BN_dup(two_n.get()));
        BN_sub_word(v.get(), d);
        add(std::move(v));
      }
      for (BN_ULONG w : {0, 1}) {
        bssl::UniquePtr<BIGNUM> v(BN_new());
        BN_set_word(v.get(), w);
        add(std::move(v));
      }
      add(bssl::UniquePtr<BIGNUM>(BN_dup(n.get())));
      {
        bssl::UniquePtr<BIGNUM> v(BN_dup(n.get()));
        BN_sub_word(v.get(), 1);
        add(std::move(v));
      }
      for (int i = 0; i < 16; ++i) {
        bssl::UniquePtr<BIGNUM> v(BN_new());
        ASSERT_TRUE(BN_rand_range(v.get(), two_n.get()));
        add(std::move(v));
      }
      for (size_t shift : {0, 1}) {  // 0: squares; 1: products with the next input
        for (size_t first = 0; first < in.size(); first += kMaxLanes) {
          const size_t lanes = std::min(kMaxLanes, in.size() - first);
          std::vector<std::vector<uint64_t>> a(lanes), b(lanes), out(lanes);
          const uint64_t* ap[kMaxLanes];
          const uint64_t* bp[kMaxLanes];
          uint64_t* op[kMaxLanes];
          const size_t num = ifma ? L : k.key->num_limbs64;
          const int bits = ifma ? 52 : 64;
          for (size_t i = 0; i < lanes; ++i) {
            a[i] = limbs(in[first + i].get(), num, bits);
            b[i] = limbs(in[(first + i + shift) % in.size()].get(), num, bits);
            out[i].assign(a[i].size(), ~uint64_t{0});
            ap[i] = a[i].data();
            bp[i] = b[i].data();
            op[i] = out[i].data();
            if (ifma) {
              uint64_t sum = 0, carry = 0;  // does a0 + a1 carry out of the half?
              for (size_t j = 0; j < H; ++j) {
                sum = a[i][j] + a[i][H + j] + carry;
                carry = sum >> 52;
              }
              carries += carry;
            }
          }
          if (ifma) {
#if defined(__x86_64__)
            mont_mul_avx512_ifma(*k.key, ap, shift == 0 ? nullptr : bp, op, lanes);
#endif
          } else {
            for (size_t i = 0; i < lanes; ++i) mod_mul_scalar(*k.key, ap[i], bp[i], op[i]);
          }
          for (size_t i = 0; i < lanes; ++i) {
            bssl::UniquePtr<BIGNUM> want(BN_new());
            ASSERT_TRUE(BN_mod_mul(want.get(), in[first + i].get(), in[(first + i + shift) % in.size()].get(),
                                   n.get(), c.ctx));
            if (ifma) {
              ASSERT_TRUE(BN_mod_mul(want.get(), want.get(), rinv.get(), n.get(), c.ctx));
            }
            std::vector<uint64_t> w = limbs(want.get(), num, bits);
            w.resize(num);
            out[i].resize(num);
            ASSERT_EQ(out[i], w) << "len " << len << " shape " << shape << " input " << first + i
                                 << " shift " << shift;
          }
        }
      }
    }
  }
  if (ifma) {
    EXPECT_GE(carries, 100u);  // the inputs above do reach the carry path
  }
}

// One instance per variant this CPU runs (scalar everywhere; avx512_ifma on x86-64 with AVX-512
// IFMA, BW and VBMI): no instance exists only to be skipped.
std::vector<std::string> variant_names() {
  std::vector<std::string> names;
  for (const Variant& v : supported_variants()) names.emplace_back(v.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Variants, RsaKernelVariant, ::testing::ValuesIn(variant_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace jwtbatch::kernels::rsa
