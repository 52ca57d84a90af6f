// libjwt_bench.cpp (bench/peers): single-thread verification throughput of libjwt (Debian's
// libjwt-dev, 1.x, on the system OpenSSL), per algorithm, on the tokens of bench/peers/prepare.py.
// Its own binary: never in a process with jwtbatch or BoringSSL.
//
// Full validation as a libjwt 1.x user writes it: jwt_decode with the algorithm's key (HMAC secret
// bytes, or the PEM public key, which libjwt parses on every call: its API takes no prepared key),
// the token's alg equal to the expected one, then exp (required), nbf, iss and aud (a string, or an
// array through jansson) by hand: libjwt 1.10 has no claim validation of its own.
#include <jansson.h>
#include <jwt.h>
#include <openssl/crypto.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "peer_harness.hpp"

#ifndef PEER_VERSION
#define PEER_VERSION "unknown"
#endif

namespace {

bool audience_ok(jwt_t* jwt, const std::string& want) {
  if (const char* aud = jwt_get_grant(jwt, "aud")) return want == aud;
  char* text = jwt_get_grants_json(jwt, "aud");
  if (!text) return false;
  json_t* arr = json_loads(text, JSON_DECODE_ANY, nullptr);
  std::free(text);
  bool ok = false;
  if (json_is_array(arr)) {
    size_t i;
    json_t* v;
    json_array_foreach(arr, i, v) {
      if (json_is_string(v) && want == json_string_value(v)) ok = true;
    }
  }
  json_decref(arr);
  return ok;
}

bool verify(const std::string& token, jwt_alg_t want, const std::string& key, const peer::Params& p) {
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                 static_cast<int>(key.size())) != 0)
    return false;
  std::unique_ptr<jwt_t, void (*)(jwt_t*)> jwt(raw, jwt_free);
  if (jwt_get_alg(jwt.get()) != want) return false;
  errno = 0;
  const long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (errno == ENOENT || p.now >= exp) return false;
  errno = 0;
  const long nbf = jwt_get_grant_int(jwt.get(), "nbf");
  if (errno != ENOENT && p.now < nbf) return false;
  const char* iss = jwt_get_grant(jwt.get(), "iss");
  if (!iss || p.iss != iss) return false;
  return audience_ok(jwt.get(), p.aud);
}

}  // namespace

int main(int argc, char** argv) {
  peer::Options o;
  if (!peer::parse_options(argc, argv, &o)) return 2;
  peer::Params params;
  if (!peer::read_params(o.input, &params)) {
    std::fprintf(stderr, "libjwt_bench: cannot read %s/params.txt\n", o.input.c_str());
    return 2;
  }
  std::vector<peer::AlgResult> results;
  for (const char* name : peer::kAlgs) {
    const std::string alg = name;
    if (!peer::wanted(o, alg)) continue;
    const jwt_alg_t want = jwt_str_alg(name);
    peer::AlgResult r;
    if (want == JWT_ALG_INVAL) {
      r.alg = alg;
      r.unsupported = "libjwt " PEER_VERSION " has no " + alg;
    } else {
      const std::optional<std::string> key = peer::read_file(o.input + "/" + alg + ".key");
      const std::vector<std::string> tokens = peer::read_lines(o.input + "/" + alg + ".tokens");
      if (!key || tokens.empty()) continue;
      r = peer::run_alg(alg, tokens,
                        [&](const std::string& t, const peer::Params& p) { return verify(t, want, *key, p); },
                        params, o, /*clock_settable=*/true);
    }
    peer::print_result("libjwt", r);
    results.push_back(r);
  }
  if (!peer::write_json(o, "libjwt", PEER_VERSION, OpenSSL_version(OPENSSL_VERSION),
                        "signature (PEM key parsed per call), alg, exp (required), nbf, iss, aud (string or array)",
                        results)) {
    std::fprintf(stderr, "libjwt_bench: cannot write %s\n", o.out.c_str());
    return 2;
  }
  return 0;
}
