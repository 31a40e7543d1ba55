#pragma once
// Outbound stream connections (internal to core/net): the transport socket factory of each
// transport, admission, the non-blocking connect, and the Connection that carries the first
// message once connected (and, over TLS, once the handshake is done).
#include <cstdint>
#include <string_view>

#include "core/net/net.h"
#include "core/net/transport_socket.h"

namespace core::net {

struct NetContext;
struct NetWorker;

class Connector {
 public:
  explicit Connector(NetContext& net) : net_(net) {}
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  void set_factory(Transport transport, TransportSocketFactory* factory) {
    factories_[transport.index()] = factory;
  }
  // False (counted, logged) when `identity` names a client domain id the TLS factory lacks.
  bool client_domain_known(Transport t, const SocketAddr& dst, const TlsIdentity& identity);
  // A new connection of worker `nw` to dst with `data` queued on it; false when none could be
  // made. With a connect_token, *connecting is set when the observer will hear how it ends.
  bool connect_and_send(NetWorker& nw, Transport t, const SocketAddr& dst, std::string_view data,
                        const TlsIdentity& identity, uint64_t connect_token, bool* connecting);

 private:
  NetContext& net_;
  TransportSocketFactory* factories_[Transport::kCount] = {};
};

}  // namespace core::net
