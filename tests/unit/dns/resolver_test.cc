// The c-ares channel on a libevent base of the test's own (no proxy, no workers), against a
// small DNS responder on loopback that answers SRV, NAPTR and A (or stays silent).
#include "core/dns/resolver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

namespace core::dns {
namespace {

void put16(std::string& s, uint16_t v) {
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v & 0xFF));
}
void put32(std::string& s, uint32_t v) {
  put16(s, static_cast<uint16_t>(v >> 16));
  put16(s, static_cast<uint16_t>(v & 0xFFFF));
}
std::string wire_name(const std::string& name) {
  std::string out;
  size_t at = 0;
  while (at < name.size()) {
    size_t dot = name.find('.', at);
    if (dot == std::string::npos) dot = name.size();
    out.push_back(static_cast<char>(dot - at));
    out += name.substr(at, dot - at);
    at = dot + 1;
  }
  out.push_back('\0');
  return out;
}

// Answers every query from a thread: SRV and NAPTR records for "svc.test", A for "a.test",
// NXDOMAIN for anything else; nothing at all for "silent.test".
class Responder {
 public:
  Responder() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    timeval tv{0, 100000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    thread_ = std::thread([this] { run(); });
  }
  ~Responder() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }
  int queries() const { return queries_; }

 private:
  void run() {
    char buf[512];
    while (!stop_) {
      sockaddr_in peer{};
      socklen_t len = sizeof(peer);
      ssize_t n = ::recvfrom(fd_, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&peer), &len);
      if (n < 12) continue;
      ++queries_;
      std::string q(buf, static_cast<size_t>(n));
      std::string reply = answer(q);
      if (!reply.empty())
        ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), len);
    }
  }
  static std::string answer(const std::string& q) {
    // The question: labels from offset 12, then type and class.
    std::string name;
    size_t at = 12;
    while (at < q.size() && q[at] != 0) {
      size_t l = static_cast<uint8_t>(q[at]);
      if (!name.empty()) name += '.';
      name += q.substr(at + 1, l);
      at += l + 1;
    }
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    uint16_t type = static_cast<uint16_t>(static_cast<uint8_t>(q[at + 1]) << 8 |
                                          static_cast<uint8_t>(q[at + 2]));
    std::string question = q.substr(12, at + 5 - 12);
    if (name == "silent.test") return {};
    std::string rrs;
    int count = 0;
    uint16_t flags = 0x8180;  // response, recursion desired and available
    auto rr = [&](uint16_t t, uint32_t ttl, const std::string& rdata) {
      rrs += std::string("\xC0\x0C", 2);  // the question's name
      put16(rrs, t);
      put16(rrs, 1);
      put32(rrs, ttl);
      put16(rrs, static_cast<uint16_t>(rdata.size()));
      rrs += rdata;
      ++count;
    };
    if (name == "svc.test" && type == 33) {
      std::string d;
      put16(d, 10);
      put16(d, 60);
      put16(d, 5070);
      rr(33, 120, d + wire_name("a.test"));
      d.clear();
      put16(d, 20);
      put16(d, 0);
      put16(d, 5080);
      rr(33, 90, d + wire_name("b.test"));
    } else if (name == "svc.test" && type == 35) {
      std::string d;
      put16(d, 10);
      put16(d, 50);
      d += std::string("\x01s\x07SIP+D2T\x00", 11);
      rr(35, 300, d + wire_name("_sip._tcp.svc.test"));
    } else if (name == "a.test" && type == 1) {
      rr(1, 30, std::string("\x7F\x00\x00\x07", 4));
    } else {
      flags |= 3;  // NXDOMAIN
    }
    std::string out = q.substr(0, 2);
    put16(out, flags);
    put16(out, 1);
    put16(out, static_cast<uint16_t>(count));
    put16(out, 0);
    put16(out, 0);
    return out + question + rrs;
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

class ResolverTest : public ::testing::Test {
 protected:
  ResolverTest() : base_(event_base_new()) {}
  ~ResolverTest() override {
    resolver_.reset();
    event_base_free(base_);
  }
  void start(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
    ResolverSettings s;
    s.servers = responder_.server();
    s.timeout = timeout;
    s.retries = 0;
    resolver_ = std::make_unique<Resolver>(base_, s);
    ASSERT_TRUE(resolver_->ok()) << resolver_->error();
  }
  // Runs the base until the answer to (name, type) arrives, at most 5 s.
  std::optional<Answer> ask(const std::string& name, RrType type) {
    std::optional<Answer> got;
    resolver_->query(name, type, [&](const Answer& a) {
      got = a;
      event_base_loopbreak(base_);
    });
    EXPECT_FALSE(got) << "answered from inside query()";
    timeval limit{5, 0};
    event_base_loopexit(base_, &limit);
    event_base_dispatch(base_);
    return got;
  }

  Responder responder_;
  event_base* base_;
  std::unique_ptr<Resolver> resolver_;
};

TEST_F(ResolverTest, SrvRecordsComeBackWithTheirSmallestTtl) {
  start();
  auto a = ask("svc.test", RrType::kSrv);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, Status::kOk);
  EXPECT_EQ(a->ttl, 90u);
  ASSERT_EQ(a->srv.size(), 2u);
  EXPECT_EQ(a->srv[0].priority, 10);
  EXPECT_EQ(a->srv[0].weight, 60);
  EXPECT_EQ(a->srv[0].port, 5070);
  EXPECT_EQ(a->srv[0].target, "a.test");
  EXPECT_EQ(a->srv[1].target, "b.test");
}

TEST_F(ResolverTest, NaptrAndAAnswersAreRead) {
  start();
  auto n = ask("svc.test", RrType::kNaptr);
  ASSERT_TRUE(n);
  ASSERT_EQ(n->naptr.size(), 1u);
  EXPECT_EQ(n->naptr[0].service, "SIP+D2T");
  EXPECT_EQ(n->naptr[0].flags, "s");
  EXPECT_EQ(n->naptr[0].replacement, "_sip._tcp.svc.test");
  auto a = ask("A.Test", RrType::kA);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->addresses.size(), 1u);
  EXPECT_EQ(a->addresses[0].ip_string(), "127.0.0.7");
  EXPECT_EQ(a->ttl, 30u);
}

TEST_F(ResolverTest, AMissingNameIsNxDomainAndASilentServerTimesOut) {
  start(std::chrono::milliseconds(300));
  auto nx = ask("nothing.test", RrType::kA);
  ASSERT_TRUE(nx);
  EXPECT_EQ(nx->status, Status::kNxDomain);
  auto silent = ask("silent.test", RrType::kA);
  ASSERT_TRUE(silent);  // answered by the timeout, not by the test's 5 s limit
  EXPECT_EQ(silent->status, Status::kFailed);
  EXPECT_EQ(resolver_->stats().failed, 1u);
}

}  // namespace
}  // namespace core::dns
