// audit_test.cpp: `jwtbatch audit` and the audit library (include/jwtbatch/audit.hpp).
// - On a corpus from `jwtbatch gen` with known composition (cases.txt, expected.txt, manifest),
//   every count of the JSON report equals the composition.
// - Merging: the report of A+B equals merge(report A, report B), byte for byte in JSON; bounded
//   tables past their limit keep true counts inside their error bounds and estimate distinct
//   values; JSON round-trips.
// - --extract on log lines with tokens embedded, cut into small blocks: the same verdicts and the
//   right line numbers.
// - The HTML page opens in headless Chromium without errors, and a screenshot is taken.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "jwtbatch/jwtbatch.hpp"
#include "tests/support/cli_command.hpp"

namespace jwtbatch {
namespace {

namespace fs = std::filesystem;
using test::cli_command;
using test::shell_quote;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::stringstream ss(text);
  std::string l;
  while (std::getline(ss, l)) v.push_back(l);
  return v;
}

int run(const std::string& cmd) { return std::system(cmd.c_str()); }

class AuditCorpus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "jwtbatch_audit_test.XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = new fs::path(tmpl);
    const std::string gen = cli_command() + " gen --out " + shell_quote(dir_->string()) +
                            " --count 900 --algs HS256,ES256,EdDSA --profile small --fail-rate 0.6 > /dev/null";
    ASSERT_EQ(run(gen), 0);
  }
  static void TearDownTestSuite() {
    if (dir_) fs::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  static std::string audit_cmd(const std::string& extra, const std::string& inputs) {
    const fs::path& d = *dir_;
    return cli_command() + " audit --quiet --jwks " + shell_quote((d / "jwks.json").string()) +
           " --now 1767225600 --iss https://issuer.example.com --aud https://api.example.com " + extra + " " +
           inputs + " > /dev/null";
  }
  static AuditReport load(const fs::path& p) {
    std::string err;
    std::optional<AuditReport> r = AuditReport::from_json(slurp(p), &err);
    EXPECT_TRUE(r.has_value()) << err;
    return r ? *r : AuditReport();
  }
  static fs::path* dir_;
};
fs::path* AuditCorpus::dir_ = nullptr;

uint64_t finding(const AuditReport& r, Finding f) { return r.finding_counts[static_cast<size_t>(f)]; }
uint64_t count_of(const CountTable& t, const std::string& v) {
  auto it = t.entries().find(v);
  return it == t.entries().end() ? 0 : it->second.count;
}

