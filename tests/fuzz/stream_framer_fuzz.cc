// The stream framer (TCP/TLS) against a hostile byte stream, differentially: the stream cut
// into arbitrary reads and framed as it arrives (resuming with a FrameScan, and from scratch)
// must give the same frames as the whole stream framed at once (a framer that answers differently
// on a prefix would split or merge messages depending on how the network cut them). Each message
// frame must also parse to exactly its length, or the framer and the parser disagree on where a
// message ends (the root of request smuggling).
#include <string>
#include <vector>

#include "core/sip/sip_message.h"
#include "core/sip/stream_framer.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using core::sip::find_frame;
using core::sip::Frame;
using core::sip::FrameScan;

struct Event {
  Frame::Kind kind;
  size_t length;
  bool operator==(const Event&) const = default;
};

// Frames whatever `buffered` holds; appends to `events`; false once the stream is finished
// (an error or too-big frame closes the connection). With `scan`, the framer resumes from
// what it learnt of the same bytes before, as a connection does; its answer must be the one
// from scratch.
bool drain(std::string& buffered, size_t max, std::vector<Event>& events,
           FrameScan* scan = nullptr) {
  while (true) {
    const Frame f = find_frame(buffered, max);
    if (scan != nullptr) {
      const Frame resumed = find_frame(buffered, max, *scan);
      FUZZ_CHECK(resumed.kind == f.kind && resumed.length == f.length,
                 "resumed: kind %d length %zu, from scratch: kind %d length %zu",
                 static_cast<int>(resumed.kind), resumed.length, static_cast<int>(f.kind),
                 f.length);
      if (f.kind != Frame::Kind::kNeedMore) scan->reset();
    }
    if (f.kind == Frame::Kind::kNeedMore) return true;
    events.push_back({f.kind, f.length});
    if (f.kind == Frame::Kind::kError || f.kind == Frame::Kind::kTooBig) return false;
    FUZZ_CHECK(f.length > 0 && f.length <= buffered.size(), "frame of %zu bytes in %zu", f.length,
               buffered.size());
    if (f.kind == Frame::Kind::kMessage) {
      core::sip::SipMessage msg;
      const std::string_view text(buffered.data(), f.length);
      if (msg.parse(text).ok()) {
        FUZZ_CHECK(msg.data().data() + msg.data().size() == text.data() + text.size(),
                   "the framer cut %zu bytes, the parser's message ends %zd bytes earlier",
                   f.length, (text.data() + text.size()) - (msg.data().data() + msg.data().size()));
      }
    }
    buffered.erase(0, f.length);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // First byte: a small max_message_size (so that the too-big paths run) or the default.
  const size_t max = data[0] & 1 ? 64 + data[0] * 4 : 65535;
  const std::string_view input = fuzz::as_text(data + 1, size - 1);

  // Whole: the chunk length bytes stripped, the stream framed at once.
  std::string whole;
  fuzz::Chunker whole_chunks(input);
  std::string_view piece;
  while (whole_chunks.next(piece)) whole.append(piece);
  std::vector<Event> at_once;
  std::string buffered = whole;
  drain(buffered, max, at_once);

  std::vector<Event> as_read;
  buffered.clear();
  FrameScan scan;
  fuzz::Chunker chunks(input);
  while (chunks.next(piece)) {
    buffered.append(piece);
    if (!drain(buffered, max, as_read, &scan)) break;
  }
  size_t i = 0;
  while (i < as_read.size() && i < at_once.size() && as_read[i] == at_once[i]) ++i;
  FUZZ_CHECK(as_read == at_once,
             "%zu frames as read, %zu at once; frame %zu: kind %d length %zu as read, kind %d "
             "length %zu at once",
             as_read.size(), at_once.size(), i,
             i < as_read.size() ? static_cast<int>(as_read[i].kind) : -1,
             i < as_read.size() ? as_read[i].length : 0,
             i < at_once.size() ? static_cast<int>(at_once[i].kind) : -1,
             i < at_once.size() ? at_once[i].length : 0);
  return 0;
}
