#pragma once
// An address with a prefix length, as written in `src_ip == 10.0.0.0/8` (also `/255.0.0.0`,
// a bare address, IPv6 `2001:db8::/32`). Parsed once at load; contains() is a few byte compares.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/script/script_context.h"

namespace core::script {

class IpNetwork {
 public:
  // Parses `ADDR`, `ADDR/LEN` or `IPv4/MASK` (brackets around IPv6 allowed). On failure returns
  // nullopt and sets *error to a message naming what is wrong. *host_bits_set reports
  // `10.0.0.1/8` (accepted, masked), so the caller can warn.
  static std::optional<IpNetwork> parse(std::string_view text, std::string* error,
                                        bool* host_bits_set = nullptr);

  // An IPv4 network also matches IPv4-mapped IPv6 addresses (::ffff:a.b.c.d), which a dual-stack
  // socket reports for IPv4 peers.
  bool contains(const IpAddr& ip) const;

  Af af() const { return addr_.af; }
  int prefix() const { return prefix_; }

 private:
  IpAddr addr_;  // host bits cleared
  int prefix_ = 0;
};

// Parses a plain address (no prefix); nullopt when it is not one.
std::optional<IpAddr> parse_ip(std::string_view text);
// True when both are the same address (IPv4-mapped IPv6 equals its IPv4 form).
bool same_ip(const IpAddr& a, const IpAddr& b);
// Writes the textual form into buf (at least 46 bytes) and returns a view of it.
std::string_view format_ip(const IpAddr& ip, char* buf, size_t size);
constexpr size_t kIpTextMax = 46;  // INET6_ADDRSTRLEN

}  // namespace core::script
