#pragma once
// Logging with SER's levels (0 error .. 4 debug) to syslog or, with -E, to stderr. The level is
// checked before any formatting, so a filtered line costs one load and a compare. Each line is
// written with one call, so lines of different threads never interleave. Lines of one connection
// carry one prefix, e.g. "[c#42 tcp 10.0.0.1:5060<-203.0.113.9:40000]".
// <syslog.h> names its priorities LOG_ERR, LOG_NOTICE, LOG_INFO, which are our macros: take it
// first and drop those three names, so that including both headers works in any order.
#include <syslog.h>
#undef LOG_ERR
#undef LOG_NOTICE
#undef LOG_INFO

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

namespace core {

enum class LogLevel : int { kError = 0, kWarning = 1, kNotice = 2, kInfo = 3, kDebug = 4 };

namespace log_detail {
extern std::atomic<int> g_level;
}

// to_stderr: -E; ident: the syslog ident ("ser"). Can be called again to change the settings.
void log_init(int level, bool to_stderr, const char* ident = "ser");
void log_set_level(int level);
int log_level();

inline bool log_enabled(LogLevel level) {
  return static_cast<int>(level) <= log_detail::g_level.load(std::memory_order_relaxed);
}

// Formats and writes one line; `prefix` may be null. Use the LOG_* macros, which check the level.
void log_write(LogLevel level, const char* prefix, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Limits a line that a peer can trigger at will (refused connections, framing errors) to one
// per `interval`, so an attack cannot flood the log; suppressed() says how many were dropped.
class LogThrottle {
 public:
  explicit LogThrottle(int64_t interval_ms = 1000) : interval_ms_(interval_ms) {}
  bool allow();
  uint64_t take_suppressed() { return suppressed_.exchange(0, std::memory_order_relaxed); }

 private:
  int64_t interval_ms_;
  std::atomic<int64_t> next_ms_{0};
  std::atomic<uint64_t> suppressed_{0};
};

// Tests capture lines here (called instead of syslog/stderr; the line has no trailing newline).
using LogSink = std::function<void(LogLevel, std::string_view)>;
void log_set_sink(LogSink sink);

}  // namespace core

#define SER_LOG(level, prefix, ...)                                                \
  do {                                                                             \
    if (::core::log_enabled(level)) ::core::log_write(level, prefix, __VA_ARGS__); \
  } while (0)
#define LOG_ERR(...) SER_LOG(::core::LogLevel::kError, nullptr, __VA_ARGS__)
#define LOG_WARN(...) SER_LOG(::core::LogLevel::kWarning, nullptr, __VA_ARGS__)
#define LOG_NOTICE(...) SER_LOG(::core::LogLevel::kNotice, nullptr, __VA_ARGS__)
#define LOG_INFO(...) SER_LOG(::core::LogLevel::kInfo, nullptr, __VA_ARGS__)
#define LOG_DBG(...) SER_LOG(::core::LogLevel::kDebug, nullptr, __VA_ARGS__)
