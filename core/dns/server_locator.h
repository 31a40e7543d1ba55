#pragma once
// RFC 3263 §4 (locating a SIP server) as a procedure over the cache: it runs to the end with
// what the cache holds and names the lookups it is missing. The caller (WorkerDns) asks for
// those and runs it again once they are answered; with everything cached (or a numeric
// address) one run gives the targets, on the caller's stack, without allocating.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string_view>

#include "core/dns/answer.h"
#include "core/dns/cache.h"
#include "core/dns/target_list.h"

namespace core::dns {

// The next hop as the URI (or the script) names it.
struct NextHop {
  std::string_view host;               // a name or an address (brackets allowed)
  uint16_t port = 0;                   // 0: no port given
  std::optional<Transport> transport;  // transport= or the script's forward_tcp/tls/udp
  bool secure = false;                 // a sips: URI (RFC 3263 §4.1: TLS only)
};

// The lookups a run found missing from the cache.
class NeedList {
 public:
  static constexpr size_t kCapacity = 8;
  struct Item {
    std::array<char, 256> name;
    uint8_t length;
    RrType type;
    std::string_view view() const { return {name.data(), length}; }
  };
  void add(std::string_view name, RrType type);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Item& operator[](size_t i) const { return items_[i]; }
  void clear() { size_ = 0; }

 private:
  std::array<Item, kCapacity> items_;
  size_t size_ = 0;
};

enum class Progress : uint8_t {
  kDone,    // `out` holds the targets, in order
  kNeed,    // `need` names the lookups to make; run again once they are cached
  kFailed,  // no target: the name does not exist, has no usable records, or a lookup failed
};

class ServerLocator {
 public:
  using Clock = Cache::Clock;
  // Whether ser has a socket to send over `t` to an address of family `af` (AF_INET,
  // AF_INET6): transports without one are skipped (RFC 3263 §4.1), as are address families.
  using CanSend = std::function<bool(Transport t, int af)>;

  ServerLocator(Cache& cache, CanSend can_send, uint32_t seed = std::random_device{}())
      : cache_(cache), can_send_(std::move(can_send)), rng_(seed) {}

  Progress locate(const NextHop& hop, Clock::time_point now, TargetList* out, NeedList* need);

  // RFC 2782: `srv` ordered by priority, and within a priority by weighted random choice
  // (records of weight 0 first, then each picked with probability weight / sum of those
  // left). Writes up to `max` indexes into `order`; returns how many.
  size_t order_srv(const std::vector<SrvRecord>& srv, uint8_t* order, size_t max);

 private:
  struct Run {
    Clock::time_point now;
    TargetList* out;
    NeedList* need;
    bool failed = false;  // a lookup failed (timeout, SERVFAIL): no target from this branch
  };
  const Answer* lookup(Run& r, std::string_view name, RrType type);
  // A/AAAA of `name` (the families `t` can be sent to), each address with `port`.
  void add_host(Run& r, std::string_view name, uint16_t port, Transport t);
  // SRV of `name` (a full _service._proto.domain) for `t`; false when it has no record.
  bool add_srv(Run& r, std::string_view name, Transport t);
  // RFC 3263 §4.2 with a transport and no port: SRV for it, else A/AAAA on its default port.
  void srv_or_host(Run& r, std::string_view host, Transport t);
  // RFC 3263 §4.1 without transport and port: NAPTR, else SRV per transport, else A/AAAA.
  void naptr(Run& r, const NextHop& hop);
  void srv_per_transport(Run& r, const NextHop& hop);
  bool can_send(Transport t) const;

  Cache& cache_;
  CanSend can_send_;
  std::minstd_rand rng_;
};

// "_sips._tcp.", "_sip._tcp.", "_sip._udp." (RFC 3263 §4.2).
std::string_view srv_prefix(Transport t);

}  // namespace core::dns
