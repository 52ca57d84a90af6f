// sha_kernel_test.cpp: the multi-buffer hash kernels, kernels/sha256 (SHA-256) and kernels/sha512
// (SHA-384 and SHA-512), one harness for both: every variant this CPU runs (and the SHA-NI code at
// each interleave width 1..4), for each hash, against the FIPS 180-4 examples, against its family's
// scalar reference and against BoringSSL's digests and HMAC: every length 0..300 at every
// alignment 0..63 (the padding boundaries of both block sizes among them), random lengths to 5000,
// batches of 0..34 messages (past twice the widest variant's lanes) of mixed lengths in random
// orders with guard bytes around every digest, chaining states after a prefix (HMAC's ipad/opad
// states); and each family's dispatch. Fixed seeds, traced on failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <openssl/digest.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "kernels/cpu/features.hpp"
#include "kernels/sha256/sha256.hpp"
#include "kernels/sha512/sha512.hpp"
#include "tests/support/dispatch_model.hpp"

namespace jwtbatch::kernels {
namespace {

using Bytes = std::vector<uint8_t>;

std::string hex(const uint8_t* p, size_t len) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < len; ++i) s += d[p[i] >> 4], s += d[p[i] & 15];
  return s;
}

Bytes random_bytes(std::mt19937_64& rng, size_t len) {
  Bytes b(len);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

// Input is one message in a form common to both families: `iv` points to a chaining state (eight
// 32-bit words for SHA-256, eight 64-bit words for SHA-384/512) or is null.
struct Input {
  const uint8_t* data;
  size_t len;
  const void* iv;
  uint64_t prefix_len;
  uint8_t* out;
};

enum class Digest { sha256, sha384, sha512 };

// Impl is one variant of a kernel for one hash, under test.
struct Impl {
  std::string name;  // "sha256_shani", "sha384_avx512"
  Digest digest;
  sha256::Sha256Many many256 = nullptr;
  sha512::Sha512Many many512 = nullptr;

  size_t block_len() const { return digest == Digest::sha256 ? sha256::kBlockLen : sha512::kBlockLen; }
  size_t digest_len() const { return digest == Digest::sha256 ? 32 : digest == Digest::sha384 ? 48 : 64; }
  const EVP_MD* md() const {
    return digest == Digest::sha256 ? EVP_sha256() : digest == Digest::sha384 ? EVP_sha384() : EVP_sha512();
  }
  sha512::Hash hash512() const { return digest == Digest::sha384 ? sha512::Hash::sha384 : sha512::Hash::sha512; }

  // run hashes `in` in one call of the kernel.
  void run(const Input* in, size_t n) const {
    if (many256 != nullptr) {
      std::vector<sha256::Sha256Msg> m(n);
      for (size_t i = 0; i < n; ++i)
        m[i] = {in[i].data, in[i].len, static_cast<const uint32_t*>(in[i].iv), in[i].prefix_len, in[i].out};
      many256(m.data(), n);
    } else {
      std::vector<sha512::Sha512Msg> m(n);
      for (size_t i = 0; i < n; ++i)
        m[i] = {in[i].data, in[i].len, static_cast<const uint64_t*>(in[i].iv), in[i].prefix_len, in[i].out, hash512()};
      many512(m.data(), n);
    }
  }
  // reference is the same hash through its family's scalar reference.
  Impl reference() const {
    Impl r = *this;
    r.name += "_reference";
    if (many256 != nullptr) r.many256 = sha256::sha256_many_scalar;
    else r.many512 = sha512::sha512_many_scalar;
    return r;
  }
};
void PrintTo(const Impl& impl, std::ostream* os) { *os << impl.name; }

// ChainState is BoringSSL's chaining state after whole blocks of a prefix, as a kernel takes it.
struct ChainState {
  uint64_t words[8];
};

ChainState state_after(const Impl& impl, const uint8_t* prefix, size_t len) {
  ChainState s{};
  if (impl.digest == Digest::sha256) {
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, prefix, len);
    static_assert(sizeof c.h <= sizeof s.words);
    std::memcpy(s.words, c.h, sizeof c.h);
  } else {
    SHA512_CTX c;
    if (impl.digest == Digest::sha384) SHA384_Init(&c);
    else SHA512_Init(&c);
    SHA512_Update(&c, prefix, len);
    std::memcpy(s.words, c.h, sizeof s.words);
  }
  return s;
}

