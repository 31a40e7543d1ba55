// RFC 5626 flows in the forwarded request: the Path (RFC 3327) an edge proxy adds to a REGISTER,
// the flow token in its URI and in the Record-Route facing a UA using outbound.
#include "core/proxy/forward_builder.h"
#include "core/sip/header_type.h"
#include "core/sip/name_addr.h"
#include "core/sip/text.h"

namespace core::proxy {

using core::Transport;
using core::sip::HeaderType;

std::string_view ForwardBuilder::own_flow_token() {
  if (own_token_.empty()) own_token_ = m_.env().flow_token.write(Flow::of(m_.rx()), m_.arena());
  return own_token_;
}

// The UA is directly connected: ours will be the only Via but for its own (RFC 5626 §5.1: only
// the first edge proxy marks a flow for outbound).
bool ForwardBuilder::first_hop() const {
  const core::sip::SipMessage& msg = m_.msg();
  int vias = 0;
  for (const auto* h = msg.first(HeaderType::kVia); h; h = msg.next(h, HeaderType::kVia)) {
    core::sip::ValueSplitter values(msg.value(*h));
    std::string_view v;
    while (values.next(v))
      if (++vias > 1) return false;
  }
  return vias == 1;
}

// RFC 5626 §4.2.1: a UA registering for outbound says `Supported: outbound` and puts reg-id
// and +sip.instance on its Contact.
bool ForwardBuilder::wants_outbound() const {
  const core::sip::SipMessage& msg = m_.msg();
  bool supported = false;
  for (const auto* h = msg.first(HeaderType::kSupported); h && !supported;
       h = msg.next(h, HeaderType::kSupported)) {
    core::sip::ValueSplitter values(msg.value(*h));
    std::string_view v;
    while (!supported && values.next(v)) supported = core::sip::iequals(v, "outbound");
  }
  if (!supported) return false;
  for (const auto* h = msg.first(HeaderType::kContact); h; h = msg.next(h, HeaderType::kContact)) {
    core::sip::ValueSplitter values(msg.value(*h));
    std::string_view v;
    while (values.next(v)) {
      core::sip::NameAddr na;
      if (na.parse(v).ok() && na.param("reg-id").present() && na.param("+sip.instance").present())
        return true;
    }
  }
  return false;
}

// RFC 5626 §4.3: a UA using outbound marks the Contact of a dialog-forming request with `ob`.
bool ForwardBuilder::contact_has_ob() const {
  const core::sip::SipMessage& msg = m_.msg();
  const auto* h = msg.first(HeaderType::kContact);
  if (!h) return false;
  core::sip::ValueSplitter values(msg.value(*h));
  std::string_view v;
  core::sip::NameAddr na;
  core::sip::SipUri u;
  return values.next(v) && na.parse(v).ok() && na.parse_uri(u).ok() && u.param("ob").present();
}

// RFC 3327 §4: our URI on top of Path, where the registrar's requests to this UA are to pass;
// the host:port is the socket facing the registrar, so with several nodes each names itself.
bool ForwardBuilder::add_path_line(core::sip::MessageEdit& edit, const LocalSocket& s,
                                   Transport t) {
  if (edits_.path == ScriptEdits::PathMode::kNone) return true;
  std::string_view token = own_flow_token();
  if (token.empty()) return false;
  TextArena& arena = m_.arena();
  const core::net::ReceivedMessage& rx = m_.rx();
  std::string_view tp;
  if (t != Transport::kUdp) tp = arena.concat({";transport=", t.name()});
  std::string_view rcv;
  if (edits_.path == ScriptEdits::PathMode::kReceived) {
    // Kamailio's spelling: the source as a SIP URI whose ';' and '=' are escaped (RFC 3261
    // §25.1 paramchar), so the registrar can keep it as one parameter.
    char ip[64];
    rx.src.format(ip, sizeof(ip));
    std::string_view rtp;
    if (rx.transport != Transport::kUdp)
      rtp = arena.concat({"%3Btransport%3D", rx.transport.name()});
    rcv = arena.concat({";received=sip:", ip, rtp});
    if (rcv.empty()) return false;
  }
  // ";ob": the UA registered for outbound and we are its first hop (RFC 5626 §5.1).
  std::string_view ob = wants_outbound() && first_hop() ? ";ob" : "";
  std::string_view line = arena.concat(
      {"Path: <sip:", token, "@", s.host, ":", arena.number(s.port), tp, ";lr", rcv, ob, ">\r\n"});
  return !line.empty() && edit.prepend_header(m_.msg(), line);
}

}  // namespace core::proxy
