#include "core/dns/server_locator.h"

#include <algorithm>
#include <cstring>

#include "core/sip/text.h"

namespace core::dns {
namespace {

constexpr size_t kMaxNaptr = 4;  // NAPTR records followed (each costs an SRV lookup)

// NAPTR services of RFC 3263 §4.1 and the transport each names.
std::optional<Transport> naptr_transport(const NaptrRecord& r) {
  using core::sip::iequals;
  if (iequals(r.service, "SIPS+D2T")) return Transport::kTls;
  if (iequals(r.service, "SIP+D2T")) return Transport::kTcp;
  if (iequals(r.service, "SIP+D2U")) return Transport::kUdp;
  return std::nullopt;
}

bool has_flag_s(std::string_view flags) {
  return flags.find_first_of("sS") != std::string_view::npos;
}

// "prefix" + "name" into buf (DNS names are at most 255 bytes); empty when it does not fit.
std::string_view join(std::string_view prefix, std::string_view name, char* buf, size_t size) {
  if (prefix.size() + name.size() > size) return {};
  std::memcpy(buf, prefix.data(), prefix.size());
  std::memcpy(buf + prefix.size(), name.data(), name.size());
  return {buf, prefix.size() + name.size()};
}

}  // namespace

std::string_view srv_prefix(Transport t) {
  switch (t) {
    case Transport::kTls:
      return "_sips._tcp.";
    case Transport::kTcp:
      return "_sip._tcp.";
    case Transport::kUdp:
      return "_sip._udp.";
  }
  return "_sip._udp.";
}

void NeedList::add(std::string_view name, RrType type) {
  if (name.size() > items_[0].name.size()) return;
  for (size_t i = 0; i < size_; ++i)
    if (items_[i].type == type && items_[i].view() == name) return;
  if (size_ == kCapacity) return;  // the rest are asked for by the next run
  Item& it = items_[size_++];
  std::memcpy(it.name.data(), name.data(), name.size());
  it.length = static_cast<uint8_t>(name.size());
  it.type = type;
}

bool ServerLocator::can_send(Transport t) const {
  return can_send_(t, AF_INET) || can_send_(t, AF_INET6);
}

const Answer* ServerLocator::lookup(Run& r, std::string_view name, RrType type) {
  const Answer* a = cache_.find(name, type, r.now);
  if (a == nullptr) r.need->add(name, type);
  return a;
}

void ServerLocator::add_host(Run& r, std::string_view name, uint16_t port, Transport t) {
  for (RrType type : {RrType::kA, RrType::kAaaa}) {
    if (!can_send_(t, type == RrType::kA ? AF_INET : AF_INET6)) continue;
    const Answer* a = lookup(r, name, type);
    if (a == nullptr) continue;
    if (a->status == Status::kFailed) r.failed = true;
    for (const auto& addr : a->addresses) {
      core::net::SocketAddr with_port = addr;
      with_port.set_port(port);
      r.out->add(t, with_port);
    }
  }
}

size_t ServerLocator::order_srv(const std::vector<SrvRecord>& srv, uint8_t* order, size_t max) {
  constexpr size_t kMax = 32;
  std::array<uint8_t, kMax> idx;
  size_t n = std::min(srv.size(), kMax);
  for (size_t i = 0; i < n; ++i) idx[i] = static_cast<uint8_t>(i);
  // By priority; within one, weight 0 first (RFC 2782: "placed at the beginning").
  std::stable_sort(idx.begin(), idx.begin() + n, [&](uint8_t a, uint8_t b) {
    if (srv[a].priority != srv[b].priority) return srv[a].priority < srv[b].priority;
    return (srv[a].weight == 0) > (srv[b].weight == 0);
  });
  size_t written = 0;
  for (size_t begin = 0; begin < n;) {
    size_t end = begin;
    while (end < n && srv[idx[end]].priority == srv[idx[begin]].priority) ++end;
    // Weighted random choice among [begin, end), the chosen ones moved to the front.
    for (size_t i = begin; i < end; ++i) {
      uint32_t sum = 0;
      for (size_t j = i; j < end; ++j) sum += srv[idx[j]].weight;
      uint32_t pick = std::uniform_int_distribution<uint32_t>(0, sum)(rng_);
      size_t chosen = i;
      uint32_t running = 0;
      for (size_t j = i; j < end; ++j) {
        running += srv[idx[j]].weight;
        if (running >= pick) {
          chosen = j;
          break;
        }
      }
      std::rotate(idx.begin() + i, idx.begin() + chosen, idx.begin() + chosen + 1);
      if (written < max) order[written++] = idx[i];
    }
    begin = end;
  }
  return written;
}

bool ServerLocator::add_srv(Run& r, std::string_view name, Transport t) {
  const Answer* a = lookup(r, name, RrType::kSrv);
  if (a == nullptr) return true;  // not known yet: no fallback decided
  if (a->status == Status::kFailed) {
    r.failed = true;
    return true;
  }
  bool any = false;
  std::array<uint8_t, 32> order;
  size_t n = order_srv(a->srv, order.data(), order.size());
  for (size_t i = 0; i < n; ++i) {
    const SrvRecord& s = a->srv[order[i]];
    if (s.target.empty()) continue;  // "." : the service is decidedly not available here
    any = true;
    add_host(r, s.target, s.port, t);
  }
  return any;
}

void ServerLocator::srv_or_host(Run& r, std::string_view host, Transport t) {
  char buf[300];
  std::string_view name = join(srv_prefix(t), host, buf, sizeof(buf));
  if (name.empty() || !add_srv(r, name, t)) add_host(r, host, t.default_port(), t);
}

// RFC 3263 §4.1: no usable NAPTR: SRV for each transport ser can use (sips: TLS only), in the
// order UDP, TCP, TLS; if none has a record, A/AAAA on the URI's default transport and port.
void ServerLocator::srv_per_transport(Run& r, const NextHop& hop) {
  static constexpr Transport kOrder[] = {Transport::kUdp, Transport::kTcp, Transport::kTls};
  bool any = false, known = true;
  for (Transport t : kOrder) {
    if ((hop.secure && t != Transport::kTls) || !can_send(t)) continue;
    char buf[300];
    std::string_view name = join(srv_prefix(t), hop.host, buf, sizeof(buf));
    if (name.empty()) continue;
    const Answer* a = cache_.find(name, RrType::kSrv, r.now);
    if (a == nullptr) {
      r.need->add(name, RrType::kSrv);
      known = false;
      continue;
    }
    if (a->status == Status::kOk && add_srv(r, name, t)) any = true;
  }
  if (known && !any) {
    Transport t = hop.secure ? Transport::kTls : Transport::kUdp;
    add_host(r, hop.host, t.default_port(), t);
  }
}

void ServerLocator::naptr(Run& r, const NextHop& hop) {
  const Answer* a = lookup(r, hop.host, RrType::kNaptr);
  if (a == nullptr) return;
  if (a->status == Status::kFailed) {
    r.failed = true;
    return;
  }
  // Usable records by order, then preference (RFC 3403 §8), the transports ser can send over.
  std::array<const NaptrRecord*, 16> use{};
  size_t n = 0;
  for (const auto& rec : a->naptr) {
    auto t = naptr_transport(rec);
    if (!t || !has_flag_s(rec.flags) || rec.replacement.empty()) continue;
    if ((hop.secure && *t != Transport::kTls) || !can_send(*t)) continue;
    if (n < use.size()) use[n++] = &rec;
  }
  std::stable_sort(use.begin(), use.begin() + n, [](const NaptrRecord* x, const NaptrRecord* y) {
    return x->order != y->order ? x->order < y->order : x->preference < y->preference;
  });
  n = std::min(n, kMaxNaptr);
  if (n == 0) {
    srv_per_transport(r, hop);
    return;
  }
  for (size_t i = 0; i < n; ++i) add_srv(r, use[i]->replacement, *naptr_transport(*use[i]));
}

Progress ServerLocator::locate(const NextHop& hop, Clock::time_point now, TargetList* out,
                               NeedList* need) {
  out->clear();
  need->clear();
  std::string_view host = hop.host;
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  Transport t = hop.transport.value_or(hop.secure ? Transport::kTls : Transport::kUdp);
  // RFC 3263 §4.1/§4.2: a numeric address is used as it is, on the given or default port.
  if (auto a = core::net::SocketAddr::parse(host, hop.port ? hop.port : t.default_port())) {
    out->add(t, *a);
    return Progress::kDone;
  }
  Run r{now, out, need};
  NextHop h = hop;
  h.host = host;
  if (hop.port != 0) {
    add_host(r, host, hop.port, t);
  } else if (hop.transport) {
    srv_or_host(r, host, t);
  } else {
    naptr(r, h);
  }
  if (!need->empty()) return Progress::kNeed;
  return out->empty() ? Progress::kFailed : Progress::kDone;
}

}  // namespace core::dns
