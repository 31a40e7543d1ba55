#include "core/dns/resolver.h"

#include <arpa/nameser.h>
#include <netdb.h>

#include <cstring>
#include <mutex>

#include "core/dns/response_parser.h"

namespace core::dns {

struct Resolver::Pending {
  Resolver* self;
  RrType type;
  Callback done;
  Answer answer;
  // Answered from the loop (never from inside query()): the caller is not re-entered.
  static void deliver_later(Pending* p) {
    event_base_once(
        p->self->base_, -1, EV_TIMEOUT,
        [](evutil_socket_t, short, void* arg) {
          std::unique_ptr<Pending> q(static_cast<Pending*>(arg));
          q->done(q->answer);
        },
        p, nullptr);
  }
};

namespace {
void library_init() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}
}  // namespace

Resolver::Resolver(event_base* base, const ResolverSettings& settings) : base_(base) {
  library_init();
  timer_ = std::make_unique<core::net::Timer>(base_, [this] {
    ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    arm_timer();
  });
  ares_options opts{};
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS;
  opts.sock_state_cb = &Resolver::on_sock_state;
  opts.sock_state_cb_data = this;
  opts.timeout = static_cast<int>(settings.timeout.count());
  opts.tries = settings.retries + 1;
  // SIP names are absolute (RFC 3263 looks the URI's host up as it is): no search list.
  opts.flags = ARES_FLAG_NOSEARCH;
  int rc = ares_init_options(&channel_, &opts, mask);
  if (rc != ARES_SUCCESS) {
    error_ = std::string("cannot start the DNS resolver: ") + ares_strerror(rc);
    channel_ = nullptr;
    return;
  }
  if (!settings.servers.empty()) {
    rc = ares_set_servers_ports_csv(channel_, settings.servers.c_str());
    if (rc != ARES_SUCCESS) {
      error_ = "dns_servers '" + settings.servers + "': " + ares_strerror(rc);
      ares_destroy(channel_);
      channel_ = nullptr;
    }
  }
}

Resolver::~Resolver() {
  // Queries in flight are called back with ARES_EDESTRUCTION (on_answer drops them) and the
  // channel's sockets reported closed (watch frees their events) before the maps go.
  if (channel_ != nullptr) ares_destroy(channel_);
  for (auto& [fd, ev] : events_) event_free(ev);
}

void Resolver::query(std::string_view name, RrType type, Callback done) {
  ++stats_.queries;
  std::string n(name);
  auto* p = new Pending{this, type, std::move(done), {}};
  if (channel_ == nullptr) {
    ++stats_.failed;
    Pending::deliver_later(p);
    return;
  }
  querying_ = true;
  ares_query(channel_, n.c_str(), ns_c_in, static_cast<int>(type), &Resolver::on_answer, p);
  querying_ = false;
  arm_timer();
}

void Resolver::on_answer(void* arg, int status, int, unsigned char* abuf, int alen) {
  std::unique_ptr<Pending> p(static_cast<Pending*>(arg));
  if (status == ARES_EDESTRUCTION) return;
  Answer a;
  if (abuf != nullptr && alen > 0) {
    ResponseParser::parse({reinterpret_cast<const char*>(abuf), static_cast<size_t>(alen)}, p->type,
                          &a);
  } else if (status == ARES_ENOTFOUND) {
    a.status = Status::kNxDomain;
  } else if (status == ARES_ENODATA) {
    a.status = Status::kNoData;
  }
  if (a.status == Status::kFailed) ++p->self->stats_.failed;
  if (p->self->querying_) {  // c-ares refused the query at once (a bad name, no server)
    p->answer = std::move(a);
    Pending::deliver_later(p.release());
    return;
  }
  p->done(a);
}

bool Resolver::from_hosts(std::string_view name, RrType type, Answer* out) {
  if (channel_ == nullptr || (type != RrType::kA && type != RrType::kAaaa)) return false;
  std::string n(name);
  hostent* he = nullptr;
  int family = type == RrType::kA ? AF_INET : AF_INET6;
  if (ares_gethostbyname_file(channel_, n.c_str(), family, &he) != ARES_SUCCESS || he == nullptr)
    return false;
  *out = Answer{};
  for (char** a = he->h_addr_list; a != nullptr && *a != nullptr; ++a) {
    sockaddr_in v4{};
    sockaddr_in6 v6{};
    if (family == AF_INET) {
      v4.sin_family = AF_INET;
      std::memcpy(&v4.sin_addr, *a, 4);
      out->addresses.push_back(
          core::net::SocketAddr::from_sockaddr(reinterpret_cast<const sockaddr*>(&v4), sizeof(v4)));
    } else {
      v6.sin6_family = AF_INET6;
      std::memcpy(&v6.sin6_addr, *a, 16);
      out->addresses.push_back(
          core::net::SocketAddr::from_sockaddr(reinterpret_cast<const sockaddr*>(&v6), sizeof(v6)));
    }
  }
  ares_free_hostent(he);
  out->status = out->addresses.empty() ? Status::kNoData : Status::kOk;
  out->ttl = 60;  // the file has no TTL: read again a minute later
  return true;
}

void Resolver::on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
  static_cast<Resolver*>(data)->watch(fd, readable != 0, writable != 0);
}

void Resolver::watch(int fd, bool readable, bool writable) {
  auto it = events_.find(fd);
  if (it != events_.end()) {
    event_free(it->second);
    events_.erase(it);
  }
  if (!readable && !writable) return;
  short what = EV_PERSIST | (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);
  event* ev = event_new(base_, fd, what, &Resolver::on_io, this);
  if (ev == nullptr || event_add(ev, nullptr) != 0) {
    if (ev != nullptr) event_free(ev);
    return;  // the query times out (ares_timeout still drives it)
  }
  events_.emplace(fd, ev);
}

void Resolver::on_io(evutil_socket_t fd, short what, void* arg) {
  auto* self = static_cast<Resolver*>(arg);
  ares_process_fd(self->channel_, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
                  (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
  self->arm_timer();
}

void Resolver::arm_timer() {
  timeval tv;
  if (ares_timeout(channel_, nullptr, &tv) == nullptr) {
    timer_->cancel();
    return;
  }
  timer_->arm(std::chrono::milliseconds(tv.tv_sec * 1000 + tv.tv_usec / 1000));
}

}  // namespace core::dns
