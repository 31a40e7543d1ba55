#include "core/script/regex.h"

namespace core::script {

std::unique_ptr<Regex> Regex::compile(const std::string& pattern, bool icase, std::string* error) {
  std::unique_ptr<Regex> re(new Regex());
  int flags = REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0);
  int rc = regcomp(&re->re_, pattern.c_str(), flags);
  if (rc != 0) {
    char buf[256];
    regerror(rc, &re->re_, buf, sizeof buf);
    *error = buf;
    return nullptr;  // regcomp leaves nothing to free on failure; compiled_ stays false
  }
  re->compiled_ = true;
  return re;
}

Regex::~Regex() {
  if (compiled_) regfree(&re_);
}

// The sanitizers' regexec interceptor (compiler-rt of clang 14 and GCC 12) checks the subject
// up to its NUL, ignoring REG_STARTEND, and reports a read past a view that glibc never does:
// sanitized builds match a NUL-terminated copy instead.
#if defined(__SANITIZE_ADDRESS__)
#define SER_REGEXEC_NEEDS_NUL 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SER_REGEXEC_NEEDS_NUL 1
#endif
#endif

bool Regex::matches(std::string_view text) const {
#if defined(REG_STARTEND) && !defined(SER_REGEXEC_NEEDS_NUL)
  // REG_STARTEND (glibc, BSD) bounds the subject by pmatch[0], so a string_view that is not
  // NUL-terminated is matched in place: no per-message copy.
  regmatch_t range[1];
  range[0].rm_so = 0;
  range[0].rm_eo = static_cast<regoff_t>(text.size());
  return regexec(&re_, text.data(), 1, range, REG_STARTEND) == 0;
#else
  thread_local std::string copy;
  copy.assign(text);
  return regexec(&re_, copy.c_str(), 0, nullptr, 0) == 0;
#endif
}

}  // namespace core::script
