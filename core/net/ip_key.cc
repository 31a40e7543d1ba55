#include "core/net/ip_key.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace core::net {

IpKey IpKey::of(const SocketAddr& addr) {
  IpKey k;
  std::string_view ip = addr.ip_bytes();
  static constexpr uint8_t kV4Mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (ip.size() == 16 && std::memcmp(ip.data(), kV4Mapped, sizeof(kV4Mapped)) == 0)
    ip.remove_prefix(12);
  if (ip.size() == 4) {
    k.family = 4;
    std::memcpy(k.bytes.data(), ip.data(), 4);
  } else if (ip.size() == 16) {
    k.family = 6;
    std::memcpy(k.bytes.data(), ip.data(), 8);
  }
  return k;
}

std::string IpKey::to_string() const {
  char buf[INET6_ADDRSTRLEN + 4] = "";
  if (family == 4) {
    inet_ntop(AF_INET, bytes.data(), buf, sizeof(buf));
  } else if (family == 6) {
    uint8_t full[16] = {};
    std::memcpy(full, bytes.data(), 8);
    inet_ntop(AF_INET6, full, buf, sizeof(buf));
    std::strcat(buf, "/64");
  }
  return buf;
}

size_t IpKeyHash::operator()(const IpKey& k) const {
  uint64_t v;
  std::memcpy(&v, k.bytes.data(), sizeof(v));
  v ^= k.family;
  v *= 0x9e3779b97f4a7c15ULL;  // Fibonacci hashing: spreads neighbouring addresses
  return static_cast<size_t>(v ^ (v >> 29));
}

}  // namespace core::net
