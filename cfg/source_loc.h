#pragma once
// Where a piece of configuration came from: every diagnostic names it.
#include <string>

namespace cfg {

struct SourceLoc {
  std::string file;  // path as given (include_file paths resolved relative to the includer)
  int line = 0;      // 1-based; 0 = no position (e.g. a command-line option)
  int col = 0;       // 1-based column of the first character

  std::string to_string() const;  // "file:line:col", "file" or "" when unknown
};

}  // namespace cfg
