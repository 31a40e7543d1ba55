// UDP reads batched with recvmmsg: up to kSlots datagrams per call, each with its bytes, its
// source and the address it was sent to; a short read means the socket is drained; a worker
// whose pool cannot give every slot still reads, one datagram at a time.
#include "core/net/udp_receive_batch.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "core/net/socket_util.h"
#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

// A sender bound to its own loopback address, so the reader can tell senders apart.
struct Sender {
  explicit Sender(const char* ip) {
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    SocketAddr local = *SocketAddr::parse(ip, 0);
    EXPECT_EQ(::bind(fd, local.sa(), local.len()), 0);
    addr = local_address_of(fd);
  }
  ~Sender() { ::close(fd); }
  void send(const SocketAddr& to, const std::string& data) {
    ASSERT_EQ(::sendto(fd, data.data(), data.size(), 0, to.sa(), to.len()),
              static_cast<ssize_t>(data.size()));
  }
  int fd = -1;
  SocketAddr addr;
};

// A listening UDP socket as ser opens one (IP_PKTINFO on a wildcard address).
struct Listener {
  explicit Listener(const char* ip) {
    fd = open_listen_socket(*SocketAddr::parse(ip, 0), false, false);
    EXPECT_GE(fd, 0);
    bound = local_address_of(fd);
  }
  ~Listener() { ::close(fd); }
  // Waits until a datagram is there to read (loopback delivers at once; this bounds the test).
  bool ready() {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 5000) == 1;
  }
  int fd = -1;
  SocketAddr bound;
};

TEST(UdpReceiveBatch, ReadsUpToItsSlotsPerCallInOrderWithEachSourceThenSaysDrained) {
  Pool pool("test", 0, PoolSharing::kOwnerThread);
  Listener l("127.0.0.1");
  Sender a("127.0.0.1"), b("127.0.0.2");
  const int total = UdpReceiveBatch::kSlots + 2;
  for (int i = 0; i < total; ++i) (i % 2 ? b : a).send(l.bound, "datagram " + std::to_string(i));
  ASSERT_TRUE(l.ready());
  UdpReceiveBatch in(pool);
  ASSERT_EQ(in.read(l.fd, l.bound), UdpReceiveBatch::kSlots);
  EXPECT_EQ(in.slots(), UdpReceiveBatch::kSlots);
  for (int i = 0; i < UdpReceiveBatch::kSlots; ++i) {
    EXPECT_EQ(in.data(i), "datagram " + std::to_string(i));
    EXPECT_EQ(in.src(i), (i % 2 ? b : a).addr);
    EXPECT_EQ(in.dst(i), l.bound);
  }
  ASSERT_EQ(in.read(l.fd, l.bound), 2);
  EXPECT_EQ(in.data(0), "datagram " + std::to_string(total - 2));
  EXPECT_EQ(in.data(1), "datagram " + std::to_string(total - 1));
  EXPECT_EQ(in.src(1), b.addr);
  EXPECT_EQ(in.read(l.fd, l.bound), 0);  // nothing left
}

TEST(UdpReceiveBatch, OnAWildcardSocketEachDatagramSaysWhichAddressItWasSentTo) {
  Pool pool("test", 0, PoolSharing::kOwnerThread);
  Listener l("0.0.0.0");
  Sender s("127.0.0.1");
  s.send(*SocketAddr::parse("127.0.0.1", l.bound.port()), "to one");
  s.send(*SocketAddr::parse("127.0.0.3", l.bound.port()), "to three");
  ASSERT_TRUE(l.ready());
  UdpReceiveBatch in(pool);
  ASSERT_EQ(in.read(l.fd, l.bound), 2);  // loopback queued both before the read
  EXPECT_EQ(in.dst(0), *SocketAddr::parse("127.0.0.1", l.bound.port()));
  EXPECT_EQ(in.dst(1), *SocketAddr::parse("127.0.0.3", l.bound.port()));
  EXPECT_EQ(in.data(1), "to three");
}

TEST(UdpReceiveBatch, OnAnIpv6WildcardSocketTooTheDestinationIsTheOneSentTo) {
  Pool pool("test", 0, PoolSharing::kOwnerThread);
  Listener l("::");
  int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  SocketAddr to = *SocketAddr::parse("::1", l.bound.port());
  ASSERT_EQ(::sendto(fd, "six", 3, 0, to.sa(), to.len()), 3);
  ::close(fd);
  ASSERT_TRUE(l.ready());
  UdpReceiveBatch in(pool);
  ASSERT_EQ(in.read(l.fd, l.bound), 1);
  EXPECT_EQ(in.dst(0), to);
  EXPECT_EQ(in.data(0), "six");
}

TEST(UdpReceiveBatch, APoolShortOfRoomForEverySlotStillReadsOneAtATime) {
  // Room for one slot, not for kSlots.
  Pool pool("small", 2 * UdpReceiveBatch::kSlotBytes, PoolSharing::kOwnerThread);
  Listener l("127.0.0.1");
  Sender s("127.0.0.1");
  s.send(l.bound, "first");
  s.send(l.bound, "second");
  ASSERT_TRUE(l.ready());
  UdpReceiveBatch in(pool);
  ASSERT_EQ(in.read(l.fd, l.bound), 1);
  EXPECT_EQ(in.slots(), 1);
  EXPECT_EQ(in.data(0), "first");
  ASSERT_EQ(in.read(l.fd, l.bound), 1);
  EXPECT_EQ(in.data(0), "second");
}

TEST(UdpReceiveBatch, APoolWithNoRoomForOneSlotReadsNothing) {
  Pool pool("tiny", 4096, PoolSharing::kOwnerThread);
  Listener l("127.0.0.1");
  Sender s("127.0.0.1");
  s.send(l.bound, "waits");
  ASSERT_TRUE(l.ready());
  UdpReceiveBatch in(pool);
  EXPECT_EQ(in.read(l.fd, l.bound), -1);
  EXPECT_TRUE(l.ready()) << "the datagram is left to the caller (UdpEndpoint drops and counts it)";
}

}  // namespace
}  // namespace core::net
