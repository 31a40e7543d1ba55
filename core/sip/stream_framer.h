#pragma once
// Finds SIP message boundaries in a byte stream (TCP/TLS): headers end at an empty line,
// the body is Content-Length bytes (mandatory on streams, RFC 3261 §18.3). Stateless: the
// caller keeps the bytes received so far and asks again when more arrive.
#include <cstddef>
#include <string>
#include <string_view>

namespace core::sip {

struct Frame {
  enum class Kind {
    kNeedMore,  // no complete message yet (and nothing wrong so far)
    kMessage,   // a complete message of `length` bytes starts at the buffer's beginning
    kPing,      // a double-CRLF keep-alive of `length` (4) bytes (RFC 5626 §4.4.1)
    kSkip,      // `length` bytes of stray CRLF between messages to drop
    kError,     // broken framing: `reason` says why; the connection should be closed
    kTooBig,    // the message exceeds max_message_size (`length` may be 0)
  };
  Kind kind = Kind::kNeedMore;
  size_t length = 0;
  std::string reason;
};

Frame find_frame(std::string_view buffered, size_t max_message_size);

}  // namespace core::sip
