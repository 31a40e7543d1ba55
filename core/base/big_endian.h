#pragma once
// Network byte order for the tokens we write into SIP (flow tokens, connection tags): the
// low `n` bytes of an integer, most significant first.
#include <cstddef>
#include <cstdint>

namespace core {

inline void put_be(uint8_t* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
}

inline uint64_t get_be(const uint8_t* in, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = v << 8 | in[i];
  return v;
}

}  // namespace core
