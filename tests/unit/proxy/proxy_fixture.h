#pragma once
// A StatelessProxy wired to a recording Sender: what the proxy sends is captured, not sent.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "cfg/lexer.h"
#include "cfg/route_parser.h"
#include "core/proxy/stateless_proxy.h"
#include "core/script/compiled_script.h"

namespace core::proxy::testing {

using core::Transport;
using core::net::SocketAddr;

struct Sent {
  Transport transport;
  SocketAddr dst;
  std::string data;
  uint64_t conn_hint;
  int listener_hint;
  std::string server_name;
  std::string client_domain;
  bool flow = false;  // sent with send_flow(): over connection conn_hint and no other
};

class RecordingSender : public Sender {
 public:
  core::net::SendResult send(Transport t, const SocketAddr& dst, std::string_view data,
                             uint64_t conn_hint, int listener_hint,
                             const core::net::TlsIdentity& identity,
                             uint64_t /*connect_token*/) override {
    sent.push_back({t, dst, std::string(data), conn_hint, listener_hint,
                    std::string(identity.server_name), std::string(identity.client_domain)});
    return fail ? core::net::SendResult::kFailed : core::net::SendResult::kSent;
  }
  core::net::SendResult send_flow(Transport t, uint64_t conn_id, std::string_view data) override {
    sent.push_back({t, SocketAddr(), std::string(data), conn_id, -1, "", "", true});
    return fail || conn_id == gone_conn ? core::net::SendResult::kFailed
                                        : core::net::SendResult::kSent;
  }
  void add_alias(Transport t, uint64_t conn_id, const SocketAddr& alias,
                 std::string_view server_name) override {
    aliases.push_back({t, alias, "", conn_id, -1, std::string(server_name), "", false});
  }
  std::vector<Sent> sent;
  std::vector<Sent> aliases;  // add_alias() calls: dst is the alias, conn_hint the connection
  bool fail = false;
  uint64_t gone_conn = 0;  // send_flow() to this connection fails: it closed
};

inline SocketAddr addr(const char* ip, uint16_t port) {
  return *SocketAddr::parse(ip, port);
}

class ProxyTest : public ::testing::Test {
 protected:
  // Our sockets: udp and tcp on 192.0.2.1:5060 (listeners 0 and 1), udp on [2001:db8::1]:5060.
  void SetUp() override {
    locals_.add({Transport::kUdp, addr("192.0.2.1", 5060), 0, "192.0.2.1", 5060});
    locals_.add({Transport::kTcp, addr("192.0.2.1", 5060), 1, "192.0.2.1", 5060});
    locals_.add({Transport::kUdp, addr("2001:db8::1", 5060), 2, "[2001:db8::1]", 5060});
    locals_.add_alias("proxy.example.com");
  }

  // Compiles `route { ... }` text (the whole script) and makes the proxy run it.
  void use_script(const std::string& text) {
    cfg::Lexer lexer("t.cfg", text);
    cfg::Diagnostics diags;
    cfg::RouteScript script;
    while (lexer.peek().kind != cfg::TokenKind::kEnd) {
      cfg::Token head = lexer.next();
      cfg::RouteBlock block;
      cfg::RouteParser parser(lexer, diags);
      if (head.is_word("onreply_route")) {
        parser.parse_block(&block);
        script.onreply = std::move(block);
      } else {
        parser.parse_block(&block);
        script.main = std::move(block);
      }
    }
    script_ = core::script::CompiledScript::compile(script, diags, client_domain_ids_);
    ASSERT_TRUE(script_) << diags.first_error();
  }

  StatelessProxy& proxy() {
    if (!proxy_) proxy_ = std::make_unique<StatelessProxy>(locals_, script_, sender_, settings_);
    return *proxy_;
  }

  // Delivers `text` as if received from src on our listener `listener`.
  void receive(const std::string& text, Transport t = Transport::kUdp,
               SocketAddr src = addr("198.51.100.7", 5062), uint64_t conn = 0, int listener = 0) {
    SocketAddr dst = locals_.by_listener(listener)->address;
    core::net::ReceivedMessage rx{t, src, dst, conn, listener, 0, text};
    proxy().on_message(rx);
  }

  const Sent& only_sent() {
    EXPECT_EQ(sender_.sent.size(), 1u);
    static Sent empty{};
    return sender_.sent.empty() ? empty : sender_.sent.back();
  }

  LocalSockets locals_;
  RecordingSender sender_;
  ProxySettings settings_;
  std::shared_ptr<const core::script::CompiledScript> script_;
  std::vector<std::string> client_domain_ids_{"tenant-a"};  // tls_client_domain("ID")
  std::unique_ptr<StatelessProxy> proxy_;
};

// An INVITE from a UA at 198.51.100.7:5062 to bob at 203.0.113.5.
inline std::string invite(const std::string& extra_headers = "",
                          const std::string& via_params = ";branch=z9hG4bKabc123",
                          const std::string& ruri = "sip:bob@203.0.113.5") {
  return "INVITE " + ruri +
         " SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 198.51.100.7:5062" +
         via_params +
         "\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:alice@example.com>;tag=a1\r\n"
         "To: <sip:bob@example.com>\r\n"
         "Call-ID: c1@198.51.100.7\r\n"
         "CSeq: 1 INVITE\r\n" +
         extra_headers + "Content-Length: 0\r\n\r\n";
}

}  // namespace core::proxy::testing
