// TEMPORARY STUB (skeleton): replaced by the real loader.
#include "cfg/config_loader.h"

namespace cfg {

bool load_config_file(const std::string& path, Config* config, Diagnostics* diags) {
  (void)config;
  diags->error({path, 0, 0}, "config loader not implemented yet");
  return false;
}

bool load_config_text(const std::string& name, const std::string&, Config*, Diagnostics* diags) {
  diags->error({name, 0, 0}, "config loader not implemented yet");
  return false;
}

}  // namespace cfg
