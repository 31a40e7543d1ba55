#pragma once
// Errors and warnings collected while reading configuration. The config path may report
// many problems in one run; each renders as `file:line:col: error: message`.
#include <iosfwd>
#include <string>
#include <vector>

#include "cfg/source_loc.h"

namespace cfg {

enum class Severity { kError, kWarning, kNote };

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string message;

  std::string to_string() const;  // "file:line:col: error: message"
};

class Diagnostics {
 public:
  void error(const SourceLoc& loc, std::string message);
  void warning(const SourceLoc& loc, std::string message);
  void note(const SourceLoc& loc, std::string message);

  bool has_errors() const { return error_count_ > 0; }
  size_t error_count() const { return error_count_; }
  const std::vector<Diagnostic>& all() const { return items_; }
  // First error's text (tests and one-line messages); "" when none.
  std::string first_error() const;
  void print(std::ostream& out) const;

 private:
  std::vector<Diagnostic> items_;
  size_t error_count_ = 0;
};

}  // namespace cfg
