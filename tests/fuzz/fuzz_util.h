#pragma once
// Shared by the fuzz targets (tests/fuzz/*_fuzz.cc): checks that abort with a message (a
// libFuzzer crash, a failed replay test), quiet logging, and name lookups kept off the network.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/base/log.h"

namespace fuzz {

// An invariant of the code under test: when it does not hold the input is a finding.
#define FUZZ_CHECK(cond, ...)                                                       \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                            \
      std::fputc('\n', stderr);                                                     \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

// Every log line is formatted (the formatting is code under test too) and then dropped.
inline void quiet_logs() {
  core::log_init(4, true);
  core::log_set_sink([](core::LogLevel, std::string_view) {});
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits the input into pieces: each piece is preceded by one length byte (0 = the rest).
class Chunker {
 public:
  explicit Chunker(std::string_view data) : rest_(data) {}
  bool next(std::string_view& piece) {
    if (rest_.empty()) return false;
    size_t n = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    if (n == 0 || n > rest_.size()) n = rest_.size();
    piece = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return true;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace fuzz
