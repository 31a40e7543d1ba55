#pragma once
// Base32 (RFC 4648 §6) in lower case without padding: the form of the MACs and tokens ser writes
// into SIP (the `;i=` Via tag, RFC 5626 flow tokens), whose characters are all token characters
// (RFC 3261 §25.1) and survive a URI user part and a Via parameter unescaped.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace core {

// Characters base32_encode writes for `bytes` bytes.
constexpr size_t base32_chars(size_t bytes) {
  return (bytes * 8 + 4) / 5;
}

// Writes base32_chars(n) characters to `out`; returns that count.
size_t base32_encode(const uint8_t* in, size_t n, char* out);
// The bytes `text` encodes, or 0 when it is not what base32_encode writes (lower case, zero
// padding bits) of at most `cap` bytes.
size_t base32_decode(std::string_view text, uint8_t* out, size_t cap);

}  // namespace core
