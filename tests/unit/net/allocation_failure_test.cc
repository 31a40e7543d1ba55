// A failed allocation on the data path drops the message or connection concerned, counted in
// core::allocation_drops(), and the worker goes on serving (DESIGN.md principle 3).
#include <gtest/gtest.h>

#include "core/base/memory_guard.h"
#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

void send_datagram(int fd, const SocketAddr& to, const std::string& text) {
  ASSERT_EQ(::sendto(fd, text.data(), text.size(), 0, to.sa(), to.len()),
            static_cast<ssize_t>(text.size()));
}

// Without a read buffer (the worker's pool refuses it) the waiting datagrams are dropped at
// once, not left in the socket to be read late (or to spin the loop) once memory is back.
TEST(AllocationFailureTest, DatagramsWithoutAReadBufferAreDroppedAndCounted) {
  RecordingHandler handler;
  Net net(test_settings(1), handler);
  int lid = net.add_listener({Transport::kUdp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(lid, 0);
  Pool& pkg = net.worker_pool(0);
  const size_t budget = pkg.budget();
  pkg.set_budget(1024);  // far below a datagram's read buffer
  ASSERT_TRUE(net.start());
  SocketAddr server = net.listen_address(lid);
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  uint64_t drops = allocation_drops();
  for (const char* tag : {"d1", "d2", "d3"}) send_datagram(fd, server, sip_message(tag));
  ASSERT_TRUE(eventually([&] { return allocation_drops() >= drops + 3; }));
  pkg.set_budget(budget);
  send_datagram(fd, server, sip_message("d4"));
  ASSERT_TRUE(handler.wait_for(1));
  auto got = handler.messages();
  EXPECT_NE(got[0].data.find("d4"), std::string::npos) << "the dropped ones never came";
  EXPECT_EQ(allocation_drops(), drops + 3);
  EXPECT_GT(pkg.stats().failures, 0u);
  net.stop();
  ::close(fd);
}

// A TCP connection whose worker cannot give it a read buffer is closed, counted as a drop.
TEST(AllocationFailureTest, AConnectionWithoutAReadBufferIsClosedAndCounted) {
  RecordingHandler handler;
  Net net(test_settings(1), handler);
  int lid = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  Pool& pkg = net.worker_pool(0);
  const size_t budget = pkg.budget();
  pkg.set_budget(1024);
  ASSERT_TRUE(net.start());
  uint64_t drops = allocation_drops();
  int a = tcp_client(net.listen_address(lid));
  ASSERT_TRUE(write_all(a, sip_message("a")));
  EXPECT_TRUE(closed_by_peer(a));
  EXPECT_EQ(allocation_drops(), drops + 1);
  pkg.set_budget(budget);
  int b = tcp_client(net.listen_address(lid));
  ASSERT_TRUE(write_all(b, sip_message("b")));
  EXPECT_TRUE(handler.wait_for(1)) << "served once memory is back";
  net.stop();
  ::close(a);
  ::close(b);
}

// A send handed to another worker needs a block of shm; without it the send fails, counted,
// and the connection it was for is still served once memory is back.
TEST(AllocationFailureTest, APostedSendWithoutSharedMemoryFailsAndIsCounted) {
  Pool shm("test-shm", 0);
  RecordingHandler handler;
  Net net(test_settings(1), handler, shm);
  int lid = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_TRUE(net.start());
  int a = tcp_client(net.listen_address(lid));
  ASSERT_TRUE(write_all(a, sip_message("a")));
  ASSERT_TRUE(handler.wait_for(1));
  Received first = handler.messages()[0];
  uint64_t drops = allocation_drops();
  shm.set_budget(shm.stats().in_use + 8);
  // From this thread (not a worker): the send is posted, in a block of shm.
  EXPECT_EQ(net.send(Transport::kTcp, first.src, "lost", first.conn_id), SendResult::kFailed);
  EXPECT_EQ(allocation_drops(), drops + 1);
  EXPECT_EQ(net.stats().send_failed, 1u);
  shm.set_budget(0);
  EXPECT_EQ(net.send(Transport::kTcp, first.src, "back", first.conn_id), SendResult::kPosted);
  EXPECT_EQ(read_n(a, 4), "back");
  net.stop();
  ::close(a);
}

// An outbound connect above the high-water mark is refused before a socket is opened, counted
// as a refused outbound connection; below the low mark it is made again.
TEST(AllocationFailureTest, AnOutboundConnectAboveTheHighMarkIsRefusedThenMadeAgain) {
  Pool shm("test-shm", 0);
  RecordingHandler peer_handler;
  Net peer(test_settings(1), peer_handler);
  int lid = peer.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_TRUE(peer.start());
  RecordingHandler handler;
  Net net(test_settings(1), handler, shm);
  ASSERT_TRUE(net.start());
  shm.set_budget(100000);
  void* held = shm.allocate(95000);  // above 90 %, with room left for the posted send
  SocketAddr to = peer.listen_address(lid);
  EXPECT_EQ(net.send(Transport::kTcp, to, sip_message("x")), SendResult::kPosted);
  ASSERT_TRUE(eventually([&] { return net.guard().stats().refused_handshakes == 1; }));
  EXPECT_EQ(net.stats().connects, 0u) << "no socket was opened";
  shm.deallocate(held);
  shm.set_budget(0);
  EXPECT_EQ(net.send(Transport::kTcp, to, sip_message("y")), SendResult::kPosted);
  ASSERT_TRUE(peer_handler.wait_for(1));
  EXPECT_NE(peer_handler.messages()[0].data.find("y"), std::string::npos);
  net.stop();
  peer.stop();
}

}  // namespace
}  // namespace core::net
