// Forward-path figures of the stateless proxy, in-process (no sockets): parse and validate a
// request, forward it with and without a routing script, answer it statelessly, and relay a
// response. Prints microseconds per message and messages per CPU-second of one core.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cfg/config_loader.h"
#include "core/proxy/stateless_proxy.h"
#include "core/script/compiled_script.h"
#include "core/sip/sip_message.h"
#include "core/sip/via.h"

namespace {

using core::Transport;
using core::net::SocketAddr;

class CountingSender : public core::proxy::Sender {
 public:
  core::net::SendResult send(Transport, const SocketAddr&, std::string_view data, uint64_t, int,
                             const core::net::TlsIdentity&, uint64_t) override {
    if (keep) last.assign(data);
    bytes += data.size();
    ++count;
    return core::net::SendResult::kSent;
  }
  core::net::SendResult send_flow(Transport, uint64_t, std::string_view data) override {
    bytes += data.size();
    ++count;
    return core::net::SendResult::kSent;
  }
  size_t bytes = 0;
  size_t count = 0;
  bool keep = false;  // set-up only: keep the last message sent (not while measuring)
  std::string last;
};

const std::string kInvite =
    "INVITE sip:bob@203.0.113.5 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 198.51.100.7:5062;rport;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    "Content-Type: application/sdp\r\n"
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

// The response to `forwarded` (a request we sent with our Via on top), as the UAS returns it.
std::string response_to(const std::string& forwarded) {
  size_t via = forwarded.find("\r\nVia: ") + 2;
  size_t end = forwarded.find("\r\nMax-Forwards");
  return "SIP/2.0 180 Ringing\r\n" + forwarded.substr(via, end - via) +
         "\r\nTo: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
         "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
         "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\nCSeq: 314159 INVITE\r\n"
         "Content-Length: 0\r\n\r\n";
}

template <typename F>
void measure(const char* name, int n, F&& f) {
  // BENCH_ONLY=text runs the figures whose name holds it (e.g. one at a time under callgrind).
  if (const char* only = std::getenv("BENCH_ONLY");
      only != nullptr && std::strstr(name, only) == nullptr)
    return;
  for (int i = 0; i < n / 10; ++i) f();  // warm-up: thread_local buffers reach their size
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) f();
  double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n;
  std::printf("  %-44s %7.3f us/msg  %9.0f msg/s per core\n", name, us, 1e6 / us);
}

std::unique_ptr<core::script::CompiledScript> compile(const char* text) {
  cfg::Config config;
  cfg::Diagnostics diags;
  if (!cfg::load_config_text("bench.cfg", text, &config, &diags)) return nullptr;
  return core::script::CompiledScript::compile(config.script, diags);
}

const char* kEdgeScript =
    "route {\n"
    "  if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, \"Hops\"); exit; }\n"
    "  if (method == \"OPTIONS\" && uri == myself) { sl_send_reply(200, \"OK\"); exit; }\n"
    "  if (method == \"INVITE\") record_route();\n"
    "  if (src_ip == 10.0.0.0/8) { drop; }\n"
    "  forward();\n"
    "}\n";

const std::string kRegister =
    "REGISTER sip:203.0.113.5 SIP/2.0\r\n"
    "Via: SIP/2.0/TLS 10.0.0.99:5999;rport;branch=z9hG4bKreg776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:alice@example.com>\r\n"
    "From: <sip:alice@example.com>;tag=1928301774\r\n"
    "Call-ID: reg4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 1 REGISTER\r\n"
    "Supported: path, outbound\r\n"
    "Contact: <sip:alice@10.0.0.99:5999;transport=tls>;reg-id=1;"
    "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"\r\n"
    "Content-Length: 0\r\n\r\n";

