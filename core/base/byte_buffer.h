#pragma once
// A growable byte buffer whose memory comes from a Pool and is given back when the buffer is
// released: connections hold one only while a message is partially received or a write is
// pending (DESIGN.md principle 6). Consumed bytes are dropped from the front lazily.
#include <cstddef>
#include <span>
#include <string_view>

#include "core/base/pool.h"

namespace core {

class ByteBuffer {
 public:
  explicit ByteBuffer(Pool& pool) : pool_(&pool) {}
  ~ByteBuffer() { release(); }
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  // Writable space of at least `min_free` bytes after the data; empty span if the pool refuses.
  std::span<char> prepare(size_t min_free);
  void commit(size_t n) { end_ += n; }
  // Appends; false (and nothing appended) if the pool refuses.
  bool append(std::string_view data);
  void consume(size_t n);

  std::string_view view() const { return {data_ + begin_, end_ - begin_}; }
  size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  size_t capacity() const { return cap_; }
  // The capacity append() would leave to hold `extra` more bytes (grown as prepare() grows).
  size_t capacity_for(size_t extra) const;
  void clear() { begin_ = end_ = 0; }
  // Drops the data and gives the memory back to the pool.
  void release();
  Pool& pool() const { return *pool_; }

 private:
  Pool* pool_;
  char* data_ = nullptr;
  size_t cap_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace core
