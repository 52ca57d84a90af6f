// e2e_bench.cpp: single-thread end-to-end verification per algorithm (all six stages, through the
// public API), beside BoringSSL's bare signature verification with cached keys on the same tokens
// (the floor for stage 6). Ratio = e2e / floor; the README reports both.
//
//   BM_verify_e2e/<alg>/batch     Verifier::verify_batch, threads = 1, all valid tokens of <alg>
//   BM_verify_e2e/<alg>/single    Verifier::verify, one token per call
//   BM_verify_floor/<alg>/boringssl   HMAC / RSA_verify / RSA_verify_pss_mgf1 / ECDSA_do_verify /
//                                 ED25519_verify on pre-decoded signatures, keys prepared once
#include <benchmark/benchmark.h>

#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <map>
#include <simdjson.h>

#include "bench/bench_corpus.hpp"
#include "engine/keys/keyset_data.hpp"
#include "kernels/base64url/base64url.hpp"
#include "kernels/cpu/cpu.hpp"

namespace jwtbatch::bench {
namespace {

constexpr UnixSeconds kUnused = 0;

void e2e_batch(benchmark::State& state, Alg alg) {
  const BenchCorpus& c = bench_corpus();
  const auto& tokens = c.valid_by_alg[static_cast<size_t>(alg)];
  if (!c.error.empty() || tokens.empty()) return state.SkipWithError(("no corpus: " + c.error).c_str());
  Verifier verifier(c.keys, c.policy);
  std::vector<Verdict> out(tokens.size());
  verifier.verify_batch(tokens, out, c.now, nullptr, {1});
  for (const Verdict& v : out)
    if (v.status != Status::ok) return state.SkipWithError("a corpus token did not verify");
  size_t bytes = 0;
  for (auto t : tokens) bytes += t.size();
  for (auto _ : state) {
    verifier.verify_batch(tokens, out, c.now, nullptr, {1});
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * tokens.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetLabel(std::string(kernels::active_kernels().name));
}

void e2e_single(benchmark::State& state, Alg alg) {
  const BenchCorpus& c = bench_corpus();
  const auto& tokens = c.valid_by_alg[static_cast<size_t>(alg)];
  if (!c.error.empty() || tokens.empty()) return state.SkipWithError(("no corpus: " + c.error).c_str());
  Verifier verifier(c.keys, c.policy);
  size_t i = 0;
  for (auto _ : state) {
    Verdict v = verifier.verify(tokens[i], c.now);
    if (v.status != Status::ok) return state.SkipWithError("a corpus token did not verify");
    if (++i == tokens.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// FloorCase is one token ready for bare BoringSSL: signing input, decoded signature, its key.
struct FloorCase {
  std::string_view input;
  std::vector<uint8_t> sig;
  const engine::PreparedKey* key = nullptr;
  HMAC_CTX* hmac = nullptr;
};

std::vector<uint8_t> decode_sig(std::string_view token) {
  const std::string_view s = token.substr(token.rfind('.') + 1);
  std::vector<uint8_t> out(kernels::base64url_decoded_len(s.size()) + kernels::kDecodeOutSlack);
  out.resize(kernels::base64url_decode_scalar({s.data(), s.size()}, out).count);
  return out;
}

const EVP_MD* md_of(Alg alg) {
  switch (alg) {
    case Alg::hs384: case Alg::rs384: case Alg::ps384: case Alg::es384: return EVP_sha384();
    case Alg::hs512: case Alg::rs512: case Alg::ps512: case Alg::es512: return EVP_sha512();
    default: return EVP_sha256();
  }
}

void floor_boringssl(benchmark::State& state, Alg alg) {
  const BenchCorpus& c = bench_corpus();
  const auto& tokens = c.valid_by_alg[static_cast<size_t>(alg)];
  if (!c.error.empty() || tokens.empty()) return state.SkipWithError(("no corpus: " + c.error).c_str());
  // Keys: the engine's prepared BoringSSL objects (RSA with its Montgomery context, EC_KEY,
  // Ed25519 bytes); for HMAC an HMAC_CTX keyed once from the JWKS secret.
  Verifier verifier(c.keys, c.policy);
  std::map<std::string, std::vector<uint8_t>> secrets;
  simdjson::dom::parser parser;
  simdjson::dom::array keys;
  if (parser.parse(c.jwks)["keys"].get(keys) == simdjson::SUCCESS) {
    for (auto k : keys) {
      std::string_view kid, secret;
      if (k["kid"].get(kid) == simdjson::SUCCESS && k["k"].get(secret) == simdjson::SUCCESS) {
        std::vector<uint8_t> raw(kernels::base64url_decoded_len(secret.size()) + kernels::kDecodeOutSlack);
        raw.resize(kernels::base64url_decode_scalar({secret.data(), secret.size()}, raw).count);
        secrets[std::string(kid)] = raw;
      }
    }
  }
  std::map<uint32_t, bssl::ScopedHMAC_CTX> hmacs;
  std::vector<FloorCase> cases;
  for (std::string_view t : tokens) {
    Verdict v = verifier.verify(t, c.now);
    if (v.status != Status::ok) return state.SkipWithError("a corpus token did not verify");
    FloorCase fc;
    fc.input = t.substr(0, t.rfind('.'));
    fc.sig = decode_sig(t);
    fc.key = &c.keys->impl().keys[v.key_index];
    if (fc.key->family() == KeyFamily::hmac) {
      auto [it, fresh] = hmacs.try_emplace(v.key_index);
      if (fresh) {
        const auto& secret = secrets[fc.key->kid];
        HMAC_Init_ex(it->second.get(), secret.data(), secret.size(), md_of(alg), nullptr);
      }
      fc.hmac = it->second.get();
    }
    cases.push_back(std::move(fc));
  }
  const EVP_MD* md = md_of(alg);
  bssl::UniquePtr<ECDSA_SIG> esig(ECDSA_SIG_new());
  auto verify_one = [&](const FloorCase& fc) -> bool {
    const auto* in = reinterpret_cast<const uint8_t*>(fc.input.data());
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned digest_len = 0;
    switch (fc.key->family()) {
      case KeyFamily::hmac: {
        HMAC_Init_ex(fc.hmac, nullptr, 0, nullptr, nullptr);  // reuse the keyed state
        HMAC_Update(fc.hmac, in, fc.input.size());
        HMAC_Final(fc.hmac, digest, &digest_len);
        return digest_len == fc.sig.size() && CRYPTO_memcmp(digest, fc.sig.data(), digest_len) == 0;
      }
      case KeyFamily::rsa: {
        RSA* rsa = fc.key->as<engine::RsaKey>()->rsa.get();
        EVP_Digest(in, fc.input.size(), digest, &digest_len, md, nullptr);
        if (alg == Alg::rs256 || alg == Alg::rs384 || alg == Alg::rs512)
          return RSA_verify(EVP_MD_type(md), digest, digest_len, fc.sig.data(), fc.sig.size(), rsa);
        return RSA_verify_pss_mgf1(rsa, digest, digest_len, md, nullptr, -1, fc.sig.data(), fc.sig.size());
      }
      case KeyFamily::ec: {
        EVP_Digest(in, fc.input.size(), digest, &digest_len, md, nullptr);
        const size_t half = fc.sig.size() / 2;
        BN_bin2bn(fc.sig.data(), half, esig->r);
        BN_bin2bn(fc.sig.data() + half, half, esig->s);
        return ECDSA_do_verify(digest, digest_len, esig.get(), fc.key->as<engine::EcKey>()->ec.get());
      }
      case KeyFamily::okp:
        return ED25519_verify(in, fc.input.size(), fc.sig.data(),
                              fc.key->as<engine::Ed25519Key>()->public_key.data());
    }
    return false;
  };
  for (const FloorCase& fc : cases)
    if (!verify_one(fc)) return state.SkipWithError("BoringSSL rejected a corpus token");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(verify_one(cases[i]));
    if (++i == cases.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

int register_all() {
  for (size_t a = 1; a < kNumAlgs; ++a) {
    const Alg alg = static_cast<Alg>(a);
    const std::string name(to_string(alg));
    benchmark::RegisterBenchmark(("BM_verify_e2e/" + name + "/batch").c_str(), e2e_batch, alg);
    benchmark::RegisterBenchmark(("BM_verify_e2e/" + name + "/single").c_str(), e2e_single, alg);
    benchmark::RegisterBenchmark(("BM_verify_floor/" + name + "/boringssl").c_str(), floor_boringssl, alg);
  }
  return 0;
}
const int registered = register_all();

}  // namespace
}  // namespace jwtbatch::bench
