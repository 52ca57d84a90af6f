// sig_ed25519_test.cpp: the Ed25519 kernel inside the signature layer and stage 6: prepare_ed25519
// builds the kernel's key, verify_signature and the batch seam (verify_signatures, mixing EdDSA
// jobs of several keys with other families, every partial lane count) give ED25519_verify's
// verdicts, and `jwtbatch verify` prints the same lines with JWTBATCH_FORCE_BORINGSSL=1.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <openssl/curve25519.h>

#include "engine/sig/crypto.hpp"
#include "engine/sig/force_boringssl.hpp"
#include "kernels/ed25519/ed25519.hpp"
#include "kernels/sha256/sha256.hpp"
#include "tests/support/cli_command.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch::engine {
namespace {

struct EdKey {
  uint8_t pk[32], sk[64];
  PreparedKey prepared;
};

std::vector<std::unique_ptr<EdKey>> make_keys(int n, std::mt19937_64& rng) {
  std::vector<std::unique_ptr<EdKey>> keys;
  for (int i = 0; i < n; ++i) {
    auto k = std::make_unique<EdKey>();
    uint8_t seed[32];
    for (auto& x : seed) x = static_cast<uint8_t>(rng());
    ED25519_keypair_from_seed(k->pk, k->sk, seed);
    std::string why;
    auto p = prepare_ed25519(std::span<const uint8_t>(k->pk, 32), AlgSet{}, &why);
    EXPECT_TRUE(p.has_value()) << why;
    if (!p) return {};
    k->prepared = std::move(*p);
    keys.push_back(std::move(k));
  }
  return keys;
}

TEST(SigEd25519, PrepareBuildsTheKernelKey) {
  std::mt19937_64 rng(11);
  auto keys = make_keys(2, rng);
  ASSERT_EQ(keys.size(), 2u);
  ASSERT_NE(keys[0]->prepared.as<Ed25519Key>()->kernel, nullptr);
  EXPECT_EQ(std::memcmp(keys[0]->prepared.as<Ed25519Key>()->kernel->encoded, keys[0]->pk, 32), 0);
}

// Every job's verdict equals ED25519_verify's (EdDSA) or verify_signature's one at a time (other
// families), for batches of every length 1..40 mixing keys, algorithms and corruptions.
TEST(SigEd25519, BatchSeamMatchesBoringssl) {
  std::mt19937_64 rng(12);
  auto keys = make_keys(5, rng);
  ASSERT_EQ(keys.size(), 5u);
  const std::vector<uint8_t> secret(64, 0x5a);
  auto hmac = prepare_hmac(secret, AlgSet{}, nullptr);
  ASSERT_TRUE(hmac.has_value());
  VerifyScratch scratch;

  struct Owned {
    std::string input;
    std::vector<uint8_t> sig;
    bool expected = false;
    bool kernel = false;  // a batch path should claim it (the Ed25519 kernel; HS256: sig_hmac)
  };
  size_t checked = 0;
  for (size_t n = 1; n <= 40; ++n) {
    std::vector<Owned> owned(n);
    std::vector<SigJob> jobs(n);
    for (size_t i = 0; i < n; ++i) {
      Owned& o = owned[i];
      o.input = "eyJhbGciOiJFZERTQSJ9.payload" + std::to_string(rng());
      const auto* in = reinterpret_cast<const uint8_t*>(o.input.data());
      if (rng() % 5 == 0) {  // HS256 job between the EdDSA ones
        jobs[i] = SigJob{&*hmac, Alg::hs256, {in, o.input.size()}, {}, false};
        o.sig.assign(32, 0);
        if (rng() % 2) o.sig[0] = 1;
        jobs[i].signature = o.sig;
        o.expected = verify_signature(*hmac, Alg::hs256, jobs[i].signing_input, o.sig, scratch);
        // HS256 has its own batch path (engine/sig/hmac.cpp) where the SHA-256 kernels run.
        o.kernel = !force_boringssl() && kernels::sha256::engine_uses_kernels();
        continue;
      }
      EdKey& k = *keys[rng() % keys.size()];
      o.sig.resize(64);
      ED25519_sign(o.sig.data(), in, o.input.size(), k.sk);
      switch (rng() % 6) {
        case 0: o.sig[rng() % 64] ^= 1; break;
        case 1: o.sig[63] |= 0x10; break;          // S >= L
        case 2: o.sig.pop_back(); break;            // 63 bytes: refused by length, not by the kernel
        default: break;
      }
      jobs[i] = SigJob{&k.prepared, Alg::eddsa, {in, o.input.size()}, o.sig, false};
      o.expected = o.sig.size() == 64 && ED25519_verify(in, o.input.size(), o.sig.data(), k.pk) == 1;
      o.kernel = o.sig.size() == 64 && !force_boringssl();
      // verify_signature (single-shot path) agrees too.
      EXPECT_EQ(verify_signature(k.prepared, Alg::eddsa, jobs[i].signing_input, o.sig, scratch), o.expected);
    }
    // The HS256 batch path leaves a lone HS256 job to verify_signature (engine/sig/hmac.hpp).
    const size_t num_hs256 = std::count_if(jobs.begin(), jobs.end(), [](const SigJob& j) { return j.alg == Alg::hs256; });
    for (size_t i = 0; i < n; ++i)
      if (jobs[i].alg == Alg::hs256 && num_hs256 < 2) owned[i].kernel = false;
    for (auto& j : jobs) j.valid = false;
    verify_signatures(jobs, scratch);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(jobs[i].valid, owned[i].expected) << "batch of " << n << ", job " << i;
      EXPECT_EQ(jobs[i].handled, owned[i].kernel) << "batch of " << n << ", job " << i;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 820u);
}

// `jwtbatch verify` over EdDSA tokens (valid, forged, S + L, wrong length) prints the same lines
// with the kernel and with JWTBATCH_FORCE_BORINGSSL=1.
TEST(SigEd25519, CommandLineSameVerdictsWithForcedBoringssl) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("jwtbatch_sig_ed25519_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "keys.jwks") << test::test_keys().jwks();
  std::ostringstream tokens;
  std::mt19937_64 rng(13);
  const std::string header = "{\"alg\":\"EdDSA\",\"kid\":\"ed\"}";
  for (int i = 0; i < 200; ++i) {
    const std::string claims = "{\"sub\":\"u" + std::to_string(i) + "\",\"exp\":1767229200}";
    std::string input = test::b64url(header) + "." + test::b64url(claims);
    std::vector<uint8_t> sig = test::sign("EdDSA", input);
    switch (i % 5) {
      case 1: sig[rng() % 64] ^= static_cast<uint8_t>(1 << (rng() % 8)); break;
      case 2: sig[63] ^= 0x10; break;
      case 3: sig.pop_back(); break;
      default: break;
    }
    tokens << input << "." << test::b64url(sig) << "\n";
  }
  std::ofstream(dir / "tokens.txt") << tokens.str();
  auto run = [&](const std::string& env, const std::string& out_name) {
    const std::string cmd = env + " " + test::cli_command() + " verify --threads 1 --jwks " + (dir / "keys.jwks").string() +
                            " --now 1767225600 <" + (dir / "tokens.txt").string() + " >" + (dir / out_name).string();
    const int status = std::system(cmd.c_str());
    EXPECT_TRUE(WIFEXITED(status)) << cmd;
    std::ifstream f(dir / out_name);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  };
  const std::string kernel = run("JWTBATCH_FORCE_BORINGSSL=0", "kernel.txt");
  const std::string boring = run("JWTBATCH_FORCE_BORINGSSL=1", "boringssl.txt");
  EXPECT_FALSE(kernel.empty());
  EXPECT_EQ(kernel, boring);
  size_t ok = 0, bad = 0;
  std::istringstream lines(kernel);
  for (std::string line; std::getline(lines, line);) {
    ok += line.find("\"status\":\"ok\"") != std::string::npos;
    bad += line.find("\"status\":\"bad_signature\"") != std::string::npos;
  }
  EXPECT_EQ(ok, 80u);
  EXPECT_GE(bad, 80u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace jwtbatch::engine
