#pragma once
// Sends over stream connections (internal to core/net): on the calling worker when it owns the
// connection (or will make it), else posted to the worker that does, as one shm block.
#include <cstdint>
#include <string_view>

#include "core/net/net.h"

namespace core::net {

class Connector;
struct NetContext;
struct NetWorker;

class StreamSender {
 public:
  StreamSender(NetContext& net, Connector& connector) : net_(net), connector_(connector) {}
  StreamSender(const StreamSender&) = delete;
  StreamSender& operator=(const StreamSender&) = delete;

  // On `nw`, which must be the calling worker: over connection `id` when it is still open,
  // else over a new connection to dst (RFC 3261 §18.2.2). Counted sent or failed.
  bool send_here(NetWorker& nw, uint64_t id, Transport t, const SocketAddr& dst,
                 std::string_view data, const TlsIdentity& identity, uint64_t connect_token = 0,
                 bool* connecting = nullptr);
  // The same, run on `nw` from its loop: the bytes and parameters copied into one shm block.
  SendResult post(NetWorker& nw, uint64_t id, Transport t, const SocketAddr& dst,
                  std::string_view data, const TlsIdentity& identity);

 private:
  struct Posted;

  NetContext& net_;
  Connector& connector_;
};

}  // namespace core::net
