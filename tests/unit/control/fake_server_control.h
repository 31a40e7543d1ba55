#pragma once
// A ServerControl with canned answers, for the control socket's tests.
#include <atomic>

#include "core/control/server_control.h"

namespace core::control::testing {

class FakeServerControl : public ServerControl {
 public:
  ReloadResult reload(ReloadScope scope) override {
    ++reloads;
    last_scope = scope;
    return next_reload;
  }
  std::vector<Metric> metrics() override {
    return {{"tls_handshakes", {{"result", "ok"}}, 12, true, "TLS handshakes done"},
            {"tls_handshakes", {{"result", "failed"}}, 3, true, "TLS handshakes done"},
            {"pool_shm_bytes", {}, 4096, false, "shared pool in use"}};
  }
  std::vector<ConnectionInfo> connections() override {
    ConnectionInfo tcp;
    tcp.id = 1;
    tcp.transport = "tcp";
    tcp.local = "127.0.0.1:5060";
    tcp.peer = "127.0.0.1:40000";
    tcp.state = "open";
    ConnectionInfo tls = tcp;
    tls.id = 2;
    tls.transport = "tls";
    tls.local = "127.0.0.1:5061";
    tls.sni = "sip.example.org";
    tls.version = "TLSv1.3";
    tls.cipher = "TLS_AES_256_GCM_SHA384";
    tls.peer_subject = "CN=phone\xff";  // not UTF-8: must not break the answer
    return {tcp, tls};
  }
  std::vector<WorkerInfo> workers() override {
    WorkerInfo busy;
    busy.index = 0;
    busy.connections = 2;
    busy.pool_in_use = 100;
    busy.pool_peak = 200;
    busy.pool_budget = 1000;
    WorkerInfo idle;
    idle.index = 1;
    idle.pool_budget = 1000;
    return {busy, idle};
  }
  std::vector<DomainInfo> tls_domains() override {
    DomainInfo d;
    d.name = "default server domain";
    d.kind = "server";
    d.subject = "CN=sip.example.org";
    d.sans = {"DNS:sip.example.org"};
    d.not_after = 1900000000;
    d.days_left = 42.5;
    return {d};
  }
  MemoryInfo memory() override {
    MemoryInfo m;
    m.pools.push_back({"shm", -1, 4096, 8192, 1 << 20, 10, 0});
    m.pools.push_back({"pkg", 0, 100, 200, 1000, 5, 1});
    m.openssl_in_use = 2048;
    m.libevent_in_use = 512;
    m.tls_connections = 1;
    m.avg_tls_connection_bytes = 2560;
    m.high_water = 943718;
    m.low_water = 838860;
    m.refusing = refusing;
    m.refused_connections = 7;
    m.refused_handshakes = 2;
    m.allocation_drops = 3;
    return m;
  }
  std::vector<std::pair<std::string, std::string>> parameters() override {
    return {{"children", "4"}, {"ctl_socket", "unix:/run/ser/ser.ctl"}};
  }

  ReloadResult next_reload{true, "", {}, {"tls domains"}, 2};
  bool refusing = true;
  std::atomic<int> reloads{0};
  ReloadScope last_scope = ReloadScope::kAll;
};

}  // namespace core::control::testing
