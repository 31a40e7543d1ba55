#pragma once
// Reading whole configuration files.
#include <string>

namespace cfg {

// Reads `path` into `text`. On failure `error` says why ("No such file or directory").
bool read_text_file(const std::string& path, std::string* text, std::string* error);

}  // namespace cfg
