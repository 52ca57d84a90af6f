// nginx_module_test.cpp: the nginx module inside a real nginx (Debian's, linked with OpenSSL 3):
// valid, expired, forged and missing tokens, the policy directives, RFC 6750 challenges, forwarded
// claim headers, the cache, configuration errors, and jwtbatch's crypto staying on BoringSSL.
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/nginx/nginx_harness.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch::test {
namespace {

constexpr const char* kPolicy =
    "jwtbatch_issuer https://issuer.test;\n"
    "jwtbatch_audience api.test other.test;\n"
    "jwtbatch_algs HS256 ES256 EdDSA;\n"
    "jwtbatch_claim_header sub X-Jwt-Sub;\n"
    "jwtbatch_claim_header iss X-Jwt-Iss;\n"
    "jwtbatch_claim_header aud X-Jwt-Aud;\n"
    "jwtbatch_claim_header scope X-Jwt-Scope;\n"
    "jwtbatch_claim_header role X-Jwt-Role;\n"
    "proxy_set_header X-Jwt-Cache $jwtbatch_cache;\n"
    "proxy_set_header X-Jwt-Status $jwtbatch_status;\n";

int64_t now() { return static_cast<int64_t>(std::time(nullptr)); }

// claims returns a claim set valid for an hour unless `extra` overrides or adds members (JSON
// members without the braces, placed last: jwtbatch rejects duplicate names, so overriding one
// goes through `replace_exp`).
std::string claims(const std::string& extra = "", int64_t exp_offset = 3600) {
  std::string c = "{\"iss\":\"https://issuer.test\",\"aud\":\"api.test\",\"sub\":\"alice\",\"scope\":\"read write\"," +
                  std::string("\"iat\":") + std::to_string(now() - 10) + ",\"exp\":" + std::to_string(now() + exp_offset);
  if (!extra.empty()) c += "," + extra;
  return c + "}";
}

std::string token(const std::string& alg, const std::string& kid, const std::string& claims_json) {
  return make_token(alg, "{\"alg\":\"" + alg + "\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}", claims_json);
}

// line returns the value of "name=..." in the echo upstream's body ("" when absent).
std::string echoed(const HttpResponse& r, const std::string& name) {
  std::istringstream in(r.body);
  std::string l;
  while (std::getline(in, l)) {
    if (l.rfind(name + "=", 0) == 0) return l.substr(name.size() + 1);
  }
  return "<not echoed>";
}

std::unique_ptr<NginxServer> start(const std::string& directives, int workers = 2,
                                   const std::string& jwks = test_keys().jwks()) {
  NginxOptions o;
  o.api_directives = directives;
  o.jwks = jwks;
  o.worker_processes = workers;
  return std::make_unique<NginxServer>(o);
}

void expect_invalid_token(const HttpResponse& r, const std::string& description_part) {
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.status, 401);
  const std::string challenge = r.header("www-authenticate");
  const std::string prefix = "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"";
  EXPECT_EQ(challenge.rfind(prefix, 0), 0u) << challenge;
  EXPECT_NE(challenge.find(description_part, prefix.size()), std::string::npos) << challenge;
  EXPECT_EQ(challenge.back(), '"') << challenge;
  // error_description: %x20-21 / %x23-5B / %x5D-7E (RFC 6750 section 3)
  const std::string description = challenge.substr(prefix.size(), challenge.size() - prefix.size() - 1);
  for (char c : description) {
    EXPECT_TRUE(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') << challenge;
  }
  EXPECT_EQ(r.body.find("sub="), std::string::npos) << "the upstream was reached: " << r.body;
}

TEST(NginxModule, ValidTokensReachTheUpstreamWithTheirClaims) {
  auto nginx = start(kPolicy);
  ASSERT_TRUE(nginx->ok()) << nginx->error();
  for (const auto& [alg, kid] : {std::pair{"HS256", "hs"}, {"ES256", "es"}, {"EdDSA", "ed"}}) {
    SCOPED_TRACE(alg);
    const HttpResponse r = http_get(nginx->port(), "/api/orders?id=7", bearer(token(alg, kid, claims())));
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.status, 200) << r.header("www-authenticate");
    EXPECT_EQ(echoed(r, "sub"), "alice");
    EXPECT_EQ(echoed(r, "iss"), "https://issuer.test");
    EXPECT_EQ(echoed(r, "aud"), "api.test");
    EXPECT_EQ(echoed(r, "scope"), "read write");
    EXPECT_EQ(echoed(r, "role"), "");  // no such claim: no header
    EXPECT_EQ(echoed(r, "status"), "ok");
    EXPECT_EQ(echoed(r, "uri"), "/api/orders?id=7");
    EXPECT_EQ(r.header("www-authenticate"), "");
  }
  // Non-string claims are forwarded as JSON text; the scheme name is case-insensitive.
  const std::string t = token("HS256", "hs", claims("\"role\":[\"admin\",\"ops\"]"));
  const HttpResponse r = http_get(nginx->port(), "/api/x", {{"Authorization", "bearer  " + t}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(echoed(r, "role"), "[\"admin\",\"ops\"]");
}

TEST(NginxModule, MissingTokenGetsAChallengeWithoutAnError) {
  auto nginx = start(kPolicy);
  ASSERT_TRUE(nginx->ok()) << nginx->error();
  // RFC 6750 section 3.1: no authentication information, no error code.
  for (const HeaderList& h : {HeaderList{}, HeaderList{{"Authorization", "Basic YWxpY2U6cGFzcw=="}},
                              HeaderList{{"Authorization", "Bearer"}}}) {
    const HttpResponse r = http_get(nginx->port(), "/api/x", h);
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.header("www-authenticate"), "Bearer realm=\"api\"");
    EXPECT_EQ(r.body.find("sub="), std::string::npos);
  }
  // A location without jwtbatch needs no token.
  const HttpResponse open = http_get(nginx->port(), "/open/x");
  EXPECT_EQ(open.status, 200);
  EXPECT_EQ(echoed(open, "sub"), "");
}

TEST(NginxModule, ExpiredAndNotYetValidTokensAreInvalid) {
  auto nginx = start(kPolicy);
  ASSERT_TRUE(nginx->ok()) << nginx->error();
  expect_invalid_token(http_get(nginx->port(), "/api/x", bearer(token("HS256", "hs", claims("", -60)))), "expired");
  expect_invalid_token(http_get(nginx->port(), "/api/x", bearer(token("ES256", "es", claims("", -1)))), "expired");
  expect_invalid_token(
      http_get(nginx->port(), "/api/x", bearer(token("HS256", "hs", claims("\"nbf\":" + std::to_string(now() + 600))))),
      "not valid before");
}

TEST(NginxModule, ForgedTokensAreInvalid) {
  auto nginx = start(kPolicy);
  ASSERT_TRUE(nginx->ok()) << nginx->error();
  const int port = nginx->port();
  for (const auto& [alg, kid] : {std::pair{"HS256", "hs"}, {"ES256", "es"}, {"EdDSA", "ed"}}) {
    SCOPED_TRACE(alg);
    std::string t = token(alg, kid, claims());
    // One bit of the signature's first byte flipped (the last base64url character may carry
    // unused bits, the first never does).
    const size_t sig = t.rfind('.') + 1;
    t[sig] = t[sig] == 'A' ? 'B' : 'A';
    expect_invalid_token(http_get(port, "/api/x", bearer(t)), "signature");
    // Claims changed after signing.
    std::string t2 = token(alg, kid, claims());
    const std::string forged_claims = b64url(claims("\"role\":\"admin\""));
    const size_t d1 = t2.find('.'), d2 = t2.rfind('.');
    t2 = t2.substr(0, d1 + 1) + forged_claims + t2.substr(d2);
    expect_invalid_token(http_get(port, "/api/x", bearer(t2)), "signature");
  }
  // Signed with another secret under the right kid.
  const std::vector<uint8_t> other(64, 0x5a);
  expect_invalid_token(
      http_get(port, "/api/x", bearer(make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\"}", claims(), other))),
      "signature");
  // alg none, and algorithm confusion (HS256 keyed with the RSA key's public PEM, under its kid).
  const std::string none = b64url(std::string("{\"alg\":\"none\"}")) + "." + b64url(claims()) + ".";
  expect_invalid_token(http_get(port, "/api/x", bearer(none)), "");
  const std::string pem = test_keys().rsa_public_pem();
  const std::string confused = make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"rs\"}", claims(),
                                          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(pem.data()), pem.size()));
  expect_invalid_token(http_get(port, "/api/x", bearer(confused)), "");
  // Garbage.
  expect_invalid_token(http_get(port, "/api/x", bearer("not-a-token")), "");
  expect_invalid_token(http_get(port, "/api/x", bearer("a.b.c")), "");
}

