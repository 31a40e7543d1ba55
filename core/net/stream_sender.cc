#include "core/net/stream_sender.h"

#include <cstring>
#include <new>

#include "core/base/log.h"
#include "core/net/admission.h"
#include "core/net/connection.h"
#include "core/net/connector.h"
#include "core/net/net_context.h"
#include "core/net/net_worker.h"

namespace core::net {

bool StreamSender::send_here(NetWorker& nw, uint64_t id, Transport t, const SocketAddr& dst,
                             std::string_view data, const TlsIdentity& identity,
                             uint64_t connect_token, bool* connecting) {
  bool ok = false;
  if (!nw.stopping) {
    Connection* conn = id != 0 ? nw.find(id) : nullptr;
    if (conn != nullptr) {
      ok = conn->send(data);
    } else {
      // No connection, or it closed meanwhile: RFC 3261 §18.2.2 — connect to the address.
      ok = connector_.connect_and_send(nw, t, dst, data, identity, connect_token, connecting);
    }
  }
  bump(ok ? net_.counters.sent[t.index()] : net_.counters.send_failed);
  return ok;
}

// A send handed to another worker: one shm block holding the parameters and the bytes (the
// message, then the identity's client domain and server name), so a cross-worker message costs
// one accounted allocation and no std::function.
struct StreamSender::Posted {
  StreamSender* sender;
  NetWorker* nw;
  uint64_t id;
  Transport transport;
  SocketAddr dst;
  size_t size;
  size_t domain_size;
  size_t name_size;
  char* data() { return reinterpret_cast<char*>(this + 1); }
  char* domain() { return data() + size; }
  char* name() { return domain() + domain_size; }
  static void run(void* arg) {
    auto* p = static_cast<Posted*>(arg);
    TlsIdentity identity{{p->domain(), p->domain_size}, {p->name(), p->name_size}};
    p->sender->send_here(*p->nw, p->id, p->transport, p->dst, {p->data(), p->size}, identity);
    Pool& shm = p->sender->net_.shm;
    p->~Posted();
    shm.deallocate(p);
  }
};

SendResult StreamSender::post(NetWorker& nw, uint64_t id, Transport t, const SocketAddr& dst,
                              std::string_view data, const TlsIdentity& identity) {
  const size_t extra = identity.client_domain.size() + identity.server_name.size();
  void* mem = net_.shm.allocate(sizeof(Posted) + data.size() + extra);
  if (mem == nullptr) {
    bump(net_.counters.send_failed);
    count_allocation_drop();
    if (net_.drop_log.allow())
      LOG_WARN("send to %s:%s dropped: shared memory budget exhausted", t.name(),
               dst.to_string().c_str());
    return SendResult::kFailed;
  }
  auto* p = new (mem) Posted{this,
                             &nw,
                             id,
                             t,
                             dst,
                             data.size(),
                             identity.client_domain.size(),
                             identity.server_name.size()};
  std::memcpy(p->data(), data.data(), data.size());
  if (!identity.client_domain.empty())
    std::memcpy(p->domain(), identity.client_domain.data(), identity.client_domain.size());
  if (!identity.server_name.empty())
    std::memcpy(p->name(), identity.server_name.data(), identity.server_name.size());
  if (nw.worker.post(&Posted::run, p)) return SendResult::kPosted;
  p->~Posted();
  net_.shm.deallocate(p);
  bump(net_.counters.send_failed);
  return SendResult::kFailed;
}

}  // namespace core::net
