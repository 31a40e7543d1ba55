#pragma once
// UDP over the listeners' sockets (internal to core/net): datagrams read on the worker whose
// socket they arrived at and handed to the handler, and sends from a listener's socket so that
// they leave from the listener's address (RFC 3261 §18.2.2: responses from the address the
// request came to; §18.1.1 requests from the address in our Via).
#include <string_view>

#include "core/net/listeners.h"
#include "core/net/net.h"

namespace core::net {

struct NetContext;
struct NetWorker;

class UdpEndpoint final : public ListenerReader {
 public:
  UdpEndpoint(NetContext& net, Listeners& listeners) : net_(net), listeners_(listeners) {}
  UdpEndpoint(const UdpEndpoint&) = delete;
  UdpEndpoint& operator=(const UdpEndpoint&) = delete;

  void readable(NetWorker& nw, int id, int fd) override;
  // From worker `nw`'s socket of listener_hint when that is a UDP listener of dst's family,
  // else of the first such listener.
  SendResult send(NetWorker& nw, const SocketAddr& dst, std::string_view data, int listener_hint);

 private:
  // One datagram to the handler (keep-alives and oversized ones counted and dropped).
  void deliver(NetWorker& nw, int listener_id, const SocketAddr& src, const SocketAddr& dst,
               std::string_view data);
  void drop_datagrams(int fd, int listener_id);

  NetContext& net_;
  Listeners& listeners_;
};

}  // namespace core::net
