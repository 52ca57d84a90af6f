// sig_rsa_test.cpp: RS* / PS* verification on the RSA kernels (engine/sig/rsa.cpp), every variant this
// CPU runs, single-shot and in batches, against BoringSSL's RSA_verify / RSA_verify_pss_mgf1.
//
//   - Wycheproof: every RSA file of ../shared/testvectors/wycheproof (PKCS#1 v1.5 and PSS, 2048,
//     3072, 4096) through verify_rsa_single and verify_rsa_jobs_with for each variant: valid must
//     verify, invalid must fail, acceptable must agree with BoringSSL.
//   - Differential: keys from BoringSSL (2048 x2 and e = 3, 3072, 4096); for random signing inputs,
//     the valid signature of each of the six algorithms and its corruptions (s = 0, 1, n-1, n, s+n,
//     one byte shorter / longer, every byte position flipped, one message bit flipped, the five
//     other algorithms), plus crafted encodings signed raw (every byte of the EMSA-PKCS1-v1_5 and
//     EMSA-PSS encodings changed, wrong DigestInfo: no NULL, other OIDs, BER lengths, 00 02, short
//     PS; wrong salt lengths, MGF1 with another hash). Every verdict must equal BoringSSL's, and
//     exactly the untouched signatures verify. Fixed seed; JWTBATCH_LONG_DIFF=N runs at least N
//     cases (the CI run does >= 100,000).
//   - Integration: verify_signatures and verify_signature on mixed jobs (kernel and other keys).
#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <openssl/bn.h>
#include <openssl/digest.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "engine/sig/crypto.hpp"
#include "engine/sig/force_boringssl.hpp"
#include "engine/sig/rsa.hpp"
#include "kernels/rsa/rsa.hpp"
#include "tests/support/long_diff.hpp"
#include "tests/support/wycheproof.hpp"

