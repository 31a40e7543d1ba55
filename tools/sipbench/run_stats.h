#pragma once
// What a run counted, and its summary: a text block for people and one JSON line for scripts.
#include <array>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

#include "tools/sipbench/latency.h"
#include "tools/sipbench/options.h"

namespace sipbench {

enum class ErrorKind : uint8_t {
  kConnectRefused,   // ECONNREFUSED: nothing listens
  kConnectFailed,    // any other connect error (unreachable, no port to bind...)
  kReset,            // ECONNRESET/EPIPE, or closed by the server before the answer
  kHandshakeFailed,  // the TLS handshake failed (alert, verification)
  kTimeout,          // connect, handshake or answer not done within --timeout
  kBadResponse,      // an answer that is not a 2xx to our request, or broken framing
  kClosedWhileHeld,  // idle: the server closed a connection that was up and answered
  kFdLimit,          // no file descriptor left (RLIMIT_NOFILE)
  kUnmatched,        // options: a response to no outstanding request (late, duplicate, foreign)
  kBadFraming,       // options: a stream that cannot be framed, or a datagram that is no response
  kCount,
};
inline constexpr size_t kErrorKinds = static_cast<size_t>(ErrorKind::kCount);
const char* error_kind_name(ErrorKind kind);

// The options mode's requests; what was sent in the counted run ends as exactly one of
// answered, non_2xx or lost.
struct LoadCounts {
  uint64_t sent = 0;
  uint64_t answered = 0;  // a matching 2xx
  uint64_t non_2xx = 0;   // a matching final response of 300 or more
  uint64_t lost = 0;      // no final response within --timeout (or its connection closed)
  int first_non_2xx = 0;  // its status, for the summary
  uint64_t connections_up = 0;
};

struct RunStats {
  uint64_t started = 0;    // connections attempted
  uint64_t succeeded = 0;  // set up (handshake, and the answer when one was asked for)
  uint64_t resumed = 0;    // successes on a resumed TLS session
  uint64_t failed = 0;     // ended by one of the errors (kClosedWhileHeld is not a failure)
  uint64_t held = 0;       // idle: up now
  uint64_t max_held = 0;
  std::array<uint64_t, kErrorKinds> errors{};
  std::array<std::string, kErrorKinds> first_error;  // the first one's text, for the summary
  Latency latency;  // µs: setup time of each success; options: each answered request's
  LoadCounts load;  // options

  // `text` is copied for the first of its kind only.
  void count_error(ErrorKind kind, std::string_view text);
  // Every kind's count together.
  uint64_t error_total() const;
};

struct RunTimes {
  double wall_seconds = 0;   // from the first connect to the end of setup (rate's divisor)
  double total_seconds = 0;  // the whole run, holding included
  double cpu_seconds = 0;    // sipbench's own (user + system)
};

// sipbench's own CPU time so far (user + system, every thread), from getrusage.
double own_cpu_seconds();
// From `a` to `b` in seconds.
inline double seconds_between(std::chrono::steady_clock::time_point a,
                              std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

void print_summary(std::ostream& out, const Options& options, RunStats& stats,
                   const RunTimes& times);
// "  error KIND: N (first: TEXT)", one line per kind that happened.
void print_errors(std::ostream& out, const RunStats& stats);
// {"connect_refused":N, ...}: every kind, for the JSON lines.
nlohmann::ordered_json errors_json(const RunStats& stats);
// {"p50":..,"p99":..,"p999":..,"max":..} in µs, for the JSON lines.
nlohmann::ordered_json latency_json(const Latency& latency);
// One line, no newline: {"mode":..., "succeeded":..., "errors":{...}, "latency_us":{...}, ...}
std::string summary_json(const Options& options, RunStats& stats, const RunTimes& times);

}  // namespace sipbench