std::string boringssl_digest(const Impl& impl, const uint8_t* p, size_t len) {
  uint8_t d[EVP_MAX_MD_SIZE];
  unsigned d_len = 0;
  EXPECT_TRUE(EVP_Digest(p, len, d, &d_len, impl.md(), nullptr));
  return hex(d, d_len);
}

#if defined(__x86_64__)
void shani_x1(const sha256::Sha256Msg* m, size_t n) noexcept { sha256::sha256_many_shani_lanes(m, n, 1); }
void shani_x2(const sha256::Sha256Msg* m, size_t n) noexcept { sha256::sha256_many_shani_lanes(m, n, 2); }
void shani_x3(const sha256::Sha256Msg* m, size_t n) noexcept { sha256::sha256_many_shani_lanes(m, n, 3); }
#endif

std::vector<Impl> impls() {
  std::vector<Impl> out;
  for (const sha256::Variant& v : sha256::supported_variants())
    out.push_back({"sha256_" + std::string(v.name), Digest::sha256, v.many, nullptr});
#if defined(__x86_64__)
  if (sha256::find_variant("shani") != nullptr) {
    out.push_back({"sha256_shani_x1", Digest::sha256, shani_x1, nullptr});
    out.push_back({"sha256_shani_x2", Digest::sha256, shani_x2, nullptr});
    out.push_back({"sha256_shani_x3", Digest::sha256, shani_x3, nullptr});
  }
#endif
#if defined(__x86_64__)
  // The 16 AVX-512 lanes, measured beside SHA-NI but not dispatched (sha256.hpp).
  if (kernels::cpu_features().has_all({kernels::Feature::avx512f, kernels::Feature::avx512bw}))
    out.push_back({"sha256_avx512_x16", Digest::sha256, sha256::sha256_many_avx512, nullptr});
#endif
  for (const sha512::Variant& v : sha512::supported_variants()) {
    out.push_back({"sha384_" + std::string(v.name), Digest::sha384, nullptr, v.many});
    out.push_back({"sha512_" + std::string(v.name), Digest::sha512, nullptr, v.many});
  }
  return out;
}

class ShaKernel : public ::testing::TestWithParam<Impl> {
 protected:
  // one hashes `len` bytes at `p` alone (a one-message call) and returns the digest in hex.
  std::string one(const uint8_t* p, size_t len) const {
    uint8_t d[64];
    const Input in{p, len, nullptr, 0, d};
    GetParam().run(&in, 1);
    return hex(d, GetParam().digest_len());
  }
};

TEST_P(ShaKernel, Fips180Examples) {
  // FIPS 180-4 examples (NIST CSRC "Examples with Intermediate Values": SHA256.pdf, SHA384.pdf,
  // SHA512.pdf, SHA2_Additional.pdf): "abc", the two-block message of each block size, an empty
  // message, a million 'a'.
  const Impl& impl = GetParam();
  const std::string abc = "abc";
  const std::string two = impl.digest == Digest::sha256
                              ? "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
                              : "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
                                "lmnopqrsmnopqrstnopqrstu";
  const std::string million(1000000, 'a');
  struct Want {
    const char *abc, *two, *empty, *million;
  };
  const Want sha256_want{"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                         "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"};
  const Want sha384_want{
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
      "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039",
      "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
      "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985"};
  const Want sha512_want{
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
      "454d4423643ce80e2a9ac94fa54ca49f",
      "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433a"
      "c7d329eeb6dd26545e96e55b874be909",
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f"
      "63b931bd47417a81a538327af927da3e",
      "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31b"
      "eb009c5c2c49aa2e4eadb217ad8cc09b"};
  const Want& want = impl.digest == Digest::sha256 ? sha256_want : impl.digest == Digest::sha384 ? sha384_want : sha512_want;
  auto bytes = [](const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); };
  EXPECT_EQ(one(bytes(abc), abc.size()), want.abc);
  EXPECT_EQ(one(bytes(two), two.size()), want.two);
  EXPECT_EQ(one(nullptr, 0), want.empty);
  EXPECT_EQ(one(bytes(million), million.size()), want.million);
  // The four at once, in both orders (lanes of different lengths finish at different blocks).
  const std::string* in[4] = {&abc, &two, &million, &abc};
  uint8_t d[4][64];
  for (int order = 0; order < 2; ++order) {
    Input msgs[4];
    for (int i = 0; i < 4; ++i) {
      const std::string& s = *in[order == 0 ? i : 3 - i];
      msgs[i] = {bytes(s), s.size(), nullptr, 0, d[i]};
    }
    impl.run(msgs, 4);
    for (int i = 0; i < 4; ++i) {
      const std::string& s = *in[order == 0 ? i : 3 - i];
      EXPECT_EQ(hex(d[i], impl.digest_len()), boringssl_digest(impl, bytes(s), s.size()))
          << "order " << order << " msg " << i;
    }
  }
}

