#pragma once
// The bytes a stream connection of the options mode has received and not yet framed: reads go
// straight into its buffer, drain() hands out each complete message (framed by Content-Length,
// RFC 3261 §18.3, with the project's own framer, resumed where it stopped) and keeps the
// remainder, so responses split across reads or coalesced in one are both handled. The buffer
// is allocated once and grows only for a message larger than it.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/sip/stream_framer.h"

namespace sipbench {

class StreamReader {
 public:
  static constexpr size_t kMaxMessage = 65535;

  explicit StreamReader(size_t initial = 16384) : buf_(initial, '\0') {}

  // Free room after the buffered bytes (at least 4 KiB, growing the buffer if need be).
  char* space();
  size_t room() const { return buf_.size() - len_; }
  // `n` bytes were written at space().
  void commit(size_t n) { len_ += n; }
  size_t buffered() const { return len_; }

  // Calls `on_message(std::string_view)` for each complete message, drops keep-alive CRLFs,
  // and keeps the incomplete rest. False when the stream cannot be framed (error() says why):
  // the connection must be closed.
  template <typename F>
  bool drain(F&& on_message) {
    size_t pos = 0;
    bool ok = true;
    while (pos < len_) {
      auto frame = core::sip::find_frame(std::string_view(buf_.data() + pos, len_ - pos),
                                         kMaxMessage, scan_);
      using Kind = core::sip::Frame::Kind;
      if (frame.kind == Kind::kNeedMore) break;
      if (frame.kind == Kind::kError || frame.kind == Kind::kTooBig) {
        error_ = frame.kind == Kind::kTooBig ? "a message over 64 KiB" : frame.reason;
        ok = false;
        break;
      }
      if (frame.kind == Kind::kMessage)
        on_message(std::string_view(buf_.data() + pos, frame.length));
      pos += frame.length;
      scan_.reset();
    }
    compact(pos);
    return ok;
  }
  const std::string& error() const { return error_; }

 private:
  void compact(size_t consumed);

  std::string buf_;
  size_t len_ = 0;
  core::sip::FrameScan scan_;  // of the message at the start of buf_
  std::string error_;
};

}  // namespace sipbench
