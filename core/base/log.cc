// The syslog priorities, read before core/base/log.h takes their macro names.
#include <syslog.h>
namespace {
constexpr int kSyslogErr = LOG_ERR;
constexpr int kSyslogWarning = LOG_WARNING;
constexpr int kSyslogNotice = LOG_NOTICE;
constexpr int kSyslogInfo = LOG_INFO;
constexpr int kSyslogDebug = LOG_DEBUG;
}  // namespace

#include "core/base/log.h"

#include <unistd.h>

#include <cassert>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace core {
namespace log_detail {
std::atomic<int> g_level{static_cast<int>(LogLevel::kNotice)};
}

namespace {

std::atomic<bool> g_stderr{true};
std::mutex g_sink_mu;
LogSink g_sink;
std::atomic<bool> g_has_sink{false};

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kNotice:
      return "NOTICE";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kDebug:
      return "DEBUG";
  }
  return "?";
}

int syslog_priority(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return kSyslogErr;
    case LogLevel::kWarning:
      return kSyslogWarning;
    case LogLevel::kNotice:
      return kSyslogNotice;
    case LogLevel::kInfo:
      return kSyslogInfo;
    case LogLevel::kDebug:
      return kSyslogDebug;
  }
  return kSyslogInfo;
}

}  // namespace

void log_init(int level, bool to_stderr, const char* ident) {
  log_set_level(level);
  g_stderr.store(to_stderr);
  if (!to_stderr) openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(int level) {
  if (level < 0) level = 0;
  if (level > 4) level = 4;
  log_detail::g_level.store(level, std::memory_order_relaxed);
}

int log_level() {
  return log_detail::g_level.load(std::memory_order_relaxed);
}

void log_set_sink(LogSink sink) {
  std::lock_guard<std::mutex> lock(g_sink_mu);
  g_sink = std::move(sink);
  g_has_sink.store(static_cast<bool>(g_sink));
}

// ---- LogThrottle ----

namespace {
std::mutex g_throttles_mu;
LogThrottle* g_throttles = nullptr;  // guarded by g_throttles_mu

// 1234567 -> "1,234,567": a summary is read by a person.
void with_commas(uint64_t n, char* out, size_t cap) {
  char digits[32];
  int len = std::snprintf(digits, sizeof(digits), "%llu", static_cast<unsigned long long>(n));
  size_t o = 0;
  for (int i = 0; i < len && o + 2 < cap; ++i) {
    if (i > 0 && (len - i) % 3 == 0) out[o++] = ',';
    out[o++] = digits[i];
  }
  out[o] = '\0';
}
}  // namespace

LogThrottle::LogThrottle(int64_t window_ms, uint32_t burst, const char* what)
    : window_ms_(window_ms), burst_(burst == 0 ? 1 : burst), what_(what) {
  std::lock_guard<std::mutex> lock(g_throttles_mu);
  next_ = g_throttles;
  if (next_ != nullptr) next_->prev_ = this;
  g_throttles = this;
}

LogThrottle::~LogThrottle() {
  std::lock_guard<std::mutex> lock(g_throttles_mu);
  if (prev_ != nullptr) prev_->next_ = next_;
  if (next_ != nullptr) next_->prev_ = prev_;
  if (g_throttles == this) g_throttles = next_;
}

int64_t LogThrottle::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool LogThrottle::allow(LogLevel level) {
  int64_t now = now_ms();
  int64_t start = window_start_.load(std::memory_order_relaxed);
  if (now - start >= window_ms_ &&
      window_start_.compare_exchange_strong(start, now, std::memory_order_relaxed)) {
    // This thread opened a new window: it reports the last one's held-back lines first.
    in_window_.store(0, std::memory_order_relaxed);
    uint64_t held = suppressed_.exchange(0, std::memory_order_relaxed);
    if (held > 0) summarise(held, start, now);
  }
  if (in_window_.fetch_add(1, std::memory_order_relaxed) < burst_) return true;
  suppressed_.fetch_add(1, std::memory_order_relaxed);
  int worst = worst_level_.load(std::memory_order_relaxed);
  while (static_cast<int>(level) < worst &&
         !worst_level_.compare_exchange_weak(worst, static_cast<int>(level),
                                             std::memory_order_relaxed)) {
  }
  return false;
}

void LogThrottle::flush(bool now_anyway) {
  int64_t now = now_ms();
  int64_t start = window_start_.load(std::memory_order_relaxed);
  if (!now_anyway && now - start < window_ms_) return;
  uint64_t held = suppressed_.exchange(0, std::memory_order_relaxed);
  if (held > 0) summarise(held, start, now);
}

void LogThrottle::summarise(uint64_t n, int64_t window_start, int64_t now) {
  auto level = static_cast<LogLevel>(
      worst_level_.exchange(static_cast<int>(LogLevel::kDebug), std::memory_order_relaxed));
  if (!log_enabled(level)) return;
  int64_t span = now - window_start < window_ms_ ? now - window_start : window_ms_;
  long long secs = static_cast<long long>((span + 999) / 1000);
  char count[40];
  with_commas(n, count, sizeof(count));
  log_write(level, nullptr, "%s: and %s more in the last %lld s (not logged one by one)",
            what_ != nullptr ? what_ : "similar lines", count, secs > 0 ? secs : 1);
}

void LogThrottle::flush_all(bool now_anyway) {
  std::lock_guard<std::mutex> lock(g_throttles_mu);
  for (LogThrottle* t = g_throttles; t != nullptr; t = t->next_) t->flush(now_anyway);
}

// ---- escaping ----

namespace {

// Length of the well-formed UTF-8 sequence at s[0] that is safe to show (not a C1 control, not
// U+2028/U+2029, which some viewers take as line breaks); 0 when it is neither.
size_t utf8_printable(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) && !(c == 0xC2 && b(1) < 0xA0) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F)) return 0;  // overlong, surrogate
    if (c == 0xE2 && b(1) == 0x80 && (b(2) == 0xA8 || b(2) == 0xA9)) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F)) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

