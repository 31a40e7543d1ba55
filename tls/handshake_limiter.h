#pragma once
// tls_max_handshakes_per_ip: how many TLS handshakes one source address (IPv4 address, IPv6
// /64: core::net::IpKey) may have in progress at once across all workers. Handshakes are the
// expensive part of TLS (public-key operations, an SSL object each), so one address cannot tie
// up the workers with half-open handshakes. The limit paces, it does not refuse: a connection
// over it waits, unread and without TLS state, until a handshake of its address ends and hands
// it the slot (first come, first served), its handshake deadline running from the accept. An
// SBC reconnecting hundreds of connections at once gets them all, a few at a time.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "core/net/ip_key.h"
#include "core/net/socket_addr.h"

namespace tls {

class HandshakeLimiter {
 public:
  // A connection waiting for a slot of its address.
  class Waiter {
   public:
    // A slot was handed over: called on the thread that freed it, with the limiter locked, so
    // it may only pass the news to the waiter's own thread; take_granted() there claims it.
    virtual void slot_granted() = 0;

   protected:
    ~Waiter() = default;

   private:
    friend class HandshakeLimiter;
    enum class State : uint8_t { kIdle, kQueued, kGranted };
    State state_ = State::kIdle;  // guarded by the limiter's mutex
  };

  explicit HandshakeLimiter(uint32_t max_per_ip) : max_(max_per_ip) {}  // 0 = no limit
  HandshakeLimiter(const HandshakeLimiter&) = delete;
  HandshakeLimiter& operator=(const HandshakeLimiter&) = delete;

  // Takes a slot for the address of `peer` (the port is ignored); false when it is at the limit.
  bool try_acquire(const core::net::SocketAddr& peer);
  // Takes a slot now (true), or queues `waiter` (false) until one is handed to it.
  bool acquire_or_wait(const core::net::SocketAddr& peer, Waiter& waiter);
  // True once after slot_granted(): the waiter holds the slot from then on.
  bool take_granted(Waiter& waiter);
  // The waiter gives up (its connection closes): it leaves the queue, or passes on a slot
  // handed to it and not taken yet.
  void cancel(const core::net::SocketAddr& peer, Waiter& waiter);
  // Gives a slot back; the first waiter of that address, if any, gets it.
  void release(const core::net::SocketAddr& peer);

  size_t in_progress(const core::net::SocketAddr& peer) const;
  size_t waiting(const core::net::SocketAddr& peer) const;
  uint32_t limit() const { return max_; }

 private:
  struct Entry {
    uint32_t held = 0;
    std::deque<Waiter*> waiters;
  };
  void release_locked(const core::net::IpKey& key);

  uint32_t max_;
  mutable std::mutex mu_;
  std::unordered_map<core::net::IpKey, Entry, core::net::IpKeyHash> entries_;
};

}  // namespace tls
