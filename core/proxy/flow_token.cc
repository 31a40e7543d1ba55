#include "core/proxy/flow_token.h"

#include <cstring>

#include "core/base/base32.h"
#include "core/base/big_endian.h"

namespace core::proxy {

using core::Transport;
using core::net::SocketAddr;

namespace {

// Layout before base32: [0] format 1 << 4 | transport, [1..2] listener id, [3] 4 or 6, then a
// stream's connection id (8 bytes) or a UDP peer's port (2) and address (4 or 16), then the MAC
// over everything before it (8). All big-endian.
constexpr uint8_t kFormat = 1;
constexpr size_t kMacBytes = 8;
constexpr size_t kMaxBytes = 4 + 2 + 16 + kMacBytes;

// The token's transport nibble is the transport's dense index (Transport::index()).
std::optional<Transport> transport_of(uint8_t code) {
  if (code >= Transport::kCount) return std::nullopt;
  return Transport(static_cast<Transport::Value>(code));
}

}  // namespace

Flow Flow::of(const core::net::ReceivedMessage& rx) {
  Flow f;
  f.transport = rx.transport;
  f.listener_id = rx.listener_id;
  f.conn_id = rx.conn_id;
  f.af = rx.src.af();
  if (rx.conn_id == 0) f.peer = rx.src;
  return f;
}

bool Flow::same_as(const Flow& o) const {
  if (transport != o.transport) return false;
  if (conn_id != 0 || o.conn_id != 0) return conn_id == o.conn_id;
  return listener_id == o.listener_id && peer == o.peer;
}

uint64_t FlowToken::mac(const uint8_t* bytes, size_t n) const {
  return core::SipHash(key_)
      .add(std::string_view(reinterpret_cast<const char*>(bytes), n))
      .finish();
}

std::string_view FlowToken::write(const Flow& flow, TextArena& arena) const {
  uint8_t b[kMaxBytes];
  size_t n = 0;
  b[n++] = static_cast<uint8_t>(kFormat << 4 | flow.transport.index());
  put_be(b + n, static_cast<uint16_t>(flow.listener_id), 2);
  n += 2;
  b[n++] = flow.af == AF_INET6 ? 6 : 4;
  if (flow.conn_id != 0) {
    put_be(b + n, flow.conn_id, 8);
    n += 8;
  } else {
    std::string_view ip = flow.peer.ip_bytes();
    put_be(b + n, flow.peer.port(), 2);
    n += 2;
    std::memcpy(b + n, ip.data(), ip.size());
    n += ip.size();
  }
  put_be(b + n, mac(b, n), kMacBytes);
  n += kMacBytes;
  char text[kMaxChars];
  return arena.concat({std::string_view(text, base32_encode(b, n, text))});
}

bool FlowToken::looks_like(std::string_view user) {
  // 20 bytes (a stream), 18 (UDP over IPv4), 30 (UDP over IPv6) in base32.
  if (user.size() != 32 && user.size() != 29 && user.size() != kMaxChars) return false;
  for (char c : user)
    if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) return false;
  return true;
}

std::optional<Flow> FlowToken::verify(std::string_view text) const {
  uint8_t b[kMaxBytes];
  const size_t n = text.size() <= kMaxChars ? base32_decode(text, b, sizeof(b)) : 0;
  if (n < 4 + 2 + 4 + kMacBytes || b[0] >> 4 != kFormat || (b[3] != 4 && b[3] != 6)) return {};
  auto transport = transport_of(b[0] & 15);
  const bool stream = transport && *transport != Transport::kUdp;
  const size_t body = 4 + (stream ? 8 : 2 + (b[3] == 6 ? 16 : 4));
  if (!transport || n != body + kMacBytes) return {};
  // Compared whole, without an early exit: the time taken tells nothing about the right value.
  if ((get_be(b + body, kMacBytes) ^ mac(b, body)) != 0) return {};
  Flow f;
  f.transport = *transport;
  const auto listener = static_cast<uint16_t>(get_be(b + 1, 2));
  f.listener_id = listener == 0xffff ? -1 : listener;  // an outbound connection has none
  f.af = b[3] == 6 ? AF_INET6 : AF_INET;
  if (stream) {
    f.conn_id = get_be(b + 4, 8);
    return f.conn_id != 0 ? std::optional<Flow>(f) : std::nullopt;
  }
  sockaddr_storage ss{};
  if (f.af == AF_INET6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(static_cast<uint16_t>(get_be(b + 4, 2)));
    std::memcpy(&s6->sin6_addr, b + 6, 16);
    f.peer = SocketAddr::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), sizeof(sockaddr_in6));
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(static_cast<uint16_t>(get_be(b + 4, 2)));
    std::memcpy(&s4->sin_addr, b + 6, 4);
    f.peer = SocketAddr::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), sizeof(sockaddr_in));
  }
  return f;
}

}  // namespace core::proxy
