#include "tls/handshake_limiter.h"

#include <algorithm>
#include <cassert>

namespace tls {

using core::net::IpKey;

bool HandshakeLimiter::try_acquire(const core::net::SocketAddr& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_[IpKey::of(peer)];
  if (max_ > 0 && e.held >= max_) return false;
  ++e.held;
  return true;
}

bool HandshakeLimiter::acquire_or_wait(const core::net::SocketAddr& peer, Waiter& waiter) {
  std::lock_guard<std::mutex> lock(mu_);
  assert(waiter.state_ == Waiter::State::kIdle);
  Entry& e = entries_[IpKey::of(peer)];
  if (max_ == 0 || e.held < max_) {
    ++e.held;
    return true;
  }
  waiter.state_ = Waiter::State::kQueued;
  e.waiters.push_back(&waiter);
  return false;
}

bool HandshakeLimiter::take_granted(Waiter& waiter) {
  std::lock_guard<std::mutex> lock(mu_);
  if (waiter.state_ != Waiter::State::kGranted) return false;
  waiter.state_ = Waiter::State::kIdle;
  return true;
}

void HandshakeLimiter::cancel(const core::net::SocketAddr& peer, Waiter& waiter) {
  std::lock_guard<std::mutex> lock(mu_);
  IpKey key = IpKey::of(peer);
  if (waiter.state_ == Waiter::State::kGranted) {
    waiter.state_ = Waiter::State::kIdle;
    release_locked(key);
    return;
  }
  if (waiter.state_ != Waiter::State::kQueued) return;
  waiter.state_ = Waiter::State::kIdle;
  auto it = entries_.find(key);
  assert(it != entries_.end());
  if (it == entries_.end()) return;
  auto& q = it->second.waiters;
  q.erase(std::find(q.begin(), q.end(), &waiter));
  if (it->second.held == 0 && q.empty()) entries_.erase(it);
}

void HandshakeLimiter::release(const core::net::SocketAddr& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  release_locked(IpKey::of(peer));
}

// The slot passes to the first waiter (the count stays), else it is given back.
void HandshakeLimiter::release_locked(const IpKey& key) {
  auto it = entries_.find(key);
  assert(it != entries_.end() && it->second.held > 0);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  if (!e.waiters.empty()) {
    Waiter* next = e.waiters.front();
    e.waiters.pop_front();
    next->state_ = Waiter::State::kGranted;
    next->slot_granted();
    return;
  }
  if (--e.held == 0) entries_.erase(it);
}

size_t HandshakeLimiter::in_progress(const core::net::SocketAddr& peer) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(IpKey::of(peer));
  return it == entries_.end() ? 0 : it->second.held;
}

size_t HandshakeLimiter::waiting(const core::net::SocketAddr& peer) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(IpKey::of(peer));
  return it == entries_.end() ? 0 : it->second.waiters.size();
}

}  // namespace tls
