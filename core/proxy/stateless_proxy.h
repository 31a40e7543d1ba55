#pragma once
// The stateless proxy (RFC 3261 §16.11): requests run the routing script and are forwarded
// with our Via; responses lose our Via and follow the next one, over the connection the
// request came in on for TCP/TLS. Malformed requests get the parser's 4xx/5xx where a reply
// is possible; anything else malformed is dropped, counted and logged.
#include "core/net/net.h"
#include "core/proxy/local_sockets.h"
#include "core/proxy/proxy_types.h"
#include "core/script/compiled_script.h"
#include "core/sip/sip_message.h"

namespace core::proxy {

class MessageContext;

class StatelessProxy : public core::net::MessageHandler {
 public:
  // `script` may be null: every request is then forwarded to its Request-URI.
  StatelessProxy(const LocalSockets& locals, const core::script::CompiledScript* script,
                 Sender& sender, ProxySettings settings);

  void on_message(const core::net::ReceivedMessage& msg) override;
  void on_stream_error(const core::net::ReceivedMessage& msg, core::net::StreamError error,
                       std::string_view reason) override;

  const ProxyStats& stats() const { return stats_; }

 private:
  void handle_request(const core::net::ReceivedMessage& rx, const core::sip::SipMessage& msg);
  void handle_response(const core::net::ReceivedMessage& rx, const core::sip::SipMessage& msg);
  uint64_t connection_of(const core::net::ReceivedMessage& rx, const core::sip::Via& ours);
  // Replies `code` to a request the parser or validator refused, when its Via allows a reply.
  void refuse(const core::net::ReceivedMessage& rx, const core::sip::SipMessage& msg, int code,
              std::string_view reason);
  bool refused_proxy_require(MessageContext& ctx, const core::sip::SipMessage& msg);

  const LocalSockets& locals_;
  const core::script::CompiledScript* script_;
  Sender& sender_;
  ProxySettings settings_;
  ProxyStats stats_;
  ConnTag conn_tag_;
  ProxyLog log_;
  ProxyEnv env_;
};

}  // namespace core::proxy
