#pragma once
// The stateless proxy (RFC 3261 §16.11): requests run the routing script and are forwarded
// with our Via; responses lose our Via and follow the next one, over the connection the
// request came in on for TCP/TLS. Malformed requests get the parser's 4xx/5xx where a reply
// is possible; anything else malformed is dropped, counted and logged.
#include <memory>
#include <vector>

#include "core/base/published.h"
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
  StatelessProxy(const LocalSockets& locals,
                 std::shared_ptr<const core::script::CompiledScript> script, Sender& sender,
                 ProxySettings settings);

  void on_message(const core::net::ReceivedMessage& msg) override;
  // A response's top Via carries the id of the connection it goes back over (;i=, see
  // add_via): read here unverified, only to pick the worker; handle_response() verifies it.
  uint64_t connection_hint(std::string_view datagram) const override;
  void on_stream_error(const core::net::ReceivedMessage& msg, core::net::StreamError error,
                       std::string_view reason) override;

  const ProxyStats& stats() const { return stats_; }
  // Net's ConnectObserver (context: the proxy): a connect made for a request with targets left
  // ended; a failed one sends the request to the next target (RFC 3263 §4.3).
  static void on_connect_result(void* proxy, uint64_t token, bool connected);

  // A reload: any thread. Each worker runs `script` from its next message on; a message being
  // handled finishes with the script it started with.
  void set_script(std::shared_ptr<const core::script::CompiledScript> script);
  // The script in effect (the control thread; not for the data path).
  std::shared_ptr<const core::script::CompiledScript> script() const { return script_.get(); }
  // How many times set_script() was called.
  uint64_t script_generation() const { return script_.generation(); }

 private:
  using Script = core::script::CompiledScript;
  // The script for a message of worker `rx.worker`, without a lock or a reference count bump
  // while it did not change; `hold` keeps it alive for a message from outside the workers.
  const Script* script_for(const core::net::ReceivedMessage& rx,
                           std::shared_ptr<const Script>& hold);
  void handle_request(const core::net::ReceivedMessage& rx, const core::sip::SipMessage& msg);
  void handle_response(const core::net::ReceivedMessage& rx, const core::sip::SipMessage& msg);
  uint64_t connection_of(const core::net::ReceivedMessage& rx, const core::sip::Via& ours);
  // Replies `code` to a request the parser or validator refused, when its Via allows a reply.
  void refuse(const core::net::ReceivedMessage& rx, const core::sip::SipMessage& msg, int code,
              std::string_view reason);
  bool refused_proxy_require(MessageContext& ctx, const core::sip::SipMessage& msg);

  const LocalSockets& locals_;
  Sender& sender_;
  ProxySettings settings_;
  core::Published<Script> script_;
  // One per worker, each on its own cache line: a worker refreshing its copy after a reload
  // does not disturb the others' reads.
  struct alignas(64) WorkerScript {
    core::Published<Script>::Reader reader;
  };
  std::vector<WorkerScript> worker_scripts_;
  ProxyStats stats_;
  ConnTag conn_tag_;
  ProxyLog log_;
  FlowToken flow_token_;
  ProxyEnv env_;
};

}  // namespace core::proxy
