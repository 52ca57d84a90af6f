// html.cpp: AuditReport::to_html (one self-contained page: inline CSS and SVG charts, no
// scripts, no external fonts or images) and AuditReport::summary (a short text for a terminal).
#include <algorithm>
#include <cstdio>

#include "audit/internal.hpp"
#include "jwtbatch/audit.hpp"

namespace jwtbatch {

namespace engine {

void append_html(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

}  // namespace engine

namespace {

using engine::append_html;

std::string fmt_count(uint64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string fmt_pct(uint64_t part, uint64_t whole) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return b;
}

struct Bar {
  std::string label;
  uint64_t value;
  const char* color;
};

// bar_chart draws horizontal bars, one row per entry, as inline SVG.
void bar_chart(std::string& h, const std::string& id, const std::vector<Bar>& bars) {
  uint64_t max = 1;
  for (const Bar& b : bars) max = std::max(max, b.value);
  const int row = 24, label_w = 220, bar_w = 520, width = label_w + bar_w + 110;
  const int height = static_cast<int>(bars.size()) * row + 8;
  h += "<svg class=\"chart\" id=\"" + id + "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
       "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " +
       std::to_string(height) + "\" role=\"img\">";
  for (size_t i = 0; i < bars.size(); ++i) {
    const int y = static_cast<int>(i) * row + 4;
    const int w = bars[i].value ? std::max(2, static_cast<int>(static_cast<double>(bars[i].value) / static_cast<double>(max) * bar_w)) : 0;
    h += "<text x=\"" + std::to_string(label_w - 8) + "\" y=\"" + std::to_string(y + 16) +
         "\" text-anchor=\"end\" class=\"lbl\">";
    append_html(h, bars[i].label);
    h += "</text><rect x=\"" + std::to_string(label_w) + "\" y=\"" + std::to_string(y + 3) + "\" width=\"" +
         std::to_string(w) + "\" height=\"" + std::to_string(row - 8) + "\" fill=\"" + bars[i].color + "\"/>";
    h += "<text x=\"" + std::to_string(label_w + w + 6) + "\" y=\"" + std::to_string(y + 16) + "\" class=\"val\">" +
         fmt_count(bars[i].value) + "</text>";
  }
  h += "</svg>";
}

// column_chart draws vertical bars (the lifetime histogram).
void column_chart(std::string& h, const std::string& id, const std::vector<Bar>& bars) {
  uint64_t max = 1;
  for (const Bar& b : bars) max = std::max(max, b.value);
  const int col = 80, plot_h = 180, width = static_cast<int>(bars.size()) * col + 20, height = plot_h + 60;
  h += "<svg class=\"chart\" id=\"" + id + "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
       "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " +
       std::to_string(height) + "\" role=\"img\">";
  h += "<line x1=\"10\" y1=\"" + std::to_string(plot_h + 20) + "\" x2=\"" + std::to_string(width - 10) + "\" y2=\"" +
       std::to_string(plot_h + 20) + "\" stroke=\"#888\"/>";
  for (size_t i = 0; i < bars.size(); ++i) {
    const int x = 10 + static_cast<int>(i) * col;
    const int bh = bars[i].value ? std::max(2, static_cast<int>(static_cast<double>(bars[i].value) / static_cast<double>(max) * plot_h)) : 0;
    h += "<rect x=\"" + std::to_string(x + 12) + "\" y=\"" + std::to_string(plot_h + 20 - bh) + "\" width=\"" +
         std::to_string(col - 24) + "\" height=\"" + std::to_string(bh) + "\" fill=\"" + bars[i].color + "\"/>";
    h += "<text x=\"" + std::to_string(x + col / 2) + "\" y=\"" + std::to_string(plot_h + 14 - bh) +
         "\" text-anchor=\"middle\" class=\"val\">" + fmt_count(bars[i].value) + "</text>";
    h += "<text x=\"" + std::to_string(x + col / 2) + "\" y=\"" + std::to_string(plot_h + 40) +
         "\" text-anchor=\"middle\" class=\"lbl\">";
    append_html(h, bars[i].label);
    h += "</text>";
  }
  h += "</svg>";
}

void table_section(std::string& h, const char* title, const char* id, const CountTable& t) {
  h += "<section id=\"" + std::string(id) + "\"><h2>";
  h += title;
  h += "</h2><p class=\"note\">" + fmt_count(t.total()) + " values, " + fmt_count(t.distinct()) + " distinct" +
       (t.exact() ? " (exact)" : " (approximate: HyperLogLog estimate; counts are space-saving upper bounds, error shown)") +
       "</p><table><tr><th>value</th><th>count</th><th>share</th>" + (t.exact() ? "" : "<th>error</th>") + "</tr>";
  for (const auto& [value, e] : t.top(15)) {
    h += "<tr><td class=\"mono\">";
    append_html(h, value.size() > 100 ? value.substr(0, 100) + "..." : value);
    h += "</td><td>" + fmt_count(e.count) + "</td><td>" + fmt_pct(e.count, t.total()) + "</td>";
    if (!t.exact()) h += "<td>&le; " + fmt_count(e.error) + "</td>";
    h += "</tr>";
  }
  h += "</table></section>";
}

const char* status_color(Status s) {
  if (s == Status::ok) return "#2e7d32";
  if (s <= Status::bad_header) return "#6d4c41";
  if (s <= Status::unsupported_crit) return "#c62828";
  if (s == Status::bad_signature) return "#ad1457";
  return "#ef6c00";
}

}  // namespace

std::string AuditReport::to_html() const {
  std::string h;
  h.reserve(64 * 1024);
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>jwtbatch audit report</title>"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
       "<style>"
       "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px 32px;color:#1b1b1b;background:#fafafa;max-width:1180px}"
       "h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}"
       ".note{color:#555;font-size:13px;margin:4px 0 8px}"
       ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}"
       ".card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:150px}"
       ".card .n{font-size:24px;font-weight:600}.card .t{font-size:12px;color:#555}"
       ".bad .n{color:#c62828}.good .n{color:#2e7d32}"
       "table{border-collapse:collapse;background:#fff;font-size:13px;margin:6px 0}"
       "th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f0f0f0}"
       ".mono{font-family:ui-monospace,'DejaVu Sans Mono',monospace;word-break:break-all}"
       ".chart{background:#fff;border:1px solid #ddd;border-radius:6px;margin:6px 0}"
       ".chart .lbl{font-size:12px;fill:#333}.chart .val{font-size:12px;fill:#555}"
       ".sev{font-weight:600}.sev.hit{color:#c62828}.sev.clear{color:#2e7d32}"
       "</style></head><body>\n";
  h += "<h1>jwtbatch audit report</h1><p class=\"note\">Sources: ";
  for (size_t i = 0; i < sources.size() && i < 20; ++i) {
    if (i) h += ", ";
    h += "<span class=\"mono\">";
    append_html(h, sources[i]);
    h += "</span>";
  }
  if (sources.size() > 20) h += ", ... (" + std::to_string(sources.size()) + " in all)";
  h += ". Counts are ";
  h += exact() ? "<b>exact</b>." : "<b>partly approximate</b> (a bounded table overflowed; see the notes per table).";
  h += " Tokens are never shown: examples give their location.</p>\n";

