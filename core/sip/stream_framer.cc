#include "core/sip/stream_framer.h"

#include <cstring>

#include "core/sip/header_type.h"
#include "core/sip/sip_message.h"
#include "core/sip/text.h"

namespace core::sip {
namespace {

Frame make_frame(Frame::Kind kind, size_t length, const char* reason = "") {
  Frame f;
  f.kind = kind;
  f.length = length;
  f.reason = reason;
  return f;
}

// CR/LF before a message: a double-CRLF ping, or a single CRLF (a pong, or a separator some
// stacks send) to drop (RFC 5626 §4.4.1; RFC 3261 §7.5 allows ignoring CRLFs before a start
// line). A lone CRLF may still become a ping, so it waits for the next bytes.
Frame frame_keepalive(std::string_view b) {
  if (b[0] == '\n') return make_frame(Frame::Kind::kSkip, 1);
  if (b.size() < 2) return make_frame(Frame::Kind::kNeedMore, 0);
  if (b[1] != '\n') return make_frame(Frame::Kind::kError, 0, "bare CR before a message");
  if (b.size() < 3) return make_frame(Frame::Kind::kNeedMore, 0);
  if (b[2] != '\r') return make_frame(Frame::Kind::kSkip, 2);
  if (b.size() < 4) return make_frame(Frame::Kind::kNeedMore, 0);
  if (b[3] == '\n') return make_frame(Frame::Kind::kPing, 4);
  return make_frame(Frame::Kind::kSkip, 2);
}

// Offset just past the empty line ending the header section, or npos if none ends within
// the first `limit` bytes (the search starts at `from`). A bare LF ends a line too, as in
// SipMessage::parse.
size_t find_headers_end(std::string_view b, size_t from, size_t limit) {
  size_t i = from;
  while (i < limit) {
    const void* p = std::memchr(b.data() + i, '\n', limit - i);
    if (p == nullptr) break;
    const size_t nl = static_cast<size_t>(static_cast<const char*>(p) - b.data());
    // The empty line must end within `limit` too: otherwise the verdict on a header section
    // that crosses max_message_size would depend on how many bytes past it were read.
    if (nl + 1 < limit && b[nl + 1] == '\n') return nl + 2;
    if (nl + 2 < limit && b[nl + 1] == '\r' && b[nl + 2] == '\n') return nl + 3;
    i = nl + 1;
  }
  return std::string_view::npos;
}

struct BodyLength {
  bool found = false;
  uint32_t value = 0;
  const char* error = nullptr;
};

// Reads every Content-Length (or "l") header between the start line and `headers_end`,
// following folded lines (RFC 3261 §7.3.1). Conflicting values are an error: two framings of
// one message is how request smuggling starts.
BodyLength find_content_length(std::string_view b, size_t headers_end) {
  BodyLength out;
  size_t pos = b.find('\n') + 1;
  while (pos < headers_end) {
    size_t end = b.find('\n', pos);
    while (end + 1 < headers_end && (b[end + 1] == ' ' || b[end + 1] == '\t')) {
      end = b.find('\n', end + 1);
    }
    const std::string_view header = b.substr(pos, end - pos);
    pos = end + 1;
    const size_t colon = header.find(':');
    if (colon == std::string_view::npos) continue;  // the parser reports it
    std::string_view name = header.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (header_type_of(name) != HeaderType::kContentLength) continue;
    uint32_t v = 0;
    if (!parse_content_length(header.substr(colon + 1), v).ok()) {
      out.error = "malformed Content-Length";
      return out;
    }
    if (out.found && v != out.value) {
      out.error = "conflicting Content-Length";
      return out;
    }
    out.found = true;
    out.value = v;
  }
  return out;
}

// A NUL may only be the escaped octet of a quoted-pair (RFC 3261 §25.1), as in
// nul_only_in_quoted_pairs (text.h), but resumable: the quote state advances from where it
// stopped, and only when a NUL shows up, so every byte is looked at once. A line end or a
// backslash at `end - 1` waits for the byte after it.
bool nuls_escaped(std::string_view b, size_t end, FrameScan& scan) {
  size_t i = scan.quote_pos;
  for (; i < end; ++i) {
    const char c = b[i];
    if (c == '\0') return false;  // an escaped NUL is skipped below, never seen here
    if ((c == '\n' || c == '\\') && i + 1 >= end) break;
    if (c == '\n') {
      scan.quoted = scan.quoted && (b[i + 1] == ' ' || b[i + 1] == '\t');
    } else if (c == '"') {
      scan.quoted = !scan.quoted;
    } else if (c == '\\' && scan.quoted && b[i + 1] != '\r' && b[i + 1] != '\n') {
      ++i;
    }
  }
  scan.quote_pos = i;
  return true;
}

// Looks for the end of the header section from where the last call stopped; NeedMore while
// it is not there, else the frame as far as the headers tell it.
Frame scan_headers(std::string_view b, size_t max_message_size, FrameScan& scan) {
  const size_t limit = b.size() < max_message_size ? b.size() : max_message_size;
  const size_t headers_end = find_headers_end(b, scan.scanned, limit);
  const size_t scanned = headers_end == std::string_view::npos ? limit : headers_end;
  if (std::memchr(b.data() + scan.scanned, '\0', scanned - scan.scanned) != nullptr &&
      !nuls_escaped(b, scanned, scan)) {
    return make_frame(Frame::Kind::kError, 0, "NUL byte in headers");
  }
  if (headers_end == std::string_view::npos) {
    if (b.size() >= max_message_size) {
      return make_frame(Frame::Kind::kTooBig, 0, "header section exceeds max_message_size");
    }
    // A line end in the last two bytes may still become the empty line: look at it again.
    scan.scanned = limit > 2 ? limit - 2 : 0;
    return make_frame(Frame::Kind::kNeedMore, 0);
  }
  const BodyLength body = find_content_length(b, headers_end);
  if (body.error) return make_frame(Frame::Kind::kError, 0, body.error);
  if (!body.found) {
    return make_frame(Frame::Kind::kError, 0, "missing Content-Length on a stream transport");
  }
  scan.scanned = headers_end;
  scan.headers_end = headers_end;
  scan.total = headers_end + body.value;
  return make_frame(Frame::Kind::kNeedMore, 0);
}

}  // namespace

Frame find_frame(std::string_view b, size_t max_message_size, FrameScan& scan) {
  if (b.empty()) return make_frame(Frame::Kind::kNeedMore, 0);
  if (b[0] == '\r' || b[0] == '\n') return frame_keepalive(b);
  if (scan.headers_end == 0) {
    Frame f = scan_headers(b, max_message_size, scan);
    if (scan.headers_end == 0) return f;
  }
  if (scan.total > max_message_size) {
    return make_frame(Frame::Kind::kTooBig, scan.total, "message exceeds max_message_size");
  }
  if (b.size() < scan.total) return make_frame(Frame::Kind::kNeedMore, 0);
  return make_frame(Frame::Kind::kMessage, scan.total);
}

Frame find_frame(std::string_view b, size_t max_message_size) {
  FrameScan scan;
  return find_frame(b, max_message_size, scan);
}

}  // namespace core::sip
