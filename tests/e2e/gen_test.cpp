// gen_test.cpp: `jwtbatch gen`, run as a command (JWTBATCH_CLI): determinism, the shape of every
// token, the claims behind each expected status, and every signature checked with BoringSSL
// directly (tests/support/jws_check, which shares no code with gen).
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "jwtbatch/status.hpp"
#include "kernels/base64url/base64url.hpp"
#include "tests/support/cli_command.hpp"
#include "tests/support/jws_check.hpp"

namespace jwtbatch {
namespace {

namespace fs = std::filesystem;
using test::CheckKey;
using test::cli_command;
using test::read_text;
using test::shell_quote;
using test::split_dots;
using test::split_lines;

constexpr int64_t kNow = 1767225600;
constexpr const char* kIss = "https://issuer.example.com";
constexpr const char* kAud = "https://api.example.com";
const std::array<std::string, 6> kFiles = {"jwks.json",    "jwks.private.json", "tokens.txt",
                                           "expected.txt", "cases.txt",         "manifest.json"};
const std::array<std::string, 13> kAllAlgs = {"HS256", "HS384", "HS512", "RS256", "RS384",
                                              "RS512", "PS256", "PS384", "PS512", "ES256",
                                              "ES384", "ES512", "EdDSA"};

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

// run_gen runs `jwtbatch gen ARGS...`, capturing its output in `scratch`.
RunResult run_gen(const fs::path& scratch, const std::vector<std::string>& args) {
  std::string cmd = cli_command() + " gen";
  for (const std::string& a : args) {
    cmd += ' ';
    cmd += shell_quote(a);
  }
  const fs::path out = scratch / "stdout.txt", err = scratch / "stderr.txt";
  cmd += " >";
  cmd += shell_quote(out);
  cmd += " 2>";
  cmd += shell_quote(err);
  RunResult r;
  int status = std::system(cmd.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

// strict_decode decodes with the project's strict base64url definition.
std::optional<std::vector<uint8_t>> strict_decode(std::string_view part) {
  std::vector<uint8_t> out(kernels::base64url_decoded_len(part.size()) + kernels::kDecodeOutSlack);
  auto r = kernels::base64url_decode_scalar(std::span<const char>(part.data(), part.size()), out);
  if (r.status != kernels::DecodeStatus::ok) return std::nullopt;
  out.resize(r.count);
  return out;
}

std::string as_string(const std::vector<uint8_t>& b) { return std::string(b.begin(), b.end()); }

// Corpus is one generated directory, read back.
struct Corpus {
  fs::path dir;
  std::vector<std::string> tokens, expected, cases;
  std::vector<CheckKey> keys;
  std::map<std::string, const CheckKey*> by_kid;
};

class GenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // No assertion here: gtest skips a suite whose set-up failed fatally, and ctest counts skips
    // as passes. SetUp() turns a failed set-up into a failure of every test instead.
    std::string tmpl = (fs::temp_directory_path() / "jwtbatch_gen_test.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      setup_error_ = new std::string("mkdtemp failed");
      return;
    }
    root_ = new fs::path(tmpl);
    // The main corpus; tests that need a second one generate it themselves.
    RunResult r = run_gen(*root_, corpus_args("a", "5"));
    if (r.exit_code != 0) {
      setup_error_ = new std::string("jwtbatch gen failed: " + r.err);
      return;
    }
    a_ = new Corpus(load(*root_ / "a"));
  }
  // A failed suite set-up must fail every test, not skip it (ctest counts skips as passes).
  void SetUp() override { ASSERT_NE(a_, nullptr) << (setup_error_ ? *setup_error_ : std::string("no corpus")); }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (root_) fs::remove_all(*root_, ec);
    delete root_;
    delete a_;
    root_ = nullptr;
    a_ = nullptr;
  }

  // corpus_args: 390 tokens of every algorithm and profile, and the too_large one.
  static std::vector<std::string> corpus_args(const std::string& name, const std::string& seed) {
    return {"--out", (*root_ / name).string(), "--seed", seed, "--count", "390",
            "--profile", "mixed", "--with-too-large"};
  }

  static Corpus load(const fs::path& dir) {
    Corpus c;
    c.dir = dir;
    c.tokens = split_lines(read_text(dir / "tokens.txt"));
    c.expected = split_lines(read_text(dir / "expected.txt"));
    c.cases = split_lines(read_text(dir / "cases.txt"));
    std::string why;
    EXPECT_TRUE(test::parse_jwks(read_text(dir / "jwks.json"), &c.keys, &why)) << why;
    for (const CheckKey& k : c.keys) c.by_kid[k.kid] = &k;
    return c;
  }

