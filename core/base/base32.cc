#include "core/base/base32.h"

namespace core {

namespace {

// RFC 4648 §6 alphabet, lower case: a token character set (RFC 3261 §25.1).
const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

}  // namespace

size_t base32_encode(const uint8_t* in, size_t n, char* out) {
  size_t len = 0;
  unsigned buffer = 0, bits = 0;
  for (size_t i = 0; i < n; ++i) {
    buffer = (buffer << 8 | in[i]) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      out[len++] = kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out[len++] = kAlphabet[(buffer << (5 - bits)) & 31];
  return len;
}

size_t base32_decode(std::string_view text, uint8_t* out, size_t cap) {
  size_t len = 0;
  unsigned buffer = 0, bits = 0;
  for (char c : text) {
    unsigned v;
    if (c >= 'a' && c <= 'z')
      v = static_cast<unsigned>(c - 'a');
    else if (c >= '2' && c <= '7')
      v = static_cast<unsigned>(c - '2') + 26;
    else
      return 0;
    buffer = (buffer << 5 | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      if (len == cap) return 0;
      out[len++] = static_cast<uint8_t>(buffer >> (bits - 8));
      bits -= 8;
    }
  }
  // Only the encoding base32_encode makes: no character beyond the last byte, zero padding bits.
  if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0) return 0;
  return len;
}

}  // namespace core
