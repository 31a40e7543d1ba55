#pragma once
// Plain TCP behind the transport-socket seam: recv/send on the fd, nothing else.
#include "core/net/transport_socket.h"

namespace core::net {

class PlainSocket final : public TransportSocket {
 public:
  void set_callbacks(TransportSocketCallbacks& /*callbacks*/) override {}
  PostIoAction on_connected(int fd, bool is_server) override;
  IoResult do_read(ReadBuffer& buffer) override;
  IoResult do_write(std::string_view data) override;
  void close(CloseReason /*reason*/) override {}
  bool handshake_done() const override { return true; }

 private:
  int fd_ = -1;
};

class PlainSocketFactory final : public TransportSocketFactory {
 public:
  PoolPtr<TransportSocket> create(const TransportSocketOptions& options, Pool& pool) override;
};

// The factory of plain TCP connections, shared by every Net (it holds nothing).
PlainSocketFactory& plain_socket_factory();

}  // namespace core::net
