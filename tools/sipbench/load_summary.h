#pragma once
// The options mode's summary: a text block for people and the one JSON line for scripts
// ({"mode":"options","transport":..,"connections":C,"window":W,"offered_rate":R,"sent":N,
// "answered":N,"non_2xx":N,"lost":N,"rate_per_s":X,"latency_us":{..},"errors":{..},
// "connections_up":N,"run_s":S,"cpu_s":S, ...}).
#include <ostream>
#include <string>

#include "tools/sipbench/load_run.h"
#include "tools/sipbench/options.h"
#include "tools/sipbench/run_stats.h"

namespace sipbench {

// With --rate: whether what was sent in the counted run is the offered rate (within 1 %, and a
// tick's worth): a load tool that fell behind says so instead of printing a latency it did not
// measure at that load.
bool rate_achieved(const Options& options, const RunStats& stats, const LoadTimes& times);

void print_load_summary(std::ostream& out, const Options& options, const RunStats& stats,
                        const LoadTimes& times);
std::string load_json(const Options& options, const RunStats& stats, const LoadTimes& times);

// Exit status 0 only when every connection came up and every request counted got its 2xx.
bool load_clean(const Options& options, const RunStats& stats);

}  // namespace sipbench