TEST_F(AuditCorpus, EveryCountEqualsTheKnownComposition) {
  const fs::path& d = *dir_;
  ASSERT_EQ(run(audit_cmd("--max-lifetime 899 --json " + shell_quote((d / "r.json").string()),
                          shell_quote((d / "tokens.txt").string()))),
            0);
  const AuditReport r = load(d / "r.json");
  const std::vector<std::string> cases = lines_of(slurp(d / "cases.txt"));
  const std::vector<std::string> expected = lines_of(slurp(d / "expected.txt"));
  ASSERT_EQ(cases.size(), 900u);
  ASSERT_EQ(expected.size(), 900u);

  // The composition, from the generator's own labels: "<kind>[/<variant>] <ALG> <profile>".
  std::array<uint64_t, kNumStatuses> status{};
  std::map<std::string, uint64_t> alg, kid;
  uint64_t headers = 0, claims = 0, no_exp = 0, nyv = 0, none = 0, confusion = 0, unknown_key = 0;
  uint64_t wrong_iss = 0, wrong_aud_tokens = 0, hs_bad_aud = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string e = expected[i].substr(expected[i].rfind(' ') + 1);  // "<index> <status>" or "<status>"
    const std::optional<Status> s = status_from_string(e);
    ASSERT_TRUE(s.has_value()) << expected[i];
    ++status[static_cast<size_t>(*s)];
    std::istringstream ls(cases[i]);
    std::string what, a;
    ls >> what >> a;
    const std::string kind = what.substr(0, what.find('/'));
    const std::string variant = what.find('/') == std::string::npos ? "" : what.substr(what.find('/') + 1);
    const bool no_facts = kind == "malformed" && (variant == "two_parts" || variant == "four_parts");
    const bool header_ok = !no_facts && !(kind == "malformed" && variant == "empty_header") &&
                           !(kind == "bad_base64" && (variant == "header_plus" || variant == "header_slash"));
    const bool claims_ok = !no_facts && !(kind == "malformed" && variant == "empty_claims") && kind != "bad_json";
    if (header_ok) {
      ++headers;
      const std::string label = kind == "unsupported_alg" ? "none" : kind == "bad_header" ? "missing"
                                : kind == "alg_not_allowed" ? "HS256" : a;
      ++alg[label];
      if (kind != "unsupported_alg") {
        std::string k = a;
        std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
        ++kid[kind == "key_not_found" ? "unknown-" + std::to_string(i) : k + "-1"];
      }
      none += kind == "unsupported_alg";
      confusion += kind == "alg_not_allowed";
    }
    unknown_key += kind == "key_not_found";
    if (claims_ok) {
      ++claims;
      no_exp += kind == "missing_claim" || kind == "bad_claim";
      nyv += kind == "not_yet_valid";
      wrong_iss += kind == "bad_issuer";
      wrong_aud_tokens += kind == "bad_audience";
      hs_bad_aud += kind == "bad_audience" && a == "HS256";
    }
  }

  EXPECT_EQ(r.tokens, 900u);
  EXPECT_EQ(r.lines, 900u);
  EXPECT_TRUE(r.exact());
  for (size_t i = 0; i < kNumStatuses; ++i) EXPECT_EQ(r.by_status[i], status[i]) << to_string(static_cast<Status>(i));
  EXPECT_EQ(r.headers_parsed, headers);
  EXPECT_EQ(r.claims_parsed, claims);
  for (size_t i = 0; i < kNumAlgLabels; ++i) {
    const std::string name(alg_label_name(i));
    EXPECT_EQ(r.by_alg[i], alg.count(name) ? alg[name] : 0) << name;
  }
  EXPECT_EQ(r.by_kid.distinct(), kid.size());
  for (const auto& [k, n] : kid) EXPECT_EQ(count_of(r.by_kid, k), n) << k;
  EXPECT_EQ(r.by_iss.total(), claims);
  EXPECT_EQ(count_of(r.by_iss, "https://issuer.example.com"), claims - wrong_iss);
  EXPECT_EQ(count_of(r.by_aud, "https://api.example.com"), claims - wrong_aud_tokens);
  // Lifetimes: gen draws 900..3600 s; not_yet_valid moves exp past nbf = now + 3600 (4500..7800 s).
  EXPECT_EQ(r.lifetimes[4], nyv);
  EXPECT_EQ(r.lifetimes[2] + r.lifetimes[3], claims - no_exp - nyv);
  EXPECT_EQ(r.lifetimes[0] + r.lifetimes[1] + r.lifetimes[5] + r.lifetimes[6] + r.lifetimes[7] + r.lifetimes[8], 0u);
  EXPECT_EQ(r.lifetime_unknown, no_exp);
  EXPECT_EQ(finding(r, Finding::long_lived), claims - no_exp);  // --max-lifetime 899: all of them
  EXPECT_EQ(finding(r, Finding::missing_exp), no_exp);
  EXPECT_EQ(finding(r, Finding::missing_iss), 0u);
  EXPECT_EQ(finding(r, Finding::missing_aud), 0u);
  EXPECT_EQ(finding(r, Finding::missing_jti), 0u);
  EXPECT_EQ(finding(r, Finding::alg_none), none);
  EXPECT_EQ(finding(r, Finding::alg_confusion), confusion);
  EXPECT_EQ(finding(r, Finding::unknown_key), unknown_key);
  EXPECT_EQ(finding(r, Finding::weak_key), 0u);
  EXPECT_EQ(finding(r, Finding::large_token), 0u);
  EXPECT_EQ(finding(r, Finding::sensitive_claims), 0u);  // the small profile carries no email
  EXPECT_EQ(finding(r, Finding::header_key_injection), 0u);
  EXPECT_EQ(finding(r, Finding::symmetric_multi_audience), hs_bad_aud > 0 ? 1u : 0u);
  EXPECT_GT(hs_bad_aud, 0u);
  EXPECT_EQ(r.replay_tokens.repeated_values(), 0u);
  EXPECT_EQ(r.replay_jti.repeated_values(), 0u);
  EXPECT_GT(none, 0u);
  EXPECT_GT(confusion, 0u);
  // Examples point at real lines of that finding.
  for (const AuditExample& ex : r.finding_examples[static_cast<size_t>(Finding::alg_none)]) {
    ASSERT_GE(ex.line, 1u);
    EXPECT_EQ(cases[ex.line - 1].rfind("unsupported_alg", 0), 0u) << ex.line;
  }
}

