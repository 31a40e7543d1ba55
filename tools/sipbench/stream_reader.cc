#include "tools/sipbench/stream_reader.h"

#include <algorithm>
#include <cstring>

namespace sipbench {

namespace {
constexpr size_t kMinRoom = 4096;
}

char* StreamReader::space() {
  if (room() < kMinRoom) buf_.resize(std::max(buf_.size() * 2, len_ + kMinRoom));
  return buf_.data() + len_;
}

void StreamReader::compact(size_t consumed) {
  if (consumed == 0) return;
  // The scan state is relative to the message start, which moves to the front with it.
  std::memmove(buf_.data(), buf_.data() + consumed, len_ - consumed);
  len_ -= consumed;
}

}  // namespace sipbench
