#include "core/control/request_framer.h"

namespace core::control {

namespace {

bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

bool RequestFramer::scan_json(char c) {
  if (in_string_) {
    if (escaped_)
      escaped_ = false;
    else if (c == '\\')
      escaped_ = true;
    else if (c == '"')
      in_string_ = false;
    return false;
  }
  if (c == '"') {
    in_string_ = true;
  } else if (c == '{' || c == '[') {
    ++depth_;
  } else if (c == '}' || c == ']') {
    // A stray closer is left to the JSON parser to reject; it still ends the value.
    return --depth_ <= 0;
  }
  return false;
}

RequestFramer::Frame RequestFramer::next(std::string_view data) {
  Frame frame;
  for (; pos_ < data.size(); ++pos_) {
    char c = data[pos_];
    bool done = false;
    switch (mode_) {
      case Mode::kIdle:
        if (blank(c)) continue;
        start_ = pos_;
        mode_ = (c == '{' || c == '[') ? Mode::kJson : Mode::kLine;
        if (mode_ == Mode::kJson) depth_ = 1;
        break;
      case Mode::kJson:
        done = scan_json(c);
        break;
      case Mode::kLine:
        done = c == '\n';
        break;
    }
    if (done) {
      frame = {Status::kRequest, start_, pos_ + 1, 0};
      reset();
      return frame;
    }
    if (pos_ + 1 - start_ > max_request_) return {Status::kTooLarge, start_, pos_ + 1, 0};
  }
  if (mode_ == Mode::kIdle) {
    // Only blank space so far: let the caller drop it, so it never counts towards the limit.
    frame.skip = pos_;
    pos_ = 0;
  }
  return frame;
}

}  // namespace core::control
