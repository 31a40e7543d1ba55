#pragma once
// An IPv4/IPv6 address + port, parsed from and formatted to the forms SIP uses ("1.2.3.4:5060",
// "[::1]:5060"), comparable and hashable for connection lookup. Sized for sockaddr_in6 (28
// bytes), not sockaddr_storage (128): every connection holds several (its ends, the TLS
// state's, the connection table's keys), and no SIP transport has a larger address.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace core::net {

class SocketAddr {
 public:
  SocketAddr();
  // Numeric IPv4 or IPv6 (brackets allowed) and a port; nullopt when not a numeric address.
  static std::optional<SocketAddr> parse(std::string_view ip, uint16_t port);
  // "1.2.3.4:5060", "[::1]:5060", or an address without port (port 0).
  static std::optional<SocketAddr> parse(std::string_view host_port);
  static SocketAddr from_sockaddr(const sockaddr* sa, socklen_t len);
  static SocketAddr any(int af, uint16_t port);

  int af() const { return storage_.sa.sa_family; }
  bool valid() const { return af() == AF_INET || af() == AF_INET6; }
  uint16_t port() const;
  void set_port(uint16_t port);
  bool is_any() const;

  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* sa() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t len() const { return len_; }
  // For recvfrom/accept/getsockname: fill sa() with capacity() bytes, then set_len().
  static constexpr socklen_t capacity() { return sizeof(Storage); }
  void set_len(socklen_t len) { len_ = len; }

  // The address bytes in network order: 4 for IPv4, 16 for IPv6, empty otherwise.
  std::string_view ip_bytes() const;
  // The address alone ("1.2.3.4", "::1") into buf, without allocating; its length (0 = none).
  size_t format_ip(char* buf, size_t size) const;
  // parse() for an address (brackets allowed), else a host name resolved with getaddrinfo
  // (blocking; the first A/AAAA answer).
  static std::optional<SocketAddr> resolve(std::string_view host, uint16_t port);
  // Writes "ip:port" / "[ip6]:port" NUL-terminated into buf; returns the length (no allocation).
  size_t format(char* buf, size_t size) const;
  std::string to_string() const;
  // The address without port and without brackets.
  std::string ip_string() const;

  bool operator==(const SocketAddr& o) const;
  bool operator!=(const SocketAddr& o) const { return !(*this == o); }
  size_t hash() const;

 private:
  size_t format_ipv4(char* buf, size_t size) const;
  union Storage {
    sockaddr sa;
    sockaddr_in v4;
    sockaddr_in6 v6;
  };
  Storage storage_;
  socklen_t len_;
};

struct SocketAddrHash {
  size_t operator()(const SocketAddr& a) const { return a.hash(); }
};

}  // namespace core::net
