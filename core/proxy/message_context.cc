#include "core/proxy/message_context.h"

#include <cstring>

#include "core/base/log.h"
#include "core/proxy/held_request.h"
#include "core/proxy/local_reply.h"

namespace core::proxy {

using core::net::SocketAddr;
using script::Status;

MessageContext::MessageContext(ProxyEnv& env, const core::net::ReceivedMessage& rx,
                               const core::sip::SipMessage& msg, const core::sip::Via& top)
    : m_(env, rx, msg, top),
      edits_(msg, nullptr),
      routes_(m_, edits_),
      forwarder_(m_, edits_, routes_) {}

MessageContext::MessageContext(ProxyEnv& env, const core::net::ReceivedMessage& rx,
                               const core::sip::SipMessage& msg,
                               const core::sip::CheckedFields& fields)
    : m_(env, rx, msg, fields.top, &fields),
      edits_(msg, &fields),
      routes_(m_, edits_),
      forwarder_(m_, edits_, routes_) {}

MessageContext::MessageContext(ProxyEnv& env, HeldRequest& held)
    : MessageContext(env, held.rx, held.msg, held.top) {
  edits_.restore(held);
  routes_.restore(held);
  forwarder_.restore(held);
}

bool MessageContext::reply(int code, std::string_view reason, std::string_view extra) {
  return send_local_reply(m_, code, reason, extra);
}

std::string_view MessageContext::method() const {
  const core::sip::SipMessage& msg = m_.msg();
  if (msg.is_request()) return msg.method_name();
  core::sip::CSeq cseq;
  return msg.cseq(cseq).ok() ? cseq.method : std::string_view();
}

script::Af MessageContext::af() const {
  return m_.rx().src.af() == AF_INET6 ? script::Af::kInet6 : script::Af::kInet;
}

std::string_view MessageContext::tls_fact(script::TlsFact fact) const {
  const core::net::ConnectionSecurity* s = m_.rx().security;
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

Status MessageContext::forward(std::optional<Transport> proto, std::string_view host,
                               uint16_t port) {
  if (!m_.msg().is_request()) return Status::kError;
  return forwarder_.forward(proto, host, port);
}

Status MessageContext::sl_send_reply(int code, std::string_view reason) {
  if (!m_.msg().is_request() || m_.is_ack()) return Status::kError;
  return reply(code, reason) ? Status::kOk : Status::kError;
}

Status MessageContext::mf_process_maxfwd_header(int limit) {
  if (!m_.msg().is_request()) return Status::kError;
  if (m_.max_forwards() < 0) {
    edits_.new_max_forwards = limit;
    return Status::kOk;
  }
  if (m_.max_forwards() == 0) return Status::kFalse;
  edits_.new_max_forwards = m_.max_forwards() - 1;
  return Status::kOk;
}

Status MessageContext::record_route() {
  if (!m_.msg().is_request()) return Status::kError;
  edits_.record_route = true;
  return Status::kOk;
}

Status MessageContext::rewrite_uri(std::string_view uri) {
  if (!m_.msg().is_request()) return Status::kError;
  return edits_.set_uri(uri, m_.arena()) ? Status::kOk : Status::kError;
}

Status MessageContext::rewrite_host_port(std::string_view host_port) {
  if (!m_.msg().is_request()) return Status::kError;
  return edits_.rewrite_host_port(host_port, m_.arena()) ? Status::kOk : Status::kError;
}

Status MessageContext::rewrite_host(std::string_view host) {
  return edits_.rewrite_host(host, m_.arena()) ? Status::kOk : Status::kError;
}

Status MessageContext::append_hf(std::string_view text) {
  return edits_.append(text, m_.arena()) ? Status::kOk : Status::kError;
}

Status MessageContext::remove_hf(std::string_view name) {
  return edits_.remove(name, m_.arena()) ? Status::kOk : Status::kError;
}

Status MessageContext::add_path(bool received) {
  if (!m_.msg().is_request() || m_.msg().method() != core::sip::Method::kRegister)
    return Status::kFalse;
  edits_.path = received ? ScriptEdits::PathMode::kReceived : ScriptEdits::PathMode::kPath;
  return Status::kOk;
}

// Kamailio's tls_set_connect_server_id(): applies to this message's TLS forwards only; whether
// the id exists is the TLS runtime's to say when the request is sent.
Status MessageContext::set_tls_client_domain(std::string_view id) {
  edits_.client_domain = id;
  return id.empty() ? Status::kFalse : Status::kOk;
}

void MessageContext::log(int level, std::string_view text) {
  auto lv = static_cast<LogLevel>(level < 0 ? 0 : level > 4 ? 4 : level);
  if (!log_enabled(lv)) return;
  // SER scripts end their texts with "\n"; the rest is one line whatever the peer put in the
  // $tls_* values it holds (SNI, certificate names): escaped.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  char line[768];
  core::escape_for_log(text, line, sizeof(line));
  SER_LOG(lv, m_.log_prefix(), "%s", line);
}

}  // namespace core::proxy
