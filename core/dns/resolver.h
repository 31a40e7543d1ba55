#pragma once
// One c-ares channel driven by a worker's libevent base: its sockets are watched through the
// base (ARES_OPT_SOCK_STATE_CB, ares_process_fd) and its retransmissions are timed by a Timer
// armed from ares_timeout. Nothing here blocks; answers come back through the callback on the
// base's thread. Usable without the proxy (tests give it a base of their own).
#include <ares.h>
#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/dns/answer.h"
#include "core/net/worker.h"

namespace core::dns {

struct ResolverSettings {
  // "IP[:PORT],[IPv6]:PORT,...", as ares_set_servers_ports_csv takes them; empty: the system's
  // (/etc/resolv.conf, read by c-ares).
  std::string servers;
  std::chrono::milliseconds timeout{2000};  // per try (RFC 1035 §4.2.1 leaves it to us)
  int retries = 2;                          // tries after the first, per server
};

struct ResolverStats {
  uint64_t queries = 0;
  uint64_t failed = 0;  // timeouts, SERVFAIL, refused, malformed answers
};

class Resolver {
 public:
  using Callback = std::function<void(const Answer&)>;

  Resolver(event_base* base, const ResolverSettings& settings);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // False when the channel could not be made (error() says why); queries then fail at once.
  bool ok() const { return channel_ != nullptr; }
  const std::string& error() const { return error_; }

  // Asks for (name, type); `done` runs later on the base's thread with the answer (never from
  // inside this call). Queries in flight when the resolver is destroyed are not answered.
  void query(std::string_view name, RrType type, Callback done);
  // A/AAAA from /etc/hosts (as getaddrinfo would answer first): true with `out` filled when
  // the file names `name`. A small local file read, no network.
  bool from_hosts(std::string_view name, RrType type, Answer* out);

  const ResolverStats& stats() const { return stats_; }

 private:
  struct Pending;
  static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable);
  static void on_io(evutil_socket_t fd, short what, void* arg);
  static void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);
  void watch(int fd, bool readable, bool writable);
  void arm_timer();

  event_base* base_;
  ares_channel channel_ = nullptr;
  std::string error_;
  std::unordered_map<int, event*> events_;
  std::unique_ptr<core::net::Timer> timer_;
  ResolverStats stats_;
  bool querying_ = false;  // inside ares_query: an answer now is delivered from the loop
};

}  // namespace core::dns
