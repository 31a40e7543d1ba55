#pragma once
// The Prometheus text exposition format, version 0.0.4 (the format every Prometheus server
// scrapes; prometheus/docs content/docs/instrumenting/exposition_formats.md), written from the
// plain counters of ServerControl::metrics().
#include <string>
#include <vector>

#include "core/control/server_control.h"

namespace core::control {

// The Content-Type a scrape of this text is answered with.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";
// Every family name is `ser_` + the metric's name.
inline constexpr const char* kPrometheusPrefix = "ser_";

// One family per name, in the order the names first appear: `# HELP` and `# TYPE` once, then
// every sample of that name (the format wants a family's samples together). Counters are named
// `..._total`. Characters a name may not hold become '_'; label values are escaped. A sample
// whose type differs from its family's first sample is left out (the text would not parse).
std::string prometheus_text(const std::vector<Metric>& metrics);

// `value` as Prometheus parses it: shortest round-trip decimal, NaN, +Inf, -Inf.
std::string prometheus_number(double value);

// A label value between the double quotes: backslash, double quote and line feed escaped.
std::string prometheus_label_value(const std::string& value);

}  // namespace core::control
