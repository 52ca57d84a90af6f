// cppjwt_bench.cpp (bench/peers): single-thread verification throughput of cpp-jwt (Debian's
// libcpp-jwt-dev, header-only, nlohmann::json, the system OpenSSL), per algorithm, on the tokens
// of bench/peers/prepare.py. Its own binary: never in a process with jwtbatch or BoringSSL.
//
// Full validation as a cpp-jwt user writes it: jwt::decode with algorithms({ALG}), the key (HMAC
// secret, or the PEM public key, which cpp-jwt parses on every call), issuer(ISS) and verify(true):
// it checks the signature, the alg, exp and nbf (against the system clock: cpp-jwt takes no time
// argument) and iss. Then by hand: exp present, and aud (cpp-jwt's aud() reads only a string aud,
// and throws on an array). Exceptions count as rejections.
#include <jwt/jwt.hpp>
#include <openssl/crypto.h>

#include <cstdint>
#include <ctime>

#include "peer_harness.hpp"

#ifndef PEER_VERSION
#define PEER_VERSION "unknown"
#endif

namespace {

bool audience_ok(const nlohmann::json& claims, const std::string& want) {
  const auto it = claims.find("aud");
  if (it == claims.end()) return false;
  if (it->is_string()) return it->get_ref<const std::string&>() == want;
  if (!it->is_array()) return false;
  for (const auto& v : *it)
    if (v.is_string() && v.get_ref<const std::string&>() == want) return true;
  return false;
}

bool validate(const std::string& token, const std::string& alg, const std::string& key, const peer::Params& p) {
  using namespace jwt::params;
  try {
    std::error_code ec;
    jwt::jwt_object obj = jwt::decode(jwt::string_view(token), algorithms({alg}), ec, secret(key),
                                      issuer(p.iss), verify(true));
    if (ec) return false;
    const nlohmann::json& claims = obj.payload().create_json_obj();
    if (!obj.has_claim("exp")) return false;
    return audience_ok(claims, p.aud);
  } catch (...) {
    return false;
  }
}

// rejects_expired signs a token that expired an hour ago with the HMAC `key` and checks that
// validate refuses it (cpp-jwt reads the system clock, so the harness cannot move the time).
bool rejects_expired(const std::string& alg, const std::string& key, const peer::Params& p) {
  using namespace jwt::params;
  try {
    jwt::jwt_object obj{algorithm(alg), secret(key), payload({{"iss", p.iss}, {"aud", p.aud}})};
    const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
    obj.add_claim("exp", now - 3600);
    const std::string expired = obj.signature();
    obj.remove_claim("exp");
    obj.add_claim("exp", now + 3600);
    const std::string fresh = obj.signature();
    return validate(fresh, alg, key, p) && !validate(expired, alg, key, p);
  } catch (...) {
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  peer::Options o;
  if (!peer::parse_options(argc, argv, &o)) return 2;
  peer::Params params;
  if (!peer::read_params(o.input, &params)) {
    std::fprintf(stderr, "cppjwt_bench: cannot read %s/params.txt\n", o.input.c_str());
    return 2;
  }
  std::vector<peer::AlgResult> results;
  for (const char* name : peer::kAlgs) {
    const std::string alg = name;
    if (!peer::wanted(o, alg)) continue;
    peer::AlgResult r;
    if (jwt::str_to_alg(jwt::string_view(alg)) == jwt::algorithm::UNKN) {
      r.alg = alg;
      r.unsupported = "cpp-jwt " PEER_VERSION " has no " + alg;
    } else {
      const std::optional<std::string> key = peer::read_file(o.input + "/" + alg + ".key");
      const std::vector<std::string> tokens = peer::read_lines(o.input + "/" + alg + ".tokens");
      if (!key || tokens.empty()) continue;
      if (alg[0] == 'H' && !rejects_expired(alg, *key, params)) {
        r.alg = alg;
        r.error = "accepted an expired token (or refused a fresh one)";
      } else {
        r = peer::run_alg(alg, tokens,
                          [&](const std::string& t, const peer::Params& p) { return validate(t, alg, *key, p); },
                          params, o, /*clock_settable=*/false);
      }
    }
    peer::print_result("cpp-jwt", r);
    results.push_back(r);
  }
  if (!peer::write_json(o, "cpp-jwt", PEER_VERSION, OpenSSL_version(OPENSSL_VERSION),
                        "signature (PEM key parsed per call), alg, exp (required; against the system clock, so "
                        "the expired-token check runs on HS* only, with a token signed here), nbf, iss, aud "
                        "(string or array, by hand)",
                        results)) {
    std::fprintf(stderr, "cppjwt_bench: cannot write %s\n", o.out.c_str());
    return 2;
  }
  return 0;
}
