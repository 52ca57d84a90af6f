// gen.cpp: `jwtbatch gen`, the corpus generator. It writes a key set, tokens of every algorithm
// (valid ones and every failure kind) and the status a strict verifier must answer for each, all
// a deterministic function of the options (same seed and options, same bytes).
#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <tbb/parallel_for.h>

#include "jwtbatch/status.hpp"
#include "tools/cli/commands.hpp"
#include "tools/cli/gen_keys.hpp"
#include "tools/cli/gen_support.hpp"
#include "tools/cli/gen_tokens.hpp"

namespace jwtbatch::cli {
namespace {

using gen::GenKey;
using gen::GeneratedToken;
using gen::Profile;

constexpr std::string_view kUsage =
    "usage: jwtbatch gen --out DIR [--count N] [--seed S] [--now UNIX] [--algs LIST]\n"
    "                    [--profile small|typical|large|mixed] [--fail-rate R] [--iss URL]\n"
    "                    [--aud AUD] [--keys PRIVATE_JWKS] [--with-too-large]\n"
    "\n"
    "Writes DIR/jwks.json, jwks.private.json, tokens.txt, expected.txt, cases.txt, manifest.json.\n"
    "jwks.json is the verification key set; its HS* keys carry their secrets (HMAC verification\n"
    "needs them). All keys are test keys derived from the seed: never use them for real.\n"
    "Defaults: --count 2000 --seed 1 --now 1767225600 --profile typical --fail-rate 0.2\n"
    "          --algs HS256,HS384,HS512,RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA\n"
    "          --iss https://issuer.example.com --aud https://api.example.com\n";

constexpr Alg kAllAlgs[] = {Alg::hs256, Alg::hs384, Alg::hs512, Alg::rs256, Alg::rs384,
                            Alg::rs512, Alg::ps256, Alg::ps384, Alg::ps512, Alg::es256,
                            Alg::es384, Alg::es512, Alg::eddsa};

struct GenOptions {
  std::string out_dir;
  uint64_t count = 2000;
  uint64_t seed = 1;
  int64_t now = 1767225600;  // 2026-01-01T00:00:00Z
  std::vector<Alg> algs{std::begin(kAllAlgs), std::end(kAllAlgs)};
  Profile profile = Profile::typical;
  double fail_rate = 0.2;
  std::string fail_rate_text = "0.2";
  std::string iss = "https://issuer.example.com";
  std::string aud = "https://api.example.com";
  std::string keys_path;
  bool with_too_large = false;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "jwtbatch gen: %s (see jwtbatch gen --help)\n", message.c_str());
  return 2;
}

template <typename T>
bool parse_int(std::string_view s, T* out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

bool parse_algs(std::string_view list, std::vector<Alg>* out, std::string* why) {
  out->clear();
  while (true) {
    size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    Alg alg = alg_from_string(name);
    if (alg == Alg::unknown) {
      *why = "unknown algorithm \"" + std::string(name) + "\" in --algs";
      return false;
    }
    if (std::find(out->begin(), out->end(), alg) != out->end()) {
      *why = "algorithm " + std::string(name) + " named twice in --algs";
      return false;
    }
    out->push_back(alg);
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

bool valid_claim_text(std::string_view s) {
  if (s.empty() || !gen::valid_utf8(s)) return false;
  return std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

// parse_options returns 0 when the options are good, or the exit code (0 for --help is -1).
int parse_options(int argc, char** argv, GenOptions* o) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
      return -1;
    }
    if (arg == "--with-too-large") {
      o->with_too_large = true;
      continue;
    }
    if (!arg.starts_with("--")) return usage_error("unexpected argument \"" + std::string(arg) + "\"");
    std::string_view name = arg, value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    static constexpr std::string_view kWithValue[] = {"--out",   "--count",     "--seed",
                                                      "--now",   "--algs",      "--profile",
                                                      "--fail-rate", "--iss",   "--aud",
                                                      "--keys"};
    if (std::find(std::begin(kWithValue), std::end(kWithValue), name) == std::end(kWithValue)) {
      return usage_error("unknown option \"" + std::string(name) + "\"");
    }
    if (!has_value) {
      if (i + 1 >= argc) return usage_error(std::string(name) + " needs a value");
      value = argv[++i];
    }
    std::string why;
    if (name == "--out") {
      if (value.empty()) return usage_error("--out needs a directory");
      o->out_dir = value;
    } else if (name == "--count") {
      if (!parse_int(value, &o->count) || o->count < 1 || o->count > 10'000'000) {
        return usage_error("--count must be an integer from 1 to 10000000");
      }
    } else if (name == "--seed") {
      if (!parse_int(value, &o->seed)) return usage_error("--seed must be an unsigned 64-bit integer");
    } else if (name == "--now") {
      if (!parse_int(value, &o->now) || o->now < 86400 || o->now > 253402300799) {
        return usage_error("--now must be a Unix time from 86400 to 253402300799");
      }
    } else if (name == "--algs") {
      if (!parse_algs(value, &o->algs, &why)) return usage_error(why);
    } else if (name == "--profile") {
      if (value == "small") o->profile = Profile::small;
      else if (value == "typical") o->profile = Profile::typical;
      else if (value == "large") o->profile = Profile::large;
      else if (value == "mixed") o->profile = Profile::mixed;
      else return usage_error("--profile must be small, typical, large or mixed");
    } else if (name == "--fail-rate") {
      double r = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), r);
      if (ec != std::errc() || ptr != value.data() + value.size() || value.empty() || !(r >= 0.0 && r <= 1.0)) {
        return usage_error("--fail-rate must be a number from 0 to 1");
      }
      o->fail_rate = r;
      char buf[32];
      auto res = std::to_chars(buf, buf + sizeof buf, r);  // shortest round-trip form: valid JSON
      o->fail_rate_text.assign(buf, res.ptr);
    } else if (name == "--iss") {
      if (!valid_claim_text(value)) return usage_error("--iss must be non-empty UTF-8 without control characters");
      o->iss = value;
    } else if (name == "--aud") {
      if (!valid_claim_text(value)) return usage_error("--aud must be non-empty UTF-8 without control characters");
      o->aud = value;
    } else if (name == "--keys") {
      if (value.empty()) return usage_error("--keys needs a file");
      o->keys_path = value;
    }
  }
  if (o->out_dir.empty()) return usage_error("--out DIR is required");
  return 0;
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return static_cast<bool>(in) || in.eof();
}

