#include "core/proxy/stateless_proxy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "core/base/log.h"
#include "core/proxy/connection_alias.h"
#include "core/proxy/dns_forwarder.h"
#include "core/proxy/message_context.h"
#include "core/sip/header_scan.h"
#include "core/sip/header_type.h"
#include "core/sip/text.h"

namespace core::proxy {

using core::Transport;
using core::net::ReceivedMessage;
using core::sip::HeaderType;
using core::sip::SipMessage;
using core::sip::Via;

StatelessProxy::StatelessProxy(const LocalSockets& locals, std::shared_ptr<const Script> script,
                               Sender& sender, ProxySettings settings)
    : locals_(locals),
      sender_(sender),
      settings_(settings),
      script_(std::move(script)),
      worker_scripts_(static_cast<size_t>(std::max(1, settings.workers))),
      env_{locals_, sender_, settings_, stats_, conn_tag_, log_, flow_token_} {}

void StatelessProxy::on_connect_result(void* proxy, uint64_t token, bool connected) {
  auto* self = static_cast<StatelessProxy*>(proxy);
  if (DnsForwarder* dns = DnsForwarder::current(self->env_)) dns->connect_result(token, connected);
}

void StatelessProxy::set_script(std::shared_ptr<const Script> script) {
  script_.publish(std::move(script));
}

const core::script::CompiledScript* StatelessProxy::script_for(
    const ReceivedMessage& rx, std::shared_ptr<const Script>& hold) {
  if (rx.worker >= 0 && static_cast<size_t>(rx.worker) < worker_scripts_.size())
    return worker_scripts_[static_cast<size_t>(rx.worker)].reader.get(script_);
  hold = script_.get();  // a message from outside the workers (tests, benchmarks)
  return hold.get();
}

void StatelessProxy::on_message(const ReceivedMessage& rx) {
  SipMessage msg;
  auto err = msg.parse(rx.data);
  if (err.ok() && rx.data.size() > settings_.max_message_size) {
    err = core::sip::make_error(core::sip::SipError::kTooManyHeaders, "Message Too Large");
    refuse(rx, msg, 513, "Message Too Large");
    return;
  }
  if (!err.ok()) {
    // A start line that parsed tells whether a reply is possible at all.
    if (msg.is_request()) {
      int code = core::sip::suggested_status(err.code);
      refuse(rx, msg, code ? code : 400, err.reason);
    } else {
      stats_.bad_dropped.fetch_add(1, std::memory_order_relaxed);
      SER_LOG_THROTTLED(log_.dropped, LogLevel::kInfo, nullptr,
                        "dropped a malformed message from %s (%s): %.*s",
                        rx.src.to_string().c_str(), rx.transport.name(),
                        static_cast<int>(err.reason.size()), err.reason.data());
    }
    return;
  }
  if (msg.is_request())
    handle_request(rx, msg);
  else
    handle_response(rx, msg);
}

void StatelessProxy::refuse(const ReceivedMessage& rx, const SipMessage& msg, int code,
                            std::string_view reason) {
  Via top;
  // A Via of another SIP version is parsed whole: the 505 goes back over it.
  const auto via = msg.top_via(top);
  const bool via_usable = via.ok() || via.code == core::sip::SipError::kBadVersion;
  // A bare NUL may sit in a header a reply echoes (Via, From, To, Call-ID, CSeq): the reply would
  // carry it back and not parse. Such a request is dropped, never answered.
  const std::string_view head = rx.data.substr(0, rx.data.find("\r\n\r\n"));
  if (!core::sip::nul_only_in_quoted_pairs(head) || !msg.is_request() ||
      msg.method() == core::sip::Method::kAck || !via_usable || !msg.first(HeaderType::kCallId) ||
      !msg.first(HeaderType::kCSeq)) {
    stats_.bad_dropped.fetch_add(1, std::memory_order_relaxed);
    SER_LOG_THROTTLED(log_.dropped, LogLevel::kInfo, nullptr,
                      "dropped a malformed request from %s (%s): %.*s", rx.src.to_string().c_str(),
                      rx.transport.name(), static_cast<int>(reason.size()), reason.data());
    return;
  }
  stats_.bad_requests.fetch_add(1, std::memory_order_relaxed);
  MessageContext ctx(env_, rx, msg, top);
  SER_LOG_THROTTLED(log_.dropped, LogLevel::kInfo, ctx.log_prefix(), "refused a request: %d %.*s",
                    code, static_cast<int>(reason.size()), reason.data());
  ctx.reply(code, reason);
}

void StatelessProxy::handle_request(const ReceivedMessage& rx, const SipMessage& msg) {
  stats_.requests.fetch_add(1, std::memory_order_relaxed);
  core::sip::CheckedFields fields;
  auto v = msg.validate(&fields);
  const Via& top = fields.top;
  if (!v.ok()) {
    int code = core::sip::suggested_status(v.code);
    refuse(rx, msg, code ? code : 400, v.reason);
    return;
  }
  if (settings_.accept_aliases) {
    if (auto alias = alias_of(rx, top)) {
      sender_.add_alias(rx.transport, rx.conn_id, alias->address, alias->server_name);
      stats_.aliases.fetch_add(1, std::memory_order_relaxed);
    }
  }
  MessageContext ctx(env_, rx, msg, fields);
  if (refused_proxy_require(ctx, msg)) return;
  ctx.preprocess_routes();
  std::shared_ptr<const Script> hold;
  const Script* script = script_for(rx, hold);
  if (!script) {
    ctx.forward(std::nullopt, {}, 0);
    return;
  }
  auto result = script->run_request(ctx);
  if (result.outcome == core::script::Outcome::kDropped)
    stats_.script_dropped.fetch_add(1, std::memory_order_relaxed);
}

// RFC 3261 §16.3 step 5: ser implements no extension a request could require of a proxy, so
// every Proxy-Require option tag is unsupported; the 420 lists them back in Unsupported.
// ACK and CANCEL cannot be refused (§8.2.2.3 by analogy): they go on.
bool StatelessProxy::refused_proxy_require(MessageContext& ctx, const SipMessage& msg) {
  const core::sip::Method m = msg.method();
  if (m == core::sip::Method::kAck || m == core::sip::Method::kCancel) return false;
  std::array<char, 1024> buf;
  size_t n = 0;
  auto put = [&](std::string_view s) {
    const size_t k = std::min(s.size(), buf.size() - 2 - n);  // room for the CRLF
    std::memcpy(buf.data() + n, s.data(), k);
    n += k;
  };
  for (const auto* h = msg.first(HeaderType::kProxyRequire); h;
       h = msg.next(h, HeaderType::kProxyRequire)) {
    if (msg.value(*h).empty()) continue;
    put(n == 0 ? "Unsupported: " : ", ");
    put(msg.value(*h));
  }
  if (n == 0) return false;
  buf[n++] = '\r';
  buf[n++] = '\n';
  stats_.bad_requests.fetch_add(1, std::memory_order_relaxed);
  SER_LOG_THROTTLED(log_.dropped, LogLevel::kInfo, ctx.log_prefix(),
                    "refused a request: 420 Bad Extension (Proxy-Require)");
  ctx.reply(420, "Bad Extension", std::string_view(buf.data(), n));
  return true;
}

namespace {

// The via-parm after our own: the second value of the first Via line, or the next Via line's.
bool next_via(const SipMessage& msg, Via* out) {
  int seen = 0;
  for (const auto* h = msg.first(HeaderType::kVia); h; h = msg.next(h, HeaderType::kVia)) {
    core::sip::ValueSplitter values(msg.value(*h));
    std::string_view v;
    while (values.next(v)) {
      if (seen++ == 1) return out->parse(v).ok();
    }
  }
  return false;
}

// Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4): received/rport when set, else the
// sent-by; the Via's transport.
bool response_target(const Via& via, Transport* t, core::net::SocketAddr* dst) {
  if (!via.transport()) return false;
  *t = *via.transport();
  std::string_view host = via.received().present() ? via.received().value : via.sent_by().address();
  uint16_t port = via.port() ? via.port() : t->default_port();
  if (via.rport().has_value) {
    uint16_t p = 0;
    if (core::sip::parse_port(via.rport().value, p)) port = p;
  }
  auto a = core::net::SocketAddr::parse(host, port);
  if (!a) return false;
  *dst = *a;
  return true;
}

}  // namespace

uint64_t StatelessProxy::connection_hint(std::string_view datagram) const {
  if (!datagram.starts_with("SIP/2.0 ")) return 0;
  std::string_view via = core::sip::first_header_value(datagram, core::sip::HeaderType::kVia);
  return ConnTag::claimed_id(core::sip::first_via_param(via, "i"));
}

// The connection our Via's `i` names, when it verifies; else 0: the response is then routed by
// the next Via alone, as if it had no `i` (ConnTag says why).
uint64_t StatelessProxy::connection_of(const ReceivedMessage& rx, const Via& ours) {
  auto i = ours.param("i");
  if (!i.present()) return 0;
  uint64_t conn = conn_tag_.verify(i.value, ours.branch().value);
  if (conn == 0) {
    stats_.forged_conn_tags.fetch_add(1, std::memory_order_relaxed);
    core::LogEscaped value(i.value);
    SER_LOG_THROTTLED(log_.forged_tag, LogLevel::kWarning, nullptr,
                      "response from %s: our Via's i=%s does not verify; routed by its Via only",
                      rx.src.to_string().c_str(), value.c_str());
  }
  return conn;
}

void StatelessProxy::handle_response(const ReceivedMessage& rx, const SipMessage& msg) {
  stats_.responses.fetch_add(1, std::memory_order_relaxed);
  // A malformed response is dropped, not relayed with its defect (RFC 4475 §3.1.2.4).
  // validate() parses the top Via (ours, checked below) for the relay; only a dropped response
  // parses it again, to say which defect it had.
  core::sip::CheckedFields fields;
  if (auto v = msg.validate(&fields); !v.ok()) {
    stats_.bad_dropped.fetch_add(1, std::memory_order_relaxed);
    if (Via top; !msg.top_via(top).ok()) {
      SER_LOG_THROTTLED(log_.dropped, LogLevel::kInfo, nullptr,
                        "dropped a response from %s without a usable Via",
                        rx.src.to_string().c_str());
    } else {
      SER_LOG_THROTTLED(log_.dropped, LogLevel::kInfo, nullptr,
                        "dropped a malformed response from %s: %.*s", rx.src.to_string().c_str(),
                        static_cast<int>(v.reason.size()), v.reason.data());
    }
    return;
  }
  const Via& ours = fields.top;
  const core::sip::HeaderField* ours_hdr = msg.first(HeaderType::kVia);
  if (!locals_.is_myself(ours.host(), ours.port())) {
    stats_.not_ours.fetch_add(1, std::memory_order_relaxed);
    SER_LOG_THROTTLED(log_.dropped, LogLevel::kInfo, nullptr,
                      "dropped a response from %s whose top Via is not ours",
                      rx.src.to_string().c_str());
    return;
  }
  Via next;
  Transport t;
  core::net::SocketAddr dst;
  if (!next_via(msg, &next) || !response_target(next, &t, &dst)) {
    stats_.bad_dropped.fetch_add(1, std::memory_order_relaxed);
    SER_LOG_THROTTLED(log_.dropped, LogLevel::kInfo, nullptr,
                      "dropped a response from %s: no usable Via after ours",
                      rx.src.to_string().c_str());
    return;
  }
  std::optional<MessageContext> ctx;
  std::shared_ptr<const Script> hold;
  const Script* script = script_for(rx, hold);
  if (script && script->has_onreply_route()) {
    ctx.emplace(env_, rx, msg, ours);
    if (script->run_onreply(*ctx).outcome == core::script::Outcome::kDropped) {
      stats_.script_dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  uint64_t conn = connection_of(rx, ours);
  core::sip::MessageEdit edit(msg.data());
  core::PoolString& out = out_buffer(OutSlot::kResponse);
  if (ctx) ctx->add_reply_edits(edit);
  bool no_memory = false;
  if (!edit.remove_value(msg, *ours_hdr, ours.text()) ||
      !within_budget([&] { return edit.apply(out) == core::sip::EditError::kNone; }, &no_memory)) {
    if (no_memory) {
      stats_.send_failed.fetch_add(1, std::memory_order_relaxed);
      SER_LOG_THROTTLED(log_.dropped, LogLevel::kWarning, nullptr,
                        "response to %s not relayed: shared memory budget exhausted",
                        dst.to_string().c_str());
    } else {
      stats_.bad_dropped.fetch_add(1, std::memory_order_relaxed);
    }
    return;
  }
  const LocalSocket* local = locals_.pick(t, dst.af());
  int hint = local && t == Transport::kUdp ? local->listener_id : -1;
  char ip[INET6_ADDRSTRLEN];
  std::string_view name =
      t == Transport::kTls ? tls_response_name(next, dst, ip, sizeof(ip)) : std::string_view();
  if (sender_.send(t, dst, out, conn, hint, {{}, name}) == core::net::SendResult::kFailed) {
    stats_.send_failed.fetch_add(1, std::memory_order_relaxed);
    SER_LOG_THROTTLED(log_.dropped, LogLevel::kInfo, nullptr,
                      "could not send a response to %s over %s", dst.to_string().c_str(), t.name());
    return;
  }
  stats_.replies_forwarded.fetch_add(1, std::memory_order_relaxed);
}

void StatelessProxy::on_stream_error(const ReceivedMessage& rx, core::net::StreamError error,
                                     std::string_view reason) {
  SipMessage msg;
  (void)msg.parse(rx.data);  // best effort: enough of it may parse to allow a reply
  if (error == core::net::StreamError::kTooBig)
    refuse(rx, msg, 513, "Message Too Large");
  else
    refuse(rx, msg, 400, reason);
}

}  // namespace core::proxy