TEST(NginxModule, PolicyDirectivesApply) {
  auto nginx = start(std::string(kPolicy) + "jwtbatch_require exp sub;\njwtbatch_leeway 60s;\n");
  ASSERT_TRUE(nginx->ok()) << nginx->error();
  const int port = nginx->port();
  // issuer, audience (any of the configured ones), algorithm allow-list
  expect_invalid_token(http_get(port, "/api/x", bearer(make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\"}",
                                                                  "{\"iss\":\"https://evil.test\",\"aud\":\"api.test\",\"sub\":\"a\",\"exp\":" +
                                                                      std::to_string(now() + 600) + "}"))),
                       "issuer");
  expect_invalid_token(http_get(port, "/api/x", bearer(make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\"}",
                                                                  "{\"iss\":\"https://issuer.test\",\"aud\":\"someone\",\"sub\":\"a\",\"exp\":" +
                                                                      std::to_string(now() + 600) + "}"))),
                       "audience");
  const HttpResponse other_aud = http_get(
      port, "/api/x",
      bearer(make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\"}",
                        "{\"iss\":\"https://issuer.test\",\"aud\":[\"x\",\"other.test\"],\"sub\":\"a\",\"exp\":" +
                            std::to_string(now() + 600) + "}")));
  EXPECT_EQ(other_aud.status, 200) << other_aud.header("www-authenticate");
  expect_invalid_token(http_get(port, "/api/x", bearer(token("RS256", "rs", claims()))), "");
  // required claims: sub missing
  expect_invalid_token(http_get(port, "/api/x", bearer(make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\"}",
                                                                  "{\"iss\":\"https://issuer.test\",\"aud\":\"api.test\",\"exp\":" +
                                                                      std::to_string(now() + 600) + "}"))),
                       "sub");
  // leeway: expired 20 s ago passes with 60 s of leeway, 300 s ago does not
  EXPECT_EQ(http_get(port, "/api/x", bearer(token("HS256", "hs", claims("", -20)))).status, 200);
  expect_invalid_token(http_get(port, "/api/x", bearer(token("HS256", "hs", claims("", -300)))), "expired");
}

