#pragma once
// A POSIX extended regex compiled once at load (regcomp), matched per message without copying.
#include <regex.h>

#include <memory>
#include <string>
#include <string_view>

namespace core::script {

class Regex {
 public:
  // REG_EXTENDED|REG_NOSUB, plus REG_ICASE when icase. nullptr and *error set when it does
  // not compile.
  static std::unique_ptr<Regex> compile(const std::string& pattern, bool icase, std::string* error);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // True when the pattern matches somewhere in text (unanchored, like SER's `=~`).
  bool matches(std::string_view text) const;

 private:
  Regex() = default;
  regex_t re_;
  bool compiled_ = false;
};

}  // namespace core::script