size_t escape_for_log(std::string_view text, char* out, size_t cap) {
  assert(out != nullptr && cap > 4);
  static const char kHex[] = "0123456789abcdef";
  size_t o = 0;
  size_t limit = cap - 4;  // room for "..." and the NUL
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t keep = c >= 0x20 && c < 0x7F ? 1 : c >= 0x80 ? utf8_printable(text.substr(i)) : 0;
    size_t need = keep > 0 ? (c == '\\' ? 2 : keep) : 4;
    if (o + need > limit) {
      std::memcpy(out + o, "...", 3);
      o += 3;
      break;
    }
    if (c == '\\') {
      out[o++] = '\\';
      out[o++] = '\\';
    } else if (keep > 0) {
      std::memcpy(out + o, text.data() + i, keep);
      o += keep;
    } else {
      out[o++] = '\\';
      out[o++] = 'x';
      out[o++] = kHex[c >> 4];
      out[o++] = kHex[c & 0xF];
    }
    i += keep > 0 ? keep : 1;
  }
  out[o] = '\0';
  return o;
}

LogEscaped::LogEscaped(std::string_view text) : size_(escape_for_log(text, buf_, kCapacity)) {}

namespace {

// The last guard of one line per call: control bytes left in a formatted line become \xNN
// (into `out`, of the same capacity; what does not fit is cut).
size_t escape_controls(const char* line, size_t n, char* out, size_t cap) {
  static const char kHex[] = "0123456789abcdef";
  size_t o = 0;
  for (size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    bool control = c < 0x20 || c == 0x7F;
    if (o + (control ? 4 : 1) > cap - 1) break;
    if (!control) {
      out[o++] = static_cast<char>(c);
      continue;
    }
    out[o++] = '\\';
    out[o++] = 'x';
    out[o++] = kHex[c >> 4];
    out[o++] = kHex[c & 0xF];
  }
  return o;
}

bool has_controls(const char* line, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

}  // namespace

void log_write(LogLevel level, const char* prefix, const char* fmt, ...) {
  // One stack buffer, one write: lines are atomic with respect to other threads (stderr writes
  // under PIPE_BUF are not split; syslog() sends one datagram).
  char line[1024];
  int n = std::snprintf(line, sizeof(line), "%s: %s%s", level_name(level), prefix ? prefix : "",
                        prefix ? " " : "");
  if (n < 0) return;
  size_t used = static_cast<size_t>(n) < sizeof(line) ? static_cast<size_t>(n) : sizeof(line) - 1;
  va_list ap;
  va_start(ap, fmt);
  int m = std::vsnprintf(line + used, sizeof(line) - used, fmt, ap);
  va_end(ap);
  if (m > 0) used += static_cast<size_t>(m) < sizeof(line) - used ? m : sizeof(line) - used - 1;
  if (has_controls(line, used)) {
    char safe[sizeof(line)];
    used = escape_controls(line, used, safe, sizeof(safe));
    std::memcpy(line, safe, used);
    line[used] = '\0';
  }
  if (g_has_sink.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(g_sink_mu);
    if (g_sink) {
      g_sink(level, std::string_view(line, used));
      return;
    }
  }
  if (g_stderr.load(std::memory_order_relaxed)) {
    line[used < sizeof(line) - 1 ? used : sizeof(line) - 2] = '\n';
    ssize_t w = ::write(STDERR_FILENO, line, used < sizeof(line) - 1 ? used + 1 : sizeof(line) - 1);
    (void)w;
  } else {
    syslog(syslog_priority(level), "%s", line);
  }
}

}  // namespace core