  const uint64_t ok = by_status[static_cast<size_t>(Status::ok)];
  uint64_t findings_total = 0;
  for (uint64_t c : finding_counts) findings_total += c;
  h += "<div class=\"cards\" id=\"totals\">";
  auto card = [&](const std::string& n, const char* t, const char* cls) {
    h += "<div class=\"card " + std::string(cls) + "\"><div class=\"n\">" + n + "</div><div class=\"t\">" + t + "</div></div>";
  };
  card(fmt_count(tokens), "tokens", "");
  card(fmt_count(ok) + " (" + fmt_pct(ok, tokens) + ")", "valid (ok)", "good");
  card(fmt_count(tokens - ok), "rejected", tokens - ok ? "bad" : "");
  card(fmt_count(replay_tokens.repeated_values()), "tokens seen more than once", replay_tokens.repeated_values() ? "bad" : "");
  card(fmt_count(replay_jti.repeated_values()), "jti values seen more than once", replay_jti.repeated_values() ? "bad" : "");
  card(fmt_count(lines), "input lines", "");
  h += "</div>\n";

  h += "<section id=\"findings\"><h2>Hygiene findings</h2><table><tr><th>finding</th><th>count</th><th>what it means</th><th>first examples (source:line)</th></tr>";
  for (size_t f = 0; f < kNumFindings; ++f) {
    const Finding fi = static_cast<Finding>(f);
    h += "<tr id=\"finding-";
    h += to_string(fi);
    h += "\"><td class=\"sev ";
    h += finding_counts[f] ? "hit" : "clear";
    h += "\">";
    h += to_string(fi);
    h += "</td><td>" + fmt_count(finding_counts[f]) + "</td><td>";
    append_html(h, describe(fi));
    if (fi == Finding::long_lived) h += " Threshold: " + std::to_string(max_lifetime_s) + " s.";
    if (fi == Finding::large_token) h += " Threshold: " + std::to_string(large_token_bytes) + " bytes.";
    h += "</td><td class=\"mono\">";
    for (const AuditExample& e : finding_examples[f]) {
      append_html(h, e.source);
      h += ":" + std::to_string(e.line) + " ";
      append_html(h, e.detail);
      h += "<br>";
    }
    h += "</td></tr>";
  }
  h += "</table><p class=\"note\">" + fmt_count(findings_total) + " findings in all.</p></section>\n";

