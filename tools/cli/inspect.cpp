// inspect.cpp: `jwtbatch inspect [TOKEN|-]`: decodes a token's header and claims WITHOUT
// verifying anything, pretty-prints them and shows time claims as UTC dates. The safe replacement
// for `cut -d. -f2 | base64 -d`: strict decoding, clear errors, and a loud UNVERIFIED mark.
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include <simdjson.h>

#include "jwtbatch/verifier.hpp"
#include "jwtbatch/text.hpp"
#include "tools/cli/commands.hpp"
#include "jwtbatch/json.hpp"
#include "tools/cli/io.hpp"

namespace jwtbatch::cli {
namespace {

void pretty(std::string& out, simdjson::dom::element e, int indent) {
  using simdjson::dom::element_type;
  const std::string pad(static_cast<size_t>(indent) * 2, ' ');
  switch (e.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object obj;
      if (e.get_object().get(obj) != simdjson::SUCCESS) return;
      if (obj.size() == 0) { out += "{}"; return; }
      out += "{\n";
      bool first = true;
      for (auto field : obj) {
        if (!first) out += ",\n";
        first = false;
        out += pad + "  ";
        append_json_string(&out, field.key);
        out += ": ";
        pretty(out, field.value, indent + 1);
      }
      out += "\n" + pad + "}";
      return;
    }
    case element_type::ARRAY: {
      simdjson::dom::array arr;
      if (e.get_array().get(arr) != simdjson::SUCCESS) return;
      if (arr.size() == 0) { out += "[]"; return; }
      out += "[\n";
      bool first = true;
      for (auto item : arr) {
        if (!first) out += ",\n";
        first = false;
        out += pad + "  ";
        pretty(out, item, indent + 1);
      }
      out += "\n" + pad + "]";
      return;
    }
    case element_type::STRING: {
      std::string_view s;
      if (e.get_string().get(s) == simdjson::SUCCESS) append_json_string(&out, s);
      return;
    }
    default:
      out += simdjson::minify(e);
  }
}

bool decode(std::string_view part, std::string* out) {
  std::vector<uint8_t> buf(base64url_decode_capacity(part.size()));
  size_t n = 0;
  if (!base64url_decode(part, buf, &n)) return false;
  out->assign(reinterpret_cast<const char*>(buf.data()), n);
  return true;
}

// show prints one decoded part: pretty JSON when it is JSON, else the bytes as a JSON string.
void show(std::string& out, std::string_view title, const std::string& bytes, simdjson::dom::parser& parser,
          std::vector<std::pair<std::string, int64_t>>* times) {
  out += title;
  out += ":\n";
  simdjson::dom::element doc;
  if (parser.parse(bytes).get(doc) != simdjson::SUCCESS) {
    out += "(not valid JSON) ";
    append_json_string(&out, bytes);
    out += "\n";
    return;
  }
  pretty(out, doc, 0);
  out += "\n";
  simdjson::dom::object obj;
  if (times && doc.get_object().get(obj) == simdjson::SUCCESS) {
    for (const char* name : {"iat", "nbf", "exp"}) {
      double d = 0;
      simdjson::dom::element v;
      if (obj.at_key(name).get(v) == simdjson::SUCCESS && v.is_number() && v.get_double().get(d) == simdjson::SUCCESS)
        times->emplace_back(name, static_cast<int64_t>(d));
    }
  }
}

}  // namespace

int inspect_main(int argc, char** argv) {
  std::string token;
  if (argc > 2) return usage_error("inspect", "usage: jwtbatch inspect [TOKEN|-]");
  if (argc == 2 && std::string_view(argv[1]) != "-") {
    token = argv[1];
  } else {
    std::string error;
    std::optional<std::string> in = read_file("-", &error);
    if (!in) return usage_error("inspect", error);
    token = in->substr(0, in->find('\n'));
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  const size_t d1 = token.find('.');
  const size_t d2 = d1 == std::string::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string::npos || token.find('.', d2 + 1) != std::string::npos)
    return usage_error("inspect", "not a compact JWS: expected three parts separated by two dots");
  std::string header, claims, sig;
  if (!decode(std::string_view(token).substr(0, d1), &header))
    return usage_error("inspect", "header part is not valid base64url");
  if (!decode(std::string_view(token).substr(d1 + 1, d2 - d1 - 1), &claims))
    return usage_error("inspect", "claims part is not valid base64url");
  const bool sig_ok = decode(std::string_view(token).substr(d2 + 1), &sig);

  simdjson::dom::parser parser;
  std::string out = "UNVERIFIED: nothing below has been checked; do not trust it.\n";
  show(out, "header", header, parser, nullptr);
  std::vector<std::pair<std::string, int64_t>> times;
  show(out, "claims", claims, parser, &times);
  if (!times.empty()) {
    out += "times (UTC):\n";
    for (const auto& [name, t] : times) out += "  " + name + "  " + std::to_string(t) + "  " + format_utc(t) + "\n";
  }
  out += sig_ok ? "signature: " + std::to_string(sig.size()) + " bytes\n" : "signature: not valid base64url\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace jwtbatch::cli