TEST_F(AuditCorpus, ReplaysAndMergeOfPartsEqualsTheWhole) {
  const fs::path& d = *dir_;
  const std::vector<std::string> tokens = lines_of(slurp(d / "tokens.txt"));
  // Whole = A then B; B repeats 50 tokens of A (replays across the parts).
  std::string a, b;
  for (size_t i = 0; i < 500; ++i) a += tokens[i] + "\n";
  for (size_t i = 500; i < tokens.size(); ++i) b += tokens[i] + "\n";
  for (size_t i = 0; i < 50; ++i) b += tokens[i * 3] + "\n";
  fs::create_directories(d / "part");
  std::ofstream(d / "part" / "a") << a;
  std::ofstream(d / "part" / "b") << b;
  const std::string common = "--examples 0 --threads 2 --json ";
  // The same source name for all three (examples are off), so only the merging differs.
  ASSERT_EQ(run("cd " + shell_quote((d / "part").string()) + " && cat a b > whole && " +
                audit_cmd(common + "ra.json", "- < a") + " && " + audit_cmd(common + "rb.json", "- < b") + " && " +
                audit_cmd(common + "rw.json", "- < whole")),
            0);
  AuditReport ra = load(d / "part" / "ra.json");
  const AuditReport rb = load(d / "part" / "rb.json"), rw = load(d / "part" / "rw.json");
  ra.merge(rb);
  EXPECT_EQ(ra.to_json(), rw.to_json());
  EXPECT_EQ(rw.replay_tokens.repeated_values(), 50u);
  EXPECT_EQ(rw.replay_tokens.extra_sightings(), 50u);
  EXPECT_TRUE(rw.replay_tokens.exact());
  // jti replays: the same 50 tokens (those whose claims parse carry a jti).
  EXPECT_GT(rw.replay_jti.repeated_values(), 30u);
  EXPECT_LE(rw.replay_jti.repeated_values(), 50u);
  // JSON round trip.
  std::string err;
  EXPECT_EQ(AuditReport::from_json(rw.to_json(), &err)->to_json(), rw.to_json()) << err;
  EXPECT_FALSE(AuditReport::from_json("{\"format\":\"x\"}", &err).has_value());
  EXPECT_FALSE(AuditReport::from_json("[1,2", &err).has_value());
}

