#pragma once
// The routing script's view of one received message (ScriptContext), and the forward path:
// it gathers the script's edits (rewritten URI, headers added/removed, Record-Route) and,
// on forward(), writes the outgoing request in one pass (RFC 3261 §16.6, stateless §16.11).
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/dns/server_locator.h"
#include "core/dns/target_list.h"

#include "core/net/net.h"
#include "core/proxy/flow_token.h"
#include "core/proxy/local_sockets.h"
#include "core/proxy/proxy_types.h"
#include "core/proxy/sip_text.h"
#include "core/script/script_context.h"
#include "core/sip/message_edit.h"
#include "core/sip/sip_message.h"
#include "core/sip/sip_uri.h"
#include "core/sip/via.h"

namespace core::proxy {

namespace script = core::script;
struct HeldRequest;

class MessageContext : public script::ScriptContext {
 public:
  MessageContext(ProxyEnv& env, const core::net::ReceivedMessage& rx,
                 const core::sip::SipMessage& msg, const core::sip::Via& top);
  // A request held for DNS or a connect (HeldRequest): its message and the script's edits.
  MessageContext(ProxyEnv& env, HeldRequest& held);

  // ---- The forward path by name (message_dns.cc) ----
  // The held request's next hop has no target (NXDOMAIN, no usable record, a lookup failed,
  // or every target failed): 503 Service Unavailable, or nothing for an ACK; counted, logged.
  void unresolved(const core::dns::NextHop& hop, const char* why = "cannot be resolved",
                  bool queue_full = false);
  // Sends the held request to its targets from held->next on; it stays held (moved out of
  // `held`) while a connect with more targets left is in progress.
  void forward_held(std::unique_ptr<HeldRequest>& held);

  // Loose routing before the script (RFC 3261 §16.4): a strict-routed Request-URI naming us is
  // replaced by the last Route; Route values naming us at the top are removed.
  void preprocess_routes();
  // For a response: the onreply_route's append_hf/remove_hf edits (our own Via is the
  // caller's; a script cannot remove Via headers of a response).
  void add_reply_edits(core::sip::MessageEdit& edit) const;
  // Sends a stateless reply to this request (also used for parser-detected errors).
  // `extra` holds whole header lines (CRLF included) to add, e.g. a 420's Unsupported.
  bool reply(int code, std::string_view reason, std::string_view extra = {});

  // ---- ScriptContext facts ----
  std::string_view method() const override;
  std::string_view request_uri() const override { return uri_text_; }
  std::string_view uri_host() const override { return uri_ok_ ? uri_.host() : std::string_view(); }
  uint16_t uri_port() const override { return uri_ok_ ? uri_.port() : 0; }
  script::IpAddr src_ip() const override { return to_ip(rx_.src); }
  uint16_t src_port() const override { return rx_.src.port(); }
  script::IpAddr dst_ip() const override { return to_ip(rx_.dst); }
  uint16_t dst_port() const override { return rx_.dst.port(); }
  Transport proto() const override;
  script::Af af() const override;
  size_t msg_len() const override { return msg_.data().size(); }
  bool is_myself(std::string_view host, uint16_t port) const override {
    return env_.locals.is_myself(host, port);
  }
  std::string_view tls_fact(script::TlsFact fact) const override;
  bool is_peer_verified() const override { return rx_.security && rx_.security->peer_verified; }

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
  const char* log_prefix() const;

