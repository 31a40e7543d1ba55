#pragma once
// What the stateless proxy needs from the rest of the core: a way to send, its settings, and
// the counters it keeps.
#include <atomic>
#include <cstdint>
#include <string_view>

#include "core/base/log.h"
#include "core/dns/worker_dns.h"
#include "core/net/net.h"
#include "core/proxy/conn_tag.h"
#include "core/proxy/flow_token.h"
#include "core/proxy/local_sockets.h"

namespace core::proxy {

// The sending side of core::net::Net, as an interface so the proxy can be tested without
// sockets.
class Sender {
 public:
  virtual ~Sender() = default;
  // identity: for TLS, the client domain and the name to send as SNI and to check in the peer's
  // certificate (core/net/tls_identity.h); default: chosen by the destination's address.
  // connect_token: see core::net::Net::send (kConnecting, ConnectObserver).
  virtual core::net::SendResult send(core::Transport t, const core::net::SocketAddr& dst,
                                     std::string_view data, uint64_t conn_hint, int listener_hint,
                                     const core::net::TlsIdentity& identity = {},
                                     uint64_t connect_token = 0) = 0;
  // Sends over connection `conn_id` and no other (an RFC 5626 flow): never a new connection.
  // kFailed when that connection is gone.
  virtual core::net::SendResult send_flow(core::Transport t, uint64_t conn_id,
                                          std::string_view data) {
    (void)t;
    (void)conn_id;
    (void)data;
    return core::net::SendResult::kFailed;
  }
  // RFC 5923: connection `conn_id` is reachable at `alias` too (sends naming `server_name`).
  virtual void add_alias(core::Transport t, uint64_t conn_id, const core::net::SocketAddr& alias,
                         std::string_view server_name) {
    (void)t;
    (void)conn_id;
    (void)alias;
    (void)server_name;
  }
};

class NetSender : public Sender {
 public:
  void attach(core::net::Net* net) { net_ = net; }
  core::net::SendResult send(core::Transport t, const core::net::SocketAddr& dst,
                             std::string_view data, uint64_t conn_hint, int listener_hint,
                             const core::net::TlsIdentity& identity = {},
                             uint64_t connect_token = 0) override {
    if (!net_) return core::net::SendResult::kFailed;
    return net_->send(t, dst, data, conn_hint, listener_hint, identity, connect_token);
  }
  core::net::SendResult send_flow(core::Transport t, uint64_t conn_id,
                                  std::string_view data) override {
    if (!net_) return core::net::SendResult::kFailed;
    return net_->send_on_connection(t, conn_id, data);
  }
  void add_alias(core::Transport t, uint64_t conn_id, const core::net::SocketAddr& alias,
                 std::string_view server_name) override {
    if (net_) net_->add_alias(t, conn_id, alias, server_name);
  }

 private:
  core::net::Net* net_ = nullptr;
};

struct ProxySettings {
  int workers = 1;  // the workers that deliver messages (each caches the route script)
  size_t max_message_size = 65535;
  int default_max_forwards = 70;  // RFC 3261 §16.6 step 3
  bool accept_aliases = false;    // tcp_accept_aliases: honour the Via's `alias` (RFC 5923)
  core::dns::DnsSettings dns;     // dns_servers, dns_timeout, dns_retries, dns_cache_size
  size_t dns_max_pending = 1024;  // requests held per worker (waiting for DNS or a connect)
};

struct ProxyStats {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> responses{0};
  std::atomic<uint64_t> forwarded{0};
  std::atomic<uint64_t> replies_forwarded{0};
  std::atomic<uint64_t> local_replies{0};
  std::atomic<uint64_t> bad_requests{0};      // answered 4xx/5xx by the parser's verdict
  std::atomic<uint64_t> bad_dropped{0};       // malformed and not answerable: dropped
  std::atomic<uint64_t> not_ours{0};          // replies whose top Via is not ours
  std::atomic<uint64_t> forged_conn_tags{0};  // replies whose ;i= does not verify
  std::atomic<uint64_t> send_failed{0};
  std::atomic<uint64_t> script_dropped{0};
  // RFC 5626 flows: requests sent back over the flow their Route's token names, requests
  // answered 430 because that flow is gone, and tokens that did not verify (answered 403).
  std::atomic<uint64_t> flow_routed{0};
  std::atomic<uint64_t> flow_failed{0};
  std::atomic<uint64_t> forged_flow_tokens{0};
  std::atomic<uint64_t> aliases{0};          // requests whose Via `alias` was granted (RFC 5923)
  std::atomic<uint64_t> dns_resolutions{0};  // next hops resolved asynchronously (held)
  std::atomic<uint64_t> dns_failed{0};       // no target: answered 503 (an ACK dropped)
  std::atomic<uint64_t> dns_queue_full{0};   // dns_max_pending reached: answered 503
  std::atomic<uint64_t> next_targets{0};     // a connect failed: the next target tried
};

// Throttles of the lines any peer can trigger per message (LogThrottle).
struct ProxyLog {
  core::LogThrottle forged_tag{"response with a forged connection tag (;i=)"};
  core::LogThrottle next_hop{
      "forward: no usable next hop (unresolvable, or no socket of its family)"};
  core::LogThrottle dropped{"malformed, refused or undeliverable message"};
  core::LogThrottle forged_flow{"request with a forged or foreign flow token (403)"};
  core::LogThrottle flow_failed{"request for a flow that is gone (430)"};
  core::LogThrottle dns{"next hop not resolved (503)"};
};

// What one message's handling needs of the proxy.
struct ProxyEnv {
  const LocalSockets& locals;
  Sender& sender;
  const ProxySettings& settings;
  ProxyStats& stats;
  const ConnTag& conn_tag;
  ProxyLog& log;
  const FlowToken& flow_token;
};

}  // namespace core::proxy
