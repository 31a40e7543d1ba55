#include "core/proxy/message_context.h"

#include <cstdio>
#include <cstring>

#include "core/base/log.h"
#include "core/sip/name_addr.h"
#include "core/sip/text.h"

namespace core::proxy {

using core::Transport;
using core::net::SocketAddr;
using core::sip::HeaderType;
using core::sip::iequals;
using script::Status;

MessageContext::MessageContext(ProxyEnv& env, const core::net::ReceivedMessage& rx,
                               const core::sip::SipMessage& msg, const core::sip::Via& top)
    : env_(env), rx_(rx), msg_(msg), top_(top) {
  prefix_[0] = '\0';
  if (msg.is_request()) {
    uri_text_ = msg.request_uri();
    uri_ok_ = uri_.parse(uri_text_).ok();
    (void)msg.max_forwards(max_forwards_);
  }
}

std::string_view MessageContext::method() const {
  if (msg_.is_request()) return msg_.method_name();
  core::sip::CSeq cseq;
  return msg_.cseq(cseq).ok() ? cseq.method : std::string_view();
}

Transport MessageContext::proto() const {
  return rx_.transport;
}

script::Af MessageContext::af() const {
  return rx_.src.af() == AF_INET6 ? script::Af::kInet6 : script::Af::kInet;
}

std::string_view MessageContext::tls_fact(script::TlsFact fact) const {
  const core::net::ConnectionSecurity* s = rx_.security;
  if (!s) return {};
  switch (fact) {
    case script::TlsFact::kVersion:
      return s->version;
    case script::TlsFact::kCipher:
      return s->cipher;
    case script::TlsFact::kPeerSubjectCn:
      return s->peer_subject_cn;
    case script::TlsFact::kPeerSanDns:
      return s->peer_san_dns;
    case script::TlsFact::kSni:
      return s->sni;
    case script::TlsFact::kDomain:
      return s->domain;
  }
  return {};
}

script::IpAddr MessageContext::to_ip(const SocketAddr& a) {
  script::IpAddr ip;
  std::string_view bytes = a.ip_bytes();
  if (a.af() == AF_INET6) ip.af = script::Af::kInet6;
  std::memcpy(ip.bytes, bytes.data(), bytes.size());
  return ip;
}

bool MessageContext::is_popped(std::string_view route) const {
  for (int i = 0; i < popped_; ++i)
    if (popped_routes_[i].data() == route.data()) return true;
  return false;
}

// RFC 3261 §16.4: a Request-URI holding our Record-Route URI came from
// a strict router; the real target is the last Route value, which is taken out of Route.
void MessageContext::undo_strict_route() {
  if (!uri_ok_ || !env_.locals.is_myself(uri_.host(), uri_.port())) return;
  // Ours has no user part, or an RFC 5626 flow token (a Record-Route facing an outbound UA).
  if (uri_.has_user() && !env_.flow_token.verify(uri_.user())) return;
  const core::sip::HeaderField* last_h = nullptr;
  std::string_view last;
  for (const auto* h = msg_.first(HeaderType::kRoute); h; h = msg_.next(h, HeaderType::kRoute)) {
    core::sip::ValueSplitter values(msg_.value(*h));
    std::string_view v;
    while (values.next(v)) {
      last_h = h;
      last = v;
    }
  }
  core::sip::NameAddr na;
  core::sip::SipUri u;
  if (!last_h || !na.parse(last).ok() || !u.parse(na.uri()).ok()) return;
  note_flow_route(uri_);
  uri_text_ = na.uri();
  uri_ = u;
  uri_rewritten_ = true;
  popped_routes_[popped_] = last;
  popped_headers_[popped_++] = last_h;
}

template <typename F>
void MessageContext::for_each_route(F&& f) const {
  for (const auto* h = msg_.first(HeaderType::kRoute); h; h = msg_.next(h, HeaderType::kRoute)) {
    core::sip::ValueSplitter values(msg_.value(*h));
    std::string_view v;
    while (values.next(v))
      if (!is_popped(v) && !f(h, v)) return;
  }
}

void MessageContext::preprocess_routes() {
  undo_strict_route();
  for_each_route([this](const core::sip::HeaderField* h, std::string_view v) {
    core::sip::NameAddr na;
    core::sip::SipUri u;
    if (!na.parse(v).ok() || !na.parse_uri(u).ok()) return false;
    if (!env_.locals.is_myself(u.host(), u.port())) return false;
    if (popped_ == static_cast<int>(popped_routes_.size())) return false;
    note_flow_route(u);
    popped_routes_[popped_] = v;
    popped_headers_[popped_++] = h;
    return true;
  });
}

bool MessageContext::next_hop_uri(core::sip::SipUri* uri) const {
  // The first Route left after loose routing, else the Request-URI (RFC 3261 §16.6 step 6).
  bool routed = false, ok = false;
  for_each_route([&](const core::sip::HeaderField*, std::string_view v) {
    core::sip::NameAddr na;
    routed = true;
    ok = na.parse(v).ok() && na.parse_uri(*uri).ok();
    return false;
  });
  if (routed) return ok;
  if (!uri_ok_) return false;
  *uri = uri_;
  return true;
}

Status MessageContext::forward(std::optional<Transport> proto, std::string_view host,
                               uint16_t port) {
  if (!msg_.is_request()) return Status::kError;
  // RFC 5626 §5.3: a Route of ours with a flow token decides the next hop of a forward() that
  // names none; the Request-URI (a Contact behind NAT) is not where it goes.
  if (host.empty() && !proto && flow_route_ != FlowRoute::kNone) return forward_to_flow();
  core::dns::NextHop hop;
  if (!next_hop(proto, host, port, &hop)) {
    core::LogEscaped uri(uri_text_);
    SER_LOG_THROTTLED(env_.log.next_hop, LogLevel::kError, log_prefix(),
                      "forward: cannot resolve the next hop of %s", uri.c_str());
    return Status::kError;
  }
  return forward_to(hop);
}

// Kamailio's tls_set_connect_server_id(): applies to this message's TLS forwards only; whether
// the id exists is the TLS runtime's to say when the request is sent.
Status MessageContext::set_tls_client_domain(std::string_view id) {
  client_domain_ = id;
  return id.empty() ? Status::kFalse : Status::kOk;
}

}  // namespace core::proxy
