// The stateless proxy on real loopback sockets (port 0): core::net + core::proxy together,
// with test sockets as the UAC and UAS. Requests are forwarded across transports and the
// responses come back over the connection the request came in on.
#include <gtest/gtest.h>

#include "core/net/net.h"
#include "core/proxy/stateless_proxy.h"
#include "tests/unit/net/net_test_util.h"

namespace core::proxy {
namespace {

using core::Transport;
using core::net::SocketAddr;
using namespace core::net::testing;

class ProxyLoopbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    net_ = std::make_unique<core::net::Net>(test_settings(2), proxy_);
    sender_.attach(net_.get());
    for (Transport t : {Transport::kUdp, Transport::kTcp}) {
      core::net::ListenSpec spec;
      spec.transport = t;
      spec.address = *SocketAddr::parse("127.0.0.1", 0);
      int id = net_->add_listener(spec);
      ASSERT_GE(id, 0);
      SocketAddr bound = net_->listen_address(id);
      locals_.add({t, bound, id, "127.0.0.1", bound.port()});
    }
    ASSERT_TRUE(net_->start());
  }
  void TearDown() override { net_->stop(); }

  SocketAddr proxy_addr(Transport t) const {
    return t == Transport::kUdp ? locals_.all()[0].address : locals_.all()[1].address;
  }

  LocalSockets locals_;
  NetSender sender_;
  StatelessProxy proxy_{locals_, nullptr, sender_, ProxySettings{}};
  std::unique_ptr<core::net::Net> net_;
};

std::string request(const std::string& ruri, const std::string& via) {
  return "INVITE " + ruri + " SIP/2.0\r\nVia: " + via +
         "\r\nMax-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\n"
         "Call-ID: loop1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
}

// A UAS answer: the request's Via lines back, with a To tag.
std::string answer(const std::string& req) {
  std::string vias;
  for (size_t at = req.find("\r\nVia: "); at != std::string::npos;
       at = req.find("\r\nVia: ", at + 2))
    vias += req.substr(at + 2, req.find("\r\n", at + 2) - at);
  return "SIP/2.0 200 OK\r\n" + vias +
         "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: loop1\r\n"
         "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
}

// Reads a whole header section (our messages have no body).
std::string read_headers(int fd) {
  std::string got;
  while (got.find("\r\n\r\n") == std::string::npos) {
    std::string part = read_n(fd, 1);
    if (part.empty()) break;
    got += part;
  }
  return got;
}

int udp_socket() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  SocketAddr any = *SocketAddr::parse("127.0.0.1", 0);
  ::bind(fd, any.sa(), any.len());
  set_recv_timeout(fd, std::chrono::milliseconds(5000));
  return fd;
}

std::string recv_dgram(int fd, SocketAddr* from) {
  char buf[8192];
  socklen_t len = SocketAddr::capacity();
  ssize_t n = ::recvfrom(fd, buf, sizeof(buf), 0, from->sa(), &len);
  from->set_len(len);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

TEST_F(ProxyLoopbackTest, TcpInUdpOutAnswerReturnsOverTheSameConnection) {
  int uas = udp_socket();
  uint16_t uas_port = local_address_of(uas).port();
  int uac = tcp_client(proxy_addr(Transport::kTcp));
  ASSERT_GE(uac, 0);
  std::string via = "SIP/2.0/TCP 127.0.0.1:" + std::to_string(local_address_of(uac).port()) +
                    ";branch=z9hG4bKtcp1";
  std::string req = request("sip:bob@127.0.0.1:" + std::to_string(uas_port), via);
  ASSERT_TRUE(write_all(uac, req));

  SocketAddr from;
  std::string got = recv_dgram(uas, &from);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.rfind("INVITE sip:bob@127.0.0.1:", 0), 0u);
  EXPECT_NE(got.find("Via: SIP/2.0/UDP 127.0.0.1:" +
                     std::to_string(proxy_addr(Transport::kUdp).port()) + ";branch=z9hG4bK"),
            std::string::npos);
  std::string ans = answer(got);
  ASSERT_EQ(::sendto(uas, ans.data(), ans.size(), 0, from.sa(), from.len()),
            static_cast<ssize_t>(ans.size()));

  std::string back = read_headers(uac);
  EXPECT_EQ(back.rfind("SIP/2.0 200 OK\r\nVia: " + via + "\r\n", 0), 0u) << back;
  EXPECT_TRUE(eventually([&] { return proxy_.stats().replies_forwarded.load() == 1u; }));
  ::close(uac);
  ::close(uas);
}

TEST_F(ProxyLoopbackTest, UdpInTcpOutProxyConnectsAndRelaysTheAnswer) {
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  SocketAddr any = *SocketAddr::parse("127.0.0.1", 0);
  ASSERT_EQ(::bind(lfd, any.sa(), any.len()), 0);
  ASSERT_EQ(::listen(lfd, 4), 0);
  uint16_t uas_port = local_address_of(lfd).port();
  int uac = udp_socket();
  std::string via = "SIP/2.0/UDP 127.0.0.1:" + std::to_string(local_address_of(uac).port()) +
                    ";rport;branch=z9hG4bKudp1";
  std::string req =
      request("sip:bob@127.0.0.1:" + std::to_string(uas_port) + ";transport=tcp", via);
  SocketAddr to = proxy_addr(Transport::kUdp);
  ASSERT_GT(::sendto(uac, req.data(), req.size(), 0, to.sa(), to.len()), 0);

  int uas = ::accept(lfd, nullptr, nullptr);
  ASSERT_GE(uas, 0);
  set_recv_timeout(uas, std::chrono::milliseconds(5000));
  std::string got = read_headers(uas);
  ASSERT_NE(got.find("Via: SIP/2.0/TCP 127.0.0.1:"), std::string::npos) << got;
  std::string ans = answer(got);
  ASSERT_TRUE(write_all(uas, ans));

  SocketAddr from;
  std::string back = recv_dgram(uac, &from);
  EXPECT_EQ(back.rfind("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:", 0), 0u) << back;
  EXPECT_NE(back.find(";rport=" + std::to_string(local_address_of(uac).port())), std::string::npos);
  EXPECT_EQ(from, to);
  ::close(uas);
  ::close(lfd);
  ::close(uac);
}

}  // namespace
}  // namespace core::proxy