TEST(AuditSketch, TablesPastTheirLimitKeepErrorBoundsAndMerge) {
  std::mt19937_64 rng(5);
  std::map<std::string, uint64_t> truth;
  CountTable a(50), b(50), whole(50);
  // Skewed: value k drawn with weight ~ 1/k over 3000 values.
  std::vector<double> w(3000);
  for (size_t k = 0; k < w.size(); ++k) w[k] = 1.0 / static_cast<double>(k + 1);
  std::discrete_distribution<size_t> pick(w.begin(), w.end());
  for (int i = 0; i < 60000; ++i) {
    const std::string v = "v" + std::to_string(pick(rng));
    ++truth[v];
    (i % 2 ? a : b).add(v);
    whole.add(v);
  }
  a.merge(b);
  for (const CountTable* t : {&a, &whole}) {
    EXPECT_FALSE(t->exact());
    EXPECT_EQ(t->total(), 60000u);
    for (const auto& [v, e] : t->top(10)) {
      EXPECT_LE(e.count - e.error, truth[v]) << v;
      EXPECT_GE(e.count, truth[v]) << v;
    }
    // The heaviest values are found.
    const auto top = t->top(3);
    ASSERT_EQ(top.size(), 3u);
    EXPECT_EQ(top[0].first, "v0");
    const double d = static_cast<double>(t->distinct()), real = static_cast<double>(truth.size());
    EXPECT_NEAR(d, real, real * 0.06);
  }
  // Exact while under the limit, and merging exact tables stays exact.
  CountTable x(10), y(10);
  x.add("p", 3);
  y.add("p");
  y.add("q");
  x.merge(y);
  EXPECT_TRUE(x.exact());
  EXPECT_EQ(x.distinct(), 2u);
  EXPECT_EQ(x.top(1)[0].second.count, 4u);
  // Replay sets: exact up to the limit, then lower bounds.
  ReplaySet r(4);
  for (uint64_t fp : {1, 2, 3, 4, 5, 1, 5}) r.add(fp);
  EXPECT_FALSE(r.exact());
  EXPECT_EQ(r.repeated_values(), 1u);  // 5 was never remembered
}

// Raw log text: tokens inside nginx-like and JSON lines, blocks far smaller than the text.
TEST_F(AuditCorpus, ExtractFindsEveryTokenWithItsLine) {
  const fs::path& d = *dir_;
  const std::vector<std::string> tokens = lines_of(slurp(d / "tokens.txt"));
  const std::vector<std::string> expected = lines_of(slurp(d / "expected.txt"));
  std::string log;
  std::vector<uint64_t> line_of(tokens.size());
  uint64_t line = 0;
  std::array<uint64_t, kNumStatuses> want{};
  size_t planted = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    // Only tokens that look like tokens: three parts, non-empty header starting eyJ and claims.
    const size_t dots = static_cast<size_t>(std::count(t.begin(), t.end(), '.'));
    const bool looks = dots == 2 && t.rfind("eyJ", 0) == 0 && t.find("..") == std::string::npos &&
                       t.find_first_of("+/=") == std::string::npos;
    log += "10.0.0." + std::to_string(i % 250) + " - - [01/Jan/2026:00:00:00 +0000] \"GET /x HTTP/1.1\" 200 12\n";
    ++line;
    if (!looks) continue;
    ++planted;
    ++want[static_cast<size_t>(*status_from_string(expected[i].substr(expected[i].rfind(' ') + 1)))];
    if (i % 3 == 0) log += "GET /api?access_token=" + t + "&x=1 HTTP/1.1\n";
    else if (i % 3 == 1) log += "{\"level\":\"info\",\"auth\":\"Bearer " + t + "\",\"ms\":3}\n";
    else log += "Authorization: Bearer " + t + "\r\n";
    line_of[i] = ++line;
  }
  ASSERT_GT(planted, 700u);
  KeySetBuilder kb;
  std::string err;
  ASSERT_TRUE(kb.add_jwks(slurp(d / "jwks.json"), &err)) << err;
  Policy policy;
  policy.issuers = {"https://issuer.example.com"};
  policy.audiences = {"https://api.example.com"};
  policy.max_token_bytes = 4096;
  Verifier verifier(kb.build(&err), policy);
  AuditOptions o;
  o.extract = true;
  o.block_bytes = 2 * 4096 + 2;  // many blocks, cut inside lines
  o.max_examples = 1000;
  for (unsigned threads : {1u, 2u}) {
    o.threads = threads;
    AuditReport r(o);
    size_t pos = 0;
    auto read = [&](char* buf, size_t cap) {
      const size_t n = std::min<size_t>({cap, log.size() - pos, 777});
      std::copy(log.begin() + static_cast<ptrdiff_t>(pos), log.begin() + static_cast<ptrdiff_t>(pos + n), buf);
      pos += n;
      return n;
    };
    AuditStats stats;
    ASSERT_EQ(audit_stream(verifier, o, read, "log", 1767225600, r, &stats), Status::ok);
    EXPECT_EQ(r.tokens, planted);
    EXPECT_EQ(r.lines, line);
    EXPECT_EQ(r.input_bytes, log.size());
    EXPECT_EQ(stats.scan.bytes, log.size());
    EXPECT_EQ(stats.scan.tokens, planted);
    for (size_t s = 0; s < kNumStatuses; ++s) EXPECT_EQ(r.by_status[s], want[s]) << to_string(static_cast<Status>(s));
    // Every alg-none example's line holds an alg-none token of the corpus.
    const auto& ex = r.finding_examples[static_cast<size_t>(Finding::alg_none)];
    ASSERT_FALSE(ex.empty());
    for (const AuditExample& e : ex) {
      const auto it = std::find(line_of.begin(), line_of.end(), e.line);
      ASSERT_NE(it, line_of.end()) << e.line;
      EXPECT_EQ(expected[static_cast<size_t>(it - line_of.begin())], "unsupported_alg")
          << e.line;
    }
  }
}

