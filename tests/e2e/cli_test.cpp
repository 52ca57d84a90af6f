// cli_test.cpp: the `jwtbatch` command end to end (the contract tools outside the project drive):
// one JSON line per input token in input order, every status code, exit codes, line endings,
// options, inspect.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "jwtbatch/status.hpp"
#include "tests/support/cli_command.hpp"
#include "tests/support/token_builder.hpp"

namespace jwtbatch {
namespace {

namespace fs = std::filesystem;
using test::b64url;
using test::make_token;

constexpr int64_t kNow = 1767225600;

struct CliRun {
  int rc = -1;
  std::string out, err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("jwtbatch_cli_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    jwks_ = write("keys.jwks", test::test_keys().jwks());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  // run executes `jwtbatch ARGS` with `stdin_text` on standard input.
  CliRun run(const std::string& args, const std::string& stdin_text = "") {
    const fs::path in = dir_ / "stdin.txt", out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    std::ofstream(in, std::ios::binary) << stdin_text;
    const std::string cmd = test::cli_command() + " " + args + " <" + in.string() + " >" + out.string() +
                            " 2>" + err.string();
    const int status = std::system(cmd.c_str());
    CliRun r;
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }
  std::string verify_args(const std::string& extra = "") {
    return "verify --jwks " + jwks_ + " --now " + std::to_string(kNow) + " " + extra;
  }
  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream s(text);
    for (std::string line; std::getline(s, line);) out.push_back(line);
    return out;
  }
  static std::string status_of(const std::string& line) {
    const size_t p = line.find("\"status\":\"");
    if (p == std::string::npos) return "";
    return line.substr(p + 10, line.find('"', p + 10) - p - 10);
  }

  fs::path dir_;
  std::string jwks_;
};

std::string hdr(std::string_view alg, std::string_view kid) {
  return std::string("{\"alg\":\"") + std::string(alg) + "\",\"kid\":\"" + std::string(kid) + "\"}";
}
std::string claims(int64_t exp, std::string_view extra = "") {
  return "{\"exp\":" + std::to_string(exp) + std::string(extra) + "}";
}

TEST_F(CliTest, EveryStatusCode) {
  const std::string good = claims(kNow + 60, ",\"iss\":\"i\",\"aud\":\"a\"");
  std::string forged = make_token("ES256", hdr("ES256", "es"), good);
  forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
  const std::string pem = test::test_keys().rsa_public_pem();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ok", make_token("RS256", hdr("RS256", "rs"), good)},
      {"malformed", "only.two"},
      {"too_large", make_token("HS256", hdr("HS256", "hs"), claims(kNow + 60, ",\"pad\":\"" + std::string(70000, 'x') + "\""))},
      {"bad_base64", make_token("HS256", hdr("HS256", "hs"), good) + "="},
      {"bad_json", make_token("HS256", hdr("HS256", "hs"), "{\"exp\":1,}")},
      {"bad_header", make_token("HS256", "{\"alg\":256,\"kid\":\"hs\"}", good)},
      {"unsupported_alg", b64url("{\"alg\":\"none\"}") + "." + b64url(good) + "."},
      {"alg_not_allowed", make_token("HS256", hdr("HS256", "rs"), good,
                                     std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(pem.data()), pem.size()))},
      {"key_not_found", make_token("HS256", hdr("HS256", "nope"), good)},
      {"bad_signature", forged},
      {"expired", make_token("HS256", hdr("HS256", "hs"), claims(kNow - 1, ",\"iss\":\"i\",\"aud\":\"a\""))},
      {"not_yet_valid", make_token("EdDSA", hdr("EdDSA", "ed"), claims(kNow + 60, ",\"nbf\":" + std::to_string(kNow + 30) + ",\"iss\":\"i\",\"aud\":\"a\""))},
      {"bad_issuer", make_token("PS256", hdr("PS256", "ps"), claims(kNow + 60, ",\"iss\":\"j\",\"aud\":\"a\""))},
      {"bad_audience", make_token("HS256", hdr("HS256", "hs"), claims(kNow + 60, ",\"iss\":\"i\",\"aud\":[\"b\"]"))},
      {"missing_claim", make_token("HS256", hdr("HS256", "hs"), "{\"iss\":\"i\",\"aud\":\"a\"}")},
      {"bad_claim", make_token("HS256", hdr("HS256", "hs"), "{\"exp\":\"tomorrow\",\"iss\":\"i\",\"aud\":\"a\"}")},
      {"unsupported_crit", make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\",\"crit\":[\"x\"],\"x\":1}", good)},
  };
  ASSERT_EQ(cases.size(), kNumStatuses);
  std::string input;
  for (const auto& c : cases) input += c.second + "\n";
  CliRun r = run(verify_args("--iss i --aud a"), input);
  ASSERT_EQ(r.rc, 0) << r.err;
  std::vector<std::string> out = lines(r.out);
  ASSERT_EQ(out.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(status_of(out[i]), cases[i].first) << out[i];
    EXPECT_EQ(out[i].rfind("{\"index\":" + std::to_string(i) + ",", 0), 0u) << out[i];
  }
  EXPECT_EQ(out[0], "{\"index\":0,\"status\":\"ok\",\"alg\":\"RS256\",\"kid\":\"rs\"}");
  EXPECT_EQ(out[10], "{\"index\":10,\"status\":\"expired\",\"error\":\"token expired at 2025-12-31T23:59:59Z\"}");
  EXPECT_NE(out[6].find("none"), std::string::npos);
}