// RFC 5626 flows: a REGISTER from a TLS connection gets its Path (a flow token: one SipHash),
// and the registrar's INVITE routed by that Path is verified (one SipHash) and sent over the
// connection, with no next hop to resolve.
void measure_flows(const core::proxy::LocalSockets& locals, int n) {
  SocketAddr phone = *SocketAddr::parse("198.51.100.7", 40000);
  SocketAddr dst = locals.all()[0].address;
  CountingSender sender;
  core::proxy::StatelessProxy edge(
      locals, compile("route { if (method == \"REGISTER\") add_path(); forward(); }\n"), sender,
      {});
  core::net::ReceivedMessage rx_reg{Transport::kTls, phone, dst, 42, 0, 0, kRegister};
  sender.keep = true;
  edge.on_message(rx_reg);
  sender.keep = false;
  size_t at = sender.last.find("\r\nPath: <") + 9;
  std::string invite = kInvite;
  invite.insert(invite.find("Max-Forwards"),
                "Route: <" + sender.last.substr(at, sender.last.find('>', at) - at) + ">\r\n");
  core::net::ReceivedMessage rx_inv{
      Transport::kUdp, *SocketAddr::parse("203.0.113.5", 5060), dst, 0, 0, 0, invite};
  core::proxy::StatelessProxy plain(locals, compile("route { forward(); }\n"), sender, {});
  measure("REGISTER from TLS, forward() only", n, [&] { plain.on_message(rx_reg); });
  measure("REGISTER from TLS with add_path() (token)", n, [&] { edge.on_message(rx_reg); });
  measure("INVITE routed back by its flow token", n, [&] { edge.on_message(rx_inv); });
  if (edge.stats().flow_routed.load() == 0) std::printf("  (the flow token did not route!)\n");
}

}  // namespace

int main() {
  // BENCH_N: iterations (instruction counts under callgrind need few).
  const char* iterations = std::getenv("BENCH_N");
  const int n = iterations != nullptr ? std::atoi(iterations) : 200000;
  core::proxy::LocalSockets locals;
  locals.add({Transport::kUdp, *SocketAddr::parse("192.0.2.1", 5060), 0, "192.0.2.1", 5060});
  CountingSender sender;
  SocketAddr src = *SocketAddr::parse("198.51.100.7", 5062);
  SocketAddr dst = locals.all()[0].address;
  core::net::ReceivedMessage rx{Transport::kUdp, src, dst, 0, 0, 0, kInvite};
  core::net::ReceivedMessage rx_resp{
      Transport::kUdp, *SocketAddr::parse("203.0.113.5", 5060), dst, 0, 0, 0, kResponse};

  std::printf("proxy_bench: %d iterations each, %zu-byte INVITE\n", n, kInvite.size());
  measure("parse + validate + top Via", n, [&] {
    core::sip::SipMessage m;
    core::sip::Via v;
    if (m.parse(kInvite).ok() && m.validate().ok()) (void)m.top_via(v);
  });
  core::proxy::StatelessProxy plain(locals, nullptr, sender, {});
  measure("forward request (no script)", n, [&] { plain.on_message(rx); });
  auto script = compile(kEdgeScript);
  core::proxy::StatelessProxy scripted(locals, std::move(script), sender, {});
  measure("forward request (edge script, record_route)", n, [&] { scripted.on_message(rx); });
  measure("relay response by Via", n, [&] { plain.on_message(rx_resp); });
  // Over a stream: our Via carries the connection's authenticated id (;i=, SipHash-2-4), and
  // the response is verified before it goes back over that connection.
  core::net::ReceivedMessage rx_tcp{Transport::kTcp, src, dst, 42, 1, 0, kInvite};
  measure("forward request from a TCP connection (;i=)", n, [&] { plain.on_message(rx_tcp); });
  CountingSender capture;
  core::proxy::StatelessProxy tagger(locals, nullptr, capture, {});
  capture.keep = true;
  tagger.on_message(rx_tcp);
  capture.keep = false;
  std::string tagged = response_to(capture.last);
  core::net::ReceivedMessage rx_tagged{
      Transport::kUdp, *SocketAddr::parse("203.0.113.5", 5060), dst, 0, 0, 0, tagged};
  measure("relay response over its connection (;i=)", n, [&] { tagger.on_message(rx_tagged); });
  core::proxy::ConnTag tags;
  core::proxy::TextArena arena;
  std::string tag(tags.write(42, "z9hG4bKser.0123456789abcdef", arena));
  uint64_t verified = 0;
  // One MAC each way: writing a tag costs the same SipHash as verifying one.
  measure("  of which: one ;i= verified (one SipHash)", n,
          [&] { verified += tags.verify(tag, "z9hG4bKser.0123456789abcdef"); });
  if (verified != 42ull * static_cast<uint64_t>(n + n / 10))
    std::printf("  (a tag did not verify!)\n");
  if (tagger.stats().forged_conn_tags.load() != 0) std::printf("  (the ;i= did not verify!)\n");
  measure_flows(locals, n);
  auto reply_script = compile("route { sl_send_reply(404, \"Not Here\"); }\n");
  core::proxy::StatelessProxy replier(locals, std::move(reply_script), sender, {});
  measure("stateless reply 404", n, [&] { replier.on_message(rx); });
  std::printf("  (%zu messages sent, %zu bytes)\n", sender.count, sender.bytes);
  return 0;
}
