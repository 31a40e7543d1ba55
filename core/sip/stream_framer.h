#pragma once
// Finds SIP message boundaries in a byte stream (TCP/TLS): headers end at an empty line,
// the body is Content-Length bytes (mandatory on streams, RFC 3261 §18.3). The caller keeps the
// bytes received so far and asks again when more arrive; a FrameScan kept beside those bytes lets
// the framer resume where it stopped, so a message that arrives one byte at a time costs time
// linear in its length (a hostile peer trickling bytes cannot make each byte rescan the buffer).
#include <cstddef>
#include <cstdint>
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

// What the framer learnt of the message at the start of the buffer while it waited for more
// bytes. Valid only while the buffer keeps those bytes at its start: reset() it whenever a frame
// is taken off the front.
struct FrameScan {
  size_t scanned = 0;      // bytes before this were searched for the header end (and for NUL)
  size_t headers_end = 0;  // just past the empty line; 0 = not found yet
  size_t total = 0;        // headers_end + Content-Length, once the headers are complete
  size_t quote_pos = 0;    // quoted-string state (for escaped NULs) is known up to here
  bool quoted = false;
  void reset() { *this = FrameScan{}; }
};

// Resumes from `scan` and updates it; `buffered` must begin with the bytes `scan` saw.
Frame find_frame(std::string_view buffered, size_t max_message_size, FrameScan& scan);
// The same from scratch (no state kept between calls).
Frame find_frame(std::string_view buffered, size_t max_message_size);

}  // namespace core::sip
