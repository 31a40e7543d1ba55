#include "core/base/siphash.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace core {
namespace {

inline uint64_t rotl(uint64_t x, int b) {
  return (x << b) | (x >> (64 - b));
}

}  // namespace

SipKey SipKey::random() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof(bytes)) {
    ssize_t n = ::getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n < 0 && errno == EINTR) continue;
    // Without randomness the secret would be guessable: a process that cannot read the
    // kernel's generator has nothing sensible to fall back on.
    if (n < 0) std::abort();
    got += static_cast<size_t>(n);
  }
  SipKey k;
  std::memcpy(&k.k0, bytes, 8);
  std::memcpy(&k.k1, bytes + 8, 8);
  return k;
}

SipHash::SipHash(const SipKey& key)
    : v0_(0x736f6d6570736575ull ^ key.k0),
      v1_(0x646f72616e646f6dull ^ key.k1),
      v2_(0x6c7967656e657261ull ^ key.k0),
      v3_(0x7465646279746573ull ^ key.k1) {}

void SipHash::rounds(int n) {
  for (int i = 0; i < n; ++i) {
    v0_ += v1_;
    v1_ = rotl(v1_, 13) ^ v0_;
    v0_ = rotl(v0_, 32);
    v2_ += v3_;
    v3_ = rotl(v3_, 16) ^ v2_;
    v0_ += v3_;
    v3_ = rotl(v3_, 21) ^ v0_;
    v2_ += v1_;
    v1_ = rotl(v1_, 17) ^ v2_;
    v2_ = rotl(v2_, 32);
  }
}

void SipHash::compress(uint64_t m) {
  v3_ ^= m;
  rounds(2);  // SipHash-2-4: c = 2
  v0_ ^= m;
}

SipHash& SipHash::add(std::string_view bytes) {
  for (char c : bytes) {
    tail_ |= static_cast<uint64_t>(static_cast<unsigned char>(c)) << (8 * tail_len_);
    if (++tail_len_ == 8) {
      compress(tail_);
      tail_ = 0;
      tail_len_ = 0;
    }
  }
  total_ += bytes.size();
  return *this;
}

SipHash& SipHash::add_u64(uint64_t v) {
  char le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<char>(v >> (8 * i));
  return add(std::string_view(le, 8));
}

uint64_t SipHash::finish() {
  uint64_t b = (total_ & 0xff) << 56 | tail_;
  compress(b);
  v2_ ^= 0xff;
  rounds(4);  // d = 4
  return v0_ ^ v1_ ^ v2_ ^ v3_;
}

}  // namespace core
