// ed25519_test.cpp: the Ed25519 kernel (kernels/ed25519) against BoringSSL's ED25519_verify, the
// definition of every verdict. Each check runs through every variant this CPU supports (TEST_P
// over supported_variants()), one lane at a time and in full and partial batches of lanes mixing
// keys.
//
//   Arithmetic*        field and scalar arithmetic against BoringSSL's BIGNUM; tables against
//                      plain double-and-add
//   Rfc8032Section71   corpus/ed25519/rfc8032_section_7_1.txt, plus a bit-flip sweep of each
//   Wycheproof         ../shared/testvectors/wycheproof/ed25519_test.json, every test case
//   EdgeCases          the EdDSA validation-criteria cases, built here: small-order and mixed-order
//                      A and R, non-canonical encodings of A and R (y >= p, x = 0 with the sign
//                      bit), S >= L, S = 0; verdict == ED25519_verify, and the intended verdict
//   Differential       random keys and messages, valid and corrupted signatures: 100,000+ cases
//                      (JWTBATCH_LONG_DIFF=N runs N instead, for the closing note)
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include "kernels/ed25519/ed25519.hpp"
#include "kernels/cpu/features.hpp"
#include "tests/support/dispatch_model.hpp"
#include "tests/support/long_diff.hpp"
#include "kernels/ed25519/internal.hpp"

namespace ed = jwtbatch::kernels::ed25519;
namespace dt = jwtbatch::kernels::ed25519::detail;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes from_hex(std::string_view hex) {
  Bytes out;
  if (hex == "-") return out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<uint8_t>(nib(hex[i]) * 16 + nib(hex[i + 1])));
  return out;
}

std::string to_hex(const uint8_t* p, size_t n) {
  static const char* k = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += k[p[i] >> 4];
    s += k[p[i] & 15];
  }
  return s;
}

bool bssl_verify(const Bytes& pk, const Bytes& msg, const uint8_t sig[64]) {
  return ED25519_verify(msg.data(), msg.size(), sig, pk.data()) == 1;
}

// KeyCache prepares each distinct public key once (nullptr: the key does not decode).
class KeyCache {
 public:
  const ed::PublicKey* get(const Bytes& pk) {
    const std::string id(pk.begin(), pk.end());
    auto it = keys_.find(id);
    if (it == keys_.end()) {
      it = keys_.emplace(id, ed::prepare_public_key(std::span<const uint8_t, 32>(pk.data(), 32))).first;
    }
    return it->second.get();
  }

 private:
  std::map<std::string, std::unique_ptr<ed::PublicKey>> keys_;
};

// Case is one verification with BoringSSL's verdict.
struct Case {
  Bytes pk, msg;
  uint8_t sig[64];
  bool expected = false;  // ED25519_verify's verdict
  std::string what;
};

Case make_case(const Bytes& pk, const Bytes& msg, const uint8_t sig[64], std::string what) {
  Case c;
  c.pk = pk;
  c.msg = msg;
  std::memcpy(c.sig, sig, 64);
  c.expected = bssl_verify(pk, msg, sig);
  c.what = std::move(what);
  return c;
}

