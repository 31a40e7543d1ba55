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
// A control byte that reaches it anyway (a call site that printed peer text raw) is written as
// \xNN: one call is one line, whatever the text held.
void log_write(LogLevel level, const char* prefix, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Limits lines that a peer can trigger at will (refused connections, failed handshakes,
// framing errors, timeouts): at most `burst` lines of one kind per `window`, so an attack
// cannot flood the log. What it holds back is summarised in one line per window, e.g.
// "tls handshake failed: and 1,234 more in the last 10 s": by the first line let through in
// the next window, by flush_all() (the main thread calls it every second) and at stop.
// Thread-safe (relaxed atomics); a few lines over the burst under a race are harmless.
class LogThrottle {
 public:
  // `what` names the kind of line in the summary; it must outlive the throttle.
  explicit LogThrottle(int64_t window_ms = 1000, uint32_t burst = 1, const char* what = nullptr);
  explicit LogThrottle(const char* what, int64_t window_ms = 10000, uint32_t burst = 10)
      : LogThrottle(window_ms, burst, what) {}
  ~LogThrottle();
  LogThrottle(const LogThrottle&) = delete;
  LogThrottle& operator=(const LogThrottle&) = delete;

  // True when a line of `level` may be written now; else it is counted for the summary.
  bool allow(LogLevel level = LogLevel::kWarning);
  // Takes the count held back, for a caller that reports it in its own line instead.
  uint64_t take_suppressed() { return suppressed_.exchange(0, std::memory_order_relaxed); }
  // Writes the summary line when the window is over (or `now_anyway`) and lines were held back.
  void flush(bool now_anyway = false);
  // flush() on every live throttle of the process.
  static void flush_all(bool now_anyway = false);

 private:
  static int64_t now_ms();
  void summarise(uint64_t n, int64_t window_start, int64_t now);

  int64_t window_ms_;
  uint32_t burst_;
  const char* what_;
  std::atomic<int64_t> window_start_{INT64_MIN / 2};
  std::atomic<uint32_t> in_window_{0};
  std::atomic<uint64_t> suppressed_{0};
  std::atomic<int> worst_level_{static_cast<int>(LogLevel::kDebug)};
  LogThrottle* prev_ = nullptr;  // the process-wide list flush_all() walks
  LogThrottle* next_ = nullptr;
};

// Peer-supplied text (an SNI, a certificate name, a SIP header value) made safe for one log
// line: printable ASCII and well-formed UTF-8 are kept, a backslash is doubled, and control
// bytes (CR, LF, NUL, ESC...), DEL and bytes that are not UTF-8 become \xNN. Longer text is cut
// with "...". Fixed size, no allocation: `LogEscaped sni(name); LOG_INFO("%s", sni.c_str());`
class LogEscaped {
 public:
  static constexpr size_t kCapacity = 256;
  explicit LogEscaped(std::string_view text);
  const char* c_str() const { return buf_; }
  std::string_view view() const { return {buf_, size_}; }

 private:
  char buf_[kCapacity];
  size_t size_ = 0;
};

// Writes `text` escaped as LogEscaped does into out[0, cap) (NUL-terminated, cap > 4); returns
// the length written.
size_t escape_for_log(std::string_view text, char* out, size_t cap);

// Tests capture lines here (called instead of syslog/stderr; the line has no trailing newline).
using LogSink = std::function<void(LogLevel, std::string_view)>;
void log_set_sink(LogSink sink);

}  // namespace core

#define SER_LOG(level, prefix, ...)                                                \
  do {                                                                             \
    if (::core::log_enabled(level)) ::core::log_write(level, prefix, __VA_ARGS__); \
  } while (0)
// A line a peer can trigger at will, through `throttle` (a LogThrottle of that kind of line).
#define SER_LOG_THROTTLED(throttle, level, prefix, ...)        \
  do {                                                         \
    if (::core::log_enabled(level) && (throttle).allow(level)) \
      ::core::log_write(level, prefix, __VA_ARGS__);           \
  } while (0)
#define LOG_ERR(...) SER_LOG(::core::LogLevel::kError, nullptr, __VA_ARGS__)
#define LOG_WARN(...) SER_LOG(::core::LogLevel::kWarning, nullptr, __VA_ARGS__)
#define LOG_NOTICE(...) SER_LOG(::core::LogLevel::kNotice, nullptr, __VA_ARGS__)
#define LOG_INFO(...) SER_LOG(::core::LogLevel::kInfo, nullptr, __VA_ARGS__)
#define LOG_DBG(...) SER_LOG(::core::LogLevel::kDebug, nullptr, __VA_ARGS__)
