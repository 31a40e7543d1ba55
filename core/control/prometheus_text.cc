#include "core/control/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <string_view>
#include <unordered_map>

namespace core::control {

namespace {

bool name_char(char c, bool first, bool colon_ok) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (c == ':') return colon_ok;
  return !first && c >= '0' && c <= '9';
}

// Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* (the
// data model page); anything else would make the whole scrape fail to parse.
std::string sanitized(std::string_view name, bool colon_ok) {
  std::string out(name.empty() ? "_" : name);
  for (size_t i = 0; i < out.size(); ++i)
    if (!name_char(out[i], i == 0, colon_ok)) out[i] = '_';
  return out;
}

std::string family_name(const Metric& m) {
  std::string name = kPrometheusPrefix + sanitized(m.name, true);
  // Counters end in `_total` (the naming guide; promtool's linter checks it).
  if (m.counter && !name.ends_with("_total")) name += "_total";
  return name;
}

// Backslash and line feed escaped; double quotes too in a label value, not in HELP text
// (exposition_formats.md).
std::string escaped(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quotes)
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

std::string help_text(const Metric& m) {
  if (!m.help.empty()) return escaped(m.help, false);
  std::string help = m.name;  // promtool's linter wants a help text: the name said in words
  for (char& c : help)
    if (c == '_') c = ' ';
  return escaped(help, false);
}

void append_sample(const std::string& family, const Metric& m, std::string* out) {
  *out += family;
  if (!m.labels.empty()) {
    *out += '{';
    for (size_t i = 0; i < m.labels.size(); ++i) {
      if (i > 0) *out += ',';
      *out += sanitized(m.labels[i].first, false);
      *out += "=\"";
      *out += prometheus_label_value(m.labels[i].second);
      *out += '"';
    }
    *out += '}';
  }
  *out += ' ';
  *out += prometheus_number(m.value);
  *out += '\n';
}

}  // namespace

std::string prometheus_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

std::string prometheus_label_value(const std::string& value) {
  return escaped(value, true);
}

std::string prometheus_text(const std::vector<Metric>& metrics) {
  // Family name -> indexes of its samples, families kept in order of first appearance.
  std::vector<std::pair<std::string, std::vector<size_t>>> families;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < metrics.size(); ++i) {
    std::string name = family_name(metrics[i]);
    auto [it, added] = index.try_emplace(name, families.size());
    if (added) families.emplace_back(std::move(name), std::vector<size_t>{});
    families[it->second].second.push_back(i);
  }
  std::string out;
  for (const auto& [name, samples] : families) {
    const Metric& first = metrics[samples.front()];
    out += "# HELP " + name + ' ' + help_text(first) + '\n';
    out += "# TYPE " + name + (first.counter ? " counter\n" : " gauge\n");
    for (size_t i : samples)
      if (metrics[i].counter == first.counter) append_sample(name, metrics[i], &out);
  }
  return out;
}

}  // namespace core::control
