#pragma once
// UDP over the listeners' sockets (internal to core/net): datagrams read on the worker whose
// socket they arrived at and handed to the handler, and sends from a listener's socket so that
// they leave from the listener's address (RFC 3261 §18.2.2: responses from the address the
// request came to; §18.1.1 requests from the address in our Via).
#include <memory>
#include <string_view>
#include <vector>

#include "core/net/listeners.h"
#include "core/net/net.h"

namespace core::net {

struct NetContext;
struct NetWorker;

class UdpEndpoint final : public ListenerReader {
 public:
  UdpEndpoint(NetContext& net, Listeners& listeners,
              const std::vector<std::unique_ptr<NetWorker>>& workers)
      : net_(net), listeners_(listeners), workers_(workers) {}
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
  // The worker that handles a datagram: the owner of the connection the handler says it goes
  // to (MessageHandler::connection_hint), else the one its Call-ID hashes to. The kernel gives
  // all of one peer's datagrams (a trunk) to one worker's socket; handing them on by Call-ID
  // spreads that peer over every worker while each call's messages stay in order on one.
  size_t owner_of(std::string_view data, size_t here) const;
  // Queues the datagram on `to` (a copy in shm); false when it cannot (no memory, stopping).
  bool hand_over(NetWorker& to, int listener_id, const SocketAddr& src, const SocketAddr& dst,
                 std::string_view data);
  void handle(NetWorker& nw, int listener_id, const SocketAddr& src, const SocketAddr& dst,
              std::string_view data);
  struct Handed;

  NetContext& net_;
  Listeners& listeners_;
  const std::vector<std::unique_ptr<NetWorker>>& workers_;
};

}  // namespace core::net
