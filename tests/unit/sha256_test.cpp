// sha256_test.cpp: the multi-buffer SHA-256 kernels (kernels/sha256), every variant this CPU runs
// (and the SHA-NI code at each interleave width 1..4), against the FIPS 180-4 examples, against the
// scalar reference and against BoringSSL's SHA256 and HMAC: every length 0..300 at every alignment
// 0..63 (the padding boundaries 55/56/63/64/119/120 among them), random lengths to 5000, batches of
// 0..20 messages of mixed lengths in random orders, chaining states after a prefix (HMAC's
// ipad/opad states); dispatch. Fixed seeds, traced on failure.
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

#include "kernels/sha256/sha256.hpp"
#include "kernels/cpu/features.hpp"
#include "tests/support/dispatch_model.hpp"

namespace jwtbatch::kernels::sha256 {
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

std::string boringssl_sha256(const uint8_t* p, size_t len) {
  uint8_t d[kDigestLen];
  SHA256(p, len, d);
  return hex(d, kDigestLen);
}

// Impl is a variant under test: the dispatch variants, and the SHA-NI code at each width.
struct Impl {
  std::string name;
  Sha256Many many;
};
void PrintTo(const Impl& impl, std::ostream* os) { *os << impl.name; }

#if defined(__x86_64__)
void shani_x1(const Sha256Msg* m, size_t n) noexcept { sha256_many_shani_lanes(m, n, 1); }
void shani_x2(const Sha256Msg* m, size_t n) noexcept { sha256_many_shani_lanes(m, n, 2); }
void shani_x3(const Sha256Msg* m, size_t n) noexcept { sha256_many_shani_lanes(m, n, 3); }
#endif

std::vector<Impl> impls() {
  std::vector<Impl> out;
  for (const Variant& v : supported_variants()) out.push_back({std::string(v.name), v.many});
#if defined(__x86_64__)
  if (find_variant("shani") != nullptr) {
    out.push_back({"shani_x1", shani_x1});
    out.push_back({"shani_x2", shani_x2});
    out.push_back({"shani_x3", shani_x3});
  }
#endif
  return out;
}

class Sha256Variant : public ::testing::TestWithParam<Impl> {
 protected:
  // one hashes `len` bytes at `p` alone (a one-message call) and returns the digest in hex.
  std::string one(const uint8_t* p, size_t len) const {
    uint8_t d[kDigestLen];
    Sha256Msg m{p, len, nullptr, 0, d};
    GetParam().many(&m, 1);
    return hex(d, kDigestLen);
  }
};

TEST_P(Sha256Variant, Fips180Examples) {
  // FIPS 180-4 examples (NIST CSRC "Examples with Intermediate Values", SHA256.pdf and
  // SHA2_Additional.pdf): one block, two blocks, an empty message, a million 'a'.
  const std::string abc = "abc";
  const std::string two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  const std::string million(1000000, 'a');
  auto bytes = [](const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); };
  EXPECT_EQ(one(bytes(abc), abc.size()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(one(bytes(two), two.size()), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(one(nullptr, 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(one(bytes(million), million.size()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // The four at once, in both orders (lanes of different lengths finish at different blocks).
  const std::string* in[4] = {&abc, &two, &million, &abc};
  uint8_t d[4][kDigestLen];
  for (int order = 0; order < 2; ++order) {
    Sha256Msg msgs[4];
    for (int i = 0; i < 4; ++i) {
      const std::string& s = *in[order == 0 ? i : 3 - i];
      msgs[i] = {bytes(s), s.size(), nullptr, 0, d[i]};
    }
    GetParam().many(msgs, 4);
    for (int i = 0; i < 4; ++i) {
      const std::string& s = *in[order == 0 ? i : 3 - i];
      EXPECT_EQ(hex(d[i], kDigestLen), boringssl_sha256(bytes(s), s.size())) << "order " << order << " msg " << i;
    }
  }
}

TEST_P(Sha256Variant, EveryLengthTo300AtEveryAlignment) {
  std::mt19937_64 rng(0x5a256001);
  const Bytes buf = random_bytes(rng, 300 + 64);
  for (size_t len = 0; len <= 300; ++len) {
    for (size_t align = 0; align < 64; ++align) {
      ASSERT_EQ(one(buf.data() + align, len), boringssl_sha256(buf.data() + align, len))
          << "len " << len << " align " << align;
    }
  }
}

TEST_P(Sha256Variant, EveryLengthTo300InOneBatchMatchesScalar) {
  // 301 messages in one call, so every lane sees messages end at every offset of a block.
  std::mt19937_64 rng(0x5a256002);
  const Bytes buf = random_bytes(rng, 301 * 300 + 7);  // message `len` at len * 300 + len % 7
  std::vector<Sha256Msg> msgs, ref;
  std::vector<uint8_t> out(301 * kDigestLen), out_ref(301 * kDigestLen);
  for (size_t len = 0; len <= 300; ++len) {
    msgs.push_back({buf.data() + len * 300 + len % 7, len, nullptr, 0, out.data() + len * kDigestLen});
    ref.push_back(msgs.back());
    ref.back().out = out_ref.data() + len * kDigestLen;
  }
  GetParam().many(msgs.data(), msgs.size());
  sha256_many_scalar(ref.data(), ref.size());
  for (size_t len = 0; len <= 300; ++len) {
    const uint8_t* p = buf.data() + len * 300 + len % 7;
    EXPECT_EQ(hex(out.data() + len * kDigestLen, kDigestLen), hex(out_ref.data() + len * kDigestLen, kDigestLen))
        << "len " << len;
    EXPECT_EQ(hex(out.data() + len * kDigestLen, kDigestLen), boringssl_sha256(p, len)) << "len " << len;
  }
}

TEST_P(Sha256Variant, RandomLengthsTo5000) {
  std::mt19937_64 rng(0x5a256003);
  for (int trial = 0; trial < 400; ++trial) {
    const size_t len = rng() % 5001, align = rng() % 64;
    const Bytes buf = random_bytes(rng, len + align);
    ASSERT_EQ(one(buf.data() + align, len), boringssl_sha256(buf.data() + align, len))
        << "trial " << trial << " len " << len << " align " << align;
  }
}

TEST_P(Sha256Variant, BatchesOf0To20MixedLengthsInRandomOrders) {
  std::mt19937_64 rng(0x5a256004);
  // Lengths near the padding boundaries, short tokens, RS256-like signing inputs, long ones.
  const size_t kLens[] = {0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 150, 610, 1000, 3000};
  for (int trial = 0; trial < 200; ++trial) {
    for (size_t n = 0; n <= 20; ++n) {
      std::vector<Bytes> data(n);
      std::vector<size_t> offs(n);
      std::vector<Sha256Msg> msgs(n);
      // Each digest sits between guard bytes: a variant writes 32 bytes and no more.
      std::vector<uint8_t> out(n * (kDigestLen + 16) + 16, 0xa5);
      for (size_t i = 0; i < n; ++i) {
        const size_t len = rng() % 3 == 0 ? rng() % 700 : kLens[rng() % std::size(kLens)];
        offs[i] = rng() % 16;
        data[i] = random_bytes(rng, len + offs[i]);
        msgs[i] = {data[i].data() + offs[i], len, nullptr, 0, out.data() + 16 + i * (kDigestLen + 16)};
      }
      std::shuffle(msgs.begin(), msgs.end(), rng);  // outputs move with their messages
      GetParam().many(msgs.data(), n);
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(hex(msgs[i].out, kDigestLen), boringssl_sha256(msgs[i].data, msgs[i].len))
            << "trial " << trial << " n " << n << " msg " << i << " len " << msgs[i].len;
      }
      for (size_t i = 0; i <= n; ++i)
        for (size_t j = 0; j < 16; ++j)
          ASSERT_EQ(out[i * (kDigestLen + 16) + j], 0xa5) << "guard " << i << " trial " << trial << " n " << n;
    }
  }
}

TEST_P(Sha256Variant, ChainingStateAfterAPrefix) {
  // iv = BoringSSL's state after `prefix` whole blocks; the digest must be SHA-256 of prefix || data.
  std::mt19937_64 rng(0x5a256005);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t num_msgs = 1 + rng() % 9;
    std::vector<Bytes> whole(num_msgs);
    std::vector<SHA256_CTX> ctx(num_msgs);
    std::vector<Sha256Msg> msgs(num_msgs);
    std::vector<uint8_t> out(num_msgs * kDigestLen);
    for (size_t i = 0; i < num_msgs; ++i) {
      const size_t prefix_len = kBlockLen * (rng() % 4), len = rng() % 300;
      whole[i] = random_bytes(rng, prefix_len + len);
      SHA256_Init(&ctx[i]);
      SHA256_Update(&ctx[i], whole[i].data(), prefix_len);
      msgs[i] = {whole[i].data() + prefix_len, len, prefix_len != 0 ? ctx[i].h : nullptr, prefix_len,
                 out.data() + i * kDigestLen};
    }
    GetParam().many(msgs.data(), num_msgs);
    for (size_t i = 0; i < num_msgs; ++i)
      ASSERT_EQ(hex(msgs[i].out, kDigestLen), boringssl_sha256(whole[i].data(), whole[i].size()))
          << "trial " << trial << " msg " << i << " prefix " << msgs[i].prefix_len << " len " << msgs[i].len;
  }
}

TEST_P(Sha256Variant, HmacFromPreparedStatesMatchesBoringSslHmac) {
  // RFC 2104 with prepared key states, as the engine holds them: inner = H(K^ipad || m) from the
  // ipad state, then outer = H(K^opad || inner) from the opad state, each a batch of one call.
  std::mt19937_64 rng(0x5a256006);
  for (int trial = 0; trial < 100; ++trial) {
    const size_t num = rng() % 12;
    std::vector<Bytes> keys(num), data(num);
    std::vector<SHA256_CTX> ipad(num), opad(num);
    std::vector<Sha256Msg> inner(num), outer(num);
    std::vector<uint8_t> inner_out(num * kDigestLen), outer_out(num * kDigestLen);
    for (size_t i = 0; i < num; ++i) {
      keys[i] = random_bytes(rng, rng() % 100);  // keys over 64 bytes are hashed first (RFC 2104 2)
      data[i] = random_bytes(rng, rng() % 400);
      uint8_t k[kBlockLen] = {};
      if (keys[i].size() > kBlockLen) SHA256(keys[i].data(), keys[i].size(), k);
      else if (!keys[i].empty()) std::memcpy(k, keys[i].data(), keys[i].size());
      uint8_t pad[kBlockLen];
      for (size_t j = 0; j < kBlockLen; ++j) pad[j] = k[j] ^ 0x36;
      SHA256_Init(&ipad[i]);
      SHA256_Update(&ipad[i], pad, kBlockLen);
      for (size_t j = 0; j < kBlockLen; ++j) pad[j] = k[j] ^ 0x5c;
      SHA256_Init(&opad[i]);
      SHA256_Update(&opad[i], pad, kBlockLen);
      inner[i] = {data[i].data(), data[i].size(), ipad[i].h, kBlockLen, inner_out.data() + i * kDigestLen};
      outer[i] = {inner[i].out, kDigestLen, opad[i].h, kBlockLen, outer_out.data() + i * kDigestLen};
    }
    GetParam().many(inner.data(), num);
    GetParam().many(outer.data(), num);
    for (size_t i = 0; i < num; ++i) {
      uint8_t want[EVP_MAX_MD_SIZE];
      unsigned want_len = 0;
      ASSERT_NE(HMAC(EVP_sha256(), keys[i].data(), keys[i].size(), data[i].data(), data[i].size(), want, &want_len),
                nullptr);
      ASSERT_EQ(want_len, kDigestLen);
      EXPECT_EQ(hex(outer[i].out, kDigestLen), hex(want, want_len))
          << "trial " << trial << " msg " << i << " key " << keys[i].size() << " len " << data[i].size();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, Sha256Variant, ::testing::ValuesIn(impls()),
                         [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

// In-process check of the dispatch. Run as a child by ForcedIsaInChildProcesses, it also checks
// the choice its parent expects (JWTBATCH_TEST_EXPECT_VARIANT, JWTBATCH_TEST_EXPECT_ENGINE).
TEST(Sha256Dispatch, OffersWhatTheCpuRuns) {
  const auto vs = supported_variants();
  ASSERT_FALSE(vs.empty());
  EXPECT_EQ(vs[0].many, &sha256_many_scalar);
  std::vector<std::string_view> names;
  for (const Variant& v : vs) names.push_back(v.name);
  EXPECT_EQ(names, test::expected_supported(test::family_model("sha256"), cpu_features()));
  EXPECT_EQ(find_variant(active_variant().name), &active_variant());
  std::printf("[sha256] active variant: %s\n", std::string(active_variant().name).c_str());
  if (const char* want = std::getenv("JWTBATCH_TEST_EXPECT_VARIANT"); want != nullptr) {
    EXPECT_EQ(active_variant().name, want);
  }
  if (const char* want = std::getenv("JWTBATCH_TEST_EXPECT_ENGINE"); want != nullptr) {
    EXPECT_EQ(engine_uses_kernels(), std::string_view(want) == "1");
  }
}

// The choice is made once per process, so forcing is checked in children: this test binary again,
// under every JWTBATCH_FORCE_ISA value, running only the test above. Without forcing and without
// SHA-NI the engine keeps BoringSSL's SHA256; a forced reference is used.
TEST(Sha256Dispatch, ForcedIsaInChildProcesses) {
  test::expect_children_follow_policy("sha256", "Sha256Dispatch.OffersWhatTheCpuRuns", true);
}

}  // namespace
}  // namespace jwtbatch::kernels::sha256
