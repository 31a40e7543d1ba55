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

bool LogThrottle::allow() {
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  int64_t next = next_ms_.load(std::memory_order_relaxed);
  if (now >= next &&
      next_ms_.compare_exchange_strong(next, now + interval_ms_, std::memory_order_relaxed))
    return true;
  suppressed_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

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
