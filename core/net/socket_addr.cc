#include "core/net/socket_addr.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <charconv>
#include <cstdio>
#include <cstring>

namespace core::net {

SocketAddr::SocketAddr() : len_(0) {
  std::memset(&storage_, 0, sizeof(storage_));
}

std::optional<SocketAddr> SocketAddr::parse(std::string_view ip, uint16_t port) {
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  char text[INET6_ADDRSTRLEN + 1];
  if (ip.empty() || ip.size() >= sizeof(text)) return std::nullopt;
  std::memcpy(text, ip.data(), ip.size());
  text[ip.size()] = '\0';
  SocketAddr a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage_);
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    a.len_ = sizeof(sockaddr_in);
    return a;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    a.len_ = sizeof(sockaddr_in6);
    return a;
  }
  return std::nullopt;
}

std::optional<SocketAddr> SocketAddr::parse(std::string_view host_port) {
  std::string_view host = host_port;
  std::string_view port_text;
  if (!host_port.empty() && host_port.front() == '[') {
    size_t close = host_port.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = host_port.substr(0, close + 1);
    std::string_view rest = host_port.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port_text = rest.substr(1);
    }
  } else if (host_port.find(':') == host_port.rfind(':') &&
             host_port.find(':') != std::string_view::npos) {
    size_t colon = host_port.find(':');  // exactly one colon: IPv4 with port
    host = host_port.substr(0, colon);
    port_text = host_port.substr(colon + 1);
  }
  unsigned port = 0;
  if (!port_text.empty() || host.size() != host_port.size()) {
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535)
      return std::nullopt;
  }
  return parse(host, static_cast<uint16_t>(port));
}

SocketAddr SocketAddr::from_sockaddr(const sockaddr* sa, socklen_t len) {
  SocketAddr a;
  if (len > sizeof(a.storage_)) len = sizeof(a.storage_);
  std::memcpy(&a.storage_, sa, len);
  a.len_ = len;
  return a;
}

SocketAddr SocketAddr::any(int af, uint16_t port) {
  return *parse(af == AF_INET6 ? "::" : "0.0.0.0", port);
}

uint16_t SocketAddr::port() const {
  if (af() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (af() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

void SocketAddr::set_port(uint16_t port) {
  if (af() == AF_INET) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  if (af() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

bool SocketAddr::is_any() const {
  if (af() == AF_INET)
    return reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr.s_addr == INADDR_ANY;
  if (af() == AF_INET6)
    return IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr);
  return false;
}

std::string_view SocketAddr::ip_bytes() const {
  if (af() == AF_INET)
    return {
        reinterpret_cast<const char*>(&reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr),
        4};
  if (af() == AF_INET6)
    return {
        reinterpret_cast<const char*>(&reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr),
        16};
  return {};
}

// glibc's inet_ntop writes an IPv4 address with sprintf; the proxy formats the sender's address
// for every request it answers or forwards (received=, RFC 3261 §18.2.1), so it is done here.
size_t SocketAddr::format_ipv4(char* buf, size_t size) const {
  const auto* b = reinterpret_cast<const unsigned char*>(ip_bytes().data());
  char tmp[16];
  size_t n = 0;
  for (int i = 0; i < 4; ++i) {
    const unsigned v = b[i];
    if (v >= 100) tmp[n++] = static_cast<char>('0' + v / 100);
    if (v >= 10) tmp[n++] = static_cast<char>('0' + v / 10 % 10);
    tmp[n++] = static_cast<char>('0' + v % 10);
    if (i < 3) tmp[n++] = '.';
  }
  if (n >= size) return 0;  // as inet_ntop: ENOSPC, nothing written
  std::memcpy(buf, tmp, n);
  buf[n] = '\0';
  return n;
}

size_t SocketAddr::format_ip(char* buf, size_t size) const {
  if (size == 0) return 0;
  buf[0] = '\0';
  if (af() == AF_INET) return format_ipv4(buf, size);
  if (!valid() || inet_ntop(af(), ip_bytes().data(), buf, static_cast<socklen_t>(size)) == nullptr)
    return 0;
  return std::strlen(buf);
}

size_t SocketAddr::format(char* buf, size_t size) const {
  char ip[INET6_ADDRSTRLEN];
  int n = 0;
  if (format_ip(ip, sizeof(ip)) == 0)
    n = std::snprintf(buf, size, "-");
  else
    n = std::snprintf(buf, size, af() == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port());
  if (n < 0) return 0;
  return static_cast<size_t>(n) < size ? static_cast<size_t>(n) : size - 1;
}

std::string SocketAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN + 10];
  return std::string(buf, format(buf, sizeof(buf)));
}

std::string SocketAddr::ip_string() const {
  char ip[INET6_ADDRSTRLEN];
  return std::string(ip, format_ip(ip, sizeof(ip)));
}

std::optional<SocketAddr> SocketAddr::resolve(std::string_view host, uint16_t port) {
  if (auto a = parse(host, port)) return a;
  // A host name: A/AAAA through the system resolver, synchronously (no NAPTR/SRV here).
  char name[256];
  if (host.empty() || host.size() >= sizeof(name)) return std::nullopt;
  std::memcpy(name, host.data(), host.size());
  name[host.size()] = '\0';
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(name, nullptr, &hints, &res) != 0 || res == nullptr) return std::nullopt;
  SocketAddr a = from_sockaddr(res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (!a.valid()) return std::nullopt;
  a.set_port(port);
  return a;
}

bool SocketAddr::operator==(const SocketAddr& o) const {
  if (af() != o.af() || port() != o.port()) return false;
  if (af() == AF_INET)
    return reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in*>(&o.storage_)->sin_addr.s_addr;
  if (af() == AF_INET6)
    return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr,
                       &reinterpret_cast<const sockaddr_in6*>(&o.storage_)->sin6_addr, 16) == 0;
  return true;
}

size_t SocketAddr::hash() const {
  // FNV-1a over the address bytes and the port: cheap and good enough for a lookup table.
  const unsigned char* p = nullptr;
  size_t n = 0;
  if (af() == AF_INET) {
    p = reinterpret_cast<const unsigned char*>(
        &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr);
    n = 4;
  } else if (af() == AF_INET6) {
    p = reinterpret_cast<const unsigned char*>(
        &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr);
    n = 16;
  }
  uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(af());
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  h = (h ^ port()) * 1099511628211ull;
  return static_cast<size_t>(h);
}

}  // namespace core::net
