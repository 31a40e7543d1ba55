#pragma once
// The source a per-address limit counts (tcp_max_connections_per_ip, tls_max_handshakes_per_ip):
// an IPv4 address, or the /64 prefix of an IPv6 address — one subscriber's LAN, whose hosts
// pick any address in it (RFC 4291 §2.5.1, RFC 8981), so counting single IPv6 addresses would
// let one peer multiply its allowance by 2^64. An IPv4-mapped IPv6 address (a dual-stack
// listener) counts as the IPv4 address it carries.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/net/socket_addr.h"

namespace core::net {

struct IpKey {
  std::array<uint8_t, 8> bytes{};
  uint8_t family = 0;  // 4 or 6; 0 = not an IP address

  static IpKey of(const SocketAddr& addr);
  bool operator==(const IpKey&) const = default;
  // "192.0.2.1" or "2001:db8:1:2::/64", for log lines.
  std::string to_string() const;
};

struct IpKeyHash {
  size_t operator()(const IpKey& k) const;
};

}  // namespace core::net
