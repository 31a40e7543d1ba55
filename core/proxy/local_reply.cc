#include "core/proxy/local_reply.h"

#include <arpa/inet.h>

#include "core/base/log.h"

namespace core::proxy {

using core::Transport;

bool send_local_reply(HandledMessage& m, int code, std::string_view reason,
                      std::string_view extra) {
  const core::net::ReceivedMessage& rx = m.rx();
  const core::sip::Via& top = m.top();
  ProxyEnv& env = m.env();
  Insert fx[2];
  int n = via_fixes(m.msg(), top, rx.src, m.arena(), fx);
  core::PoolString& out = out_buffer(OutSlot::kReply);
  if (!within_budget([&] {
        build_reply(m.msg(), fx, n, code, reason, out, extra, m.fields());
        return true;
      })) {
    SER_LOG_THROTTLED(env.log.dropped, LogLevel::kWarning, m.log_prefix(),
                      "reply %d not sent: shared memory budget exhausted", code);
    return false;
  }
  core::net::SocketAddr dst = rx.src;
  // RFC 3261 §18.2.2: over UDP without rport, to the received address and the Via's port.
  if (rx.transport == Transport::kUdp && !top.rport().present())
    dst.set_port(top.port() ? top.port() : 5060);
  // Over TLS, should the request's connection be gone, a new one checks this name.
  char ip[INET6_ADDRSTRLEN];
  std::string_view name = rx.transport == Transport::kTls
                              ? tls_response_name(top, dst, ip, sizeof(ip))
                              : std::string_view();
  auto r = env.sender.send(rx.transport, dst, out, rx.conn_id, rx.listener_id, {{}, name});
  if (r == core::net::SendResult::kFailed) {
    env.stats.send_failed.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  env.stats.local_replies.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace core::proxy
