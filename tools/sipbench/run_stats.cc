#include "tools/sipbench/run_stats.h"

#include <sys/resource.h>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace sipbench {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConnectRefused:
      return "connect_refused";
    case ErrorKind::kConnectFailed:
      return "connect_failed";
    case ErrorKind::kReset:
      return "reset";
    case ErrorKind::kHandshakeFailed:
      return "handshake_failed";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kBadResponse:
      return "bad_response";
    case ErrorKind::kClosedWhileHeld:
      return "closed_while_held";
    case ErrorKind::kFdLimit:
      return "fd_limit";
    case ErrorKind::kUnmatched:
      return "unmatched";
    case ErrorKind::kBadFraming:
      return "bad_framing";
    case ErrorKind::kCount:
      break;
  }
  return "?";
}

double own_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

void RunStats::count_error(ErrorKind kind, std::string_view text) {
  auto i = static_cast<size_t>(kind);
  if (errors[i]++ == 0) first_error[i] = text;
  if (kind != ErrorKind::kClosedWhileHeld) ++failed;
}

uint64_t RunStats::error_total() const {
  uint64_t total = 0;
  for (uint64_t e : errors) total += e;
  return total;
}

namespace {

double rate(const RunStats& stats, const RunTimes& times) {
  return times.wall_seconds > 0 ? static_cast<double>(stats.succeeded) / times.wall_seconds : 0;
}

}  // namespace

void print_errors(std::ostream& out, const RunStats& stats) {
  for (size_t i = 0; i < kErrorKinds; ++i) {
    if (stats.errors[i] == 0) continue;
    out << "  error " << error_kind_name(static_cast<ErrorKind>(i)) << ": " << stats.errors[i]
        << " (first: " << stats.first_error[i] << ")\n";
  }
}

void print_summary(std::ostream& out, const Options& o, RunStats& stats, const RunTimes& times) {
  char line[256];
  out << "sipbench " << mode_name(o.mode) << " " << o.transport.name() << " " << o.target_text
      << "\n";
  std::snprintf(line, sizeof line,
                "  connections: %llu started, %llu succeeded (%llu resumed), %llu failed\n",
                static_cast<unsigned long long>(stats.started),
                static_cast<unsigned long long>(stats.succeeded),
                static_cast<unsigned long long>(stats.resumed),
                static_cast<unsigned long long>(stats.failed));
  out << line;
  if (o.mode == Mode::kIdle)
    out << "  held: " << stats.max_held << " at most, " << stats.held << " at the end\n";
  std::snprintf(line, sizeof line,
                "  rate: %.1f set up per second over %.2f s (run %.2f s)\n"
                "  setup latency: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms\n"
                "  sipbench CPU: %.2f s\n",
                rate(stats, times), times.wall_seconds, times.total_seconds,
                static_cast<double>(stats.latency.percentile(0.5)) / 1000,
                static_cast<double>(stats.latency.percentile(0.99)) / 1000,
                static_cast<double>(stats.latency.percentile(0.999)) / 1000,
                static_cast<double>(stats.latency.max()) / 1000, times.cpu_seconds);
  out << line;
  print_errors(out, stats);
}

nlohmann::ordered_json errors_json(const RunStats& stats) {
  nlohmann::ordered_json errors = nlohmann::ordered_json::object();
  for (size_t i = 0; i < kErrorKinds; ++i)
    errors[error_kind_name(static_cast<ErrorKind>(i))] = stats.errors[i];
  return errors;
}

nlohmann::ordered_json latency_json(const Latency& latency) {
  return {{"p50", latency.percentile(0.5)},
          {"p99", latency.percentile(0.99)},
          {"p999", latency.percentile(0.999)},
          {"max", latency.max()}};
}

std::string summary_json(const Options& o, RunStats& stats, const RunTimes& times) {
  nlohmann::ordered_json j = {
      {"mode", mode_name(o.mode)},
      {"transport", o.transport.name()},
      {"tls_version", tls_version_name(o.tls_version)},
      {"target", o.target_text},
      {"requested", o.mode == Mode::kIdle ? o.connections : o.total},
      {"started", stats.started},
      {"succeeded", stats.succeeded},
      {"resumed", stats.resumed},
      {"failed", stats.failed},
      {"held_max", stats.max_held},
      {"held_end", stats.held},
      {"errors", errors_json(stats)},
      {"rate_per_s", rate(stats, times)},
      {"latency_us", latency_json(stats.latency)},
      {"setup_s", times.wall_seconds},
      {"run_s", times.total_seconds},
      {"cpu_s", times.cpu_seconds},
  };
  return j.dump();
}

}  // namespace sipbench