TEST_P(ShaKernel, EveryLengthTo300AtEveryAlignment) {
  std::mt19937_64 rng(0x5a256001);
  const Bytes buf = random_bytes(rng, 300 + 64);
  for (size_t len = 0; len <= 300; ++len) {
    for (size_t align = 0; align < 64; ++align) {
      ASSERT_EQ(one(buf.data() + align, len), boringssl_digest(GetParam(), buf.data() + align, len))
          << "len " << len << " align " << align;
    }
  }
}

TEST_P(ShaKernel, EveryLengthTo300InOneBatchMatchesScalar) {
  // 301 messages in one call, so every lane sees messages end at every offset of a block.
  const Impl& impl = GetParam();
  const size_t dl = impl.digest_len();
  std::mt19937_64 rng(0x5a256002);
  const Bytes buf = random_bytes(rng, 301 * 300 + 7);  // message `len` at len * 300 + len % 7
  std::vector<Input> msgs, ref;
  std::vector<uint8_t> out(301 * dl), out_ref(301 * dl);
  for (size_t len = 0; len <= 300; ++len) {
    msgs.push_back({buf.data() + len * 300 + len % 7, len, nullptr, 0, out.data() + len * dl});
    ref.push_back(msgs.back());
    ref.back().out = out_ref.data() + len * dl;
  }
  impl.run(msgs.data(), msgs.size());
  impl.reference().run(ref.data(), ref.size());
  for (size_t len = 0; len <= 300; ++len) {
    const uint8_t* p = buf.data() + len * 300 + len % 7;
    EXPECT_EQ(hex(out.data() + len * dl, dl), hex(out_ref.data() + len * dl, dl)) << "len " << len;
    EXPECT_EQ(hex(out.data() + len * dl, dl), boringssl_digest(impl, p, len)) << "len " << len;
  }
}

TEST_P(ShaKernel, RandomLengthsTo5000) {
  std::mt19937_64 rng(0x5a256003);
  for (int trial = 0; trial < 400; ++trial) {
    const size_t len = rng() % 5001, align = rng() % 64;
    const Bytes buf = random_bytes(rng, len + align);
    ASSERT_EQ(one(buf.data() + align, len), boringssl_digest(GetParam(), buf.data() + align, len))
        << "trial " << trial << " len " << len << " align " << align;
  }
}

TEST_P(ShaKernel, BatchesOf0To34MixedLengthsInRandomOrders) {
  const Impl& impl = GetParam();
  const size_t dl = impl.digest_len(), b = impl.block_len();
  std::mt19937_64 rng(0x5a256004);
  // Lengths at the padding boundaries of the block size (a length field of 8 bytes for SHA-256,
  // 16 for SHA-384/512), short tokens, RS256-like signing inputs, long ones.
  const size_t kLens[] = {0,     1,     b - 17,     b - 16,     b - 9, b - 8, b - 1, b,   b + 1,
                          2 * b - 17, 2 * b - 16, 2 * b - 9, 2 * b - 8, 2 * b - 1, 2 * b, 150, 610, 1000, 3000};
  for (int trial = 0; trial < 100; ++trial) {
    for (size_t n = 0; n <= 34; ++n) {
      std::vector<Bytes> data(n);
      std::vector<Input> msgs(n);
      // Each digest sits between guard bytes: a variant writes digest_len bytes and no more.
      std::vector<uint8_t> out(n * (dl + 16) + 16, 0xa5);
      for (size_t i = 0; i < n; ++i) {
        const size_t len = rng() % 3 == 0 ? rng() % 700 : kLens[rng() % std::size(kLens)];
        const size_t off = rng() % 16;
        data[i] = random_bytes(rng, len + off);
        msgs[i] = {data[i].data() + off, len, nullptr, 0, out.data() + 16 + i * (dl + 16)};
      }
      std::shuffle(msgs.begin(), msgs.end(), rng);  // outputs move with their messages
      impl.run(msgs.data(), n);
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(hex(msgs[i].out, dl), boringssl_digest(impl, msgs[i].data, msgs[i].len))
            << "trial " << trial << " n " << n << " msg " << i << " len " << msgs[i].len;
      }
      for (size_t i = 0; i <= n; ++i)
        for (size_t j = 0; j < 16; ++j)
          ASSERT_EQ(out[i * (dl + 16) + j], 0xa5) << "guard " << i << " trial " << trial << " n " << n;
    }
  }
}

