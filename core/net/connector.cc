#include "core/net/connector.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base/log.h"
#include "core/net/connection.h"
#include "core/net/net_context.h"
#include "core/net/net_worker.h"
#include "core/net/plain_socket.h"
#include "core/net/socket_util.h"

namespace core::net {

// A client domain id is the script's word (tls_client_domain("ID")), possibly read from the
// message: one the TLS runtime does not know fails here, where the forward can count it, rather
// than in a connection that could never start.
bool Connector::client_domain_known(Transport t, const SocketAddr& dst,
                                    const TlsIdentity& identity) {
  if (t != Transport::kTls || identity.client_domain.empty()) return true;
  TransportSocketFactory* factory = factories_[t.index()];
  if (factory != nullptr && factory->knows_client_domain(identity.client_domain)) return true;
  bump(net_.counters.send_failed);
  LogEscaped id(identity.client_domain);  // may come from the message
  SER_LOG_THROTTLED(net_.log.send_failed, LogLevel::kError, nullptr,
                    "send to tls:%s failed: no client domain with id \"%s\" "
                    "(tls_client_domain[\"ID\"] or tls.cfg [client:any] with server_id)",
                    dst.to_string().c_str(), id.c_str());
  return false;
}

bool Connector::connect_and_send(NetWorker& nw, Transport t, const SocketAddr& dst,
                                 std::string_view data, const TlsIdentity& identity,
                                 uint64_t connect_token, bool* connecting) {
  if (!dst.valid() || dst.port() == 0) return false;
  TransportSocketFactory* factory = factories_[t.index()];
  if (factory == nullptr && t == Transport::kTls) {
    // Asked for TLS (sips:, transport=tls, forward_tls): never in the clear instead.
    SER_LOG_THROTTLED(net_.log.no_tls, LogLevel::kError, nullptr,
                      "send to tls:%s refused: no TLS for outbound connections (ser built "
                      "without TLS, disable_tls, or no TLS configured); not sent in the clear",
                      dst.to_string().c_str());
    return false;
  }
  if (factory == nullptr) factory = &plain_socket_factory();
  Admission& admission = net_.admission;
  size_t hold = 0;
  if (!admission.admit(t, true, dst, hold)) return false;
  if (!admission.try_acquire_slot(t, true, dst)) {
    admission.release(hold);
    return false;
  }
  bump(net_.counters.connects);
  int fd = ::socket(dst.af(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int rc = fd < 0 ? -1 : ::connect(fd, dst.sa(), dst.len());
  if (fd < 0 || (rc != 0 && errno != EINPROGRESS)) {
    const char* why = strerror(errno);
    bump(net_.counters.connect_failed);
    SER_LOG_THROTTLED(net_.log.connect_failed, LogLevel::kInfo, nullptr,
                      "connect to %s:%s failed: %s", t.name(), dst.to_string().c_str(), why);
    if (fd >= 0) ::close(fd);
    admission.release(hold);
    admission.release_slot();
    return false;
  }
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  ConnectionParams p;
  p.id = net_.new_connection_id();
  p.fd = fd;
  p.transport = t;
  p.outbound = true;
  p.local = local_address(fd);
  p.peer = dst;
  TransportSocketOptions opts{false, p.local, p.peer, p.id, identity};
  PoolPtr<TransportSocket> sock = factory->create(opts, net_.shm);
  PoolPtr<Connection> conn;
  if (sock) conn = make_in_pool<Connection>(net_.shm, net_, nw, p, std::move(sock));
  if (!conn) {
    bump(net_.counters.refused_memory);
    count_allocation_drop();
    admission.release(hold);
    SER_LOG_THROTTLED(net_.drop_log, LogLevel::kWarning, nullptr,
                      "connect to %s:%s refused: shared memory budget exhausted", t.name(),
                      dst.to_string().c_str());
    ::close(fd);
    admission.release_slot();
    return false;
  }
  Connection* c = conn.release();
  c->hold_admission(hold);
  nw.add(c);
  net_.table.add_outbound(c->id(), nw.index(), t, dst, identity);
  if (!c->start_connecting(rc == 0) || !c->send(data)) return false;
  // Told later, from the loop, how the connect ends (never from inside this send).
  if (connect_token != 0 && c->watch_connect(connect_token) && connecting) *connecting = true;
  return true;
}

}  // namespace core::net