  h += "<section id=\"status\"><h2>Verdicts</h2>";
  std::vector<Bar> bars;
  for (size_t i = 0; i < kNumStatuses; ++i)
    if (by_status[i] || i == 0)
      bars.push_back({std::string(to_string(static_cast<Status>(i))), by_status[i], status_color(static_cast<Status>(i))});
  bar_chart(h, "chart-status", bars);
  h += "</section>\n<section id=\"algs\"><h2>Algorithms (header alg)</h2>";
  bars.clear();
  for (size_t i = 1; i <= kNumAlgs + 1; ++i)
    if (by_alg[i]) bars.push_back({std::string(alg_label_name(i)), by_alg[i], i >= kNumAlgs ? "#c62828" : "#1565c0"});
  if (by_alg[0]) bars.push_back({"other", by_alg[0], "#c62828"});
  if (bars.empty()) bars.push_back({"(no header parsed)", 0, "#1565c0"});
  bar_chart(h, "chart-algs", bars);
  h += "</section>\n<section id=\"lifetimes\"><h2>Lifetimes (exp - iat)</h2>";
  bars.clear();
  for (size_t b = 0; b < kNumLifetimeBuckets; ++b) {
    const bool long_lived = b > 0 && kLifetimeBounds[b - 1] >= max_lifetime_s;
    bars.push_back({std::string(lifetime_bucket_name(b)), lifetimes[b], long_lived ? "#ef6c00" : "#00897b"});
  }
  column_chart(h, "chart-lifetimes", bars);
  h += "<p class=\"note\">" + fmt_count(lifetime_unknown) +
       " tokens without a numeric exp or iat. Orange: buckets wholly above the long-lived threshold (" +
       std::to_string(max_lifetime_s) + " s).</p></section>\n";

  table_section(h, "Key ids (kid)", "kids", by_kid);
  table_section(h, "Issuers (iss)", "issuers", by_iss);
  table_section(h, "Audiences (aud)", "audiences", by_aud);

  h += "<section id=\"replay\"><h2>Possible replay</h2><table><tr><th></th><th>seen</th><th>distinct</th><th>values seen more than once</th><th>extra sightings</th><th>exact</th></tr>";
  for (auto [name, r] : {std::pair{"same token", &replay_tokens}, std::pair{"same iss + jti", &replay_jti}}) {
    h += "<tr><td>" + std::string(name) + "</td><td>" + fmt_count(r->seen()) + "</td><td>" + fmt_count(r->distinct()) +
         "</td><td>" + fmt_count(r->repeated_values()) + "</td><td>" + fmt_count(r->extra_sightings()) + "</td><td>" +
         (r->exact() ? "yes" : "no: only repeats of the first " + fmt_count(r->limit()) + " distinct values are seen") +
         "</td></tr>";
  }
  h += "</table><p class=\"note\">First second sightings: ";
  for (const AuditExample& e : replay_examples) {
    h += "<span class=\"mono\">";
    append_html(h, e.source);
    h += ":" + std::to_string(e.line) + " ";
    append_html(h, e.detail);
    h += "</span>; ";
  }
  h += "</p></section>\n";

