#pragma once
// Where a request goes, in the order RFC 3263 gives: each target a transport and an address.
// Fixed capacity, no allocation: the forward path holds one on its stack.
#include <array>
#include <cstddef>
#include <cstdint>

#include "core/net/socket_addr.h"
#include "core/net/transport_socket.h"

namespace core::dns {

struct Target {
  Transport transport = Transport::kUdp;
  core::net::SocketAddr addr;
};

class TargetList {
 public:
  static constexpr size_t kCapacity = 16;
  // False (and nothing added) when full: RFC 3263 §4.4 leaves the number tried to the client.
  bool add(Transport t, const core::net::SocketAddr& a) {
    if (size_ == kCapacity) return false;
    items_[size_++] = Target{t, a};
    return true;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Target& operator[](size_t i) const { return items_[i]; }
  void clear() { size_ = 0; }

 private:
  std::array<Target, kCapacity> items_{};
  size_t size_ = 0;
};

}  // namespace core::dns
