#pragma once
// The routing script's view of one received message (ScriptContext): its facts, and its actions
// handed to the part of the proxy that holds each concept: the script's edits (ScriptEdits), the
// route set (RouteSet), the forward path (Forwarder, which ForwardBuilder writes for) and
// stateless replies (send_local_reply).
#include <memory>
#include <optional>
#include <string_view>

#include "core/dns/server_locator.h"
#include "core/net/net.h"
#include "core/proxy/forwarder.h"
#include "core/proxy/handled_message.h"
#include "core/proxy/proxy_types.h"
#include "core/proxy/route_set.h"
#include "core/proxy/script_edits.h"
#include "core/script/script_context.h"
#include "core/sip/message_edit.h"
#include "core/sip/sip_message.h"
#include "core/sip/via.h"

namespace core::proxy {

namespace script = core::script;
struct HeldRequest;

class MessageContext : public script::ScriptContext {
 public:
  MessageContext(ProxyEnv& env, const core::net::ReceivedMessage& rx,
                 const core::sip::SipMessage& msg, const core::sip::Via& top);
  // A request validate() accepted, with what it parsed.
  MessageContext(ProxyEnv& env, const core::net::ReceivedMessage& rx,
                 const core::sip::SipMessage& msg, const core::sip::CheckedFields& fields);
  // A request held for DNS or a connect (HeldRequest): its message and the script's edits.
  MessageContext(ProxyEnv& env, HeldRequest& held);

  // ---- held requests (DnsForwarder) ----
  void unresolved(const core::dns::NextHop& hop) { forwarder_.unresolved(hop); }
  void forward_held(std::unique_ptr<HeldRequest>& held) { forwarder_.forward_held(held); }

  // Loose routing before the script (RFC 3261 §16.4).
  void preprocess_routes() { routes_.preprocess(); }
  // For a response: the onreply_route's append_hf/remove_hf edits.
  void add_reply_edits(core::sip::MessageEdit& edit) const {
    edits_.add_reply_edits(m_.msg(), edit);
  }
  // Sends a stateless reply to this request (also used for parser-detected errors).
  // `extra` holds whole header lines (CRLF included) to add, e.g. a 420's Unsupported.
  bool reply(int code, std::string_view reason, std::string_view extra = {});

  // ---- ScriptContext facts ----
  std::string_view method() const override;
  std::string_view request_uri() const override { return edits_.uri_text(); }
  std::string_view uri_host() const override {
    return edits_.uri_ok() ? edits_.uri().host() : std::string_view();
  }
  uint16_t uri_port() const override { return edits_.uri_ok() ? edits_.uri().port() : 0; }
  script::IpAddr src_ip() const override { return to_ip(m_.rx().src); }
  uint16_t src_port() const override { return m_.rx().src.port(); }
  script::IpAddr dst_ip() const override { return to_ip(m_.rx().dst); }
  uint16_t dst_port() const override { return m_.rx().dst.port(); }
  Transport proto() const override { return m_.rx().transport; }
  script::Af af() const override;
  size_t msg_len() const override { return m_.msg().data().size(); }
  bool is_myself(std::string_view host, uint16_t port) const override {
    return m_.env().locals.is_myself(host, port);
  }
  std::string_view tls_fact(script::TlsFact fact) const override;
  bool is_peer_verified() const override {
    return m_.rx().security && m_.rx().security->peer_verified;
  }

  // ---- ScriptContext actions ----
  script::Status forward(std::optional<Transport> proto, std::string_view host,
                         uint16_t port) override;
  script::Status sl_send_reply(int code, std::string_view reason) override;
  script::Status mf_process_maxfwd_header(int limit) override;
  script::Status record_route() override;
  script::Status rewrite_host(std::string_view host) override;
  script::Status rewrite_host_port(std::string_view host_port) override;
  script::Status rewrite_uri(std::string_view uri) override;
  script::Status append_hf(std::string_view text) override;
  script::Status remove_hf(std::string_view name) override;
  void log(int level, std::string_view text) override;
  script::Status add_path(bool received) override;
  script::Status set_tls_client_domain(std::string_view id) override;

  // The connection prefix of log lines: "[c#42 tcp 127.0.0.1:5060<-127.0.0.1:40000]".
  const char* log_prefix() const { return m_.log_prefix(); }

 private:
  static script::IpAddr to_ip(const core::net::SocketAddr& a);

  HandledMessage m_;
  ScriptEdits edits_;
  RouteSet routes_;
  Forwarder forwarder_;
};

}  // namespace core::proxy
