#pragma once
// SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed 64-bit
// MAC for short inputs. One implementation for both builds (TLS=0 has no OpenSSL); it needs no
// heap and is fast enough for every message of the forward path.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace core {

struct SipKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
  // 128 random bits from getrandom(2), for a secret that lives as long as the process.
  static SipKey random();
};

class SipHash {
 public:
  explicit SipHash(const SipKey& key);
  SipHash& add(std::string_view bytes);
  SipHash& add_u64(uint64_t v);  // little-endian, 8 bytes
  uint64_t finish();

 private:
  void rounds(int n);
  void compress(uint64_t m);

  uint64_t v0_, v1_, v2_, v3_;
  uint64_t tail_ = 0;  // bytes not yet compressed, little-endian
  size_t tail_len_ = 0;
  uint64_t total_ = 0;
};

inline uint64_t siphash24(const SipKey& key, std::string_view bytes) {
  return SipHash(key).add(bytes).finish();
}

}  // namespace core
