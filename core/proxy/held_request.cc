#include "core/proxy/held_request.h"

namespace core::proxy {

HeldRequest::HeldRequest(const core::net::ReceivedMessage& received)
    : data(received.data),
      src(received.src),
      dst(received.dst),
      rx{received.transport, src,  dst,    received.conn_id, received.listener_id,
         received.worker,    data, nullptr} {
  parsed_ = msg.parse(data).ok() && msg.is_request() && msg.top_via(top).ok();
}

}  // namespace core::proxy