TEST_F(CliTest, LineEndingsAndFiles) {
  const std::string t = make_token("HS256", hdr("HS256", "hs"), claims(kNow + 60));
  // CRLF, no final newline, an empty line in the middle (a malformed token).
  CliRun r = run(verify_args("-"), t + "\r\n\r\n" + t);
  ASSERT_EQ(r.rc, 0) << r.err;
  std::vector<std::string> out = lines(r.out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(status_of(out[0]), "ok");
  EXPECT_EQ(status_of(out[1]), "malformed");
  EXPECT_EQ(status_of(out[2]), "ok");
  // A final newline makes no extra token; empty input, no output.
  EXPECT_EQ(lines(run(verify_args(), t + "\n").out).size(), 1u);
  EXPECT_EQ(run(verify_args(), "").out, "");
  // From a file, to a file.
  const std::string in = write("tokens.txt", t + "\n" + t + "\n");
  const std::string outfile = (dir_ / "verdicts.jsonl").string();
  r = run(verify_args("--output " + outfile + " " + in));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(lines(slurp(outfile)).size(), 2u);
}

TEST_F(CliTest, ManyTokensKeepInputOrder) {
  // More than one block of the reader and many chunks, on several threads.
  const std::string ok = make_token("HS256", hdr("HS256", "hs"), claims(kNow + 60));
  const std::string bad = make_token("HS256", hdr("HS256", "hs"), claims(kNow - 60));
  std::string input;
  const size_t n = 70000;
  for (size_t i = 0; i < n; ++i) input += (i % 7 == 3 ? bad : ok) + "\n";
  CliRun r = run(verify_args("--threads 2 --stats"), input);
  ASSERT_EQ(r.rc, 0) << r.err;
  std::vector<std::string> out = lines(r.out);
  ASSERT_EQ(out.size(), n);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(out[i].rfind("{\"index\":" + std::to_string(i) + ",", 0), 0u) << out[i];
    ASSERT_EQ(status_of(out[i]), i % 7 == 3 ? "expired" : "ok") << i;
  }
  // --stats: one row per stage and the verdict counts.
  for (const char* stage : {"split", "decode", "parse", "resolve", "check", "verify"})
    EXPECT_NE(r.err.find(std::string("\n") + stage + " "), std::string::npos) << stage << "\n" << r.err;
  EXPECT_NE(r.err.find("ok=60000"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("expired=10000"), std::string::npos) << r.err;
}

TEST_F(CliTest, OverlongLineIsTooLargeAndTheRestSurvives) {
  const std::string ok = make_token("HS256", hdr("HS256", "hs"), claims(kNow + 60));
  std::string input = ok + "\n" + std::string(3 << 20, 'A') + "\n" + ok + "\n";
  CliRun r = run(verify_args("--max-token-bytes 1000"), input);
  ASSERT_EQ(r.rc, 0) << r.err;
  std::vector<std::string> out = lines(r.out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(status_of(out[0]), "ok");
  EXPECT_EQ(status_of(out[1]), "too_large");
  EXPECT_EQ(status_of(out[2]), "ok");
}

// verify and audit parse the key, policy and clock options in one place (tools/cli/policy_args):
// each bad value is refused by both, with the same one-line message.
TEST_F(CliTest, VerifyAndAuditRefuseTheSameBadOptions) {
  std::string many_claims = "c0";  // 65 names: one over the limit
  for (int i = 1; i < 65; ++i) many_claims += ",c" + std::to_string(i);
  const std::vector<std::string> bad = {"--alg ''",       "--alg HS999",      "--alg none",
                                        "--leeway -1",    "--leeway x",       "--now 1e9",
                                        "--max-age -5",   "--max-token-bytes 15", "--require " + many_claims,
                                        "--iss",          "--jwks"};
  for (const std::string& b : bad) {
    CliRun v = run("verify --jwks " + jwks_ + " " + b);
    CliRun a = run("audit --jwks " + jwks_ + " " + b);
    EXPECT_EQ(v.rc, 2) << b << ": " << v.err;
    EXPECT_EQ(a.rc, 2) << b << ": " << a.err;
    ASSERT_EQ(v.err.rfind("jwtbatch verify: ", 0), 0u) << v.err;
    ASSERT_EQ(a.err.rfind("jwtbatch audit: ", 0), 0u) << a.err;
    const std::string vmsg = v.err.substr(v.err.find(": ") + 2), amsg = a.err.substr(a.err.find(": ") + 2);
    EXPECT_EQ(vmsg.substr(0, vmsg.find('\n')), amsg.substr(0, amsg.find('\n'))) << b;
  }
}

TEST_F(CliTest, PolicyOptions) {
  const std::string t = make_token("HS256", "{\"alg\":\"HS256\",\"kid\":\"hs\",\"typ\":\"JWT\"}",
                                   claims(kNow - 10, ",\"iat\":" + std::to_string(kNow - 100) + ",\"jti\":\"j\""));
  EXPECT_EQ(status_of(run(verify_args(), t + "\n").out), "expired");
  EXPECT_EQ(status_of(run(verify_args("--leeway 11"), t + "\n").out), "ok");
  EXPECT_EQ(status_of(run(verify_args("--leeway 11 --max-age 50"), t + "\n").out), "expired");
  EXPECT_EQ(status_of(run(verify_args("--leeway 11 --require exp,sub"), t + "\n").out), "missing_claim");
  EXPECT_EQ(status_of(run(verify_args("--leeway 11 --typ jwt"), t + "\n").out), "ok");
  EXPECT_EQ(status_of(run(verify_args("--leeway 11 --typ at+jwt"), t + "\n").out), "bad_header");
  EXPECT_EQ(status_of(run(verify_args("--leeway 11 --alg ES256,RS256"), t + "\n").out), "alg_not_allowed");
  EXPECT_EQ(status_of(run(verify_args("--now " + std::to_string(kNow - 20)), t + "\n").out), "ok");
  EXPECT_EQ(status_of(run(verify_args("--leeway 11 --max-token-bytes 100"), t + "\n").out), "too_large");
}

TEST_F(CliTest, UsageErrorsExitTwoWithOneLine) {
  for (const std::string& args :
       {std::string("verify"), std::string("verify --jwks /nonexistent/keys.json"), verify_args("--alg none"),
        verify_args("--alg HS999"), verify_args("--threads 0"), verify_args("--leeway -5"), verify_args("--bogus"),
        verify_args("/nonexistent/tokens.txt"), verify_args("--now"), std::string("frobnicate")}) {
    CliRun r = run(args);
    EXPECT_EQ(r.rc, 2) << args;
    EXPECT_FALSE(r.err.empty()) << args;
    EXPECT_EQ(r.out, "") << args;
  }
  // A JWKS that is not JSON, or has no usable key.
  CliRun r = run("verify --jwks " + write("bad.jwks", "{nope"));
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  r = run("verify --jwks " + write("weak.jwks", "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"w\",\"k\":\"c2hvcnQ\"}]}"));
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("\"w\""), std::string::npos) << r.err;
}

TEST_F(CliTest, SkippedKeysWarnButOthersLoad) {
  const std::string jwks = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"weak\",\"k\":\"c2hvcnQ\"},"
                           "{\"kty\":\"EC\",\"kid\":\"offcurve\",\"crv\":\"P-256\",\"x\":\"" + b64url(std::string(32, '\1')) +
                           "\",\"y\":\"" + b64url(std::string(32, '\2')) + "\"},"
                           "{\"kty\":\"oct\",\"kid\":\"enc\",\"use\":\"enc\",\"k\":\"" + b64url(std::string(64, 'e')) + "\"},"
                           "{\"kty\":\"oct\",\"kid\":\"good\",\"alg\":\"HS256\",\"k\":\"" + b64url(std::string(64, 'g')) + "\"}]}";
  const std::string secret(64, 'g');
  const std::string t = make_token("HS256", hdr("HS256", "good"), claims(kNow + 60),
                                   std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(secret.data()), secret.size()));
  CliRun r = run("verify --now " + std::to_string(kNow) + " --jwks " + write("mixed.jwks", jwks), t + "\n");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(status_of(r.out), "ok");
  std::vector<std::string> warn = lines(r.err);
  ASSERT_EQ(warn.size(), 3u) << r.err;
  EXPECT_NE(warn[0].find("\"weak\""), std::string::npos);
  EXPECT_NE(warn[1].find("\"offcurve\""), std::string::npos);
  EXPECT_NE(warn[2].find("\"enc\""), std::string::npos);
}

