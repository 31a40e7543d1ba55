#include "cfg/config_loader.h"

#include <exception>
#include <filesystem>

#include "cfg/domain_resolver.h"
#include "cfg/parser.h"
#include "cfg/route_parser.h"
#include "cfg/text_file.h"

namespace cfg {

namespace fs = std::filesystem;

namespace {

// CFG_DIR, absolute so that it stays right after the daemon changes directory.
std::string config_dir(const std::string& main_file) {
  fs::path dir = fs::path(main_file).parent_path();
  std::error_code ec;
  fs::path abs = fs::absolute(dir.empty() ? fs::path(".") : dir, ec).lexically_normal();
  std::string s = abs.string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

void load(const std::string& name, const std::string& text, Config* config, Diagnostics* diags) {
  *config = Config{};
  config->main_file = name;
  config->cfg_dir = config_dir(name);
  ParseState state;
  state.config = config;
  std::error_code ec;
  state.include_stack.push_back(fs::weakly_canonical(name, ec).string());
  state.include_names.push_back(name);
  Parser(state, *diags).parse(name, text);
  resolve_config(state, *diags);
}

}  // namespace

bool load_config_text(const std::string& name, const std::string& text, Config* config,
                      Diagnostics* diags) {
  size_t errors_before = diags->error_count();
  try {
    load(name, text, config, diags);
  } catch (const std::exception& e) {
    diags->error({name, 0, 0},
                 std::string("internal error while reading the configuration: ") + e.what());
  }
  return diags->error_count() == errors_before;
}

bool load_config_file(const std::string& path, Config* config, Diagnostics* diags) {
  std::string text, error;
  if (!read_text_file(path, &text, &error)) {
    diags->error({path, 0, 0}, "cannot read config file: " + error);
    return false;
  }
  return load_config_text(path, text, config, diags);
}

}  // namespace cfg