 private:
  using Target = core::dns::Target;
  static script::IpAddr to_ip(const core::net::SocketAddr& a);
  // The next hop of forward(): the script's host, port and transport, else the first Route's
  // or the Request-URI's (RFC 3261 §16.6 step 6, RFC 3263 §4).
  bool next_hop(std::optional<Transport> proto, std::string_view host, uint16_t port,
                core::dns::NextHop* hop) const;
  script::Status forward_to(const core::dns::NextHop& hop);
  // A copy of the message and of the edits so far, for forwarding later; null when the copy
  // does not parse (it always does: the same bytes parsed before).
  std::unique_ptr<HeldRequest> hold(const core::dns::NextHop& hop) const;
  // Tries targets[from...] in turn until one takes the request (TCP/TLS: a connect refused at
  // once moves on; one in progress with targets left holds the request under a connect
  // token). True when sent or held.
  bool try_targets(const core::dns::TargetList& targets, size_t from, std::string_view tls_name,
                   std::unique_ptr<HeldRequest>* held);
  // Builds and sends to one target; nullopt when the request cannot be built (no target helps).
  std::optional<core::net::SendResult> send_to(const Target& t, std::string_view tls_name,
                                               uint64_t connect_token);
  bool next_hop_uri(core::sip::SipUri* uri) const;
  // Calls f(header, value) for each Route value not popped, in order, while f returns true.
  template <typename F>
  void for_each_route(F&& f) const;
  bool is_popped(std::string_view route) const;
  void undo_strict_route();
  bool set_uri(std::string_view uri);
  bool max_forwards_edit(core::sip::MessageEdit& edit);
  bool removed_by_script(const core::sip::HeaderField& h) const;
  void remove_popped_routes(core::sip::MessageEdit& edit) const;
  bool build_forward(const Target& t, const LocalSocket& local, core::PoolString& out);
  bool add_own_headers(core::sip::MessageEdit& edit, const Target& t, const LocalSocket& local);
  bool add_record_routes(core::sip::MessageEdit& edit, const Target& t, const LocalSocket& local);
  std::string_view record_route_line(const LocalSocket& s, core::Transport t,
                                     std::string_view user = {});
  // ---- RFC 5626 flows (message_flows.cc) ----
  // A popped Route of ours whose user part is a flow token (preprocess_routes).
  void note_flow_route(const core::sip::SipUri& route);
  script::Status forward_to_flow();
  bool send_to_flow(const core::PoolString& out);
  bool first_hop() const;
  bool wants_outbound() const;
  bool contact_has_ob() const;
  // The flow token of the incoming flow, once per message (empty when the arena is full).
  std::string_view own_flow_token();
  // The Path line (add_path) with our URI on `s` for transport `t`, "" when not asked.
  bool add_path_line(core::sip::MessageEdit& edit, const LocalSocket& s, core::Transport t);

  ProxyEnv& env_;
  const core::net::ReceivedMessage& rx_;
  const core::sip::SipMessage& msg_;
  const core::sip::Via& top_;
  TextArena arena_;
  std::string_view uri_text_;
  core::sip::SipUri uri_;
  bool uri_ok_ = false;
  bool uri_rewritten_ = false;
  // Route values removed by loose routing (views into the message).
  std::array<std::string_view, 4> popped_routes_{};
  std::array<const core::sip::HeaderField*, 4> popped_headers_{};
  int popped_ = 0;
  std::array<std::string_view, 8> appended_{};
  int appended_count_ = 0;
  std::array<std::string_view, 8> removed_names_{};
  int removed_count_ = 0;
  int max_forwards_ = -1;      // the received value; -1 when absent
  int new_max_forwards_ = -1;  // set by mf_process_maxfwd_header
  bool record_route_ = false;
  enum class FlowRoute : uint8_t { kNone, kFlow, kForged };
  FlowRoute flow_route_ = FlowRoute::kNone;
  Flow flow_;             // kFlow: the flow the Route's token names
  bool to_flow_ = false;  // the request being built leaves over flow_
  enum class PathMode : uint8_t { kNone, kPath, kReceived };
  PathMode path_ = PathMode::kNone;
  std::string_view own_token_;
  // tls_client_domain("ID"): the client domain of a TLS forward ("" = by address and name).
  std::string_view client_domain_;
  unsigned forks_ = 0;
  mutable char prefix_[160];
};

}  // namespace core::proxy