TEST_P(ShaKernel, ChainingStateAfterAPrefix) {
  // iv = BoringSSL's state after `prefix` whole blocks; the digest must be that of prefix || data.
  const Impl& impl = GetParam();
  const size_t dl = impl.digest_len();
  std::mt19937_64 rng(0x5a256005);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t num_msgs = 1 + rng() % 19;
    std::vector<Bytes> whole(num_msgs);
    std::vector<ChainState> states(num_msgs);
    std::vector<Input> msgs(num_msgs);
    std::vector<uint8_t> out(num_msgs * dl);
    for (size_t i = 0; i < num_msgs; ++i) {
      const size_t prefix_len = impl.block_len() * (rng() % 4), len = rng() % 300;
      whole[i] = random_bytes(rng, prefix_len + len);
      states[i] = state_after(impl, whole[i].data(), prefix_len);
      msgs[i] = {whole[i].data() + prefix_len, len, prefix_len != 0 ? states[i].words : nullptr, prefix_len,
                 out.data() + i * dl};
    }
    impl.run(msgs.data(), num_msgs);
    for (size_t i = 0; i < num_msgs; ++i)
      ASSERT_EQ(hex(msgs[i].out, dl), boringssl_digest(impl, whole[i].data(), whole[i].size()))
          << "trial " << trial << " msg " << i << " prefix " << msgs[i].prefix_len << " len " << msgs[i].len;
  }
}

