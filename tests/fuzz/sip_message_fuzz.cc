// SIP messages from a hostile peer: the parser, the validator, every on-demand value parser,
// the message editor, and a whole pass through the stateless proxy with a routing script that
// edits headers. Checks: views stay inside the buffer, an edit result has the size it
// announced, and whatever the proxy sends out parses again (a proxy must not turn accepted
// input into a message the next hop cannot read).
#include <memory>
#include <string>

#include "cfg/config_loader.h"
#include "core/proxy/stateless_proxy.h"
#include "core/script/compiled_script.h"
#include "core/sip/message_edit.h"
#include "core/sip/name_addr.h"
#include "core/sip/sip_message.h"
#include "core/sip/sip_uri.h"
#include "core/sip/stream_framer.h"
#include "core/sip/text.h"
#include "core/sip/via.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/numeric_resolver.h"

namespace {

using core::Transport;
using core::net::SocketAddr;
using core::sip::CSeq;
using core::sip::EditError;
using core::sip::find_frame;
using core::sip::Frame;
using core::sip::HeaderField;
using core::sip::HeaderType;
using core::sip::MessageEdit;
using core::sip::NameAddr;
using core::sip::ParseError;
using core::sip::SipMessage;
using core::sip::SipUri;
using core::sip::ValueSplitter;
using core::sip::Via;

constexpr char kScript[] = R"(
alias = "proxy.example.com"
route {
    if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, "Too Many Hops"); break; }
    if (method == "OPTIONS" && uri == myself) { sl_send_reply(200, "OK"); break; }
    if (uri =~ "^sip:host@") { rewritehost("example.net"); }
    if (uri =~ "^sip:port@") { rewritehostport("192.0.2.9:5080"); }
    if (uri =~ "^sip:uri@") { rewriteuri("sip:x@192.0.2.10;transport=tcp"); }
    if (method == "INVITE" || method == "SUBSCRIBE") { record_route(); }
    if (method == "MESSAGE") { append_hf("X-Fuzz: 1\r\n"); remove_hf("Subject"); }
    if (uri == myself) { sl_send_reply(404, "Not Found"); break; }
    if (method == "INFO") { forward_tcp("192.0.2.11", 5060); break; }
    log(4, "over $tls_version");
    forward();
}
onreply_route {
    remove_hf("Server");
    append_hf("X-Reply: 1\r\n");
}
)";

class CheckingSender : public core::proxy::Sender {
 public:
  core::net::SendResult send(Transport, const SocketAddr&, std::string_view data, uint64_t, int,
                             const core::net::TlsIdentity&, uint64_t) override {
    SipMessage out;
    const ParseError e = out.parse(data);
    FUZZ_CHECK(e.ok(), "the proxy sent a message that does not parse (%.*s):\n%.*s",
               static_cast<int>(e.reason.size()), e.reason.data(), static_cast<int>(data.size()),
               data.data());
    return core::net::SendResult::kSent;
  }
};

struct Proxy {
  Proxy() {
    fuzz::quiet_logs();
    const SocketAddr a = *SocketAddr::parse("192.0.2.1", 5060);
    locals.add({Transport::kUdp, a, 0, "192.0.2.1", 5060});
    locals.add({Transport::kTcp, a, 1, "192.0.2.1", 5060});
    locals.add(
        {Transport::kUdp, *SocketAddr::parse("2001:db8::1", 5060), 2, "[2001:db8::1]", 5060});
    locals.add_alias("proxy.example.com");
    cfg::Config config;
    cfg::Diagnostics diags;
    cfg::load_config_text("fuzz.cfg", kScript, &config, &diags);
    FUZZ_CHECK(!diags.has_errors(), "%s", diags.first_error().c_str());
    script = core::script::CompiledScript::compile(config.script, diags);
    FUZZ_CHECK(script != nullptr, "%s", diags.first_error().c_str());
    proxy = std::make_unique<core::proxy::StatelessProxy>(locals, script, sender,
                                                          core::proxy::ProxySettings{});
  }
  core::proxy::LocalSockets locals;
  std::shared_ptr<const core::script::CompiledScript> script;
  CheckingSender sender;
  std::unique_ptr<core::proxy::StatelessProxy> proxy;
};

bool inside(std::string_view outer, std::string_view inner) {
  return inner.empty() || (inner.data() >= outer.data() &&
                           inner.data() + inner.size() <= outer.data() + outer.size());
}

void values(const SipMessage& msg) {
  CSeq cseq;
  (void)msg.cseq(cseq);
  int mf = 0;
  (void)msg.max_forwards(mf);
  FUZZ_CHECK(inside(msg.data(), msg.call_id()), "Call-ID outside the message");
  SipUri uri;
  if (msg.parsed_request_uri(uri).ok()) FUZZ_CHECK(inside(msg.data(), uri.host()), "URI host");
  for (const HeaderField& h : msg.headers()) {
    FUZZ_CHECK(inside(msg.data(), msg.line(h)) && inside(msg.line(h), msg.value(h)),
               "header views outside the message");
    ValueSplitter split(msg.value(h));
    std::string_view v;
    for (int i = 0; i < 8 && split.next(v); ++i) {
      if (h.type == HeaderType::kVia) {
        Via via;
        if (via.parse(v).ok()) FUZZ_CHECK(inside(v, via.text()), "Via text");
      } else if (h.type == HeaderType::kContact || h.type == HeaderType::kRoute ||
                 h.type == HeaderType::kRecordRoute) {
        NameAddr na;
        SipUri u;
        if (na.parse(v).ok()) (void)na.parse_uri(u);
      }
    }
  }
}

// The edits the proxy makes, done here on any parsed message: the result must be the size
// the editor announced.
void edit(const SipMessage& msg) {
  MessageEdit e(msg.data());
  e.prepend_header(msg, "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKfuzz\r\n");
  if (const HeaderField* route = msg.first(HeaderType::kRoute)) {
    ValueSplitter split(msg.value(*route));
    std::string_view v;
    if (split.next(v)) e.remove_value(msg, *route, v);
  }
  if (const HeaderField* mf = msg.first(HeaderType::kMaxForwards)) e.replace_value(*mf, "69");
  if (msg.is_request()) e.replace_request_uri(msg, "sip:b@192.0.2.2");
  e.append_header(msg, "Record-Route: <sip:192.0.2.1;lr>\r\n");
  std::string out;
  if (e.apply(out) == EditError::kNone) {
    FUZZ_CHECK(out.size() == e.result_size(), "edit result %zu bytes, announced %zu", out.size(),
               e.result_size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Proxy p;
  const std::string_view text = fuzz::as_text(data, size);
  SipMessage msg;
  if (msg.parse(text).ok()) {
    FUZZ_CHECK(inside(text, msg.data()) && inside(msg.data(), msg.body()), "message views");
    (void)msg.validate();
    values(msg);
    edit(msg);
  }
  const SocketAddr src = *SocketAddr::parse("198.51.100.7", 5062);
  const SocketAddr dst = *SocketAddr::parse("192.0.2.1", 5060);
  p.proxy->on_message({Transport::kUdp, src, dst, 0, 0, 0, text});
  // On a stream the proxy only sees what the framer cut: run it when the input is one frame.
  const Frame f = find_frame(text, 65535);
  if (f.kind == Frame::Kind::kMessage && f.length == size) {
    p.proxy->on_message({Transport::kTcp, src, dst, 7, 1, 0, text});
  }
  return 0;
}
