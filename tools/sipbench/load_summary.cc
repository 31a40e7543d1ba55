#include "tools/sipbench/load_summary.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace sipbench {

namespace {

double per_second(uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0;
}

double ms(uint64_t micros) {
  return static_cast<double>(micros) / 1000;
}

}  // namespace

bool rate_achieved(const Options& o, const RunStats& stats, const LoadTimes& times) {
  if (o.rate <= 0) return true;
  double expected = o.rate * times.run_s;
  double slack = std::max(expected * 0.01, o.rate * 0.002);
  return static_cast<double>(stats.load.sent) + slack >= expected;
}

void print_load_summary(std::ostream& out, const Options& o, const RunStats& stats,
                        const LoadTimes& times) {
  const LoadCounts& l = stats.load;
  char line[512];
  out << "sipbench options " << o.transport.name() << " " << o.target_text << "\n";
  std::snprintf(line, sizeof line,
                "  connections: %llu of %llu up, window %u%s\n"
                "  requests: %llu sent, %llu answered 2xx, %llu non-2xx, %llu lost\n"
                "  rate: %.1f answered per second over %.2f s (warm-up %.2f s)\n",
                static_cast<unsigned long long>(l.connections_up),
                static_cast<unsigned long long>(o.connections), o.window,
                o.transport == Transport::kUdp ? " (UDP sockets)" : "",
                static_cast<unsigned long long>(l.sent),
                static_cast<unsigned long long>(l.answered),
                static_cast<unsigned long long>(l.non_2xx), static_cast<unsigned long long>(l.lost),
                per_second(l.answered, times.run_s), times.run_s, times.warmup_s);
  out << line;
  if (o.rate > 0) {
    std::snprintf(line, sizeof line, "  offered: %.1f/s asked, %.1f/s sent: ", o.rate,
                  per_second(l.sent, times.run_s));
    out << line;
    if (rate_achieved(o, stats, times)) {
      out << "achieved\n";
    } else {
      out << "NOT ACHIEVED: "
          << (times.behind_ticks > 0
                  ? std::to_string(times.behind_ticks) +
                        " ticks found every connection with -w requests outstanding (the "
                        "answers come back slower than offered: raise -w or -c)"
                  : std::string("sipbench's timer ran late (short of CPU)"))
          << "; the latency below is not the latency at the offered rate\n";
    }
  }
  std::snprintf(line, sizeof line,
                "  latency (send to matching 2xx): p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, "
                "max %.3f ms\n"
                "  sipbench CPU: %.2f s in all, %.2f s in the counted run (%.0f answered per "
                "sipbench CPU-second)\n",
                ms(stats.latency.percentile(0.5)), ms(stats.latency.percentile(0.99)),
                ms(stats.latency.percentile(0.999)), ms(stats.latency.max()), times.cpu_s,
                times.run_cpu_s, per_second(l.answered, times.run_cpu_s));
  out << line;
  if (l.non_2xx > 0) out << "  first non-2xx status: " << l.first_non_2xx << "\n";
  print_errors(out, stats);
}

std::string load_json(const Options& o, const RunStats& stats, const LoadTimes& times) {
  const LoadCounts& l = stats.load;
  nlohmann::ordered_json j = {
      {"mode", "options"},
      {"transport", o.transport.name()},
      {"connections", o.connections},
      {"window", o.window},
      {"offered_rate", o.rate},
      {"sent", l.sent},
      {"answered", l.answered},
      {"non_2xx", l.non_2xx},
      {"lost", l.lost},
      {"rate_per_s", per_second(l.answered, times.run_s)},
      {"latency_us", latency_json(stats.latency)},
      {"errors", errors_json(stats)},
      {"connections_up", l.connections_up},
      {"run_s", times.run_s},
      {"cpu_s", times.cpu_s},
      {"run_cpu_s", times.run_cpu_s},
      {"answered_per_cpu_s", per_second(l.answered, times.run_cpu_s)},
      {"sent_rate_per_s", per_second(l.sent, times.run_s)},
      {"rate_achieved", rate_achieved(o, stats, times)},
      {"window_full_ticks", times.behind_ticks},
      {"warmup_s", times.warmup_s},
      {"target", o.target_text},
      {"tls_version", tls_version_name(o.tls_version)},
  };
  return j.dump();
}

bool load_clean(const Options& o, const RunStats& stats) {
  return stats.load.connections_up == o.connections && stats.load.lost == 0 &&
         stats.load.non_2xx == 0 && stats.error_total() == 0;
}

}  // namespace sipbench
