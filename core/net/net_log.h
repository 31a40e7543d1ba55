#pragma once
// The throttles of the per-connection lines a peer can trigger at will, one per kind so that a
// flood of one kind hides no other (LogThrottle: a burst per window, then a summary line).
#include "core/base/log.h"

namespace core::net {

struct NetLog {
  LogThrottle connect_failed{"connect failed"};
  LogThrottle connect_timeout{"connect timeout"};
  LogThrottle framing{"bad framing or message too big"};
  LogThrottle handshake_timeout{"handshake timeout"};
  LogThrottle send_timeout{"send timeout"};
  LogThrottle msg_read_timeout{"message read timeout"};
  LogThrottle backpressure{"peer not reading its replies"};
  LogThrottle closed{"connection closed"};
  LogThrottle send_failed{"send failed"};
  LogThrottle queue_full{"send dropped: the peer's queue is full"};
  LogThrottle read_share{"connection closed: read buffer share exhausted"};
  LogThrottle no_tls{"tls send refused: no TLS for outbound connections"};
};

}  // namespace core::net
