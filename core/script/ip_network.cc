#include "core/script/ip_network.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace core::script {
namespace {

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// ::ffff:a.b.c.d -> a.b.c.d; anything else unchanged.
IpAddr unmap(const IpAddr& ip) {
  if (ip.af != Af::kInet6 || std::memcmp(ip.bytes, kMappedPrefix, 12) != 0) return ip;
  return IpAddr::v4(ip.bytes[12], ip.bytes[13], ip.bytes[14], ip.bytes[15]);
}

std::string_view strip_brackets(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    return text.substr(1, text.size() - 2);
  return text;
}

// Prefix length of a contiguous netmask (255.255.0.0 -> 16), -1 when not contiguous.
int mask_to_prefix(const IpAddr& mask) {
  int len = 0;
  bool ended = false;
  for (size_t i = 0; i < 4; ++i) {
    for (int bit = 7; bit >= 0; --bit) {
      bool set = (mask.bytes[i] >> bit) & 1;
      if (set && ended) return -1;
      if (set) ++len;
      if (!set) ended = true;
    }
  }
  return len;
}

bool parse_prefix(std::string_view text, Af af, int* prefix) {
  int max = af == Af::kInet ? 32 : 128;
  if (auto mask = parse_ip(text); mask && af == Af::kInet && mask->af == Af::kInet) {
    *prefix = mask_to_prefix(*mask);
    return *prefix >= 0;
  }
  int value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  if (value < 0 || value > max) return false;
  *prefix = value;
  return true;
}

bool prefix_equal(const IpAddr& a, const IpAddr& b, int prefix) {
  int full = prefix / 8;
  if (std::memcmp(a.bytes, b.bytes, full) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.bytes[full] & mask) == (b.bytes[full] & mask);
}

}  // namespace

std::optional<IpAddr> parse_ip(std::string_view text) {
  text = strip_brackets(text);
  char buf[kIpTextMax + 1];
  if (text.empty() || text.size() > kIpTextMax) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddr ip;
  if (inet_pton(AF_INET, buf, ip.bytes) == 1) return ip;
  ip.af = Af::kInet6;
  if (inet_pton(AF_INET6, buf, ip.bytes) == 1) return ip;
  return std::nullopt;
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view text, std::string* error,
                                          bool* host_bits_set) {
  std::string_view addr_text = text;
  std::string_view prefix_text;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    addr_text = text.substr(0, slash);
    prefix_text = text.substr(slash + 1);
  }
  auto addr = parse_ip(addr_text);
  if (!addr) {
    *error = "'" + std::string(addr_text) + "' is not an IPv4 or IPv6 address";
    return std::nullopt;
  }
  IpNetwork net;
  net.prefix_ = addr->af == Af::kInet ? 32 : 128;
  if (!prefix_text.empty() || text.find('/') != std::string_view::npos) {
    if (!parse_prefix(prefix_text, addr->af, &net.prefix_)) {
      *error = "bad prefix '/" + std::string(prefix_text) + "' (expected 0.." +
               (addr->af == Af::kInet ? "32 or a contiguous netmask" : "128") + ")";
      return std::nullopt;
    }
  }
  net.addr_ = IpAddr();
  net.addr_.af = addr->af;
  bool host_bits = false;
  for (size_t i = 0; i < addr->size(); ++i) {
    int bits_here = net.prefix_ - static_cast<int>(i) * 8;
    uint8_t mask = bits_here >= 8   ? 0xff
                   : bits_here <= 0 ? 0
                                    : static_cast<uint8_t>(0xff << (8 - bits_here));
    net.addr_.bytes[i] = addr->bytes[i] & mask;
    if (net.addr_.bytes[i] != addr->bytes[i]) host_bits = true;
  }
  if (host_bits_set) *host_bits_set = host_bits;
  return net;
}

bool IpNetwork::contains(const IpAddr& ip) const {
  IpAddr candidate = addr_.af == Af::kInet ? unmap(ip) : ip;
  if (candidate.af != addr_.af) return false;
  return prefix_equal(candidate, addr_, prefix_);
}

bool same_ip(const IpAddr& a, const IpAddr& b) {
  IpAddr x = unmap(a);
  IpAddr y = unmap(b);
  return x.af == y.af && std::memcmp(x.bytes, y.bytes, x.size()) == 0;
}

std::string_view format_ip(const IpAddr& ip, char* buf, size_t size) {
  int family = ip.af == Af::kInet ? AF_INET : AF_INET6;
  if (inet_ntop(family, ip.bytes, buf, static_cast<socklen_t>(size)) == nullptr) return {};
  return std::string_view(buf);
}

}  // namespace core::script
