// RFC 5626 flow tokens: what one names comes back from it, and nothing else verifies.
#include "core/proxy/flow_token.h"

#include <gtest/gtest.h>

#include <string>

namespace core::proxy {
namespace {

using core::Transport;
using core::net::SocketAddr;

Flow stream_flow() {
  Flow f;
  f.transport = Transport::kTls;
  f.listener_id = 3;
  f.conn_id = 4242;
  f.af = AF_INET;
  return f;
}

Flow udp_flow(const char* ip, uint16_t port) {
  Flow f;
  f.transport = Transport::kUdp;
  f.listener_id = 0;
  f.peer = *SocketAddr::parse(ip, port);
  f.af = f.peer.af();
  return f;
}

TEST(FlowToken, AStreamTokenNamesItsConnection) {
  FlowToken tokens;
  TextArena arena;
  std::string_view text = tokens.write(stream_flow(), arena);
  auto f = tokens.verify(text);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->transport, Transport::kTls);
  EXPECT_EQ(f->listener_id, 3);
  EXPECT_EQ(f->conn_id, 4242u);
  EXPECT_TRUE(f->same_as(stream_flow()));
}

TEST(FlowToken, AUdpTokenNamesThePeerAndTheLocalSocket) {
  FlowToken tokens;
  TextArena arena;
  for (const char* ip : {"198.51.100.7", "2001:db8::7"}) {
    std::string_view text = tokens.write(udp_flow(ip, 40000), arena);
    EXPECT_LE(text.size(), FlowToken::kMaxChars);
    auto f = tokens.verify(text);
    ASSERT_TRUE(f) << ip;
    EXPECT_EQ(f->transport, Transport::kUdp);
    EXPECT_EQ(f->peer, *SocketAddr::parse(ip, 40000));
    EXPECT_EQ(f->listener_id, 0);
    EXPECT_FALSE(f->same_as(udp_flow(ip, 40001)));
  }
}

// Every token written has the shape looks_like() checks (else a real token would be taken for
// an ordinary user part and its flow ignored); ordinary user parts do not.
TEST(FlowToken, EveryLayoutLooksLikeATokenAndUserNamesDoNot) {
  FlowToken tokens;
  TextArena arena;
  EXPECT_TRUE(FlowToken::looks_like(tokens.write(stream_flow(), arena)));
  EXPECT_TRUE(FlowToken::looks_like(tokens.write(udp_flow("198.51.100.7", 40000), arena)));
  EXPECT_TRUE(FlowToken::looks_like(tokens.write(udp_flow("2001:db8::7", 40000), arena)));
  for (const char* user : {"edge", "alice", "4930123456", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"})
    EXPECT_FALSE(FlowToken::looks_like(user)) << user;
}

TEST(FlowToken, IsAUriUserPartWithoutEscaping) {
  FlowToken tokens;
  TextArena arena;
  std::string_view text = tokens.write(udp_flow("2001:db8::7", 40000), arena);
  for (char c : text) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << c;
}

TEST(FlowToken, AnyEditedCharacterFailsToVerify) {
  FlowToken tokens;
  TextArena arena;
  std::string text(tokens.write(stream_flow(), arena));
  for (size_t i = 0; i < text.size(); ++i) {
    std::string edited = text;
    edited[i] = edited[i] == 'a' ? 'b' : 'a';
    EXPECT_FALSE(tokens.verify(edited)) << "position " << i;
  }
  EXPECT_FALSE(tokens.verify(text.substr(1)));
  EXPECT_FALSE(tokens.verify(text + "a"));
  EXPECT_FALSE(tokens.verify(""));
  EXPECT_FALSE(tokens.verify("alice"));
}

TEST(FlowToken, ATokenOfAnotherNodeOrRunDoesNotVerify) {
  FlowToken ours, theirs;
  TextArena arena;
  EXPECT_FALSE(ours.verify(theirs.write(stream_flow(), arena)));
  EXPECT_FALSE(ours.verify(theirs.write(udp_flow("198.51.100.7", 5060), arena)));
}

}  // namespace
}  // namespace core::proxy