// The HTML page in headless Chromium: it loads without console errors, the DOM holds the
// sections and charts, and a screenshot is written (build/audit-report.png, for a human to look at).
TEST_F(AuditCorpus, HtmlOpensInHeadlessChromium) {
  const fs::path& d = *dir_;
  const fs::path html = d / "r.html";
  ASSERT_EQ(run(audit_cmd("--html " + shell_quote(html.string()), shell_quote((d / "tokens.txt").string()))), 0);
  const std::string page = slurp(html);
  ASSERT_FALSE(page.empty());
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("http://"), page.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
  EXPECT_EQ(page.find("@font-face"), std::string::npos);
  const char* candidates[] = {"chromium", "chromium-browser"};
  std::string browser;
  for (const char* c : candidates)
    if (run(std::string("command -v ") + c + " > /dev/null 2>&1") == 0) browser = c;
  ASSERT_FALSE(browser.empty()) << "chromium is not installed: run tools/setup.sh (it installs Debian's chromium)";
  const std::string flags = " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                            "--disable-background-networking --disable-component-update --disable-sync "
                            "--user-data-dir=" + shell_quote((d / "chrome-profile").string());
  const fs::path dom = d / "dom.html", log = d / "chrome.log";
  ASSERT_EQ(run("timeout 120 " + browser + flags + " --enable-logging=stderr --v=0 --dump-dom " +
                shell_quote("file://" + html.string()) + " > " + shell_quote(dom.string()) + " 2> " +
                shell_quote(log.string())),
            0)
      << slurp(log);
  const std::string dumped = slurp(dom);
  for (const char* id : {"id=\"totals\"", "id=\"findings\"", "id=\"chart-status\"", "id=\"chart-algs\"",
                         "id=\"chart-lifetimes\"", "id=\"kids\"", "id=\"replay\"", "finding-alg_none"})
    EXPECT_NE(dumped.find(id), std::string::npos) << id;
  const std::string errors = slurp(log);
  EXPECT_EQ(errors.find("CONSOLE"), std::string::npos) << errors;
  EXPECT_EQ(errors.find("Uncaught"), std::string::npos) << errors;
  const fs::path png = fs::path(JWTBATCH_SOURCE_DIR) / "build" / "audit-report.png";
  const fs::path shot = fs::exists(png.parent_path()) ? png : d / "audit-report.png";
  ASSERT_EQ(run("timeout 120 " + browser + flags + " --hide-scrollbars --window-size=1280,2000 --screenshot=" +
                shell_quote(shot.string()) + " " + shell_quote("file://" + html.string()) + " > /dev/null 2>&1"),
            0);
  ASSERT_TRUE(fs::exists(shot));
  EXPECT_GT(fs::file_size(shot), 20000u);  // a real rendering, not a blank page
}

}  // namespace
}  // namespace jwtbatch
