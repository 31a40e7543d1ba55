#include "cfg/diagnostics.h"

#include <ostream>

namespace cfg {

std::string SourceLoc::to_string() const {
  if (file.empty()) return {};
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

static const char* severity_name(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

std::string Diagnostic::to_string() const {
  std::string where = loc.to_string();
  std::string out = where.empty() ? std::string() : where + ": ";
  return out + severity_name(severity) + ": " + message;
}

void Diagnostics::error(const SourceLoc& loc, std::string message) {
  items_.push_back({Severity::kError, loc, std::move(message)});
  ++error_count_;
}

void Diagnostics::warning(const SourceLoc& loc, std::string message) {
  items_.push_back({Severity::kWarning, loc, std::move(message)});
}

void Diagnostics::note(const SourceLoc& loc, std::string message) {
  items_.push_back({Severity::kNote, loc, std::move(message)});
}

std::string Diagnostics::first_error() const {
  for (const auto& d : items_)
    if (d.severity == Severity::kError) return d.to_string();
  return {};
}

void Diagnostics::print(std::ostream& out) const {
  for (const auto& d : items_) out << d.to_string() << '\n';
}

}  // namespace cfg