TEST_P(ShaKernel, HmacFromPreparedStatesMatchesBoringSslHmac) {
  // RFC 2104 with prepared key states, as the engine holds them: inner = H(K^ipad || m) from the
  // ipad state, then outer = H(K^opad || inner) from the opad state, each a batch of one call.
  const Impl& impl = GetParam();
  const size_t dl = impl.digest_len(), b = impl.block_len();
  std::mt19937_64 rng(0x5a256006);
  for (int trial = 0; trial < 100; ++trial) {
    const size_t num = rng() % 20;
    std::vector<Bytes> keys(num), data(num);
    std::vector<ChainState> ipad(num), opad(num);
    std::vector<Input> inner(num), outer(num);
    std::vector<uint8_t> inner_out(num * dl), outer_out(num * dl);
    for (size_t i = 0; i < num; ++i) {
      keys[i] = random_bytes(rng, rng() % (2 * b));  // keys over a block are hashed first (RFC 2104 2)
      data[i] = random_bytes(rng, rng() % 400);
      Bytes k(b, 0);
      if (keys[i].size() > b) {
        unsigned len = 0;
        ASSERT_TRUE(EVP_Digest(keys[i].data(), keys[i].size(), k.data(), &len, impl.md(), nullptr));
      } else if (!keys[i].empty()) {
        std::memcpy(k.data(), keys[i].data(), keys[i].size());
      }
      Bytes pad(b);
      for (size_t j = 0; j < b; ++j) pad[j] = k[j] ^ 0x36;
      ipad[i] = state_after(impl, pad.data(), b);
      for (size_t j = 0; j < b; ++j) pad[j] = k[j] ^ 0x5c;
      opad[i] = state_after(impl, pad.data(), b);
      inner[i] = {data[i].data(), data[i].size(), ipad[i].words, b, inner_out.data() + i * dl};
      outer[i] = {inner[i].out, dl, opad[i].words, b, outer_out.data() + i * dl};
    }
    impl.run(inner.data(), num);
    impl.run(outer.data(), num);
    for (size_t i = 0; i < num; ++i) {
      uint8_t want[EVP_MAX_MD_SIZE];
      unsigned want_len = 0;
      ASSERT_NE(HMAC(impl.md(), keys[i].data(), keys[i].size(), data[i].data(), data[i].size(), want, &want_len),
                nullptr);
      ASSERT_EQ(want_len, dl);
      EXPECT_EQ(hex(outer[i].out, dl), hex(want, want_len))
          << "trial " << trial << " msg " << i << " key " << keys[i].size() << " len " << data[i].size();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, ShaKernel, ::testing::ValuesIn(impls()),
                         [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

// A SHA-512 family call may mix SHA-384 and SHA-512 messages: each keeps its own initial value and
// digest length (SHA-384 writes 48 bytes, not 64). Every variant this CPU runs.
TEST(Sha512Kernel, MixedHashesInOneCall) {
  for (const sha512::Variant& v : sha512::supported_variants()) {
    SCOPED_TRACE(std::string(v.name));
    std::mt19937_64 rng(0x5a256007);
    for (int trial = 0; trial < 50; ++trial) {
      const size_t n = rng() % 20;
      std::vector<Bytes> data(n);
      std::vector<sha512::Sha512Msg> msgs(n);
      std::vector<uint8_t> out(n * 64, 0);
      for (size_t i = 0; i < n; ++i) {
        data[i] = random_bytes(rng, rng() % 500);
        const sha512::Hash h = rng() % 2 == 0 ? sha512::Hash::sha384 : sha512::Hash::sha512;
        msgs[i] = {data[i].data(), data[i].size(), nullptr, 0, out.data() + 64 * i, h};
      }
      v.many(msgs.data(), n);
      for (size_t i = 0; i < n; ++i) {
        const bool is384 = msgs[i].hash == sha512::Hash::sha384;
        uint8_t want[64];
        if (is384) SHA384(data[i].data(), data[i].size(), want);
        else SHA512(data[i].data(), data[i].size(), want);
        const size_t len = is384 ? 48 : 64;
        ASSERT_EQ(hex(msgs[i].out, len), hex(want, len)) << "trial " << trial << " msg " << i;
        if (is384) {
          EXPECT_EQ(hex(msgs[i].out + 48, 16), std::string(32, '0')) << "SHA-384 writes 48 bytes";
        }
      }
    }
  }
}


// Each family's dispatch. In process: the variants offered are the model's, and the active one is
// among them. Run as a child by ForcedIsaInChildProcesses, it also checks the choice its parent
// expects (JWTBATCH_TEST_EXPECT_VARIANT, JWTBATCH_TEST_EXPECT_ENGINE).
struct Sha256Family {
  static constexpr const char* kName = "sha256";
  static auto supported() { return sha256::supported_variants(); }
  static const auto& active() { return sha256::active_variant(); }
  static const auto* find(std::string_view name) { return sha256::find_variant(name); }
  static bool engine() { return sha256::engine_uses_kernels(); }
  static bool is_reference(const sha256::Variant& v) { return v.many == &sha256::sha256_many_scalar; }
};
struct Sha512Family {
  static constexpr const char* kName = "sha512";
  static auto supported() { return sha512::supported_variants(); }
  static const auto& active() { return sha512::active_variant(); }
  static const auto* find(std::string_view name) { return sha512::find_variant(name); }
  static bool engine() { return sha512::engine_uses_kernels(); }
  static bool is_reference(const sha512::Variant& v) { return v.many == &sha512::sha512_many_scalar && v.lanes == 1; }
};
struct FamilyNames {
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};

template <class F>
class ShaDispatch : public ::testing::Test {};
using Families = ::testing::Types<Sha256Family, Sha512Family>;
TYPED_TEST_SUITE(ShaDispatch, Families, FamilyNames);

TYPED_TEST(ShaDispatch, OffersWhatTheCpuRuns) {
  using F = TypeParam;
  const auto vs = F::supported();
  ASSERT_FALSE(vs.empty());
  EXPECT_TRUE(F::is_reference(vs[0]));
  std::vector<std::string_view> names;
  for (const auto& v : vs) names.push_back(v.name);
  EXPECT_EQ(names, test::expected_supported(test::family_model(F::kName), cpu_features()));
  EXPECT_EQ(F::find(F::active().name), &F::active());
  std::printf("[%s] active variant: %s\n", F::kName, std::string(F::active().name).c_str());
  if (const char* want = std::getenv("JWTBATCH_TEST_EXPECT_VARIANT"); want != nullptr) {
    EXPECT_EQ(F::active().name, want);
  }
  if (const char* want = std::getenv("JWTBATCH_TEST_EXPECT_ENGINE"); want != nullptr) {
    EXPECT_EQ(F::engine(), std::string_view(want) == "1");
  }
}

// The choice is made once per process, so forcing is checked in children: this test binary again,
// under every JWTBATCH_FORCE_ISA value, running only the test above. Without forcing and with only
// the reference the engine keeps BoringSSL's hashing; a forced reference is used.
TYPED_TEST(ShaDispatch, ForcedIsaInChildProcesses) {
  using F = TypeParam;
  test::expect_children_follow_policy(F::kName, std::string("ShaDispatch/") + F::kName + ".OffersWhatTheCpuRuns",
                                      true);
}

}  // namespace
}  // namespace jwtbatch::kernels