TEST(NginxModule, ClientsCannotForgeClaimHeaders) {
  auto nginx = start(kPolicy);
  ASSERT_TRUE(nginx->ok()) << nginx->error();
  const std::string t = token("HS256", "hs", claims());
  // The client's own X-Jwt-* headers never reach the upstream: replaced by the token's claims,
  // or dropped when the token has no such claim (role).
  const HttpResponse r = http_get(nginx->port(), "/api/x",
                                  bearer(t, {{"X-Jwt-Sub", "mallory"}, {"x-jwt-role", "root"}, {"X-JWT-SUB", "eve"},
                                             {"User-Agent", "test"}}));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(echoed(r, "sub"), "alice");
  EXPECT_EQ(echoed(r, "role"), "");
  // A claim value that could split a header is never forwarded (the request still passes: the
  // token is valid).
  const HttpResponse evil =
      http_get(nginx->port(), "/api/x", bearer(token("HS256", "hs", claims("\"role\":\"x\\r\\nX-Evil: 1\""))));
  ASSERT_EQ(evil.status, 200);
  EXPECT_EQ(echoed(evil, "role"), "");
  EXPECT_EQ(evil.body.find("Evil"), std::string::npos);
  EXPECT_NE(nginx->error_log().find("claim \"role\" not forwarded"), std::string::npos);
}

TEST(NginxModule, LongClaimsAreForwardedWhole) {
  auto nginx = start(kPolicy);
  ASSERT_TRUE(nginx->ok()) << nginx->error();
  // Longer than the module's first claims buffer (1 KiB): the second call gets a pool buffer.
  std::string scope;
  for (int i = 0; scope.size() < 3000; ++i) scope += "scope:" + std::to_string(i) + " ";
  scope.pop_back();
  const std::string t = make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\"}",
                                   "{\"iss\":\"https://issuer.test\",\"aud\":\"api.test\",\"sub\":\"alice\",\"scope\":\"" +
                                       scope + "\",\"exp\":" + std::to_string(now() + 600) + "}");
  for (int i = 0; i < 2; ++i) {  // a miss, then (same worker or not) possibly a hit
    const HttpResponse r = http_get(nginx->port(), "/api/x", bearer(t));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(echoed(r, "scope"), scope);
    EXPECT_EQ(echoed(r, "sub"), "alice");
  }
}

TEST(NginxModule, CacheIsOnByDefaultAndCanBeTurnedOff) {
  auto nginx = start(kPolicy, /*workers=*/1);
  ASSERT_TRUE(nginx->ok()) << nginx->error();
  const std::string t = token("ES256", "es", claims());
  EXPECT_EQ(echoed(http_get(nginx->port(), "/api/x", bearer(t)), "cache"), "miss");
  EXPECT_EQ(echoed(http_get(nginx->port(), "/api/x", bearer(t)), "cache"), "hit");
  EXPECT_EQ(echoed(http_get(nginx->port(), "/api/x", bearer(t)), "cache"), "hit");
  // A rejected token is never cached.
  const std::string expired = token("ES256", "es", claims("", -5));
  EXPECT_EQ(http_get(nginx->port(), "/api/x", bearer(expired)).status, 401);
  EXPECT_EQ(http_get(nginx->port(), "/api/x", bearer(expired)).status, 401);

  auto off = start(std::string(kPolicy) + "jwtbatch_cache off;\n", /*workers=*/1);
  ASSERT_TRUE(off->ok()) << off->error();
  for (int i = 0; i < 2; ++i) {
    const HttpResponse r = http_get(off->port(), "/api/x", bearer(t));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(echoed(r, "cache"), "off");
  }
}