bool write_file(const std::filesystem::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  return static_cast<bool>(out);
}

// distinct returns `base`, or `base` with "-2", "-3"... appended, so that it differs from `avoid`.
std::string distinct(std::string base, std::string_view avoid) {
  std::string s = base;
  for (int i = 2; s == avoid; ++i) s = base + "-" + std::to_string(i);
  return s;
}

// shell_quote quotes `s` for a POSIX shell when it needs it.
std::string shell_quote(std::string_view s) {
  bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./:=@,+", c) != nullptr;
  });
  if (plain) return std::string(s);
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string jwks_document(const std::vector<GenKey>& keys, bool with_private) {
  std::string s = "{\"keys\":[\n";
  for (size_t i = 0; i < keys.size(); ++i) {
    s += "  " + gen::jwk_json(keys[i], with_private);
    s += i + 1 < keys.size() ? ",\n" : "\n";
  }
  return s + "]}\n";
}

std::string manifest_document(const GenOptions& o, const std::vector<GenKey>& keys,
                              const std::vector<GeneratedToken>& tokens) {
  using gen::json_string;
  std::string algs;
  for (size_t i = 0; i < o.algs.size(); ++i) {
    if (i > 0) algs += ",";
    algs += json_string(to_string(o.algs[i]));
  }
  std::string kids;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) kids += ",";
    kids += json_string(keys[i].kid);
  }
  size_t counts[kNumStatuses] = {};
  for (const GeneratedToken& t : tokens) ++counts[static_cast<size_t>(t.expected)];
  std::string expected_counts;
  for (size_t i = 0; i < kNumStatuses; ++i) {
    if (counts[i] == 0) continue;
    if (!expected_counts.empty()) expected_counts += ",\n";
    expected_counts += "    " + json_string(to_string(static_cast<Status>(i))) + ": " + std::to_string(counts[i]);
  }
  const std::string now = std::to_string(o.now);
  std::string s = "{\n";
  s += "  \"generator\": \"jwtbatch gen\",\n";
  s += "  \"format\": 1,\n";
  s += "  \"seed\": " + std::to_string(o.seed) + ",\n";
  s += "  \"now\": " + now + ",\n";
  s += "  \"count\": " + std::to_string(tokens.size()) + ",\n";
  s += "  \"iss\": " + json_string(o.iss) + ",\n";
  s += "  \"aud\": " + json_string(o.aud) + ",\n";
  s += "  \"profile\": " + json_string(gen::to_string(o.profile)) + ",\n";
  s += "  \"fail_rate\": " + o.fail_rate_text + ",\n";
  s += "  \"with_too_large\": " + std::string(o.with_too_large ? "true" : "false") + ",\n";
  s += "  \"algs\": [" + algs + "],\n";
  s += "  \"kids\": [" + kids + "],\n";
  s += "  \"keys\": " + json_string(o.keys_path.empty() ? "generated from the seed" : "loaded with --keys") + ",\n";
  s += "  \"verify_args\": [\"--now\", " + json_string(now) + ", \"--iss\", " + json_string(o.iss) +
       ", \"--aud\", " + json_string(o.aud) + "],\n";
  s += "  \"verify_command\": " +
       json_string("jwtbatch verify --now " + now + " --iss " + shell_quote(o.iss) + " --aud " + shell_quote(o.aud)) +
       ",\n";
  s += "  \"policy\": \"exp required, no leeway, key set jwks.json, no --algs allow-list\",\n";
  s += "  \"expected_counts\": {\n" + expected_counts + "\n  }\n";
  s += "}\n";
  return s;
}

}  // namespace