TEST_F(CliTest, Inspect) {
  const std::string t = make_token("HS256", hdr("HS256", "hs"), claims(1300819380, ",\"iss\":\"joe\",\"n\":[1,{\"a\":null}]"));
  CliRun r = run("inspect " + t);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("UNVERIFIED", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\"alg\": \"HS256\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"iss\": \"joe\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2011-03-22T18:43:00Z"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("signature: 32 bytes"), std::string::npos) << r.out;
  // From stdin too; garbage is a one-line error with exit 2.
  EXPECT_EQ(run("inspect -", t + "\n").out, r.out);
  CliRun bad = run("inspect not-a-token");
  EXPECT_EQ(bad.rc, 2);
  EXPECT_EQ(lines(bad.err).size(), 1u);
  EXPECT_EQ(run("inspect a+b.c.d").rc, 2);
}

}  // namespace
}  // namespace jwtbatch

namespace jwtbatch {
namespace {

// The bundled demo corpus: every verdict of `jwtbatch verify` equals what the generator expected
// (written independently, from how it built each token), at one thread and at all.
TEST_F(CliTest, DemoCorpusVerdictsMatchExpected) {
  const fs::path demo = fs::path(JWTBATCH_SOURCE_DIR) / "corpus" / "demo";
  const std::vector<std::string> expected = lines(slurp(demo / "expected.txt"));
  ASSERT_GT(expected.size(), 800u);
  for (const char* threads : {"--threads 1", ""}) {
    CliRun r = run("verify --jwks " + (demo / "jwks.json").string() +
                   " --now 1767225600 --iss https://issuer.example.com --aud https://api.example.com " + threads + " " +
                   (demo / "tokens.txt").string());
    ASSERT_EQ(r.rc, 0) << r.err;
    const std::vector<std::string> out = lines(r.out);
    ASSERT_EQ(out.size(), expected.size());
    for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(status_of(out[i]), expected[i]) << "token " << i << ": " << out[i];
  }
}

}  // namespace
}  // namespace jwtbatch

