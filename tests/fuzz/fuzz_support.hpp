// fuzz_support.hpp (fuzz targets): what several targets share: reading the demo key set, base64url,
// HMAC-SHA256 signing with a demo key, and a loud failure that libFuzzer records as a crash.
//
// The targets run against corpus/demo/jwks.json (the project's own generated test keys, one per
// algorithm; see corpus/demo/README.md), read once at start-up. JWTBATCH_FUZZ_JWKS overrides the
// path (to run a binary away from its source tree).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/hmac.h>

#include <simdjson.h>

#include "jwtbatch/jwtbatch.hpp"
#include "kernels/base64url/base64url.hpp"

namespace jwtbatch::fuzz {

// kNow is the instant the demo corpus's expected statuses assume (2026-01-01T00:00:00Z).
inline constexpr UnixSeconds kNow = 1767225600;

// check aborts with `what` when `ok` is false: libFuzzer saves the input as a crash.
#define JWTBATCH_FUZZ_CHECK(ok, what)                                                       \
  do {                                                                                      \
    if (!(ok)) {                                                                            \
      std::fprintf(stderr, "fuzz invariant failed at %s:%d: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "fuzz: cannot read %s\n", path.c_str());
    std::abort();
  }
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

inline std::string demo_jwks_text() {
  const char* env = std::getenv("JWTBATCH_FUZZ_JWKS");
  return read_file(env && *env ? env : JWTBATCH_SOURCE_DIR "/corpus/demo/jwks.json");
}

// demo_keys returns the demo key set (every algorithm jwtbatch implements), loaded once.
inline const std::shared_ptr<const KeySet>& demo_keys() {
  static const std::shared_ptr<const KeySet> keys = [] {
    std::string error;
    auto k = KeySet::from_jwks(demo_jwks_text(), &error);
    if (!k) {
      std::fprintf(stderr, "fuzz: demo JWKS does not load: %s\n", error.c_str());
      std::abort();
    }
    return k;
  }();
  return keys;
}

inline std::string b64url(std::string_view bytes) {
  std::string out(kernels::base64url_encoded_len(bytes.size()), '\0');
  out.resize(kernels::base64url_encode_scalar(
      {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, out));
  return out;
}

// demo_hs256_secret returns the secret of the demo key "hs256-1" (read from the JWKS with simdjson
// and the scalar decoder, not through the engine).
inline const std::vector<uint8_t>& demo_hs256_secret() {
  static const std::vector<uint8_t> secret = [] {
    const std::string text = demo_jwks_text();
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(text).get(doc) != simdjson::SUCCESS) std::abort();
    for (simdjson::dom::element key : doc["keys"].get_array()) {
      std::string_view kid, k;
      if (key["kid"].get_string().get(kid) != simdjson::SUCCESS || kid != "hs256-1") continue;
      if (key["k"].get_string().get(k) != simdjson::SUCCESS) std::abort();
      std::vector<uint8_t> out(kernels::base64url_decoded_len(k.size()) + kernels::kDecodeOutSlack);
      auto r = kernels::base64url_decode_scalar({k.data(), k.size()}, out);
      if (r.status != kernels::DecodeStatus::ok) std::abort();
      out.resize(r.count);
      return out;
    }
    std::fprintf(stderr, "fuzz: no key hs256-1 in the demo JWKS\n");
    std::abort();
  }();
  return secret;
}

// hs256_token returns b64(header).b64(claims).b64(HMAC-SHA256 with the demo key "hs256-1").
inline std::string hs256_token(std::string_view header, std::string_view claims) {
  std::string input = b64url(header) + "." + b64url(claims);
  const std::vector<uint8_t>& secret = demo_hs256_secret();
  uint8_t mac[32];
  unsigned mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), secret.size(), reinterpret_cast<const uint8_t*>(input.data()),
       input.size(), mac, &mac_len);
  return input + "." + b64url({reinterpret_cast<const char*>(mac), mac_len});
}

// same_verdict compares every field of two verdicts.
inline bool same_verdict(const Verdict& a, const Verdict& b) {
  return a.status == b.status && a.alg == b.alg && a.has_exp == b.has_exp && a.has_nbf == b.has_nbf &&
         a.has_iat == b.has_iat && a.key_index == b.key_index && a.detail == b.detail && a.exp == b.exp &&
         a.nbf == b.nbf && a.iat == b.iat;
}

}  // namespace jwtbatch::fuzz