int gen_main(int argc, char** argv) {
  GenOptions o;
  if (int rc = parse_options(argc, argv, &o); rc != 0) return rc < 0 ? 0 : rc;

  // Keys: generated from the seed (in parallel: each comes from its own DRBG), or loaded.
  std::vector<GenKey> keys;
  if (!o.keys_path.empty()) {
    std::string json, why;
    if (!read_file(o.keys_path, &json)) return usage_error("cannot read --keys file " + o.keys_path);
    if (!gen::load_private_jwks(json, o.algs, &keys, &why)) {
      return usage_error("--keys " + o.keys_path + ": " + why);
    }
  } else {
    std::vector<std::optional<GenKey>> made(o.algs.size());
    std::vector<std::string> whys(o.algs.size());
    tbb::parallel_for(size_t{0}, o.algs.size(), [&](size_t i) {
      made[i] = gen::generate_key(o.algs[i], o.seed, &whys[i]);
    });
    for (size_t i = 0; i < made.size(); ++i) {
      if (!made[i]) {
        std::fprintf(stderr, "jwtbatch gen: cannot generate the %s key: %s\n",
                     std::string(to_string(o.algs[i])).c_str(), whys[i].c_str());
        return 1;
      }
      keys.push_back(std::move(*made[i]));
    }
  }

  gen::TokenContext ctx;
  ctx.seed = o.seed;
  ctx.now = o.now;
  ctx.iss = o.iss;
  ctx.aud = o.aud;
  ctx.wrong_iss = distinct("https://evil.example", o.iss);
  ctx.wrong_aud = distinct("someone-else", o.aud);
  ctx.wrong_aud2 = distinct("https://other.example.net", o.aud);
  ctx.profile = o.profile;
  ctx.keys = keys;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].kty != gen::Kty::oct) {
      ctx.confusion_key = static_cast<int>(i);
      break;
    }
  }

  const std::vector<gen::Slot> slots = gen::plan_slots(o.seed, o.count, o.fail_rate, keys.size());
  std::vector<GeneratedToken> tokens(slots.size());
  tbb::parallel_for(size_t{0}, slots.size(), [&](size_t i) {
    tokens[i] = gen::make_token(ctx, slots[i], i);
  });
  if (o.with_too_large) tokens.push_back(gen::make_too_large_token(ctx, slots.size()));
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].failed) {
      std::fprintf(stderr, "jwtbatch gen: signing token %zu (%s) failed\n", i, tokens[i].label.c_str());
      return 1;
    }
  }

  std::string tokens_txt, expected_txt, cases_txt;
  for (const GeneratedToken& t : tokens) {
    tokens_txt += t.token + "\n";
    expected_txt += std::string(to_string(t.expected)) + "\n";
    cases_txt += t.label + "\n";
  }

  std::error_code ec;
  std::filesystem::path dir(o.out_dir);
  std::filesystem::create_directories(dir, ec);
  if (!std::filesystem::is_directory(dir)) {
    std::fprintf(stderr, "jwtbatch gen: cannot create directory %s\n", o.out_dir.c_str());
    return 1;
  }
  const std::pair<const char*, std::string> files[] = {
      {"jwks.json", jwks_document(keys, false)},
      {"jwks.private.json", jwks_document(keys, true)},
      {"tokens.txt", tokens_txt},
      {"expected.txt", expected_txt},
      {"cases.txt", cases_txt},
      {"manifest.json", manifest_document(o, keys, tokens)},
  };
  for (const auto& [name, data] : files) {
    if (!write_file(dir / name, data)) {
      std::fprintf(stderr, "jwtbatch gen: cannot write %s\n", (dir / name).c_str());
      return 1;
    }
  }
  size_t failing = 0;
  for (const GeneratedToken& t : tokens) failing += t.expected != Status::ok;
  std::printf("jwtbatch gen: wrote %zu tokens (%zu failing) with %zu keys to %s\n", tokens.size(),
              failing, keys.size(), o.out_dir.c_str());
  return 0;
}

}  // namespace jwtbatch::cli
