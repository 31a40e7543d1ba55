#include "core/net/admission.h"

#include <algorithm>
#include <string>

#include "core/base/library_memory.h"
#include "core/net/connection.h"
#include "core/net/net.h"
#include "core/net/plain_socket.h"

namespace core::net {
namespace {

// What a TLS handshake allocates above the connection's steady figure before it completes:
// OpenSSL 3's record buffers, key shares and certificate messages, measured at about 55 kB
// over a TLS 1.3 handshake with an RSA-2048 or P-256 key (SSL_MODE_RELEASE_BUFFERS on).
constexpr size_t kHandshakeHoldBytes = 64 * 1024;

}  // namespace

const size_t kPlainConnectionBytes = sizeof(Connection) + sizeof(PlainSocket);

std::string suppressed_note(LogThrottle& throttle) {
  uint64_t n = throttle.take_suppressed();
  return n == 0 ? std::string() : " (" + std::to_string(n) + " more not logged)";
}

Admission::Admission(const NetSettings& settings, Pool& shm, NetCounters& counters)
    : settings_(settings),
      shm_(shm),
      counters_(counters),
      per_ip_(settings.max_connections_per_ip),
      guard_(shm, settings.shm_high_water, settings.shm_low_water) {}

// A plain connection costs its objects, made at once; a TLS one what a TLS connection holds on
// average (at least a plain one's objects). An outbound TLS connection starts its handshake at
// once and reserves its peak now, until the handshake is done; an accepted one reserves it when
// its ClientHello arrives (admit_handshake): a silent peer must not hold 64 KiB of the budget
// for tls_handshake_timeout, or a few hundred of them lock every new client out.
bool Admission::admit(Transport t, bool outbound, const SocketAddr& peer, size_t& hold) {
  size_t cost = kPlainConnectionBytes;
  hold = 0;
  if (t == Transport::kTls) {
    if (outbound) hold = kHandshakeHoldBytes;
    cost = std::max(avg_tls_connection_bytes(), kPlainConnectionBytes) + hold;
  }
  auto kind = outbound ? MemoryGuard::Kind::kHandshake : MemoryGuard::Kind::kConnection;
  if (guard_.admit(cost, hold, kind)) return true;
  log_refusal(t, outbound, peer, cost);
  return false;
}

bool Admission::admit_handshake(Connection& conn) {
  if (conn.outbound()) return true;  // reserved at the connect
  size_t hold = kHandshakeHoldBytes;
  if (!guard_.admit(hold, hold, MemoryGuard::Kind::kConnection)) {
    log_refusal(conn.transport(), false, conn.peer(), hold);
    return false;
  }
  conn.hold_admission(hold);  // an accepted connection holds none before this
  return true;
}

void Admission::log_refusal(Transport t, bool outbound, const SocketAddr& peer, size_t cost) {
  if (guard_log_.allow()) {
    MemoryGuardStats g = guard_.stats();
    LOG_WARN(
        "%s %s %s refused: the shared memory budget is nearly spent (shm %zu of %zu bytes in "
        "use, %zu held for handshakes in progress, this one needs %zu; refusing above %zu, "
        "accepting again below %zu; raise -m / shm_mem_size)%s",
        t.name(), outbound ? "connect to" : "connection from", peer.to_string().c_str(),
        shm_.in_use(), shm_.budget(), g.reserved, cost, g.high_water, g.low_water,
        suppressed_note(guard_log_).c_str());
  }
}

bool Admission::try_acquire_slot(Transport t, bool outbound, const SocketAddr& peer) {
  size_t prev = active_.fetch_add(1, std::memory_order_relaxed);
  if (prev < settings_.max_connections) return true;
  active_.fetch_sub(1, std::memory_order_relaxed);
  bump(counters_.refused);
  if (outbound) {
    SER_LOG_THROTTLED(refuse_log_, LogLevel::kWarning, nullptr,
                      "connect to %s:%s refused: tcp_max_connections (%zu) reached", t.name(),
                      peer.to_string().c_str(), settings_.max_connections);
  } else if (refuse_log_.allow()) {
    LOG_WARN("%s connection from %s refused: tcp_max_connections (%zu) reached%s", t.name(),
             peer.to_string().c_str(), settings_.max_connections,
             suppressed_note(refuse_log_).c_str());
  }
  return false;
}

// A NAT'd office or an SBC legitimately holds hundreds of connections from one address; past
// the limit one peer would crowd everyone else out of tcp_max_connections.
bool Admission::try_acquire_ip(const SocketAddr& peer, Transport transport) {
  IpKey key = IpKey::of(peer);
  if (per_ip_.try_acquire(key)) return true;
  bump(counters_.refused_per_ip);
  if (refuse_log_.allow())
    LOG_WARN("%s connection from %s refused: tcp_max_connections_per_ip (%u) reached for %s%s",
             transport.name(), peer.to_string().c_str(), per_ip_.limit(), key.to_string().c_str(),
             suppressed_note(refuse_log_).c_str());
  return false;
}

void Admission::release_ip(const SocketAddr& peer) {
  per_ip_.release(IpKey::of(peer));
}

void Admission::set_baseline() {
  openssl_baseline_.store(library_memory().openssl.in_use, std::memory_order_relaxed);
  baseline_.store(shm_.in_use(), std::memory_order_relaxed);
}

size_t Admission::avg_tls_connection_bytes() const {
  size_t tls = live(Transport::kTls);
  if (tls == 0) return 0;
  size_t streams = tls + live(Transport::kTcp);
  size_t openssl = library_memory().openssl.in_use;
  size_t openssl_base = openssl_baseline_.load(std::memory_order_relaxed);
  size_t openssl_gain = openssl > openssl_base ? openssl - openssl_base : 0;
  size_t in_use = shm_.in_use();
  size_t base = baseline_.load(std::memory_order_relaxed);
  size_t gain = in_use > base ? in_use - base : 0;
  size_t rest = gain > openssl_gain ? gain - openssl_gain : 0;
  return openssl_gain / tls + rest / streams;
}

}  // namespace core::net
