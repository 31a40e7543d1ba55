// The message path above the net layer allocates nothing per message once warm: a stateless
// reply, a forward (with our Via, Max-Forwards, received/rport, Record-Route, the ;i= tag of a
// stream) and a relayed response are built in per-message arenas and the worker's reused output
// buffers. Counted here: operator new (anything in std:: that would allocate) and the shared
// pool's blocks (the output buffers grow there).
#include <gtest/gtest.h>

#include <string>

#include "cfg/config_loader.h"
#include "core/base/pool.h"
#include "core/proxy/stateless_proxy.h"
#include "core/script/compiled_script.h"
#include "tests/unit/counting_new.h"

namespace core::proxy {
namespace {

using core::Transport;
using core::net::SocketAddr;

// Sends nowhere and keeps nothing but counts: keeping a copy would allocate.
class CountingSender : public Sender {
 public:
  core::net::SendResult send(Transport, const SocketAddr&, std::string_view data, uint64_t, int,
                             const core::net::TlsIdentity&, uint64_t) override {
    ++sent;
    starts_200 += data.starts_with("SIP/2.0 200 OK\r\n") ? 1 : 0;
    return core::net::SendResult::kSent;
  }
  size_t sent = 0;
  size_t starts_200 = 0;
};

std::shared_ptr<const core::script::CompiledScript> compile(const char* text) {
  cfg::Config config;
  cfg::Diagnostics diags;
  if (!cfg::load_config_text("t.cfg", text, &config, &diags)) return nullptr;
  return core::script::CompiledScript::compile(config.script, diags);
}

const std::string kOptions =
    "OPTIONS sip:192.0.2.1:5061 SIP/2.0\r\n"
    "Via: SIP/2.0/TLS 198.51.100.7:40000;branch=z9hG4bKopt1;rport\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:bench@198.51.100.7>;tag=a1\r\n"
    "To: <sip:192.0.2.1>\r\n"
    "Call-ID: opt-1@bench\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Content-Length: 0\r\n\r\n";

const std::string kInvite =
    "INVITE sip:bob@203.0.113.5 SIP/2.0\r\n"
    "Via: SIP/2.0/TCP 198.51.100.7:5062;rport;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "Route: <sip:192.0.2.1;lr>\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    "Content-Length: 0\r\n\r\n";

const std::string kResponse =
    "SIP/2.0 180 Ringing\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKser.0123456789abcdef\r\n"
    "Via: SIP/2.0/UDP 198.51.100.7:5062;rport=5062;received=198.51.100.7;branch=z9hG4bK776\r\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n\r\n";

class NoAllocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    locals_.add({Transport::kUdp, *SocketAddr::parse("192.0.2.1", 5060), 0, "192.0.2.1", 5060});
    locals_.add({Transport::kTls, *SocketAddr::parse("192.0.2.1", 5061), 1, "192.0.2.1", 5061});
  }

  // Handles `rx` `n` times after a warm-up; returns the allocations counted meanwhile.
  size_t allocations(StatelessProxy& proxy, const core::net::ReceivedMessage& rx, int n) {
    for (int i = 0; i < 10; ++i) proxy.on_message(rx);
    const uint64_t pool_before = core::Pool::shm().stats().allocations;
    g_allocations = 0;
    g_counting = true;
    for (int i = 0; i < n; ++i) proxy.on_message(rx);
    g_counting = false;
    return g_allocations.load() + (core::Pool::shm().stats().allocations - pool_before);
  }

  LocalSockets locals_;
  CountingSender sender_;
  SocketAddr phone_ = *SocketAddr::parse("198.51.100.7", 40000);
};

TEST_F(NoAllocationTest, AStatelessReplyOverTlsAllocatesNothing) {
  StatelessProxy proxy(locals_, compile("route { sl_send_reply(200, \"OK\"); }\n"), sender_, {});
  SocketAddr dst = locals_.by_listener(1)->address;
  core::net::ReceivedMessage rx{Transport::kTls, phone_, dst, 42, 1, 0, kOptions};
  EXPECT_EQ(allocations(proxy, rx, 1000), 0u);
  EXPECT_EQ(sender_.starts_200, 1010u);
}

TEST_F(NoAllocationTest, AForwardFromAStreamWithRecordRouteAllocatesNothing) {
  StatelessProxy proxy(locals_,
                       compile("route { if (!mf_process_maxfwd_header(10)) { drop; }\n"
                               "  record_route(); forward(); }\n"),
                       sender_, {});
  SocketAddr dst = locals_.by_listener(1)->address;
  core::net::ReceivedMessage rx{Transport::kTcp, phone_, dst, 42, 1, 0, kInvite};
  EXPECT_EQ(allocations(proxy, rx, 1000), 0u);
  EXPECT_EQ(proxy.stats().forwarded.load(), 1010u);
}

TEST_F(NoAllocationTest, ARelayedResponseAllocatesNothing) {
  StatelessProxy proxy(locals_, nullptr, sender_, {});
  SocketAddr uas = *SocketAddr::parse("203.0.113.5", 5060);
  SocketAddr dst = locals_.by_listener(0)->address;
  core::net::ReceivedMessage rx{Transport::kUdp, uas, dst, 0, 0, 0, kResponse};
  EXPECT_EQ(allocations(proxy, rx, 1000), 0u);
  EXPECT_EQ(proxy.stats().replies_forwarded.load(), 1010u);
}

}  // namespace
}  // namespace core::proxy