  static fs::path* root_;
  static Corpus* a_;
  static std::string* setup_error_;
};
fs::path* GenTest::root_ = nullptr;
Corpus* GenTest::a_ = nullptr;
std::string* GenTest::setup_error_ = nullptr;

TEST_F(GenTest, SameSeedAndOptionsGiveIdenticalFiles) {
  RunResult r = run_gen(*root_, corpus_args("b", "5"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& f : kFiles) {
    std::string a = read_text(*root_ / "a" / f), b = read_text(*root_ / "b" / f);
    EXPECT_FALSE(a.empty()) << f;
    EXPECT_TRUE(a == b) << f << " differs between two runs with the same seed";
  }
}

TEST_F(GenTest, AnotherSeedGivesOtherKeysAndTokens) {
  RunResult r = run_gen(*root_, corpus_args("c", "6"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (std::string f : {"jwks.json", "jwks.private.json", "tokens.txt", "expected.txt"}) {
    EXPECT_NE(read_text(*root_ / "a" / f), read_text(*root_ / "c" / f)) << f;
  }
  Corpus c = load(*root_ / "c");
  ASSERT_EQ(c.keys.size(), a_->keys.size());
  for (size_t i = 0; i < c.keys.size(); ++i) {
    EXPECT_EQ(c.keys[i].kid, a_->keys[i].kid);
    if (c.keys[i].kty == "oct") {
      EXPECT_NE(c.keys[i].secret, a_->keys[i].secret) << c.keys[i].kid;
    }
    if (c.keys[i].kty == "OKP") {
      EXPECT_NE(c.keys[i].ed25519, a_->keys[i].ed25519) << c.keys[i].kid;
    }
  }
}

TEST_F(GenTest, KeySetHasOneKeyPerAlgorithm) {
  ASSERT_EQ(a_->keys.size(), kAllAlgs.size());
  for (size_t i = 0; i < kAllAlgs.size(); ++i) {
    const CheckKey& k = a_->keys[i];
    EXPECT_EQ(k.alg, kAllAlgs[i]);
    std::string kid = kAllAlgs[i] + "-1";
    for (char& ch : kid) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    EXPECT_EQ(k.kid, kid);
    if (k.kty == "oct") {
      EXPECT_EQ(k.secret.size() * 8, std::stoul(k.alg.substr(2))) << k.kid;
    }
    if (k.kty == "RSA") {
      unsigned want = (k.alg == "RS384" || k.alg == "PS384") ? 3072 : 2048;
      EXPECT_EQ(RSA_bits(k.rsa.get()), want) << k.kid;
    }
  }
  // The private set has the same keys with their private members.
  simdjson::dom::parser parser;
  simdjson::padded_string priv(read_text(*root_ / "a" / "jwks.private.json"));
  simdjson::dom::array keys;
  ASSERT_EQ(parser.parse(priv)["keys"].get_array().get(keys), simdjson::SUCCESS);
  size_t i = 0;
  for (simdjson::dom::element el : keys) {
    simdjson::dom::object obj = el.get_object().value();
    std::string_view kty = obj["kty"].get_string().value();
    std::vector<std::string_view> members = {"kid", "alg", "use"};
    if (kty == "RSA") members.insert(members.end(), {"n", "e", "d", "p", "q", "dp", "dq", "qi"});
    if (kty == "EC") members.insert(members.end(), {"crv", "x", "y", "d"});
    if (kty == "OKP") members.insert(members.end(), {"crv", "x", "d"});
    if (kty == "oct") members.push_back("k");
    for (std::string_view m : members) EXPECT_EQ(obj[m].error(), simdjson::SUCCESS) << i << " " << m;
    EXPECT_EQ(obj["kid"].get_string().value(), a_->keys[i].kid);
    ++i;
  }
  EXPECT_EQ(i, a_->keys.size());
}

TEST_F(GenTest, FailuresAreSpreadEvenlyOverTheKinds) {
  const Corpus& c = *a_;
  ASSERT_EQ(c.tokens.size(), 391u);  // 390 and the too_large one
  ASSERT_EQ(c.expected.size(), c.tokens.size());
  ASSERT_EQ(c.cases.size(), c.tokens.size());
  std::map<std::string, int> counts;
  for (const std::string& e : c.expected) {
    ASSERT_TRUE(status_from_string(e).has_value()) << e;
    ++counts[e];
  }
  EXPECT_EQ(counts["too_large"], 1);
  EXPECT_EQ(counts["ok"], 390 - 78);
  // 78 failures over 15 kinds: 5 or 6 each.
  for (size_t i = 1; i < kNumStatuses; ++i) {
    std::string name(to_string(static_cast<Status>(i)));
    if (name == "too_large") continue;
    EXPECT_GE(counts[name], 5) << name;
    EXPECT_LE(counts[name], 6) << name;
  }
  // Every algorithm has valid tokens.
  std::map<std::string, int> ok_algs;
  for (size_t i = 0; i < c.tokens.size(); ++i) {
    if (c.expected[i] != "ok") continue;
    auto header = strict_decode(split_dots(c.tokens[i])[0]);
    ASSERT_TRUE(header.has_value());
    simdjson::dom::parser p;
    std::string_view alg = p.parse(as_string(*header))["alg"].get_string().value();
    ++ok_algs[std::string(alg)];
  }
  for (const std::string& alg : kAllAlgs) EXPECT_GE(ok_algs[alg], 20) << alg;
}

// The structural promise of each status.
TEST_F(GenTest, EveryTokenHasTheShapeOfItsStatus) {
  const Corpus& c = *a_;
  simdjson::dom::parser parser;
  for (size_t i = 0; i < c.tokens.size(); ++i) {
    const std::string& t = c.tokens[i];
    const std::string& e = c.expected[i];
    SCOPED_TRACE("line " + std::to_string(i + 1) + ": " + c.cases[i]);
    ASSERT_FALSE(t.empty());
    ASSERT_EQ(t.find_first_of(" \r\n\t"), std::string::npos);
    std::vector<std::string> parts = split_dots(t);
    if (e == "too_large") {
      EXPECT_GT(t.size(), 64u * 1024);
      continue;
    }
    EXPECT_LE(t.size(), 64u * 1024);
    if (e == "malformed") {
      EXPECT_TRUE(parts.size() != 3 || parts[0].empty() || parts[1].empty());
      continue;
    }
    ASSERT_EQ(parts.size(), 3u);
    ASSERT_FALSE(parts[0].empty());
    ASSERT_FALSE(parts[1].empty());
    if (e == "bad_base64") {
      EXPECT_TRUE(!strict_decode(parts[0]) || !strict_decode(parts[1]) || !strict_decode(parts[2]));
      continue;
    }
    auto header = strict_decode(parts[0]), claims = strict_decode(parts[1]), sig = strict_decode(parts[2]);
    ASSERT_TRUE(header && claims && sig) << "every part decodes strictly";
    simdjson::dom::object h;
    ASSERT_EQ(parser.parse(as_string(*header)).get_object().get(h), simdjson::SUCCESS);
    if (e == "bad_json") continue;  // the claims are broken on purpose
    {
      simdjson::dom::parser claims_parser;
      simdjson::dom::object cl;
      ASSERT_EQ(claims_parser.parse(as_string(*claims)).get_object().get(cl), simdjson::SUCCESS);
    }
    if (e == "bad_header") {
      std::string_view alg;
      EXPECT_NE(h["alg"].get_string().get(alg), simdjson::SUCCESS);
      continue;
    }
    std::string_view alg = h["alg"].get_string().value();
    if (e == "unsupported_alg") {
      std::string lower(alg);
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      EXPECT_EQ(lower, "none");
      EXPECT_TRUE(parts[2].empty());
      continue;
    }
    std::string_view kid = h["kid"].get_string().value();
    if (e == "key_not_found") {
      EXPECT_TRUE(kid.starts_with("unknown-")) << kid;
      EXPECT_EQ(c.by_kid.count(std::string(kid)), 0u);
      continue;
    }
    ASSERT_EQ(c.by_kid.count(std::string(kid)), 1u) << kid;
    const CheckKey& key = *c.by_kid.at(std::string(kid));
    if (e == "alg_not_allowed") {
      EXPECT_EQ(alg, "HS256");
      EXPECT_NE(key.kty, "oct");
      continue;
    }
    EXPECT_EQ(alg, key.alg);
    EXPECT_EQ(h["crit"].error() == simdjson::SUCCESS, e == "unsupported_crit");
  }
}

// Every signature that should verify does, checked straight with BoringSSL.
TEST_F(GenTest, SignaturesVerifyWithBoringSsl) {
  const Corpus& c = *a_;
  simdjson::dom::parser parser;
  const std::set<std::string> validly_signed = {
      "ok", "expired", "not_yet_valid", "bad_issuer", "bad_audience", "missing_claim",
      "bad_claim", "unsupported_crit", "key_not_found", "bad_json", "bad_signature", "too_large"};
  std::map<std::string, int> verified_ok;
  for (size_t i = 0; i < c.tokens.size(); ++i) {
    const std::string& e = c.expected[i];
    if (!validly_signed.count(e)) continue;
    SCOPED_TRACE("line " + std::to_string(i + 1) + ": " + c.cases[i]);
    std::vector<std::string> parts = split_dots(c.tokens[i]);
    ASSERT_EQ(parts.size(), 3u);
    auto header = test::b64url_decode(parts[0]);
    auto sig = test::b64url_decode(parts[2]);
    ASSERT_TRUE(header && sig);
    simdjson::dom::object h = parser.parse(as_string(*header)).get_object().value();
    std::string alg(h["alg"].get_string().value());
    std::string kid(h["kid"].get_string().value());
    if (e == "key_not_found") {  // signed by the real key of its algorithm
      kid = alg + "-1";
      for (char& ch : kid) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    ASSERT_EQ(c.by_kid.count(kid), 1u) << kid;
    const bool valid = test::verify_jws(*c.by_kid.at(kid), alg, parts[0] + "." + parts[1], *sig);
    EXPECT_EQ(valid, e != "bad_signature");
    if (e == "ok" && valid) ++verified_ok[alg];
  }
  for (const std::string& alg : kAllAlgs) EXPECT_GE(verified_ok[alg], 20) << alg;
}

// The claims of each claim-stage status carry exactly its fault.
TEST_F(GenTest, ClaimsMatchTheirStatus) {
  const Corpus& c = *a_;
  const std::set<std::string> checked = {"ok",         "expired",      "not_yet_valid", "bad_issuer",
                                         "bad_audience", "missing_claim", "bad_claim"};
  for (size_t i = 0; i < c.tokens.size(); ++i) {
    const std::string& e = c.expected[i];
    if (!checked.count(e)) continue;
    SCOPED_TRACE("line " + std::to_string(i + 1) + ": " + c.cases[i]);
    auto claims = strict_decode(split_dots(c.tokens[i])[1]);
    ASSERT_TRUE(claims.has_value());
    simdjson::dom::parser parser;
    simdjson::dom::object cl = parser.parse(as_string(*claims)).get_object().value();
    int64_t exp = 0, nbf = 0, iat = 0;
    const bool has_exp = cl["exp"].get_int64().get(exp) == simdjson::SUCCESS;
    const bool has_nbf = cl["nbf"].get_int64().get(nbf) == simdjson::SUCCESS;
    ASSERT_EQ(cl["iat"].get_int64().get(iat), simdjson::SUCCESS);
    std::string_view iss = cl["iss"].get_string().value();
    std::vector<std::string_view> auds;
    std::string_view one;
    simdjson::dom::array arr;
    if (cl["aud"].get_string().get(one) == simdjson::SUCCESS) {
      auds.push_back(one);
    } else {
      ASSERT_EQ(cl["aud"].get_array().get(arr), simdjson::SUCCESS);
      for (simdjson::dom::element a : arr) auds.push_back(a.get_string().value());
    }
    const bool aud_ok = std::find(auds.begin(), auds.end(), kAud) != auds.end();

    EXPECT_EQ(has_exp, e != "missing_claim" && e != "bad_claim");
    if (e == "bad_claim") {
      EXPECT_TRUE(cl["exp"].is_string());
    }
    if (e == "missing_claim") {
      EXPECT_EQ(cl["exp"].error(), simdjson::NO_SUCH_FIELD);
    }
    if (has_exp) {
      EXPECT_EQ(e == "expired", kNow >= exp) << exp;
    }
    EXPECT_EQ(e == "not_yet_valid", has_nbf && kNow < nbf);
    EXPECT_EQ(e == "bad_issuer", iss != kIss) << iss;
    EXPECT_EQ(e == "bad_audience", !aud_ok);
    EXPECT_LE(iat, kNow);
  }
}

TEST_F(GenTest, ManifestNamesTheVerifyOptions) {
  simdjson::dom::parser parser;
  simdjson::padded_string m(read_text(*root_ / "a" / "manifest.json"));
  simdjson::dom::object obj;
  ASSERT_EQ(parser.parse(m).get_object().get(obj), simdjson::SUCCESS);
  EXPECT_EQ(obj["seed"].get_uint64().value(), 5u);
  EXPECT_EQ(obj["now"].get_int64().value(), kNow);
  EXPECT_EQ(obj["count"].get_uint64().value(), 391u);
  EXPECT_EQ(obj["iss"].get_string().value(), kIss);
  EXPECT_EQ(obj["aud"].get_string().value(), kAud);
  std::vector<std::string_view> args;
  simdjson::dom::array verify_args;
  ASSERT_EQ(obj["verify_args"].get_array().get(verify_args), simdjson::SUCCESS);
  for (simdjson::dom::element a : verify_args) args.push_back(a.get_string().value());
  EXPECT_EQ(args, (std::vector<std::string_view>{"--now", "1767225600", "--iss", kIss, "--aud", kAud}));
  EXPECT_EQ(obj["expected_counts"]["ok"].get_uint64().value(), 312u);
}

TEST_F(GenTest, PrivateKeysFileReproducesTheCorpus) {
  const fs::path d = *root_ / "from_keys";
  RunResult r = run_gen(*root_, {"--out", d.string(), "--seed", "5", "--count", "390", "--profile",
                                 "mixed", "--with-too-large", "--keys",
                                 (*root_ / "a" / "jwks.private.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (std::string f : {"jwks.json", "jwks.private.json", "tokens.txt", "expected.txt", "cases.txt"}) {
    EXPECT_TRUE(read_text(*root_ / "a" / f) == read_text(d / f)) << f;
  }
}

TEST_F(GenTest, SubsetOfAlgorithms) {
  const fs::path d = *root_ / "subset";
  RunResult r = run_gen(*root_, {"--out", d.string(), "--algs", "ES384,EdDSA,HS512", "--count", "120",
                                 "--fail-rate", "0.5", "--profile", "large", "--iss", "urn:x:\"q\"",
                                 "--aud", "aud ü"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Corpus c = load(d);
  ASSERT_EQ(c.keys.size(), 3u);
  EXPECT_EQ(c.keys[0].alg, "ES384");
  EXPECT_EQ(c.keys[1].alg, "EdDSA");
  EXPECT_EQ(c.keys[2].alg, "HS512");
  int failing = 0;
  for (const std::string& e : c.expected) failing += e != "ok";
  EXPECT_EQ(failing, 60);
  // The odd iss/aud are escaped in the claims and the manifest.
  simdjson::dom::parser parser;
  simdjson::padded_string m(read_text(d / "manifest.json"));
  simdjson::dom::object obj;
  ASSERT_EQ(parser.parse(m).get_object().get(obj), simdjson::SUCCESS);
  EXPECT_EQ(obj["iss"].get_string().value(), "urn:x:\"q\"");
  EXPECT_EQ(obj["aud"].get_string().value(), "aud ü");
  for (size_t i = 0; i < c.tokens.size(); ++i) {
    if (c.expected[i] != "ok") continue;
    auto claims = strict_decode(split_dots(c.tokens[i])[1]);
    ASSERT_TRUE(claims.has_value());
    simdjson::dom::parser p;
    EXPECT_EQ(p.parse(as_string(*claims))["iss"].get_string().value(), "urn:x:\"q\"");
  }
  // With HMAC keys only, algorithm confusion names an RSA algorithm against the HMAC key.
  const fs::path h = *root_ / "hmac_only";
  r = run_gen(*root_, {"--out", h.string(), "--algs", "HS256", "--count", "30", "--fail-rate", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Corpus ch = load(h);
  int confusion = 0;
  for (size_t i = 0; i < ch.tokens.size(); ++i) {
    if (ch.expected[i] != "alg_not_allowed") continue;
    auto header = strict_decode(split_dots(ch.tokens[i])[0]);
    simdjson::dom::parser p;
    EXPECT_EQ(p.parse(as_string(*header))["alg"].get_string().value(), "RS256");
    ++confusion;
  }
  EXPECT_EQ(confusion, 2);
}

// corpus/demo is checked in; its README names the command that made it. Regenerating must give
// the same bytes, or the corpus (and its README) must be regenerated with the generator change.
TEST_F(GenTest, DemoCorpusIsReproducible) {
  const fs::path demo = fs::path(JWTBATCH_SOURCE_DIR) / "corpus" / "demo";
  ASSERT_TRUE(fs::exists(demo / "tokens.txt")) << demo;
  const fs::path d = *root_ / "demo";
  RunResult r = run_gen(*root_, {"--out", d.string(), "--count", "900", "--seed", "1", "--profile",
                                 "mixed", "--with-too-large"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& f : kFiles) {
    EXPECT_TRUE(read_text(demo / f) == read_text(d / f)) << "corpus/demo/" << f << " is stale";
    EXPECT_LT(fs::file_size(demo / f), 1u << 20) << f;
  }
}

// The generator and the engine agree at scale: 100,000 tokens of every algorithm with the default
// failure rate (each failure kind spread over them), verified by `jwtbatch verify` with the
// manifest's options, give exactly the expected status of every token. Sanitizer builds run a tenth,
// emulated (cross-compiled) runs a fiftieth: the RSA signing in gen dominates the time.
TEST_F(GenTest, MixedCorpusOfAHundredThousandVerifiesAsExpected) {
#if defined(JWTBATCH_CLI_LAUNCHER)
  const size_t count = 2000;
#elif defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  const size_t count = 10000;
#else
  const size_t count = 100000;
#endif
  const fs::path d = *root_ / "mixed";
  RunResult r = run_gen(*root_, {"--out", d.string(), "--count", std::to_string(count), "--seed", "7",
                                 "--profile", "mixed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element manifest;
  ASSERT_EQ(parser.load((d / "manifest.json").string()).get(manifest), simdjson::SUCCESS);
  simdjson::dom::array verify_args;
  ASSERT_EQ(manifest["verify_args"].get_array().get(verify_args), simdjson::SUCCESS);
  std::string cmd = cli_command() + " verify --quiet --jwks " + shell_quote((d / "jwks.json").string());
  for (simdjson::dom::element a : verify_args) {
    cmd += ' ';
    cmd += shell_quote(std::string(a.get_string().value()));
  }
  cmd.append(" ").append(shell_quote((d / "tokens.txt").string()));
  cmd.append(" > ").append(shell_quote((d / "verdicts.jsonl").string()));
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::vector<std::string> expected = split_lines(read_text(d / "expected.txt"));
  const std::vector<std::string> verdicts = split_lines(read_text(d / "verdicts.jsonl"));
  ASSERT_EQ(expected.size(), count);
  ASSERT_EQ(verdicts.size(), count);
  std::set<std::string> kinds;
  size_t mismatches = 0;
  for (size_t i = 0; i < count; ++i) {
    const std::string want = "\"status\":\"" + expected[i] + "\"";
    kinds.insert(expected[i]);
    if (verdicts[i].find(want) == std::string::npos && ++mismatches <= 5)
      ADD_FAILURE() << "token " << i << ": expected " << expected[i] << ", got " << verdicts[i];
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GE(kinds.size(), 15u) << "the corpus should hold ok and every failure kind";
}

TEST_F(GenTest, UsageErrorsExitTwoWithOneLine) {
  const std::string out = (*root_ / "usage").string();
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"--count", "10"},
      {"--out", out, "--count", "abc"},
      {"--out", out, "--count", "0"},
      {"--out", out, "--seed", "-1"},
      {"--out", out, "--now", "soon"},
      {"--out", out, "--algs", "HS256,HS999"},
      {"--out", out, "--algs", "HS256,HS256"},
      {"--out", out, "--algs", "none"},
      {"--out", out, "--profile", "huge"},
      {"--out", out, "--fail-rate", "1.5"},
      {"--out", out, "--fail-rate", "nan"},
      {"--out", out, "--iss", ""},
      {"--out", out, "--bogus"},
      {"--out", out, "extra"},
      {"--out"},
      {"--out", out, "--keys", (*root_ / "no_such_file.json").string()},
      {"--out", out, "--keys", (*root_ / "a" / "jwks.json").string()},  // public keys cannot sign
  };
  for (const auto& args : bad) {
    std::string shown;
    for (const std::string& a : args) shown += a + " ";
    RunResult r = run_gen(*root_, args);
    EXPECT_EQ(r.exit_code, 2) << shown;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << shown << ": " << r.err;
  }
  EXPECT_FALSE(fs::exists(out));
  RunResult help = run_gen(*root_, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: jwtbatch gen"), std::string::npos);
}

}  // namespace
}  // namespace jwtbatch
