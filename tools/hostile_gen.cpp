// hostile_gen.cpp: writes corpus/hostile/, the largest RSA key jwtbatch accepts (16384 bits) as a
// public JWKS and tokens signed by it, for bench/hostile_bench.cpp and tests.
//
//   build/tools/jwtbatch_hostile_gen OUT_DIR
//
// Deterministic: the primes are the first primes (with gcd(p - 1, e) = 1) at or after candidates
// drawn from SHA-256 in counter mode over a fixed label, and RSASSA-PKCS1-v1_5 signatures are
// deterministic, so running it again writes the same files (the probabilistic primality test can
// only differ with negligible probability). Key generation this size takes minutes; it is run
// once and its output checked in. The private key is not written anywhere.
#include <openssl/bn.h>
#include <openssl/digest.h>
#include <openssl/err.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "jwtbatch/text.hpp"

namespace {

constexpr int kBits = 16384;
constexpr const char* kLabel = "jwtbatch corpus/hostile rsa16384 v1";
constexpr const char* kKid = "rsa16384";
constexpr long long kExp = 4102444800;  // 2100-01-01T00:00:00Z

std::string b64url(const uint8_t* p, size_t n) {
  std::string out;
  jwtbatch::base64url_encode({p, n}, &out);
  return out;
}
std::string b64url(const std::string& s) { return b64url(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
std::string b64url(const BIGNUM* bn) {
  std::vector<uint8_t> b(BN_num_bytes(bn));
  BN_bn2bin(bn, b.data());
  return b64url(b.data(), b.size());
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "hostile_gen: %s\n", what);
  ERR_print_errors_fp(stderr);
  std::exit(1);
}

// candidate returns `bits` pseudo-random bits: SHA-256(label || which || counter) blocks, with the
// top two bits set (so that p * q has exactly 2 * bits bits) and the low bit set.
bssl::UniquePtr<BIGNUM> candidate(int bits, char which) {
  std::vector<uint8_t> bytes;
  for (uint32_t counter = 0; bytes.size() * 8 < static_cast<size_t>(bits); ++counter) {
    std::string block = std::string(kLabel) + which + std::to_string(counter);
    uint8_t d[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const uint8_t*>(block.data()), block.size(), d);
    bytes.insert(bytes.end(), d, d + sizeof d);
  }
  bytes.resize(bits / 8);
  bytes[0] |= 0xc0;
  bytes.back() |= 1;
  return bssl::UniquePtr<BIGNUM>(BN_bin2bn(bytes.data(), bytes.size(), nullptr));
}

bssl::UniquePtr<BIGNUM> next_prime(int bits, char which, const BIGNUM* e, BN_CTX* ctx) {
  bssl::UniquePtr<BIGNUM> p = candidate(bits, which), pm1(BN_new()), g(BN_new());
  const auto start = std::chrono::steady_clock::now();
  for (int tries = 0;; ++tries) {
    int prime = 0;
    if (!BN_primality_test(&prime, p.get(), BN_prime_checks_for_generation, ctx, 1, nullptr)) die("primality test");
    if (prime) {
      if (!BN_sub(pm1.get(), p.get(), BN_value_one()) || !BN_gcd(g.get(), pm1.get(), e, ctx)) die("gcd");
      if (BN_is_one(g.get())) {
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "hostile_gen: prime %c after %d candidates, %.0f s\n", which, tries + 1, s);
        return p;
      }
    }
    if (!BN_add_word(p.get(), 2)) die("add");
  }
}

std::string sign_rs(RSA* rsa, const char* alg, int nid, const EVP_MD* md, const std::string& claims) {
  const std::string input = b64url("{\"alg\":\"" + std::string(alg) + "\",\"kid\":\"" + kKid + "\",\"typ\":\"JWT\"}") +
                            "." + b64url(claims);
  uint8_t d[EVP_MAX_MD_SIZE];
  unsigned d_len = 0;
  if (!EVP_Digest(input.data(), input.size(), d, &d_len, md, nullptr)) die("digest");
  std::vector<uint8_t> sig(RSA_size(rsa));
  unsigned sig_len = 0;
  if (!RSA_sign(nid, d, d_len, sig.data(), &sig_len, rsa)) die("sign");
  return input + "." + b64url(sig.data(), sig_len);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: jwtbatch_hostile_gen OUT_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  bssl::UniquePtr<BN_CTX> ctx(BN_CTX_new());
  bssl::UniquePtr<BIGNUM> e(BN_new());
  BN_set_word(e.get(), 65537);
  bssl::UniquePtr<BIGNUM> p = next_prime(kBits / 2, 'p', e.get(), ctx.get());
  bssl::UniquePtr<BIGNUM> q = next_prime(kBits / 2, 'q', e.get(), ctx.get());
  if (BN_cmp(p.get(), q.get()) < 0) std::swap(p, q);
  bssl::UniquePtr<BIGNUM> n(BN_new()), pm1(BN_new()), qm1(BN_new()), phi(BN_new()), d(BN_new()),
      dmp1(BN_new()), dmq1(BN_new()), iqmp(BN_new());
  if (!BN_mul(n.get(), p.get(), q.get(), ctx.get()) || BN_num_bits(n.get()) != kBits) die("n");
  if (!BN_sub(pm1.get(), p.get(), BN_value_one()) || !BN_sub(qm1.get(), q.get(), BN_value_one()) ||
      !BN_mul(phi.get(), pm1.get(), qm1.get(), ctx.get()) ||
      !BN_mod_inverse(d.get(), e.get(), phi.get(), ctx.get()) ||
      !BN_mod(dmp1.get(), d.get(), pm1.get(), ctx.get()) || !BN_mod(dmq1.get(), d.get(), qm1.get(), ctx.get()) ||
      !BN_mod_inverse(iqmp.get(), q.get(), p.get(), ctx.get()))
    die("private exponents");
  const std::string n_b64 = b64url(n.get()), e_b64 = b64url(e.get());
  bssl::UniquePtr<RSA> rsa(RSA_new());
  if (!RSA_set0_key(rsa.get(), n.release(), e.release(), d.release()) ||
      !RSA_set0_factors(rsa.get(), p.release(), q.release()) ||
      !RSA_set0_crt_params(rsa.get(), dmp1.release(), dmq1.release(), iqmp.release()))
    die("assemble key");
  if (RSA_check_key(rsa.get()) != 1) die("RSA_check_key");

  std::ofstream(dir + "/rsa16384.jwks.json", std::ios::binary)
      << "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"" << kKid << "\",\"use\":\"sig\",\"n\":\"" << n_b64 << "\",\"e\":\""
      << e_b64 << "\"}]}\n";
  // A typical claims set, and one padded so that the token is as long as the default limit allows.
  const std::string claims = "{\"iss\":\"https://issuer.example.com\",\"aud\":\"https://api.example.com\","
                             "\"sub\":\"user-16384\",\"exp\":" + std::to_string(kExp) + "}";
  std::string tokens = sign_rs(rsa.get(), "RS256", NID_sha256, EVP_sha256(), claims) + "\n" +
                       sign_rs(rsa.get(), "RS512", NID_sha512, EVP_sha512(), claims) + "\n";
  std::string big;
  for (size_t pad = 44000;; ++pad) {
    std::string c = claims.substr(0, claims.size() - 1) + ",\"pad\":\"" + std::string(pad, 'x') + "\"}";
    std::string t = sign_rs(rsa.get(), "RS256", NID_sha256, EVP_sha256(), c);
    if (t.size() > 64 * 1024) break;
    big = t;
    pad += 200;  // coarse steps; the last token under 64 KiB is close enough
  }
  tokens += big + "\n";
  std::ofstream(dir + "/rsa16384.tokens.txt", std::ios::binary) << tokens;
  std::fprintf(stderr, "hostile_gen: wrote %s/rsa16384.jwks.json and rsa16384.tokens.txt\n", dir.c_str());
  return 0;
}