namespace jwtbatch {
namespace {

// The classic attacks through the command: alg none in every capitalisation, algorithm confusion,
// a DER-encoded ECDSA signature, padding and standard-alphabet characters.
TEST_F(CliTest, ClassicAttacks) {
  const std::string claims_ok = claims(kNow + 60);
  std::vector<std::pair<std::string, std::string>> cases;  // expected status, token
  for (const char* none : {"none", "None", "NONE", "nOnE", "NoNe"}) {
    const std::string h = std::string("{\"alg\":\"") + none + "\",\"typ\":\"JWT\"}";
    cases.emplace_back("unsupported_alg", b64url(h) + "." + b64url(claims_ok) + ".");
    const std::string hk = std::string("{\"alg\":\"") + none + "\",\"kid\":\"hs\"}";
    const std::string input = b64url(hk) + "." + b64url(claims_ok);
    cases.emplace_back("unsupported_alg", input + "." + b64url(test::sign("HS256", input)));
  }
  // Algorithm confusion: HS256 keyed with the RSA public key (PEM), naming the RSA key, or no kid.
  const std::string pem = test::test_keys().rsa_public_pem();
  const std::span<const uint8_t> pem_secret(reinterpret_cast<const uint8_t*>(pem.data()), pem.size());
  cases.emplace_back("alg_not_allowed", make_token("HS256", hdr("HS256", "rs"), claims_ok, pem_secret));
  cases.emplace_back("alg_not_allowed", make_token("HS256", hdr("HS256", "es"), claims_ok, pem_secret));
  cases.emplace_back("bad_signature", make_token("HS256", "{\"alg\":\"HS256\"}", claims_ok, pem_secret));
  // ES256 with the signature DER-encoded (SEQUENCE { INTEGER r, INTEGER s }) instead of raw r||s.
  const std::string input = b64url(hdr("ES256", "es")) + "." + b64url(claims_ok);
  const std::vector<uint8_t> raw = test::sign("ES256", input);
  auto der_int = [](std::span<const uint8_t> v) {
    size_t i = 0;
    while (i + 1 < v.size() && v[i] == 0) ++i;
    std::vector<uint8_t> out{0x02};
    const bool pad = v[i] & 0x80;
    out.push_back(static_cast<uint8_t>(v.size() - i + pad));
    if (pad) out.push_back(0);
    out.insert(out.end(), v.begin() + static_cast<ptrdiff_t>(i), v.end());
    return out;
  };
  std::vector<uint8_t> body = der_int(std::span(raw).first(32));
  const std::vector<uint8_t> s = der_int(std::span(raw).subspan(32));
  body.insert(body.end(), s.begin(), s.end());
  std::vector<uint8_t> der{0x30, static_cast<uint8_t>(body.size())};
  der.insert(der.end(), body.begin(), body.end());
  cases.emplace_back("ok", input + "." + b64url(raw));
  cases.emplace_back("bad_signature", input + "." + b64url(der));
  // Padding and the standard alphabet, in each part.
  const std::string t = make_token("HS256", hdr("HS256", "hs"), claims_ok);
  const size_t d1 = t.find('.'), d2 = t.rfind('.');
  cases.emplace_back("ok", t);
  cases.emplace_back("bad_base64", t + "=");
  cases.emplace_back("bad_base64", t.substr(0, d1) + "=" + t.substr(d1));
  cases.emplace_back("bad_base64", t.substr(0, d2) + "==" + t.substr(d2));
  for (char c : {'+', '/'}) {
    for (size_t pos : {size_t{1}, d1 + 2, d2 + 2}) {
      std::string bad = t;
      bad[pos] = c;
      cases.emplace_back("bad_base64", bad);
    }
  }
  std::string input_text;
  for (const auto& c : cases) input_text += c.second + "\n";
  CliRun r = run(verify_args(), input_text);
  ASSERT_EQ(r.rc, 0) << r.err;
  const std::vector<std::string> out = lines(r.out);
  ASSERT_EQ(out.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(status_of(out[i]), cases[i].first) << i << ": " << out[i];
}

}  // namespace
}  // namespace jwtbatch