  h += "<section id=\"hmac\"><h2>HMAC keys and their audiences</h2><table><tr><th>kid</th><th>audiences of tokens it verified</th></tr>";
  for (const auto& [kid, auds] : hmac_audiences) {
    h += "<tr><td class=\"mono\">";
    append_html(h, kid);
    h += "</td><td class=\"mono\">";
    for (size_t i = 0; i < auds.size(); ++i) {
      if (i) h += ", ";
      append_html(h, auds[i]);
    }
    h += "</td></tr>";
  }
  h += "</table></section>\n";
  if (!refused_keys.empty()) {
    h += "<section id=\"refused\"><h2>Keys refused at load time</h2><table><tr><th>kid</th><th>reason</th><th>weak</th></tr>";
    for (const RefusedKey& k : refused_keys) {
      h += "<tr><td class=\"mono\">";
      append_html(h, k.kid);
      h += "</td><td>";
      append_html(h, k.reason);
      h += std::string("</td><td>") + (k.weak ? "yes" : "no") + "</td></tr>";
    }
    h += "</table></section>\n";
  }
  table_section(h, "Sensitive-looking claim names", "sensitive", sensitive_names);
  h += "<p class=\"note\">Generated by jwtbatch audit. " + fmt_count(tokens) + " tokens, " + fmt_count(token_bytes) +
       " token bytes, " + fmt_count(input_bytes) + " input bytes.</p>\n</body></html>\n";
  return h;
}

std::string AuditReport::summary() const {
  std::string s;
  char b[256];
  std::snprintf(b, sizeof b, "audit: %llu tokens from %zu source(s), %llu lines; counts %s\n",
                static_cast<unsigned long long>(tokens), sources.size(), static_cast<unsigned long long>(lines),
                exact() ? "exact" : "partly approximate (bounded tables overflowed)");
  s += b;
  s += "verdicts:";
  for (size_t i = 0; i < kNumStatuses; ++i)
    if (by_status[i]) s += " " + std::string(to_string(static_cast<Status>(i))) + "=" + std::to_string(by_status[i]);
  s += "\nalgorithms:";
  for (size_t i = 0; i < kNumAlgLabels; ++i)
    if (by_alg[i]) s += " " + std::string(alg_label_name(i)) + "=" + std::to_string(by_alg[i]);
  s += "\nlifetimes:";
  for (size_t i = 0; i < kNumLifetimeBuckets; ++i)
    if (lifetimes[i]) s += " " + std::string(lifetime_bucket_name(i)) + "=" + std::to_string(lifetimes[i]);
  s += " unknown=" + std::to_string(lifetime_unknown);
  std::snprintf(b, sizeof b, "\nkids: %llu distinct; issuers: %llu; audiences: %llu\n",
                static_cast<unsigned long long>(by_kid.distinct()), static_cast<unsigned long long>(by_iss.distinct()),
                static_cast<unsigned long long>(by_aud.distinct()));
  s += b;
  std::snprintf(b, sizeof b, "replay: %llu tokens seen more than once (%llu extra sightings), %llu jti values repeated\n",
                static_cast<unsigned long long>(replay_tokens.repeated_values()),
                static_cast<unsigned long long>(replay_tokens.extra_sightings()),
                static_cast<unsigned long long>(replay_jti.repeated_values()));
  s += b;
  s += "findings:\n";
  for (size_t f = 0; f < kNumFindings; ++f) {
    if (!finding_counts[f]) continue;
    std::snprintf(b, sizeof b, "  %-26s %10llu", std::string(to_string(static_cast<Finding>(f))).c_str(),
                  static_cast<unsigned long long>(finding_counts[f]));
    s += b;
    if (!finding_examples[f].empty()) {
      const AuditExample& e = finding_examples[f].front();
      s += "  e.g. " + e.source + ":" + std::to_string(e.line) + " " + e.detail;
    }
    s += '\n';
  }
  return s;
}

}  // namespace jwtbatch
