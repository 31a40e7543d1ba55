#include "core/net/udp_endpoint.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <new>
#include <optional>

#include "core/base/log.h"
#include "core/net/net_context.h"
#include "core/net/net_worker.h"
#include "core/net/socket_util.h"
#include "core/net/udp_receive_batch.h"
#include "core/sip/header_scan.h"

namespace core::net {
namespace {

constexpr int kBatch = 64;

bool only_crlf(std::string_view data) {
  return data.find_first_not_of("\r\n") == std::string_view::npos;
}

}  // namespace

void UdpEndpoint::readable(NetWorker& nw, int listener_id, int fd) {
  UdpReceiveBatch& in = nw.udp_in;
  const SocketAddr& bound = listeners_.address(listener_id);
  // At most kBatch datagrams per turn, so that one busy socket does not starve the others.
  for (int done = 0; done < kBatch;) {
    const int n = in.read(fd, bound);
    if (n < 0) {
      drop_datagrams(fd, listener_id);
      return;
    }
    for (int i = 0; i < n; ++i) deliver(nw, listener_id, in.src(i), in.dst(i), in.data(i));
    if (n < in.slots()) return;  // drained (what came since wakes the loop again)
    done += n;
  }
}

void UdpEndpoint::deliver(NetWorker& nw, int listener_id, const SocketAddr& src,
                          const SocketAddr& dst, std::string_view data) {
  if (data.empty() || only_crlf(data)) {  // NAT keep-alives (RFC 5626 §3.5.1 uses STUN/CRLF)
    bump(net_.counters.pings);
    return;
  }
  if (data.size() > net_.settings.max_message_size) {
    bump(net_.counters.too_big);
    if (net_.drop_log.allow())
      LOG_WARN("udp datagram of %zu bytes from %s over max_message_size; dropped", data.size(),
               src.to_string().c_str());
    return;
  }
  bump(nw.udp_received);  // the only count of it: Net::stats() sums the workers'
  const size_t owner = owner_of(data, static_cast<size_t>(nw.index()));
  if (owner != static_cast<size_t>(nw.index()) &&
      hand_over(*workers_[owner], listener_id, src, dst, data))
    return;
  handle(nw, listener_id, src, dst, data);
}

void UdpEndpoint::handle(NetWorker& nw, int listener_id, const SocketAddr& src,
                         const SocketAddr& dst, std::string_view data) {
  bump(nw.udp_handled);
  ReceivedMessage msg{Transport::kUdp, src, dst, 0, listener_id, nw.index(), data};
  net_.handler.on_message(msg);
}

// The worker of the connection the handler says the datagram goes to (a response relayed to
// a TLS client: no second hand-over for the send), else the Call-ID's value (long or compact
// name, RFC 3261 §7.3.3) hashed; a datagram without one (not SIP, or broken) stays where it was
// read.
size_t UdpEndpoint::owner_of(std::string_view data, size_t here) const {
  if (workers_.size() < 2) return here;
  if (uint64_t conn = net_.handler.connection_hint(data)) {
    std::optional<ConnectionRef> ref = net_.table.find(conn);
    return ref && ref->worker >= 0 ? static_cast<size_t>(ref->worker) : here;
  }
  std::string_view id = sip::first_header_value(data, sip::HeaderType::kCallId);
  if (!id.empty()) return std::hash<std::string_view>{}(id) % workers_.size();
  return here;
}

// One shm block: the addresses, then the datagram's bytes.
struct UdpEndpoint::Handed {
  UdpEndpoint* endpoint;
  NetWorker* nw;
  int listener_id;
  SocketAddr src;
  SocketAddr dst;
  size_t size;
  char* data() { return reinterpret_cast<char*>(this + 1); }
  static void run(void* arg) {
    auto* h = static_cast<Handed*>(arg);
    h->endpoint->handle(*h->nw, h->listener_id, h->src, h->dst, {h->data(), h->size});
    Pool& shm = h->endpoint->net_.shm;
    h->~Handed();
    shm.deallocate(h);
  }
};

bool UdpEndpoint::hand_over(NetWorker& to, int listener_id, const SocketAddr& src,
                            const SocketAddr& dst, std::string_view data) {
  void* mem = net_.shm.allocate(sizeof(Handed) + data.size());
  if (mem == nullptr) return false;  // handled where it was read instead
  auto* h = new (mem) Handed{this, &to, listener_id, src, dst, data.size()};
  std::memcpy(h->data(), data.data(), data.size());
  if (to.worker.post(&Handed::run, h)) return true;
  h->~Handed();
  net_.shm.deallocate(h);
  return false;
}

// No buffer to read into (the worker's pool refused it): the datagrams waiting are dropped and
// counted, or the listener would stay readable and spin the loop until memory came back.
void UdpEndpoint::drop_datagrams(int fd, int listener_id) {
  int dropped = 0;
  char byte;
  while (dropped < kBatch && ::recv(fd, &byte, 1, MSG_TRUNC | MSG_DONTWAIT) >= 0) {
    ++dropped;
    count_allocation_drop();
  }
  if (dropped > 0 && net_.drop_log.allow())
    LOG_WARN("udp:%s: %d datagrams dropped: no memory to read them (worker pool exhausted)%s",
             listeners_.address(listener_id).to_string().c_str(), dropped,
             suppressed_note(net_.drop_log).c_str());
}

SendResult UdpEndpoint::send(NetWorker& nw, const SocketAddr& dst, std::string_view data,
                             int listener_hint) {
  int fd = -1;
  auto fits = [&](int id) {
    return listeners_.spec(id).transport == Transport::kUdp &&
           listeners_.address(id).af() == dst.af();
  };
  if (listener_hint >= 0 && listener_hint < listeners_.count() && fits(listener_hint))
    fd = listeners_.fd(nw.index(), listener_hint);
  for (int id = 0; fd < 0 && id < listeners_.count(); ++id)
    if (fits(id)) fd = listeners_.fd(nw.index(), id);
  // On its own thread the worker batches datagrams to a destination that already took one this
  // turn (UdpSendBatch); counted as sent when they leave.
  const bool own = fd >= 0 && Worker::current() == &nw.worker;
  if (own && nw.udp_out.take(fd, dst, data)) return SendResult::kSent;
  if (own && nw.udp_out.holds(dst)) nw.flush_udp();  // never overtake the queued ones
  if (fd < 0 || ::sendto(fd, data.data(), data.size(), 0, dst.sa(), dst.len()) < 0) {
    const char* why = fd < 0 ? "no udp socket of that family" : strerror(errno);
    bump(net_.counters.send_failed);
    SER_LOG_THROTTLED(net_.log.send_failed, LogLevel::kInfo, nullptr, "udp send to %s failed: %s",
                      dst.to_string().c_str(), why);
    return SendResult::kFailed;
  }
  bump(net_.counters.sent[Transport(Transport::kUdp).index()]);
  if (own && nw.udp_out.sent(fd, dst)) nw.schedule_flush();
  return SendResult::kSent;
}

}  // namespace core::net
