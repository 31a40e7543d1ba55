#pragma once
// Splits the byte stream of a control connection into request texts. A request is one JSON
// value: an object or array ends at its matching bracket (strings and escapes honoured), so a
// client need not end it with a newline and may spread it over lines; anything else (garbage,
// a bare number) ends at the end of its line, so that it is answered with an error and the
// stream resynchronises on the next line. The scan resumes where it stopped, so a request
// received one byte at a time costs time linear in its length.
#include <cstddef>
#include <string_view>

namespace core::control {

class RequestFramer {
 public:
  enum class Status {
    kNeedMore,  // no complete request yet; drop `skip` leading bytes (blank space) now
    kRequest,   // [begin, end) is one request; drop `end` bytes
    kTooLarge,  // the request under way exceeds the limit: answer and close
  };
  struct Frame {
    Status status = Status::kNeedMore;
    size_t begin = 0;
    size_t end = 0;
    size_t skip = 0;
  };

  explicit RequestFramer(size_t max_request) : max_request_(max_request) {}

  // `data` holds the unconsumed bytes, starting where the previous frame ended (or after the
  // bytes a kNeedMore said to skip); it may have grown since the last call.
  Frame next(std::string_view data);
  // At the end of the stream: what is left is a request even without its end, answered as such
  // (an unterminated object is a parse error). False when only blank space is left.
  bool has_partial() const { return mode_ != Mode::kIdle; }
  // The partial request is an object or array still open (not a line without its newline).
  bool inside_value() const { return mode_ == Mode::kJson; }
  void reset() { *this = RequestFramer(max_request_); }

 private:
  enum class Mode { kIdle, kJson, kLine };
  bool scan_json(char c);  // true when the value ends at `c`

  size_t max_request_;
  Mode mode_ = Mode::kIdle;
  size_t pos_ = 0;    // next byte to scan
  size_t start_ = 0;  // first byte of the request under way
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
};

}  // namespace core::control
