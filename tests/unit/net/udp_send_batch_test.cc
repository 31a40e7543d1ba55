// UDP sends batched per turn of the worker's loop: the first datagram to a destination leaves at
// once (its failure is its caller's to see), later ones to it wait for the turn's end and leave
// together in one sendmmsg, in order, counted when they leave.
#include "core/net/udp_send_batch.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

struct UdpSink {
  UdpSink() {
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    SocketAddr any = *SocketAddr::parse("127.0.0.1", 0);
    EXPECT_EQ(::bind(fd, any.sa(), any.len()), 0);
    set_recv_timeout(fd, kWait);
    addr = local_address_of(fd);
  }
  ~UdpSink() { ::close(fd); }
  std::string next() {
    char buf[70000];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    return n < 0 ? std::string("(nothing)") : std::string(buf, static_cast<size_t>(n));
  }
  int fd = -1;
  SocketAddr addr;
};

TEST(UdpSendBatch, QueuesOnlyForADestinationThatTookADatagramThisTurn) {
  UdpSink sink, other;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  UdpSendBatch batch;
  EXPECT_FALSE(batch.take(fd, sink.addr, "a"));  // nothing left yet: the caller sends it
  EXPECT_TRUE(batch.sent(fd, sink.addr));        // the turn begins: its end must be told
  EXPECT_TRUE(batch.take(fd, sink.addr, "b"));
  EXPECT_TRUE(batch.take(fd, sink.addr, "c"));
  EXPECT_FALSE(batch.take(fd, other.addr, "x"));  // another destination: sent now
  EXPECT_FALSE(batch.sent(fd, other.addr));       // ... and the queue stays the first's
  EXPECT_TRUE(batch.holds(sink.addr));
  EXPECT_FALSE(batch.holds(other.addr));
  EXPECT_FALSE(batch.take(fd, sink.addr, std::string(UdpSendBatch::kBytes, 'z')));  // too big
  UdpSendBatch::Flushed f = batch.flush();
  EXPECT_EQ(f.sent, 2u);
  EXPECT_EQ(f.failed, 0u);
  EXPECT_EQ(sink.next(), "b");
  EXPECT_EQ(sink.next(), "c");
  EXPECT_FALSE(batch.take(fd, sink.addr, "d"));  // the turn ended: the next one goes at once
  ::close(fd);
}

TEST(UdpSendBatch, DatagramsThatFailWhenTheyLeaveAreCountedAndTheRestStillLeave) {
  UdpSink sink;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  UdpSendBatch batch;
  batch.sent(fd, sink.addr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(batch.take(fd, sink.addr, std::to_string(i)));
  ::close(fd);  // every one of them fails now
  UdpSendBatch::Flushed f = batch.flush();
  EXPECT_EQ(f.sent, 0u);
  EXPECT_EQ(f.failed, 3u);
  EXPECT_EQ(f.error, EBADF);
  EXPECT_EQ(f.dst, sink.addr);
}

class UdpBatchNetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    net_ = std::make_unique<Net>(test_settings(1), handler_);
    tcp_ = net_->add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
    udp_ = net_->add_listener({Transport::kUdp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
    ASSERT_GE(tcp_, 0);
    ASSERT_GE(udp_, 0);
  }
  void TearDown() override { net_->stop(); }
  // One TCP message in; `sends` runs on the worker for it, and has run when this returns.
  void deliver_one(std::function<void()> sends) {
    handler_.on_receive = [this, sends](const ReceivedMessage&) {
      sends();
      done_ = true;
    };
    ASSERT_TRUE(net_->start());
    int fd = tcp_client(net_->listen_address(tcp_));
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(write_all(fd, sip_message("b1")));
    ASSERT_TRUE(eventually([this] { return done_.load(); }));
    ::close(fd);
  }

  RecordingHandler handler_;
  std::unique_ptr<Net> net_;
  int tcp_ = -1;
  int udp_ = -1;
  std::atomic<bool> done_{false};
};

// The forward path of a pipelined TLS read: eight requests to one next hop in one turn.
TEST_F(UdpBatchNetTest, EightDatagramsToOneNextHopInOneTurnAllArriveInOrderAndAreCounted) {
  UdpSink hop;
  std::vector<SendResult> results;
  deliver_one([&] {
    for (int i = 0; i < 8; ++i)
      results.push_back(net_->send(Transport::kUdp, hop.addr, "fwd" + std::to_string(i), 0, udp_));
  });
  for (int i = 0; i < 8; ++i) EXPECT_EQ(hop.next(), "fwd" + std::to_string(i));
  EXPECT_EQ(results, std::vector<SendResult>(8, SendResult::kSent));
  EXPECT_TRUE(
      eventually([&] { return net_->stats().sent[Transport(Transport::kUdp).index()] == 8; }));
  EXPECT_EQ(net_->stats().send_failed, 0u);
}

// A datagram the kernel refuses (over 64 KiB) after another left to the same hop in the same
// turn: its caller still hears that it failed, and the next ones still leave.
TEST_F(UdpBatchNetTest, ADatagramThatCannotLeaveIsReportedToItsCallerInTheSameTurn) {
  UdpSink hop;
  std::vector<SendResult> results;
  deliver_one([&] {
    results.push_back(net_->send(Transport::kUdp, hop.addr, "first", 0, udp_));
    results.push_back(net_->send(Transport::kUdp, hop.addr, std::string(70000, 'x'), 0, udp_));
    results.push_back(net_->send(Transport::kUdp, hop.addr, "third", 0, udp_));
  });
  EXPECT_EQ(hop.next(), "first");
  EXPECT_EQ(hop.next(), "third");
  EXPECT_EQ(results,
            (std::vector<SendResult>{SendResult::kSent, SendResult::kFailed, SendResult::kSent}));
  EXPECT_TRUE(
      eventually([&] { return net_->stats().sent[Transport(Transport::kUdp).index()] == 2; }));
  EXPECT_EQ(net_->stats().send_failed, 1u);
}

}  // namespace
}  // namespace core::net