namespace jwtbatch::engine {
namespace {

using Bytes = std::vector<uint8_t>;
namespace krsa = kernels::rsa;

struct AlgInfo {
  Alg alg;
  int nid;
  const EVP_MD* (*md)();
  size_t hash_len;
  bool pss;
};
const AlgInfo kAlgs[] = {
    {Alg::rs256, NID_sha256, EVP_sha256, 32, false}, {Alg::rs384, NID_sha384, EVP_sha384, 48, false},
    {Alg::rs512, NID_sha512, EVP_sha512, 64, false}, {Alg::ps256, NID_sha256, EVP_sha256, 32, true},
    {Alg::ps384, NID_sha384, EVP_sha384, 48, true},  {Alg::ps512, NID_sha512, EVP_sha512, 64, true},
};
const AlgInfo& info(Alg alg) {
  for (const AlgInfo& a : kAlgs)
    if (a.alg == alg) return a;
  return kAlgs[0];
}

Bytes digest_of(const AlgInfo& a, std::span<const uint8_t> msg) {
  Bytes d(a.hash_len);
  unsigned len = 0;
  EXPECT_TRUE(EVP_Digest(msg.data(), msg.size(), d.data(), &len, a.md(), nullptr));
  return d;
}

// boringssl_verify is the oracle: BoringSSL's own RSASSA verification with the key's RSA object.
bool boringssl_verify(const RSA* rsa, Alg alg, std::span<const uint8_t> msg, std::span<const uint8_t> sig) {
  const AlgInfo& a = info(alg);
  Bytes d = digest_of(a, msg);
  int ok = a.pss ? RSA_verify_pss_mgf1(const_cast<RSA*>(rsa), d.data(), d.size(), a.md(), a.md(),
                                       static_cast<int>(a.hash_len), sig.data(), sig.size())
                 : RSA_verify(a.nid, d.data(), d.size(), sig.data(), sig.size(), const_cast<RSA*>(rsa));
  ERR_clear_error();
  return ok == 1;
}

// with_kernel_key gives `key` its kernel context where prepare_rsa left it out (a CPU without IFMA,
// where the engine keeps BoringSSL): these tests run every variant, the reference included, on
// every CPU.
void with_kernel_key(PreparedKey& key, std::span<const uint8_t> n, std::span<const uint8_t> e) {
  if (RsaKey* rk = key.as<RsaKey>(); !rk->kernel) rk->kernel = krsa::prepare_key(n, e);
}

// TestVariant is one way through the kernels: a kernel variant, and whether batches run even for
// one filled lane (min_batch_lanes 1) so the batch code sees every lane count.
struct TestVariant {
  std::string name;
  krsa::Variant v;
};
std::vector<TestVariant> test_variants() {
  std::vector<TestVariant> out;
  for (const krsa::Variant& v : krsa::supported_variants()) {
    out.push_back({std::string(v.name), v});
    if (v.name != "scalar") {
      krsa::Variant all = v;
      all.min_batch_lanes = 1;
      out.push_back({std::string(v.name) + "/lanes>=1", all});
    }
  }
  return out;
}

// ---- Wycheproof -------------------------------------------------------------------------------

std::vector<uint8_t> hex_field(simdjson::dom::element obj, const char* name) {
  std::string_view s = obj[name];
  auto bytes = test::from_hex(s);
  if (!bytes) throw std::runtime_error(std::string("bad hex in field ") + name);
  return *bytes;
}

class SigRsaWycheproof : public ::testing::TestWithParam<const char*> {};

TEST_P(SigRsaWycheproof, EveryVariantAgreesWithTheVectors) {
  const std::string file = test::wycheproof_dir() + GetParam();
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " not found";
  const bool pss = std::string(GetParam()).rfind("rsa_pss", 0) == 0;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.load(file).get(root), simdjson::SUCCESS);
  const auto variants = test_variants();
  int64_t cases = 0, valid = 0, invalid = 0, acceptable = 0, kernel_keys = 0;
  for (simdjson::dom::element g : root["testGroups"].get_array()) {
    std::string_view sha = g["sha"];
    Alg alg = sha == "SHA-256"   ? (pss ? Alg::ps256 : Alg::rs256)
              : sha == "SHA-384" ? (pss ? Alg::ps384 : Alg::rs384)
              : sha == "SHA-512" ? (pss ? Alg::ps512 : Alg::rs512)
                                 : Alg::unknown;
    ASSERT_NE(alg, Alg::unknown) << sha;
    if (pss) {
      std::string_view mgf_sha = g["mgfSha"];
      int64_t s_len = g["sLen"];
      ASSERT_EQ(mgf_sha, sha);
      ASSERT_EQ(static_cast<size_t>(s_len), info(alg).hash_len);
    }
    Bytes n = hex_field(g["publicKey"], "modulus"), e = hex_field(g["publicKey"], "publicExponent");
    std::string why;
    auto key = prepare_rsa(n, e, AlgSet{alg}, &why);
    ASSERT_TRUE(key.has_value()) << why;
    with_kernel_key(*key, n, e);
    ASSERT_TRUE(key->as<RsaKey>()->kernel) << GetParam() << ": the kernel must take this key";
    ++kernel_keys;
    struct Case {
      test::WycheproofCase c;
      Bytes msg, sig;
      bool oracle;
    };
    std::vector<Case> cs;
    for (simdjson::dom::element t : g["tests"].get_array()) {
      Case c;
      ASSERT_TRUE(test::read_case(t, &c.c));
      c.msg = hex_field(t, "msg");
      c.sig = hex_field(t, "sig");
      c.oracle = boringssl_verify(key->as<RsaKey>()->rsa.get(), alg, c.msg, c.sig);
      cs.push_back(std::move(c));
    }
    for (const TestVariant& tv : variants) {
      std::vector<SigJob> jobs;
      for (const Case& c : cs) jobs.push_back(SigJob{&*key, alg, c.msg, c.sig, false});
      verify_rsa_jobs_with(jobs, tv.v);
      for (size_t i = 0; i < cs.size(); ++i) {
        const Case& c = cs[i];
        const bool single = verify_rsa_single(*key, alg, c.msg, c.sig, tv.v);
        EXPECT_EQ(single, jobs[i].valid) << tv.name << " tcId " << c.c.tc_id;
        if (c.c.result == "valid") {
          EXPECT_TRUE(jobs[i].valid) << tv.name << " tcId " << c.c.tc_id << " " << c.c.comment;
        } else if (c.c.result == "invalid") {
          EXPECT_FALSE(jobs[i].valid) << tv.name << " tcId " << c.c.tc_id << " " << c.c.comment;
        }
        EXPECT_EQ(jobs[i].valid, c.oracle) << tv.name << " tcId " << c.c.tc_id << " " << c.c.comment;
      }
    }
    for (const Case& c : cs) {
      ++cases;
      if (c.c.result == "valid") ++valid;
      else if (c.c.result == "invalid") ++invalid;
      else ++acceptable;
    }
  }
  EXPECT_EQ(cases, int64_t(root["numberOfTests"]));
  EXPECT_GT(valid, 0);
  EXPECT_GT(invalid, 0);
  std::printf("[rsa wycheproof] %s: %lld cases (%lld valid, %lld invalid, %lld acceptable), %lld keys, %zu variants\n",
              GetParam(), (long long)cases, (long long)valid, (long long)invalid, (long long)acceptable,
              (long long)kernel_keys, variants.size());
}

INSTANTIATE_TEST_SUITE_P(
    Files, SigRsaWycheproof,
    ::testing::Values("rsa_signature_2048_sha256_test.json", "rsa_signature_2048_sha384_test.json",
                      "rsa_signature_2048_sha512_test.json", "rsa_signature_3072_sha256_test.json",
                      "rsa_signature_4096_sha256_test.json", "rsa_pss_2048_sha256_mgf1_32_test.json",
                      "rsa_pss_2048_sha384_mgf1_48_test.json", "rsa_pss_3072_sha256_mgf1_32_test.json",
                      "rsa_pss_4096_sha512_mgf1_64_test.json"),
    [](const auto& info) {
      std::string s = info.param;
      s = s.substr(0, s.size() - 10);  // "_test.json"
      for (char& c : s)
        if (c == '.') c = '_';
      return s;
    });

// ---- Differential against BoringSSL -------------------------------------------------------------

struct DiffKey {
  bssl::UniquePtr<RSA> rsa;
  std::optional<PreparedKey> prepared;
  int messages_per_alg;
};

bssl::UniquePtr<RSA> generate(int bits, unsigned e) {
  bssl::UniquePtr<RSA> rsa(RSA_new());
  bssl::UniquePtr<BIGNUM> be(BN_new());
  BN_set_word(be.get(), e);
  EXPECT_TRUE(RSA_generate_key_ex(rsa.get(), bits, be.get(), nullptr));
  return rsa;
}

std::vector<DiffKey>& diff_keys() {
  static std::vector<DiffKey> keys = [] {
    std::vector<DiffKey> v;
    const struct { int bits; unsigned e; int msgs; } specs[] = {
        {2048, 65537, 24}, {2048, 65537, 24}, {2048, 3, 6}, {3072, 65537, 4}, {4096, 65537, 3}};
    for (const auto& s : specs) {
      DiffKey k;
      k.rsa = generate(s.bits, s.e);
      Bytes n(BN_num_bytes(RSA_get0_n(k.rsa.get()))), e(BN_num_bytes(RSA_get0_e(k.rsa.get())));
      BN_bn2bin(RSA_get0_n(k.rsa.get()), n.data());
      BN_bn2bin(RSA_get0_e(k.rsa.get()), e.data());
      std::string why;
      k.prepared = prepare_rsa(n, e, AlgSet{}, &why);
      if (k.prepared) with_kernel_key(*k.prepared, n, e);
      EXPECT_TRUE(k.prepared && k.prepared->as<RsaKey>()->kernel) << why;
      k.messages_per_alg = s.msgs;
      v.push_back(std::move(k));
    }
    return v;
  }();
  return keys;
}

Bytes sign(const RSA* rsa, const AlgInfo& a, std::span<const uint8_t> msg, int salt_len = -1,
           const EVP_MD* mgf = nullptr) {
  Bytes d = digest_of(a, msg), sig(RSA_size(rsa));
  size_t len = 0;
  unsigned ulen = 0;
  bool ok = a.pss ? RSA_sign_pss_mgf1(const_cast<RSA*>(rsa), &len, sig.data(), sig.size(), d.data(),
                                      d.size(), a.md(), mgf ? mgf : a.md(),
                                      salt_len >= 0 ? salt_len : static_cast<int>(a.hash_len))
                  : RSA_sign(a.nid, d.data(), d.size(), sig.data(), &ulen, const_cast<RSA*>(rsa));
  EXPECT_TRUE(ok);
  ERR_clear_error();
  return sig;
}

// sign_raw returns em^d mod n, or an empty vector when em >= n.
Bytes sign_raw(const RSA* rsa, const Bytes& em) {
  Bytes sig(RSA_size(rsa));
  size_t len = 0;
  if (!RSA_sign_raw(const_cast<RSA*>(rsa), &len, sig.data(), sig.size(), em.data(), em.size(),
                    RSA_NO_PADDING)) {
    ERR_clear_error();
    return {};
  }
  return sig;
}

struct DiffCase {
  const DiffKey* key;
  Alg alg;
  std::string msg;
  Bytes sig;
  bool expect_valid;  // only untouched signatures
  const char* kind;
};

struct DiffStats {
  int64_t cases = 0, verified = 0, mismatches = 0;
};

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// check_cases runs `cs` through BoringSSL and every variant (in one batch span, and single-shot for
// a sample), and compares.
void check_cases(const std::vector<DiffCase>& cs, DiffStats& st) {
  static const auto variants = test_variants();
  std::vector<bool> oracle(cs.size());
  for (size_t i = 0; i < cs.size(); ++i) {
    oracle[i] = boringssl_verify(cs[i].key->rsa.get(), cs[i].alg, as_bytes(cs[i].msg), cs[i].sig);
    if (oracle[i] != cs[i].expect_valid) {
      ADD_FAILURE() << "BoringSSL says " << oracle[i] << " for a " << cs[i].kind << " case";
    }
  }
  for (const TestVariant& tv : variants) {
    if (tv.name == "avx512_ifma") continue;  // the same code as "avx512_ifma/lanes>=1" and scalar
    std::vector<SigJob> jobs;
    for (const DiffCase& c : cs) jobs.push_back(SigJob{&*c.key->prepared, c.alg, as_bytes(c.msg), c.sig, false});
    verify_rsa_jobs_with(jobs, tv.v);
    for (size_t i = 0; i < cs.size(); ++i) {
      if (jobs[i].valid != oracle[i]) {
        ++st.mismatches;
        if (st.mismatches < 20) {
          ADD_FAILURE() << tv.name << ": " << cs[i].kind << " " << to_string(cs[i].alg) << " bits "
                        << cs[i].key->prepared->as<RsaKey>()->bits << ": ours " << jobs[i].valid
                        << " BoringSSL " << oracle[i];
        }
      }
    }
  }
  for (size_t i = 0; i < cs.size(); ++i) {
    ++st.cases;
    st.verified += oracle[i];
  }
}

// corruptions returns the valid signature `sig` of `msg` and its corruptions.
void add_corruptions(std::vector<DiffCase>& out, const DiffKey& k, const AlgInfo& a,
                     const std::string& msg, const Bytes& sig, std::mt19937_64& rng) {
  const size_t len = sig.size();
  out.push_back({&k, a.alg, msg, sig, true, "valid"});
  const BIGNUM* n = RSA_get0_n(k.rsa.get());
  auto num = [&](const BIGNUM* x, size_t l) {
    Bytes b(l);
    BN_bn2bin_padded(b.data(), l, x);
    return b;
  };
  Bytes zero(len, 0), one(len, 0);
  one.back() = 1;
  out.push_back({&k, a.alg, msg, zero, false, "s=0"});
  out.push_back({&k, a.alg, msg, one, false, "s=1"});
  bssl::UniquePtr<BIGNUM> x(BN_dup(n));
  BN_sub_word(x.get(), 1);
  out.push_back({&k, a.alg, msg, num(x.get(), len), false, "s=n-1"});
  out.push_back({&k, a.alg, msg, num(n, len), false, "s=n"});
  bssl::UniquePtr<BIGNUM> bs(BN_bin2bn(sig.data(), len, nullptr)), sum(BN_new());
  BN_add(sum.get(), bs.get(), n);
  if (BN_num_bytes(sum.get()) <= len) {
    out.push_back({&k, a.alg, msg, num(sum.get(), len), false, "s+n"});
  } else {
    out.push_back({&k, a.alg, msg, num(sum.get(), len + 1), false, "s+n (one byte longer)"});
  }
  out.push_back({&k, a.alg, msg, Bytes(sig.begin() + 1, sig.end()), false, "one byte shorter"});
  Bytes longer = sig;
  longer.insert(longer.begin(), 0);
  out.push_back({&k, a.alg, msg, longer, false, "leading zero byte"});
  for (size_t i = 0; i < len; ++i) {
    Bytes f = sig;
    f[i] ^= static_cast<uint8_t>(1 + rng() % 255);
    out.push_back({&k, a.alg, msg, f, false, "byte flipped"});
  }
  std::string m2 = msg;
  m2[rng() % m2.size()] ^= static_cast<char>(1 << (rng() % 7));
  out.push_back({&k, a.alg, m2, sig, false, "message bit flipped"});
  for (const AlgInfo& other : kAlgs)
    if (other.alg != a.alg) out.push_back({&k, other.alg, msg, sig, false, "other algorithm"});
}

std::string random_message(std::mt19937_64& rng) {
  static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string m(20 + rng() % 500, 'A');
  for (char& c : m) c = kB64[rng() % 64];
  m[m.size() / 3] = '.';
  return m;
}

// DigestInfo prefixes as BoringSSL's own RSA_add_pkcs1_prefix writes them (to build wrong ones).
Bytes pkcs1_em(size_t k, const Bytes& t) {
  Bytes em(k, 0xff);
  em[0] = 0;
  em[1] = 1;
  em[k - t.size() - 1] = 0;
  std::copy(t.begin(), t.end(), em.end() - t.size());
  return em;
}

Bytes digest_info(const AlgInfo& a, const Bytes& d) {
  uint8_t* prefixed = nullptr;
  size_t len = 0;
  int is_alloced = 0;
  EXPECT_TRUE(RSA_add_pkcs1_prefix(&prefixed, &len, &is_alloced, a.nid, d.data(), d.size()));
  Bytes out(prefixed, prefixed + len);
  if (is_alloced) OPENSSL_free(prefixed);
  return out;
}

// add_crafted adds signatures over deliberately wrong encodings of `msg` (signed raw).
void add_crafted(std::vector<DiffCase>& out, const DiffKey& k, const AlgInfo& a, const std::string& msg,
                 bool every_byte, std::mt19937_64& rng) {
  const RSA* rsa = k.rsa.get();
  const size_t kl = RSA_size(rsa);
  const Bytes d = digest_of(a, as_bytes(msg));
  auto add_em = [&](const Bytes& em, bool valid, const char* kind) {
    Bytes sig = sign_raw(rsa, em);
    if (!sig.empty()) out.push_back({&k, a.alg, msg, sig, valid, kind});
  };
  if (!a.pss) {
    const Bytes t = digest_info(a, d);
    add_em(pkcs1_em(kl, t), true, "crafted valid PKCS#1");
    Bytes no_null = t;  // SEQUENCE lengths - 2, drop 05 00
    no_null.erase(no_null.begin() + 15, no_null.begin() + 17);
    no_null[1] -= 2;
    no_null[3] -= 2;
    add_em(pkcs1_em(kl, no_null), false, "DigestInfo without NULL");
    for (uint8_t oid_last : {0x01, 0x02, 0x03, 0x04, 0x06}) {
      Bytes w = t;
      if (w[14] == oid_last) continue;
      w[14] = oid_last;
      add_em(pkcs1_em(kl, w), false, "DigestInfo of another hash OID");
    }
    Bytes ber = t;  // outer length in long form: 30 81 xx
    ber.insert(ber.begin() + 1, 0x81);
    add_em(pkcs1_em(kl, ber), false, "DigestInfo BER long-form length");
    Bytes trailing = t;
    trailing.push_back(0);
    add_em(pkcs1_em(kl, trailing), false, "DigestInfo trailing byte");
    Bytes em = pkcs1_em(kl, t);
    em[1] = 2;
    add_em(em, false, "block type 2");
    em = pkcs1_em(kl, t);
    em[2 + (kl - t.size() - 3) / 2] = 0xfe;
    add_em(em, false, "PS byte not 0xff");
    em = pkcs1_em(kl, t);
    em[kl - t.size() - 1] = 1;
    add_em(em, false, "separator not zero");
    Bytes big(kl - 10, 0xab);  // T so long that PS has 7 bytes
    std::copy(t.begin(), t.end(), big.end() - t.size());
    add_em(pkcs1_em(kl, big), false, "PS of 7 bytes");
    for (const AlgInfo& other : kAlgs) {
      if (other.pss || other.alg == a.alg) continue;
      add_em(pkcs1_em(kl, digest_info(other, digest_of(other, as_bytes(msg)))), false,
             "DigestInfo of another algorithm");
    }
    if (every_byte) {
      const Bytes good = pkcs1_em(kl, t);
      for (size_t i = 0; i < kl; ++i) {
        Bytes e2 = good;
        e2[i] ^= static_cast<uint8_t>(1 + rng() % 255);
        add_em(e2, false, "PKCS#1 encoding byte changed");
      }
    }
  } else {
    for (int salt : {0, static_cast<int>(a.hash_len) - 1, static_cast<int>(a.hash_len) + 1, 20}) {
      out.push_back({&k, a.alg, msg, sign(rsa, a, as_bytes(msg), salt), false, "wrong salt length"});
    }
    for (const AlgInfo& other : kAlgs) {
      if (!other.pss || other.alg == a.alg) continue;
      out.push_back({&k, a.alg, msg, sign(rsa, a, as_bytes(msg), -1, other.md()), false,
                     "MGF1 with another hash"});
    }
    out.push_back({&k, a.alg, msg, sign(rsa, a, as_bytes(msg), -1, EVP_sha1()), false,
                   "MGF1 with SHA-1"});
    Bytes em(kl);
    ASSERT_TRUE(RSA_padding_add_PKCS1_PSS_mgf1(rsa, em.data(), d.data(), a.md(), a.md(),
                                               static_cast<int>(a.hash_len)));
    add_em(em, true, "crafted valid PSS");
    Bytes e2 = em;
    e2.back() = 0xbd;
    add_em(e2, false, "PSS trailer not 0xbc");
    e2 = em;
    const int bits = BN_num_bits(RSA_get0_n(rsa));
    if ((bits - 1) % 8 != 0) {
      e2[kl - (bits - 1 + 7) / 8] |= 0x80;  // a bit above emBits
      add_em(e2, false, "PSS bit above emBits set");
    }
    if (every_byte) {
      for (size_t i = 0; i < kl; ++i) {
        e2 = em;
        e2[i] ^= static_cast<uint8_t>(1 + rng() % 255);
        add_em(e2, false, "PSS encoding byte changed");
      }
    }
  }
}

// long_diff_target is JWTBATCH_LONG_DIFF (tests/support/long_diff.hpp), 0 when unset: one round.
int64_t long_diff_target() { return static_cast<int64_t>(test::long_diff_cases(0)); }

TEST(SigRsaDifferential, EveryVariantAgreesWithBoringSsl) {
  auto& keys = diff_keys();
  std::mt19937_64 rng(0x5eed5a11);
  DiffStats st;
  const int64_t target = long_diff_target();
  int round = 0;
  do {
    for (size_t ki = 0; ki < keys.size(); ++ki) {
      const DiffKey& k = keys[ki];
      for (const AlgInfo& a : kAlgs) {
        std::vector<DiffCase> cs;
        for (int m = 0; m < k.messages_per_alg; ++m) {
          // The two 2048-bit keys alternate inside one span, so lanes mix keys.
          const DiffKey& kk = (ki <= 1 && m % 2 == 1) ? keys[1 - ki] : k;
          const std::string msg = random_message(rng);
          add_corruptions(cs, kk, a, msg, sign(kk.rsa.get(), a, as_bytes(msg)), rng);
        }
        add_crafted(cs, k, a, random_message(rng), round == 0 && ki == 0, rng);
        check_cases(cs, st);
        if (HasFailure() && st.mismatches > 20) return;
      }
    }
    ++round;
  } while (st.cases < target);
  std::printf("[rsa differential] %lld cases (%lld valid), %lld mismatches, %d round(s)\n",
              (long long)st.cases, (long long)st.verified, (long long)st.mismatches, round);
  EXPECT_EQ(st.mismatches, 0);
  EXPECT_GE(st.cases, 100000);
}

// ---- The kernels' PKCS#1 check ------------------------------------------------------------------

// Every variant's Pkcs1CheckBatch against the definition (s^e mod n compared with pkcs1_encode,
// and BoringSSL's RSA_verify for the lanes that should pass), for every key of diff_keys (e = 3
// and 65537; 2048, 3072, 4096 bits), every lane count, lanes mixing the three digest lengths:
// valid signatures, s = 0, 1, n - 1, a random s, the signature of another digest, one byte of s
// changed, and lanes whose digest length is not a PKCS#1 one (20 bytes, and 100: more limbs than
// the key's tables have rows).
TEST(SigRsaPkcs1Batch, EveryVariantAgreesWithTheDefinition) {
  std::mt19937_64 rng(0x5eed9c51);
  int checked = 0, passed = 0;
  for (const DiffKey& k : diff_keys()) {
    const krsa::Key& key = *k.prepared->as<RsaKey>()->kernel;
    const RSA* rsa = k.rsa.get();
    const size_t kl = key.n_len;
    Bytes n_minus_1(kl);
    BN_bn2bin_padded(n_minus_1.data(), kl, RSA_get0_n(rsa));
    n_minus_1.back() -= 1;  // n is odd
    for (int round = 0; round < 6; ++round) {
      for (size_t lanes = 1; lanes <= krsa::kMaxLanes; ++lanes) {
        std::vector<Bytes> sigs(lanes), digests(lanes);
        std::vector<size_t> dlens(lanes);
        uint32_t want = 0;
        for (size_t i = 0; i < lanes; ++i) {
          const AlgInfo& a = kAlgs[rng() % 3];  // RS256, RS384, RS512
          digests[i] = digest_of(a, as_bytes(random_message(rng)));
          dlens[i] = digests[i].size();
          Bytes em(kl);
          ASSERT_TRUE(krsa::pkcs1_encode(kl, digests[i].data(), dlens[i], em.data()));
          sigs[i] = sign_raw(rsa, em);
          ASSERT_EQ(sigs[i].size(), kl);
          bool valid = true;
          switch (rng() % 10) {
            case 0: std::fill(sigs[i].begin(), sigs[i].end(), 0); valid = false; break;
            case 1: std::fill(sigs[i].begin(), sigs[i].end(), 0); sigs[i].back() = 1; valid = false; break;
            case 2: sigs[i] = n_minus_1; valid = false; break;
            case 3: sigs[i][rng() % kl] ^= static_cast<uint8_t>(1 + rng() % 255); valid = false; break;
            case 4: digests[i][rng() % dlens[i]] ^= 0x01; valid = false; break;  // another digest
            case 5: dlens[i] = 20; valid = false; break;                          // SHA-1 length
            case 6: digests[i].resize(100); dlens[i] = 100; valid = false; break;  // over 10 rows
            default: break;
          }
          // A changed byte may lift s to n or above: the caller never passes that; keep s < n.
          if (!krsa::below_modulus(key, sigs[i].data())) sigs[i] = n_minus_1;
          if (valid) {
            EXPECT_EQ(RSA_verify(dlens[i] == 32 ? NID_sha256 : dlens[i] == 48 ? NID_sha384 : NID_sha512,
                                 digests[i].data(), dlens[i], sigs[i].data(), kl,
                                 const_cast<RSA*>(rsa)), 1);
            want |= uint32_t{1} << i;
          }
        }
        ERR_clear_error();
        const uint8_t* sp[krsa::kMaxLanes];
        const uint8_t* dp[krsa::kMaxLanes];
        for (size_t i = 0; i < lanes; ++i) {
          sp[i] = sigs[i].data();
          dp[i] = digests[i].data();
        }
        for (const krsa::Variant& v : krsa::supported_variants()) {
          EXPECT_EQ(v.pkcs1_batch(key, sp, dp, dlens.data(), lanes), want)
              << v.name << " bits " << 8 * kl << " e " << key.e << " lanes " << lanes;
        }
        ++checked;
        passed += std::popcount(want);
      }
    }
  }
  EXPECT_GT(passed, checked);  // valid lanes were part of it, not only failures
}

// ---- Integration ------------------------------------------------------------------------------

TEST(SigRsaIntegration, VerifySignaturesMatchesBoringSslOnMixedJobs) {
  auto& keys = diff_keys();
  std::mt19937_64 rng(0x5eed5a12);
  // An HMAC key and a key the kernel does not take ride along: the loop must still verify them.
  Bytes secret(64, 0x42);
  auto hmac = prepare_hmac(secret, AlgSet{}, nullptr);
  ASSERT_TRUE(hmac);
  std::vector<DiffCase> cs;
  for (size_t ki = 0; ki < keys.size(); ++ki)
    for (const AlgInfo& a : kAlgs)
      for (int m = 0; m < 3; ++m) {
        const std::string msg = random_message(rng);
        Bytes sig = sign(keys[ki].rsa.get(), a, as_bytes(msg));
        cs.push_back({&keys[ki], a.alg, msg, sig, true, "valid"});
        sig[rng() % sig.size()] ^= 1;
        cs.push_back({&keys[ki], a.alg, msg, sig, false, "flipped"});
      }
  std::vector<SigJob> jobs;
  for (const DiffCase& c : cs) jobs.push_back(SigJob{&*c.key->prepared, c.alg, as_bytes(c.msg), c.sig, false});
  const std::string hmsg = "header.payload";
  Bytes tag(32, 0);
  jobs.push_back(SigJob{&*hmac, Alg::hs256, as_bytes(hmsg), tag, true});
  VerifyScratch scratch;
  verify_signatures(jobs, scratch);
  for (size_t i = 0; i < cs.size(); ++i) {
    EXPECT_EQ(jobs[i].valid, cs[i].expect_valid) << i << " " << cs[i].kind;
    EXPECT_EQ(verify_signature(*cs[i].key->prepared, cs[i].alg, as_bytes(cs[i].msg), cs[i].sig, scratch),
              cs[i].expect_valid);
    const bool kernel = !force_boringssl() && krsa::engine_uses_kernels();
    EXPECT_EQ(rsa_kernel_takes(jobs[i]), kernel);
    EXPECT_EQ(jobs[i].handled, kernel) << "claimed jobs are marked handled";
  }
  EXPECT_FALSE(jobs.back().valid) << "the HMAC job was verified (by the HS256 batch or the loop)";
  // HS256 has its own batch path (engine/sig/hmac.cpp) where the SHA-256 kernels run, but a lone
  // HS256 job, as here, goes through the loop (engine/sig/hmac.hpp).
  EXPECT_FALSE(jobs.back().handled);
  EXPECT_FALSE(rsa_kernel_takes(jobs.back()));
}

TEST(SigRsaIntegration, KeysOutsideTheKernelSizesStayOnBoringSsl) {
  // A 2176-bit modulus (272 bytes) is valid policy-wise but not a kernel size.
  bssl::UniquePtr<RSA> rsa = generate(2176, 65537);
  Bytes n(BN_num_bytes(RSA_get0_n(rsa.get()))), e(BN_num_bytes(RSA_get0_e(rsa.get())));
  BN_bn2bin(RSA_get0_n(rsa.get()), n.data());
  BN_bn2bin(RSA_get0_e(rsa.get()), e.data());
  auto key = prepare_rsa(n, e, AlgSet{}, nullptr);
  ASSERT_TRUE(key);
  EXPECT_FALSE(key->as<RsaKey>()->kernel);
  const std::string msg = "eyJhbGciOiJSUzI1NiJ9.e30";
  Bytes sig = sign(rsa.get(), kAlgs[0], as_bytes(msg));
  VerifyScratch scratch;
  std::vector<SigJob> jobs{SigJob{&*key, Alg::rs256, as_bytes(msg), sig, false}};
  EXPECT_FALSE(rsa_kernel_takes(jobs[0]));
  verify_signatures(jobs, scratch);
  EXPECT_TRUE(jobs[0].valid);
}

TEST(SigRsaIntegration, EncodingCheckRejectsWrongShapes) {
  // rsa_check_encoding on hand-made encodings, independent of any key.
  const Bytes d(32, 0x5a);
  const AlgInfo& a = kAlgs[0];
  const Bytes t = digest_info(a, d);
  Bytes em = pkcs1_em(256, t);
  EXPECT_TRUE(rsa_check_encoding(Alg::rs256, 2048, em, d));
  EXPECT_FALSE(rsa_check_encoding(Alg::rs384, 2048, em, d)) << "digest length mismatch";
  EXPECT_FALSE(rsa_check_encoding(Alg::ps256, 2048, em, d));
  for (size_t i = 0; i < em.size(); ++i) {
    Bytes e2 = em;
    e2[i] ^= 0x10;
    EXPECT_FALSE(rsa_check_encoding(Alg::rs256, 2048, e2, d)) << i;
  }
  EXPECT_FALSE(rsa_check_encoding(Alg::unknown, 2048, em, d));
  EXPECT_FALSE(rsa_check_encoding(Alg::hs256, 2048, em, d));
}

}  // namespace
}  // namespace jwtbatch::engine