// jwtbatch_stats: the worker's counters, with the cache's hits and misses.
TEST(NginxModule, StatsCountVerdictsAndCacheHits) {
  auto nginx = start(kPolicy, /*workers=*/1);
  ASSERT_TRUE(nginx->ok()) << nginx->error();
  const std::string t = token("HS256", "hs", claims());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(http_get(nginx->port(), "/api/x", bearer(t)).status, 200);
  ASSERT_EQ(http_get(nginx->port(), "/api/x", bearer(token("HS256", "hs", claims("", -5)))).status, 401);
  ASSERT_EQ(http_get(nginx->port(), "/api/x").status, 401);  // no token: not verified, not counted
  const HttpResponse r = http_get(nginx->port(), "/jwtbatch-stats");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  const std::string& s = r.body;
  EXPECT_NE(s.find("\"jwks\":\"" + nginx->jwks_path() + "\""), std::string::npos) << s;
  EXPECT_NE(s.find("\"tokens\":4,"), std::string::npos) << s;
  EXPECT_NE(s.find("\"ok\":3,"), std::string::npos) << s;
  EXPECT_NE(s.find("\"expired\":1,"), std::string::npos) << s;
  EXPECT_NE(s.find("\"cache_hits\":2,"), std::string::npos) << s;
  EXPECT_NE(s.find("\"cache_entries\":1,"), std::string::npos) << s;
  EXPECT_NE(s.find("\"key_sets\":1,"), std::string::npos) << s;
  EXPECT_NE(s.find("\"keys\":5}"), std::string::npos) << s;
}

TEST(NginxModule, BadConfigurationIsRefusedAtStart) {
  {
    auto nginx = start(kPolicy, 1, "{\"keys\":[{\"kty\":\"oct\"");
    EXPECT_FALSE(nginx->ok());
    EXPECT_NE(nginx->error().find("jwtbatch: cannot load keys from"), std::string::npos) << nginx->error();
  }
  {
    auto nginx = start(std::string(kPolicy) + "jwtbatch_algs HS256 XX999;\n", 1);
    EXPECT_FALSE(nginx->ok());
    EXPECT_NE(nginx->error().find("XX999"), std::string::npos) << nginx->error();
  }
  {
    auto nginx = start("jwtbatch_claim_header sub \"X Bad\";\n", 1);
    EXPECT_FALSE(nginx->ok());
    EXPECT_NE(nginx->error().find("invalid header name"), std::string::npos) << nginx->error();
  }
}

// The module runs inside nginx, which links the system OpenSSL 3: both libcrypto.so.3 and
// BoringSSL's libcrypto.so.0 are mapped in every worker, and jwtbatch's crypto calls are bound to
// BoringSSL's (the loader's RTLD_DEEPBIND). The tests above already show HMAC, ECDSA and Ed25519
// verifying correctly in that process.
TEST(NginxModule, CryptoStaysOnBoringSslInsideAnOpenSslHost) {
  auto nginx = start(kPolicy, 1);
  ASSERT_TRUE(nginx->ok()) << nginx->error();
  ASSERT_EQ(http_get(nginx->port(), "/api/x", bearer(token("HS256", "hs", claims()))).status, 200);
  const std::string log = nginx->error_log();
  const size_t at = log.find("jwtbatch: crypto provider ");
  ASSERT_NE(at, std::string::npos) << log;
  const std::string provider = log.substr(at, log.find('\n', at) - at);
  EXPECT_NE(provider.find("android/libcrypto.so"), std::string::npos) << provider;
  const std::vector<pid_t> workers = nginx->worker_pids();
  ASSERT_EQ(workers.size(), 1u);
  std::ifstream maps("/proc/" + std::to_string(workers[0]) + "/maps");
  std::stringstream m;
  m << maps.rdbuf();
  EXPECT_NE(m.str().find("libcrypto.so.3"), std::string::npos) << "nginx's OpenSSL is not in the worker";
  EXPECT_NE(m.str().find("android/libcrypto.so.0"), std::string::npos) << "BoringSSL is not in the worker";
  EXPECT_NE(m.str().find("libjwtbatch"), std::string::npos);
}

}  // namespace
}  // namespace jwtbatch::test
