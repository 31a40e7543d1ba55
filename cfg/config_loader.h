#pragma once
// Reads a ser.cfg file (with its include_file files and its tls_config INI file) into a
// checked Config. The route script is parsed here and judged by its compiler
// (core/script), which core/runtime.h runs next. All problems found are reported to `diags`; the
// result is usable only when `diags.has_errors()` is false.
#include <string>

#include "cfg/config_model.h"
#include "cfg/diagnostics.h"

namespace cfg {

// Reads the file `path`. Returns false when any error was reported.
bool load_config_file(const std::string& path, Config* config, Diagnostics* diags);

// Reads configuration text as if it came from file `name` (tests, `-` for stdin).
// include_file paths are resolved relative to the directory of `name`.
bool load_config_text(const std::string& name, const std::string& text, Config* config,
                      Diagnostics* diags);

}  // namespace cfg
