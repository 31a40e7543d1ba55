#pragma once
// Shared by the cfg tests: load configuration text as file "t.cfg" and render diagnostics.
#include <string>

#include "cfg/config_loader.h"

namespace cfg::test {

struct Loaded {
  bool ok = false;
  Config config;
  Diagnostics diags;

  // Every diagnostic, one `file:line:col: severity: message` per line.
  std::string text() const {
    std::string out;
    for (const auto& d : diags.all()) out += d.to_string() + "\n";
    return out;
  }
  std::string first_error() const { return diags.first_error(); }
};

inline Loaded load_text(const std::string& text, const std::string& name = "t.cfg") {
  Loaded r;
  r.ok = load_config_text(name, text, &r.config, &r.diags);
  return r;
}

}  // namespace cfg::test
