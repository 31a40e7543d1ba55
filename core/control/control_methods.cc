#include "core/control/control_methods.h"

namespace core::control {

namespace {

using Clock = std::chrono::system_clock;

// Methods without parameters accept none, [] or {} (jsonrpcs clients send either).
void no_params(const char* method, const Json& params) {
  if (!params.is_null() && !params.empty())
    throw RpcError(kInvalidParams, std::string("invalid params: ") + method + " takes none");
}

// stats.get_statistics: [] or ["all"] for every counter, else name prefixes
// (["tls", "pool"]), as Kamailio's `stats.get_statistics tls:` selects a group.
std::vector<std::string> stats_groups(const Json& params) {
  std::vector<std::string> groups;
  if (params.is_null()) return groups;
  if (!params.is_array())
    throw RpcError(kInvalidParams, "invalid params: expected an array of names, like [\"all\"]");
  for (const auto& p : params) {
    if (!p.is_string() || p.get_ref<const std::string&>().empty())
      throw RpcError(kInvalidParams,
                     "invalid params: expected non-empty strings, found " + p.dump());
    std::string g = p.get<std::string>();
    if (!g.empty() && g.back() == ':') g.pop_back();  // Kamailio's `group:` form
    if (g == "all") return {};
    groups.push_back(g);
  }
  return groups;
}

bool selected(const std::string& name, const std::vector<std::string>& groups) {
  if (groups.empty()) return true;
  for (const auto& g : groups)
    if (name.starts_with(g)) return true;
  return false;
}

Json reload(ServerControl& control, ReloadScope scope) {
  ReloadResult r = control.reload(scope);
  if (!r.ok) {
    std::string message = "reload failed";
    if (!r.diagnostics.empty()) message += ": " + r.diagnostics.substr(0, r.diagnostics.find('\n'));
    throw RpcError(kReloadFailed, message, to_json(r));
  }
  return to_json(r);
}

void add_core_methods(JsonRpc& rpc, ServerControl& control, Clock::time_point started) {
  rpc.add("core.uptime", "seconds since ser started", [started](const Json& p) {
    no_params("core.uptime", p);
    auto now = Clock::now();
    return Json{
        {"now", Clock::to_time_t(now)},
        {"up_since", Clock::to_time_t(started)},
        {"uptime", std::chrono::duration_cast<std::chrono::seconds>(now - started).count()}};
  });
  rpc.add("core.ps", "the workers, their connections and pools", [&control](const Json& p) {
    no_params("core.ps", p);
    Json out = Json::array();
    for (const auto& w : control.workers()) out.push_back(to_json(w));
    return out;
  });
  rpc.add("core.tcp_list", "every TCP and TLS connection", [&control](const Json& p) {
    no_params("core.tcp_list", p);
    Json out = Json::array();
    for (const auto& c : control.connections()) out.push_back(to_json(c));
    return out;
  });
  rpc.add("core.reload", "re-read ser.cfg (route script and TLS) and swap it in",
          [&control](const Json& p) {
            no_params("core.reload", p);
            return reload(control, ReloadScope::kAll);
          });
  rpc.add("cfg.list", "the effective value of every global parameter", [&control](const Json& p) {
    no_params("cfg.list", p);
    Json out = Json::object();
    // listen and alias come once per value: a repeated name becomes an array of its values.
    for (const auto& [name, value] : control.parameters()) {
      if (!out.contains(name)) {
        out[name] = value;
        continue;
      }
      if (!out[name].is_array()) out[name] = Json::array({out[name]});
      out[name].push_back(value);
    }
    return out;
  });
  rpc.add("stats.get_statistics", "counters and gauges: [\"all\"] or name prefixes",
          [&control](const Json& p) {
            auto groups = stats_groups(p);
            Json out = Json::array();
            for (const auto& m : control.metrics())
              if (selected(m.name, groups)) out.push_back(to_json(m));
            return out;
          });
}

void add_tls_methods(JsonRpc& rpc, ServerControl& control) {
  rpc.add("tls.list", "every TLS connection", [&control](const Json& p) {
    no_params("tls.list", p);
    Json out = Json::array();
    for (const auto& c : control.connections())
      if (c.transport == "tls") out.push_back(to_json(c));
    return out;
  });
  rpc.add("tls.info", "TLS domains and their certificates", [&control](const Json& p) {
    no_params("tls.info", p);
    Json out = Json::array();
    for (const auto& d : control.tls_domains()) out.push_back(to_json(d));
    return out;
  });
  rpc.add("tls.reload", "re-read the TLS domains and their files and swap them in",
          [&control](const Json& p) {
            no_params("tls.reload", p);
            return reload(control, ReloadScope::kTlsOnly);
          });
}

void add_memory_methods(JsonRpc& rpc, ServerControl& control) {
  rpc.add("mem.stats", "the memory pools, the libraries' shares, the memory guard",
          [&control](const Json& p) {
            no_params("mem.stats", p);
            return to_json(control.memory());
          });
  rpc.add("core.shmmem", "the shared pool as Kamailio's core.shmmem shows it",
          [&control](const Json& p) {
            no_params("core.shmmem", p);
            return shmmem_json(control.memory());
          });
}

void add_system_methods(JsonRpc& rpc) {
  rpc.add("system.listMethods", "the names of every method", [&rpc](const Json& p) {
    no_params("system.listMethods", p);
    Json out = Json::array();
    for (const auto& [name, help] : rpc.methods()) out.push_back(name);
    return out;
  });
  rpc.add("system.methodHelp", "what a method does: [\"name\"]", [&rpc](const Json& p) {
    if (!p.is_array() || p.size() != 1 || !p[0].is_string())
      throw RpcError(kInvalidParams, "invalid params: expected [\"method name\"]");
    auto all = rpc.methods();
    auto it = all.find(p[0].get<std::string>());
    if (it == all.end())
      throw RpcError(kInvalidParams, "invalid params: no method " + p[0].get<std::string>());
    return Json(it->second);
  });
}

}  // namespace

void add_control_methods(JsonRpc& rpc, ServerControl& control, Clock::time_point started) {
  add_core_methods(rpc, control, started);
  add_tls_methods(rpc, control);
  add_memory_methods(rpc, control);
  add_system_methods(rpc);
}

Json to_json(const ConnectionInfo& c) {
  Json j = {{"id", c.id},
            {"transport", c.transport},
            {"local", c.local},
            {"peer", c.peer},
            {"outbound", c.outbound},
            {"state", c.state},
            {"worker", c.worker},
            {"age", c.age_seconds},
            {"bytes_in", c.bytes_in},
            {"bytes_out", c.bytes_out}};
  if (c.transport == "tls") {
    j["domain"] = c.domain;
    j["sni"] = c.sni;
    j["version"] = c.version;
    j["cipher"] = c.cipher;
    j["peer_subject"] = c.peer_subject;
    j["peer_not_after"] = c.peer_not_after;
    j["peer_verified"] = c.peer_verified;
  }
  return j;
}

Json to_json(const WorkerInfo& w) {
  return Json{{"index", w.index},
              {"answered", w.answered},
              {"connections", w.connections},
              {"pool_in_use", w.pool_in_use},
              {"pool_peak", w.pool_peak},
              {"pool_budget", w.pool_budget}};
}

Json to_json(const DomainInfo& d) {
  return Json{
      {"name", d.name},           {"kind", d.kind},     {"certificate_file", d.certificate_file},
      {"subject", d.subject},     {"sans", d.sans},     {"not_after", d.not_after},
      {"days_left", d.days_left}, {"expiry", d.expiry}, {"verify_peer", d.verify_peer}};
}

Json to_json(const Metric& m) {
  Json labels = Json::object();
  for (const auto& [k, v] : m.labels) labels[k] = v;
  return Json{{"name", m.name},
              {"labels", labels},
              {"value", m.value},
              {"type", m.counter ? "counter" : "gauge"},
              {"help", m.help}};
}

Json to_json(const ReloadResult& r) {
  return Json{{"ok", r.ok},
              {"generation", r.generation},
              {"changed", r.changed},
              {"restart_required", r.restart_required},
              {"diagnostics", r.diagnostics}};
}

Json to_json(const MemoryInfo& m) {
  Json pools = Json::array();
  for (const auto& p : m.pools) {
    Json j = {{"name", p.name}};
    if (p.worker >= 0) j["worker"] = p.worker;
    j.update({{"in_use", p.in_use},
              {"peak", p.peak},
              {"budget", p.budget},
              {"allocations", p.allocations},
              {"failures", p.failures}});
    pools.push_back(std::move(j));
  }
  return Json{{"pools", std::move(pools)},
              {"openssl_in_use", m.openssl_in_use},
              {"libevent_in_use", m.libevent_in_use},
              {"tls_connections", m.tls_connections},
              {"avg_tls_connection_bytes", m.avg_tls_connection_bytes},
              {"guard",
               {{"high_water", m.high_water},
                {"low_water", m.low_water},
                {"refusing", m.refusing},
                {"refused_connections", m.refused_connections},
                {"refused_handshakes", m.refused_handshakes}}},
              {"allocation_drops", m.allocation_drops}};
}

// Without a budget (0) total and free are 0. The allocator does not report fragments.
Json shmmem_json(const MemoryInfo& m) {
  PoolInfo shm;
  for (const auto& p : m.pools)
    if (p.name == "shm") shm = p;
  uint64_t free = shm.budget > shm.in_use ? shm.budget - shm.in_use : 0;
  return Json{{"total", shm.budget},     {"free", free},         {"used", shm.in_use},
              {"real_used", shm.in_use}, {"max_used", shm.peak}, {"fragments", 0}};
}

}  // namespace core::control
