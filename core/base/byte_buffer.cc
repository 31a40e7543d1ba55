#include "core/base/byte_buffer.h"

#include <cstring>

namespace core {

std::span<char> ByteBuffer::prepare(size_t min_free) {
  if (cap_ - end_ >= min_free) return {data_ + end_, cap_ - end_};
  size_t used = end_ - begin_;
  if (begin_ > 0 && cap_ - used >= min_free) {
    std::memmove(data_, data_ + begin_, used);
    begin_ = 0;
    end_ = used;
    return {data_ + end_, cap_ - end_};
  }
  size_t want = cap_ == 0 ? 512 : cap_ * 2;
  while (want < used + min_free) want *= 2;
  if (begin_ > 0) {
    std::memmove(data_, data_ + begin_, used);
    begin_ = 0;
    end_ = used;
  }
  auto* grown = static_cast<char*>(pool_->reallocate(data_, want));
  if (grown == nullptr) return {};
  data_ = grown;
  cap_ = want;
  return {data_ + end_, cap_ - end_};
}

size_t ByteBuffer::capacity_for(size_t extra) const {
  size_t used = end_ - begin_;
  if (cap_ - end_ >= extra || cap_ - used >= extra) return cap_;
  size_t want = cap_ == 0 ? 512 : cap_ * 2;
  while (want < used + extra) want *= 2;
  return want;
}

bool ByteBuffer::append(std::string_view data) {
  if (data.empty()) return true;
  std::span<char> space = prepare(data.size());
  if (space.size() < data.size()) return false;
  std::memcpy(space.data(), data.data(), data.size());
  end_ += data.size();
  return true;
}

void ByteBuffer::consume(size_t n) {
  begin_ += n;
  if (begin_ >= end_) begin_ = end_ = 0;
}

void ByteBuffer::release() {
  pool_->deallocate(data_);
  data_ = nullptr;
  cap_ = begin_ = end_ = 0;
}

}  // namespace core
