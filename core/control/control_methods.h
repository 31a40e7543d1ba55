#pragma once
// The methods of the control socket: ServerControl's answers as JSON-RPC results. Names follow
// Kamailio's RPC commands where one exists (core.ps, core.tcp_list, tls.list, tls.info,
// tls.reload, stats.get_statistics, cfg.list, system.listMethods), so its tooling can talk to
// ser; README.md "serctl and the control socket" lists them with their results.
#include <chrono>

#include "core/control/json_rpc.h"
#include "core/control/server_control.h"

namespace core::control {

// Adds every method to `rpc`. `control` must outlive it; `started` is reported by core.uptime.
void add_control_methods(JsonRpc& rpc, ServerControl& control,
                         std::chrono::system_clock::time_point started);

// The JSON form of each struct, as the methods answer them (tests and serctl read these).
Json to_json(const ConnectionInfo& c);
Json to_json(const WorkerInfo& w);
Json to_json(const DomainInfo& d);
Json to_json(const Metric& m);
Json to_json(const ReloadResult& r);
Json to_json(const MemoryInfo& m);
// Kamailio's core.shmmem result for the shared pool (total, free, used, real_used, max_used,
// fragments), so its tooling reads ours.
Json shmmem_json(const MemoryInfo& m);

}  // namespace core::control