// check_cases runs `cases` through `variant` one lane at a time, then in batches of every size
// 1..8 (lanes mixing keys), and fails on any verdict different from BoringSSL's. A key that does
// not decode must be one ED25519_verify rejects every signature with.
// `lean` (the long differential run) skips the single-lane and verify_batch passes.
void check_cases(const ed::Variant& variant, const std::vector<Case>& cases, KeyCache& keys, bool lean = false) {
  std::vector<ed::Job> jobs;
  std::vector<const Case*> of_job;
  size_t mismatches = 0;
  for (const Case& c : cases) {
    const ed::PublicKey* key = keys.get(c.pk);
    if (key == nullptr) {
      if (c.expected) {
        ADD_FAILURE() << c.what << ": the kernel refused a key ED25519_verify accepts: pk=" << to_hex(c.pk.data(), 32);
        ++mismatches;
      }
      continue;
    }
    ed::Job j{key, c.msg.data(), c.msg.size(), c.sig, !c.expected};
    if (!lean) variant.verify_lanes(&j, 1);
    if (!lean && j.valid != c.expected && mismatches++ < 20) {
      ADD_FAILURE() << variant.name << " single lane: " << c.what << " verdict " << j.valid << " != BoringSSL " << c.expected
                    << " pk=" << to_hex(c.pk.data(), 32) << " sig=" << to_hex(c.sig, 64)
                    << " msg=" << to_hex(c.msg.data(), c.msg.size());
    }
    jobs.push_back(ed::Job{key, c.msg.data(), c.msg.size(), c.sig, false});
    of_job.push_back(&c);
  }
  // Batches: sizes cycle through 1..8 so every partial batch is exercised.
  size_t pos = 0, size = 1;
  while (pos < jobs.size()) {
    const size_t n = std::min(size, jobs.size() - pos);
    for (size_t i = pos; i < pos + n; ++i) jobs[i].valid = !of_job[i]->expected;  // poison
    variant.verify_lanes(&jobs[pos], n);
    for (size_t i = pos; i < pos + n; ++i) {
      if (jobs[i].valid != of_job[i]->expected && mismatches++ < 20) {
        ADD_FAILURE() << variant.name << " batch of " << n << ": " << of_job[i]->what << " verdict " << jobs[i].valid
                      << " != BoringSSL " << of_job[i]->expected;
      }
    }
    pos += n;
    size = size % ed::kMaxLanes + 1;
  }
  // And through verify_batch (groups of 8, the tail by break-even).
  if (lean) {
    EXPECT_EQ(mismatches, 0u);
    return;
  }
  for (auto& j : jobs) j.valid = false;
  ed::verify_batch(jobs, variant);
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i].valid != of_job[i]->expected && mismatches++ < 20) {
      ADD_FAILURE() << variant.name << " verify_batch: " << of_job[i]->what;
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

class Ed25519Variant : public ::testing::TestWithParam<size_t> {
 protected:
  const ed::Variant& variant() const { return ed::supported_variants()[GetParam()]; }
};

std::string variant_name(const ::testing::TestParamInfo<size_t>& info) {
  return std::string(ed::supported_variants()[info.param].name);
}

// ---- arithmetic ---------------------------------------------------------------------------------

struct Bn {
  bssl::UniquePtr<BIGNUM> v{BN_new()};
  BIGNUM* get() const { return v.get(); }
};

// le_to_bn reads `n` little-endian bytes.
void le_to_bn(const uint8_t* p, size_t n, BIGNUM* out) { ASSERT_NE(BN_le2bn(p, n, out), nullptr); }

TEST(Ed25519Arithmetic, FieldMulSqInvertMatchBignum) {
  std::mt19937_64 rng(1);
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  Bn p, a, b, r, t;
  BN_set_bit(p.get(), 255);
  BN_sub_word(p.get(), 19);
  for (int iter = 0; iter < 2000; ++iter) {
    uint8_t x[32], y[32], out[32], want[32];
    for (auto& c : x) c = static_cast<uint8_t>(rng());
    for (auto& c : y) c = static_cast<uint8_t>(rng());
    if (iter < 4) {  // edges: 0, p - 1, p (non-canonical), 2^255 - 1
      std::memset(x, iter == 0 ? 0 : 0xff, 32);
      if (iter == 1) x[0] = 0xec;
      if (iter == 2) x[0] = 0xed;
      x[31] = iter == 0 ? 0 : 0x7f;
    }
    x[31] &= 0x7f;
    y[31] &= 0x7f;
    ed::Fe fx, fy, fr;
    dt::fe_frombytes(fx, x);
    dt::fe_frombytes(fy, y);
    le_to_bn(x, 32, a.get());
    le_to_bn(y, 32, b.get());
    auto expect_eq = [&](const ed::Fe& f, const char* op) {
      dt::fe_tobytes(out, f);
      ASSERT_TRUE(BN_bn2le_padded(want, 32, r.get()));
      ASSERT_EQ(to_hex(out, 32), to_hex(want, 32)) << op << " iter " << iter;
    };
    dt::fe_mul(fr, fx, fy);
    BN_mod_mul(r.get(), a.get(), b.get(), p.get(), ctx.get());
    expect_eq(fr, "mul");
    dt::fe_sq(fr, fx);
    BN_mod_sqr(r.get(), a.get(), p.get(), ctx.get());
    expect_eq(fr, "sq");
    dt::fe_add(fr, fx, fy);
    BN_mod_add(r.get(), a.get(), b.get(), p.get(), ctx.get());
    expect_eq(fr, "add");
    dt::fe_sub(fr, fx, fy);
    BN_mod_sub(r.get(), a.get(), b.get(), p.get(), ctx.get());
    expect_eq(fr, "sub");
    BN_nnmod(t.get(), a.get(), p.get(), ctx.get());
    if (!BN_is_zero(t.get())) {
      dt::fe_invert(fr, fx);
      ASSERT_NE(BN_mod_inverse(r.get(), t.get(), p.get(), ctx.get()), nullptr);
      expect_eq(fr, "invert");
    }
  }
}

TEST(Ed25519Arithmetic, ScalarReduceAndMulAddMatchBignum) {
  std::mt19937_64 rng(2);
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  Bn l, a, b, c, r;
  const uint8_t l_le[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
  le_to_bn(l_le, 32, l.get());
  for (int iter = 0; iter < 3000; ++iter) {
    uint8_t wide[64], out[32], want[32];
    for (auto& x : wide) x = static_cast<uint8_t>(rng());
    if (iter == 0) std::memset(wide, 0xff, 64);
    if (iter == 1) std::memset(wide, 0, 64);
    if (iter == 2) { std::memset(wide, 0, 64); std::memcpy(wide, l_le, 32); }  // L -> 0
    if (iter == 3) { std::memset(wide, 0, 64); std::memcpy(wide, l_le, 32); wide[0] -= 1; }  // L - 1
    dt::sc_reduce64(out, wide);
    le_to_bn(wide, 64, a.get());
    BN_nnmod(r.get(), a.get(), l.get(), ctx.get());
    ASSERT_TRUE(BN_bn2le_padded(want, 32, r.get()));
    ASSERT_EQ(to_hex(out, 32), to_hex(want, 32)) << "reduce iter " << iter;
    EXPECT_EQ(dt::sc_is_canonical(out), true);
    uint8_t x[32], y[32], z[32];
    for (int i = 0; i < 32; ++i) { x[i] = wide[i]; y[i] = wide[32 + i]; z[i] = static_cast<uint8_t>(rng()); }
    dt::sc_muladd(out, x, y, z);
    le_to_bn(x, 32, a.get());
    le_to_bn(y, 32, b.get());
    le_to_bn(z, 32, c.get());
    BN_mul(r.get(), a.get(), b.get(), ctx.get());
    BN_add(r.get(), r.get(), c.get());
    BN_nnmod(r.get(), r.get(), l.get(), ctx.get());
    ASSERT_TRUE(BN_bn2le_padded(want, 32, r.get()));
    ASSERT_EQ(to_hex(out, 32), to_hex(want, 32)) << "muladd iter " << iter;
  }
  EXPECT_FALSE(dt::sc_is_canonical(l_le));
  uint8_t lm1[32];
  std::memcpy(lm1, l_le, 32);
  lm1[0] -= 1;
  EXPECT_TRUE(dt::sc_is_canonical(lm1));
}

TEST(Ed25519Arithmetic, RecodeIsExact) {
  std::mt19937_64 rng(3);
  for (int iter = 0; iter < 1000; ++iter) {
    uint8_t s[32];
    for (auto& x : s) x = static_cast<uint8_t>(rng());
    s[31] &= 0x1f;  // below 2^253
    int8_t e[64];
    dt::recode16(e, s);
    // sum e[i] 16^i, rebuilt in base 256 with signed carries
    int carry = 0;
    for (int i = 0; i < 32; ++i) {
      ASSERT_GE(e[2 * i], -8);
      ASSERT_LE(e[2 * i], 8);
      const int v = e[2 * i] + 16 * e[2 * i + 1] + carry;
      const int byte = ((v % 256) + 256) % 256;
      carry = (v - byte) / 256;
      ASSERT_EQ(byte, s[i]) << iter << " byte " << i;
    }
    ASSERT_EQ(carry, 0);
  }
}

TEST(Ed25519Arithmetic, BasePointAndTablesMatchDoubleAndAdd) {
  // B encodes as 0x58 0x66 ... 0x66 (y = 4/5, x even): RFC 8032 section 5.1.
  uint8_t enc[32];
  dt::ge_encode(enc, dt::base_point());
  EXPECT_EQ(to_hex(enc, 32), "5866666666666666666666666666666666666666666666666666666666666666");
  // [L]B = identity
  const uint8_t l_le[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
  dt::Ge lb, id;
  dt::ge_scalarmult(lb, l_le, dt::base_point());
  dt::ge_identity(id);
  EXPECT_TRUE(dt::ge_equal(lb, id));
  // Entries j * 16^i * B for a spread of (i, j), and the same for a key's -A.
  const ed::MultTable& t = ed::base_table();
  uint8_t pk[32], sk[64], seed[32] = {7};
  ED25519_keypair_from_seed(pk, sk, seed);
  auto key = ed::prepare_public_key(std::span<const uint8_t, 32>(pk, 32));
  ASSERT_NE(key, nullptr);
  dt::Ge a;
  ASSERT_TRUE(dt::ge_decode(a, pk));
  dt::ge_neg(a, a);
  for (int i : {0, 1, 2, 17, 31, 32, 62, 63}) {
    for (int j = 1; j <= 8; ++j) {
      uint8_t s[32] = {};
      // s = j * 16^i
      const int bit = 4 * i;
      const unsigned v = static_cast<unsigned>(j) << (bit % 8);
      s[bit / 8] = static_cast<uint8_t>(v);
      if (bit / 8 + 1 < 32) s[bit / 8 + 1] = static_cast<uint8_t>(v >> 8);
      for (int which = 0; which < 2; ++which) {
        dt::Ge want, got;
        dt::ge_scalarmult(want, s, which == 0 ? dt::base_point() : a);
        dt::ge_identity(got);
        dt::ge_add_niels(got, got, which == 0 ? t.entry[i][j - 1] : key->neg_a.entry[i][j - 1], 1);
        EXPECT_TRUE(dt::ge_equal(want, got)) << "table " << which << " i=" << i << " j=" << j;
      }
    }
  }
}

// ---- RFC 8032 ------------------------------------------------------------------------------------

TEST_P(Ed25519Variant, Rfc8032Section71) {
  std::ifstream f(std::string(JWTBATCH_SOURCE_DIR) + "/corpus/ed25519/rfc8032_section_7_1.txt");
  ASSERT_TRUE(f) << "corpus/ed25519/rfc8032_section_7_1.txt missing";
  std::string line;
  std::vector<Case> cases;
  int vectors = 0;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    std::string name, sk_hex, pk_hex, msg_hex, sig_hex;
    in >> name >> sk_hex >> pk_hex >> msg_hex >> sig_hex;
    const Bytes seed = from_hex(sk_hex), pk = from_hex(pk_hex), msg = from_hex(msg_hex), sig = from_hex(sig_hex);
    ASSERT_EQ(seed.size(), 32u) << name;
    ASSERT_EQ(pk.size(), 32u) << name;
    ASSERT_EQ(sig.size(), 64u) << name;
    // The typed-in vector is the RFC's: BoringSSL derives the same key and signature.
    uint8_t pub[32], priv[64], resig[64];
    ED25519_keypair_from_seed(pub, priv, seed.data());
    ASSERT_EQ(to_hex(pub, 32), pk_hex) << name;
    ASSERT_EQ(ED25519_sign(resig, msg.data(), msg.size(), priv), 1);
    ASSERT_EQ(to_hex(resig, 64), sig_hex) << name;
    Case c = make_case(pk, msg, sig.data(), name);
    ASSERT_TRUE(c.expected) << name;
    cases.push_back(c);
    ++vectors;
    // Bit-flip sweep: every bit of the signature, and of the message's first bytes.
    for (int bit = 0; bit < 512; ++bit) {
      uint8_t s[64];
      std::memcpy(s, sig.data(), 64);
      s[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
      cases.push_back(make_case(pk, msg, s, name + " sig bit " + std::to_string(bit)));
    }
    for (size_t bit = 0; bit < std::min<size_t>(msg.size() * 8, 64); ++bit) {
      Bytes m = msg;
      m[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
      cases.push_back(make_case(pk, m, sig.data(), name + " msg bit " + std::to_string(bit)));
    }
    for (int bit = 0; bit < 256; ++bit) {
      Bytes p = pk;
      p[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
      cases.push_back(make_case(p, msg, sig.data(), name + " pk bit " + std::to_string(bit)));
    }
  }
  EXPECT_EQ(vectors, 4);
  KeyCache keys;
  check_cases(variant(), cases, keys);
}

// ---- Wycheproof -----------------------------------------------------------------------------------

TEST_P(Ed25519Variant, Wycheproof) {
  const std::string path = std::string(JWTBATCH_SHARED_DIR) + "/testvectors/wycheproof/ed25519_test.json";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.load(path).get(doc) != simdjson::SUCCESS) GTEST_SKIP() << "no " << path << " (../shared absent)";
  std::vector<Case> cases;
  size_t total = 0, wrong_len = 0, valid = 0;
  for (simdjson::dom::element group : doc["testGroups"].get_array()) {
    const Bytes pk = from_hex(std::string_view(group["publicKey"]["pk"].get_string().value()));
    ASSERT_EQ(pk.size(), 32u);
    for (simdjson::dom::element t : group["tests"].get_array()) {
      ++total;
      const int64_t id = t["tcId"].get_int64().value();
      const Bytes msg = from_hex(std::string_view(t["msg"].get_string().value()));
      const Bytes sig = from_hex(std::string_view(t["sig"].get_string().value()));
      const std::string_view result = t["result"].get_string().value();
      ASSERT_NE(result, "acceptable") << "tcId " << id << ": no acceptable cases expected in this file";
      if (sig.size() != 64) {
        // Not a 64-byte signature: the engine refuses it by length (signature_len) before any
        // kernel or ED25519_verify sees it.
        EXPECT_EQ(result, "invalid") << id;
        ++wrong_len;
        continue;
      }
      Case c = make_case(pk, msg, sig.data(), "tcId " + std::to_string(id));
      EXPECT_EQ(c.expected, result == "valid") << "BoringSSL disagrees with Wycheproof on tcId " << id;
      valid += c.expected;
      cases.push_back(c);
    }
  }
  EXPECT_EQ(total, 150u);
  EXPECT_EQ(valid, 88u);
  std::cout << "Wycheproof ed25519: " << cases.size() << " 64-byte cases (" << valid << " valid), "
            << wrong_len << " of other lengths\n";
  KeyCache keys;
  check_cases(variant(), cases, keys);
}

// ---- validation-criteria edge cases ---------------------------------------------------------------

// Points and signing with arbitrary scalars, by the kernel's reference arithmetic.
struct Tools {
  dt::Ge torsion[8];  // torsion[i] = [i] T8, T8 of order 8
  Tools() {
    // A point of order 8: [L] P for points P decoded from increasing y, until [4][L]P != identity.
    const uint8_t l_le[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
    dt::Ge id;
    dt::ge_identity(id);
    for (uint8_t y = 2;; ++y) {
      uint8_t enc[32] = {y};
      dt::Ge p, q, q4;
      if (!dt::ge_decode(p, enc)) continue;
      dt::ge_scalarmult(q, l_le, p);
      dt::ge_add(q4, q, q);
      dt::ge_add(q4, q4, q4);
      if (dt::ge_equal(q4, id)) continue;
      torsion[0] = id;
      for (int i = 1; i < 8; ++i) dt::ge_add(torsion[i], torsion[i - 1], q);
      break;
    }
  }
  static Bytes encode(const dt::Ge& p) {
    Bytes out(32);
    dt::ge_encode(out.data(), p);
    return out;
  }
  static dt::Ge mul_base(const uint8_t s[32]) {
    dt::Ge r;
    dt::ge_scalarmult(r, s, dt::base_point());
    return r;
  }
  // k = SHA-512(R || A || M) mod L
  static void challenge(uint8_t k[32], const Bytes& r, const Bytes& a, const Bytes& m) {
    uint8_t h[64];
    SHA512_CTX c;
    SHA512_Init(&c);
    SHA512_Update(&c, r.data(), 32);
    SHA512_Update(&c, a.data(), 32);
    SHA512_Update(&c, m.data(), m.size());
    SHA512_Final(h, &c);
    dt::sc_reduce64(k, h);
  }
  // k mod n, for n | 8
  static int mod_small(const uint8_t k[32], int n) { return k[0] % n; }
};

void random_scalar(std::mt19937_64& rng, uint8_t s[32]) {
  uint8_t wide[64];
  for (auto& x : wide) x = static_cast<uint8_t>(rng());
  dt::sc_reduce64(s, wide);
}

TEST_P(Ed25519Variant, EdgeCases) {
  const Tools tools;
  std::mt19937_64 rng(4);
  std::vector<Case> cases;
  auto add = [&](const Bytes& pk, const Bytes& msg, const uint8_t sig[64], const std::string& what, int intended) {
    Case c = make_case(pk, msg, sig, what);
    if (intended >= 0) {
      EXPECT_EQ(c.expected, intended == 1) << "construction of '" << what << "' is not what it claims";
    }
    cases.push_back(c);
  };
  const uint8_t zero32[32] = {};

  // Every encoding of the 8 small-order points: canonical, with the sign bit flipped (x = 0
  // cases), and y + p where that fits in 255 bits (y < 19). Plus all 19 values y >= p, both signs.
  std::vector<Bytes> small_encodings;
  for (int i = 0; i < 8; ++i) {
    Bytes e = Tools::encode(tools.torsion[i]);
    small_encodings.push_back(e);
    Bytes flipped = e;
    flipped[31] ^= 0x80;
    small_encodings.push_back(flipped);
  }
  for (int y = 0; y < 19; ++y) {
    for (int sign = 0; sign < 2; ++sign) {
      Bytes e(32, 0xff);
      e[0] = static_cast<uint8_t>(0xed + y);  // p + y, y <= 18: no carry out of byte 0
      e[31] = static_cast<uint8_t>(0x7f | (sign << 7));
      small_encodings.push_back(e);
    }
  }
  // For each: a key that decodes and has small order has [k]A = identity for 1 in ord(A) messages;
  // then (R = [r]B, S = r) is valid. Search messages for that, so ED25519_verify's verdict shows
  // whether it decodes the key. Encodings that name no point, or a point of large order, get a
  // signature that verifies only if decoding is mishandled.
  int decodable = 0, small_order = 0;
  for (size_t e = 0; e < small_encodings.size(); ++e) {
    const Bytes& a = small_encodings[e];
    dt::Ge pa;
    const bool decodes = dt::ge_decode(pa, a.data());
    decodable += decodes;
    int order = 0;
    if (decodes) {
      dt::Ge m;
      dt::ge_identity(m);
      for (int n = 1; n <= 8; ++n) {
        dt::ge_add(m, m, pa);
        if (dt::ge_equal(m, tools.torsion[0])) { order = n; break; }
      }
    }
    small_order += order != 0;
    uint8_t r[32], sig[64];
    random_scalar(rng, r);
    const Bytes rb = Tools::encode(Tools::mul_base(r));
    for (int tries = 0; tries < 200; ++tries) {
      Bytes msg = {static_cast<uint8_t>(e), static_cast<uint8_t>(tries)};
      uint8_t k[32];
      Tools::challenge(k, rb, a, msg);
      if (order != 0 && Tools::mod_small(k, order) != 0) continue;
      std::memcpy(sig, rb.data(), 32);
      std::memcpy(sig + 32, r, 32);
      add(a, msg, sig, "small-order A encoding " + to_hex(a.data(), 32) + " order " + std::to_string(order),
          order != 0 ? 1 : -1);
      break;
    }
    if (order != 0) {
      // The forgery that needs no secret: S = 0 and R a small-order point, valid iff R = -[k]A.
      // Try R over all 8 torsion points.
      for (int t = 0; t < 8; ++t) {
        const Bytes rt = Tools::encode(tools.torsion[t]);
        const Bytes msg = {0x53, static_cast<uint8_t>(e), static_cast<uint8_t>(t)};
        std::memcpy(sig, rt.data(), 32);
        std::memcpy(sig + 32, zero32, 32);
        add(a, msg, sig, "S = 0, small-order A and R", -1);
        // Non-canonical R bytes for the same point (sign bit set on x = 0, y + p): never valid.
        Bytes rflip = rt;
        rflip[31] ^= 0x80;
        std::memcpy(sig, rflip.data(), 32);
        add(a, msg, sig, "S = 0, R sign-flipped", -1);
      }
    }
  }

  // Identity key and its non-canonical encodings with S = 0 and R = identity: valid only with
  // R's canonical bytes (01 00 .. 00); y = p + 1 or the sign bit on R is rejected by the byte
  // comparison, though the point is the same.
  {
    Bytes id_canon(32, 0), id_noncanon(32, 0xff), id_signed(32, 0);
    id_canon[0] = 1;
    id_noncanon[0] = 0xee;  // p + 1
    id_noncanon[31] = 0x7f;
    id_signed[0] = 1;
    id_signed[31] = 0x80;
    for (const Bytes& a : {id_canon, id_noncanon, id_signed}) {
      uint8_t sig[64] = {};
      const Bytes msg = {1, 2, 3};
      std::memcpy(sig, id_canon.data(), 32);
      add(a, msg, sig, "identity A, R = identity, S = 0", 1);
      std::memcpy(sig, id_noncanon.data(), 32);
      add(a, msg, sig, "identity A, R = p + 1 (non-canonical identity)", 0);
      std::memcpy(sig, id_signed.data(), 32);
      add(a, msg, sig, "identity A, R = identity with sign bit", 0);
    }
  }

  // Mixed-order keys A = [a]B + T and mixed-order R = [r]B + T_R: the cofactorless equation holds
  // iff T_R = -[k]T. Both outcomes, for T of each order.
  int mixed_accepted = 0, mixed_rejected = 0;
  for (int t = 1; t < 8; ++t) {
    uint8_t a[32];
    random_scalar(rng, a);
    dt::Ge pa = Tools::mul_base(a);
    dt::ge_add(pa, pa, tools.torsion[t]);
    const Bytes ab = Tools::encode(pa);
    for (int m = 0; m < 48; ++m) {
      uint8_t r[32], k[32], s[32], sig[64];
      random_scalar(rng, r);
      const dt::Ge pr = Tools::mul_base(r);
      const int tr = m % 8;
      dt::Ge prt;
      dt::ge_add(prt, pr, tools.torsion[tr]);
      const Bytes rb = Tools::encode(prt);
      const Bytes msg = {static_cast<uint8_t>(t), static_cast<uint8_t>(m), 0x4d};
      Tools::challenge(k, rb, ab, msg);
      dt::sc_muladd(s, k, a, r);  // S = r + k a mod L
      std::memcpy(sig, rb.data(), 32);
      std::memcpy(sig + 32, s, 32);
      // -[k]T = [(-k t) mod 8] T8, with k taken as the integer k mod L (what both verifiers use)
      const int want = ((8 - (Tools::mod_small(k, 8) * t) % 8) % 8);
      add(ab, msg, sig, "mixed-order A (T" + std::to_string(t) + "), R torsion " + std::to_string(tr), tr == want ? 1 : 0);
      (tr == want ? mixed_accepted : mixed_rejected)++;
    }
  }
  EXPECT_GT(mixed_accepted, 0);
  EXPECT_GT(mixed_rejected, 0);

  // Prime-order keys: mixed-order R never holds cofactorless (a cofactored verifier accepts it).
  for (int t = 1; t < 8; ++t) {
    uint8_t a[32], r[32], k[32], s[32], sig[64];
    random_scalar(rng, a);
    const Bytes ab = Tools::encode(Tools::mul_base(a));
    random_scalar(rng, r);
    dt::Ge prt = Tools::mul_base(r);
    dt::ge_add(prt, prt, tools.torsion[t]);
    const Bytes rb = Tools::encode(prt);
    const Bytes msg = {0x52, static_cast<uint8_t>(t)};
    Tools::challenge(k, rb, ab, msg);
    dt::sc_muladd(s, k, a, r);
    std::memcpy(sig, rb.data(), 32);
    std::memcpy(sig + 32, s, 32);
    add(ab, msg, sig, "prime-order A, mixed-order R (T" + std::to_string(t) + ")", 0);
  }

  // S >= L: S + L, S + 2L (below 2^256), L itself, L - 1, 2^253 - 1, all ones; with an honest key.
  {
    uint8_t pk[32], sk[64], sig[64], seed[32];
    for (auto& x : seed) x = static_cast<uint8_t>(rng());
    ED25519_keypair_from_seed(pk, sk, seed);
    const Bytes pkb(pk, pk + 32);
    const uint8_t l_le[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
    for (int m = 0; m < 64; ++m) {
      const Bytes msg = {0x4c, static_cast<uint8_t>(m)};
      ED25519_sign(sig, msg.data(), msg.size(), sk);
      add(pkb, msg, sig, "honest", 1);
      for (int times = 1; times <= 2; ++times) {
        uint8_t s2[64];
        std::memcpy(s2, sig, 64);
        unsigned carry = 0;
        for (int i = 0; i < 32; ++i) {
          const unsigned v = s2[32 + i] + times * l_le[i] + carry;
          s2[32 + i] = static_cast<uint8_t>(v);
          carry = v >> 8;
        }
        add(pkb, msg, s2, "S + " + std::to_string(times) + "L", 0);
      }
    }
    const Bytes msg = {0x4c};
    ED25519_sign(sig, msg.data(), msg.size(), sk);
    uint8_t s2[64];
    std::memcpy(s2, sig, 32);
    std::memcpy(s2 + 32, l_le, 32);
    add(pkb, msg, s2, "S = L", 0);
    s2[32] -= 1;
    add(pkb, msg, s2, "S = L - 1", 0);
    std::memset(s2 + 32, 0xff, 32);
    s2[63] = 0x1f;
    add(pkb, msg, s2, "S = 2^253 - 1", 0);
    std::memset(s2 + 32, 0xff, 32);
    add(pkb, msg, s2, "S = 2^256 - 1", 0);
    std::memset(s2 + 32, 0, 32);
    add(pkb, msg, s2, "S = 0", 0);
    // Non-canonical R bytes of a large-order point cannot occur (y >= p only for y < 19); R that
    // does not decode at all:
    std::memcpy(s2, sig, 64);
    std::memset(s2, 0xff, 31);
    s2[31] = 0x7f;
    add(pkb, msg, s2, "R = 2^255 - 1", 0);
  }

  // Keys that name no point.
  int undecodable = 0;
  for (int i = 0; i < 64; ++i) {
    Bytes a(32);
    for (auto& x : a) x = static_cast<uint8_t>(rng());
    dt::Ge p;
    if (dt::ge_decode(p, a.data())) continue;
    ++undecodable;
    uint8_t sig[64];
    for (auto& x : sig) x = static_cast<uint8_t>(rng());
    sig[63] &= 0x0f;
    add(a, {1}, sig, "undecodable A", 0);
  }
  EXPECT_GT(undecodable, 10);

  size_t valid = 0;
  for (const Case& c : cases) valid += c.expected;
  std::cout << "edge cases: " << cases.size() << " (" << valid << " valid per BoringSSL; small-order/non-canonical key "
            << "encodings: " << small_encodings.size() << ", " << decodable << " decode, " << small_order
            << " of small order; mixed-order A accepted/rejected: " << mixed_accepted << "/"
            << mixed_rejected << ")\n";
  KeyCache keys;
  check_cases(variant(), cases, keys);
}

// ---- differential ------------------------------------------------------------------------------

size_t differential_cases() { return jwtbatch::test::long_diff_cases(100000); }

// The differential run: random honest keys and messages (lengths 0..700, JWT-sized), each signed
// signature checked as is and corrupted 3 ways out of: a random bit of R, S, the message; S + L;
// a random R; R replaced by another signature's; the message truncated or extended. A share of
// cases also uses random public keys (most do not decode, or name another point). Every case runs
// through every variant; BoringSSL gives the verdict.
TEST(Ed25519Differential, RandomValidAndCorruptedAgreeWithBoringssl) {
  const size_t total = differential_cases();
  std::mt19937_64 rng(5);
  constexpr int kKeys = 48;
  std::vector<Bytes> pks(kKeys);
  std::vector<std::array<uint8_t, 64>> sks(kKeys);
  for (int i = 0; i < kKeys; ++i) {
    uint8_t seed[32];
    for (auto& x : seed) x = static_cast<uint8_t>(rng());
    pks[i].resize(32);
    ED25519_keypair_from_seed(pks[i].data(), sks[i].data(), seed);
  }
  const uint8_t l_le[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
  size_t done = 0, accepted = 0, random_keys = 0;
  std::vector<Case> batch;
  uint8_t prev_r[32] = {};
  auto flush = [&] {
    KeyCache keys;  // fresh per flush: random keys are ~60 KiB each
    for (const ed::Variant& v : ed::supported_variants()) check_cases(v, batch, keys, true);
    batch.clear();
  };
  while (done < total) {
    const int ki = static_cast<int>(rng() % kKeys);
    Bytes msg(rng() % 701);
    for (auto& x : msg) x = static_cast<uint8_t>(rng());
    uint8_t sig[64];
    ED25519_sign(sig, msg.data(), msg.size(), sks[ki].data());
    batch.push_back(make_case(pks[ki], msg, sig, "valid"));
    for (int c = 0; c < 3; ++c) {
      uint8_t s[64];
      std::memcpy(s, sig, 64);
      Bytes m = msg;
      Bytes pk = pks[ki];
      std::string what;
      switch (rng() % 8) {
        case 0: s[rng() % 32] ^= static_cast<uint8_t>(1 << (rng() % 8)); what = "R bit"; break;
        case 1: s[32 + rng() % 32] ^= static_cast<uint8_t>(1 << (rng() % 8)); what = "S bit"; break;
        case 2:
          if (m.empty()) m.push_back(0); else m[rng() % m.size()] ^= static_cast<uint8_t>(1 << (rng() % 8));
          what = "msg bit";
          break;
        case 3: {
          unsigned carry = 0;
          for (int i = 0; i < 32; ++i) {
            const unsigned v = s[32 + i] + l_le[i] + carry;
            s[32 + i] = static_cast<uint8_t>(v);
            carry = v >> 8;
          }
          what = "S + L";
          break;
        }
        case 4: for (int i = 0; i < 32; ++i) s[i] = static_cast<uint8_t>(rng()); what = "random R"; break;
        case 5: std::memcpy(s, prev_r, 32); what = "other R"; break;
        case 6: if (!m.empty()) m.pop_back(); else m.push_back(1); what = "msg length"; break;
        case 7:
          if (rng() % 8 == 0) {  // a random key (prepared once each: keep them rare)
            for (auto& x : pk) x = static_cast<uint8_t>(rng());
            ++random_keys;
            what = "random A";
          } else {
            pk = pks[(ki + 1) % kKeys];
            what = "other A";
          }
          break;
      }
      batch.push_back(make_case(pk, m, s, what));
    }
    std::memcpy(prev_r, sig, 32);
    for (size_t i = batch.size() - 4; i < batch.size(); ++i) accepted += batch[i].expected;
    done += 4;
    if (batch.size() >= 4096) flush();
    if (::testing::Test::HasFailure()) break;
  }
  flush();
  std::cout << "differential: " << done << " cases (" << accepted << " valid per BoringSSL, " << random_keys
            << " with random keys), each through " << ed::supported_variants().size() << " variant(s)\n";
  EXPECT_GE(done, total);
  EXPECT_GT(accepted, done / 5);
}

// ---- dispatch ------------------------------------------------------------------------------------

TEST(Ed25519Dispatch, ActiveVariantIsTheWidestOrTheForcedOne) {
  const auto variants = ed::supported_variants();
  ASSERT_GE(variants.size(), 1u);
  EXPECT_EQ(variants[0].verify_lanes, &ed::verify_lanes_scalar);
  std::vector<std::string_view> names;
  for (const ed::Variant& v : variants) names.push_back(v.name);
  EXPECT_EQ(names, jwtbatch::test::expected_supported(jwtbatch::test::family_model("ed25519"), jwtbatch::kernels::cpu_features()));
  EXPECT_EQ(ed::find_variant(ed::active_variant().name), &ed::active_variant());
  if (const char* want = std::getenv("JWTBATCH_TEST_EXPECT_VARIANT"); want != nullptr) {
    EXPECT_EQ(ed::active_variant().name, want);
  }
}

// The choice is made once per process, so forcing is checked in children: this test binary again,
// under every JWTBATCH_FORCE_ISA value, running only the test above.
TEST(Ed25519Dispatch, ForcedIsaInChildProcesses) {
  jwtbatch::test::expect_children_follow_policy("ed25519", "Ed25519Dispatch.ActiveVariantIsTheWidestOrTheForcedOne", false);
}

INSTANTIATE_TEST_SUITE_P(Variants, Ed25519Variant,
                         ::testing::Range<size_t>(0, ed::supported_variants().size()), variant_name);

}  // namespace
