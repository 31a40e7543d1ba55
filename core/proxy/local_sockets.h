#pragma once
// The proxy's own addresses: the listen sockets (for Via, Record-Route and the choice of the
// outgoing socket) and the `alias` names that also count as `myself`.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/socket_addr.h"
#include "core/net/transport_socket.h"

namespace core::proxy {

struct LocalSocket {
  Transport transport = Transport::kUdp;
  net::SocketAddr address;  // as bound (a port 0 listen is resolved to the real port)
  int listener_id = -1;     // core::net listener id
  std::string host;         // advertised in Via/Record-Route: "192.0.2.1" or "[2001:db8::1]"
  uint16_t port = 0;
};

class LocalSockets {
 public:
  void add(LocalSocket s);
  // `alias` value: "host" or "host:port" (port 0 = any of ours).
  void add_alias(std::string_view alias);

  // True when host[:port] is one of ours (RFC 3261 §16.4 "the Route header field value
  // indicates this proxy"). port 0 = the default ports 5060/5061 or any listen port.
  bool is_myself(std::string_view host, uint16_t port) const;
  // The socket to send from (and to advertise) for transport and address family; a stream
  // transport without its own listener of that family falls back to any socket of the family.
  const LocalSocket* pick(Transport t, int af) const;
  const LocalSocket* by_listener(int listener_id) const;
  const std::vector<LocalSocket>& all() const { return sockets_; }

 private:
  struct Alias {
    std::string host;
    uint16_t port = 0;
  };
  bool port_is_ours(uint16_t port) const;

  std::vector<LocalSocket> sockets_;
  std::vector<Alias> aliases_;
};

}  // namespace core::proxy
