#include "core/proxy/route_set.h"

#include "core/proxy/held_request.h"
#include "core/sip/header_type.h"
#include "core/sip/name_addr.h"
#include "core/sip/text.h"

namespace core::proxy {

using core::Transport;
using core::sip::HeaderType;

bool RouteSet::is_popped(std::string_view route) const {
  for (int i = 0; i < popped_; ++i)
    if (popped_routes_[i].data() == route.data()) return true;
  return false;
}

// RFC 3261 §16.4: a Request-URI holding our Record-Route URI came from
// a strict router; the real target is the last Route value, which is taken out of Route.
void RouteSet::undo_strict_route() {
  const core::sip::SipUri& uri = edits_.uri();
  if (!edits_.uri_ok() || !m_.env().locals.is_myself(uri.host(), uri.port())) return;
  // Ours has no user part, or an RFC 5626 flow token (a Record-Route facing an outbound UA).
  if (uri.has_user() && !m_.env().flow_token.verify(uri.user())) return;
  const core::sip::SipMessage& msg = m_.msg();
  const core::sip::HeaderField* last_h = nullptr;
  std::string_view last;
  for (const auto* h = msg.first(HeaderType::kRoute); h; h = msg.next(h, HeaderType::kRoute)) {
    core::sip::ValueSplitter values(msg.value(*h));
    std::string_view v;
    while (values.next(v)) {
      last_h = h;
      last = v;
    }
  }
  core::sip::NameAddr na;
  core::sip::SipUri u;
  if (!last_h || !na.parse(last).ok() || !u.parse(na.uri()).ok()) return;
  note_flow_route(uri);
  edits_.replace_uri(na.uri(), u);
  popped_routes_[popped_] = last;
  popped_headers_[popped_++] = last_h;
}

template <typename F>
void RouteSet::for_each_route(F&& f) const {
  const core::sip::SipMessage& msg = m_.msg();
  for (const auto* h = msg.first(HeaderType::kRoute); h; h = msg.next(h, HeaderType::kRoute)) {
    core::sip::ValueSplitter values(msg.value(*h));
    std::string_view v;
    while (values.next(v))
      if (!is_popped(v) && !f(h, v)) return;
  }
}

void RouteSet::preprocess() {
  undo_strict_route();
  for_each_route([this](const core::sip::HeaderField* h, std::string_view v) {
    core::sip::NameAddr na;
    core::sip::SipUri u;
    if (!na.parse(v).ok() || !na.parse_uri(u).ok()) return false;
    if (!m_.env().locals.is_myself(u.host(), u.port())) return false;
    if (popped_ == static_cast<int>(popped_routes_.size())) return false;
    note_flow_route(u);
    popped_routes_[popped_] = v;
    popped_headers_[popped_++] = h;
    return true;
  });
}

void RouteSet::note_flow_route(const core::sip::SipUri& route) {
  if (!route.has_user() || !FlowToken::looks_like(route.user()) || flow_route_ == FlowRoute::kFlow)
    return;
  std::optional<Flow> f = m_.env().flow_token.verify(route.user());
  if (!f) {
    flow_route_ = FlowRoute::kForged;
    return;
  }
  // The token of the flow this request came in on: a request of the UA itself, routed onwards
  // by the rest of its route set (§5.3).
  if (f->same_as(Flow::of(m_.rx()))) return;
  flow_route_ = FlowRoute::kFlow;
  flow_ = *f;
}

bool RouteSet::next_hop_uri(core::sip::SipUri* uri) const {
  // The first Route left after loose routing, else the Request-URI (RFC 3261 §16.6 step 6).
  bool routed = false, ok = false;
  for_each_route([&](const core::sip::HeaderField*, std::string_view v) {
    core::sip::NameAddr na;
    routed = true;
    ok = na.parse(v).ok() && na.parse_uri(*uri).ok();
    return false;
  });
  if (routed) return ok;
  if (!edits_.uri_ok()) return false;
  *uri = edits_.uri();
  return true;
}

bool RouteSet::next_hop(std::optional<Transport> proto, std::string_view host, uint16_t port,
                        core::dns::NextHop* hop) const {
  if (host.empty()) {
    core::sip::SipUri u;
    if (!next_hop_uri(&u)) return false;
    host = u.host();
    if (port == 0) port = u.port();
    hop->secure = u.scheme() == core::sip::UriScheme::kSips;
    if (!u.transport_param().empty()) {
      hop->transport = Transport::parse(u.transport_param());
      if (!hop->transport) return false;
    }
  }
  if (proto) hop->transport = *proto;
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  hop->host = host;
  hop->port = port;
  return !host.empty();
}

// A Route line whose values are all ours goes whole: value by value, the last one's removal
// would take the comma the one before it already took (Kamailio writes a route set on one
// line, so our two Record-Routes of RFC 5658 come back as "Route: <in>, <out>").
void RouteSet::remove_popped(core::sip::MessageEdit& edit) const {
  const core::sip::SipMessage& msg = m_.msg();
  for (int i = 0; i < popped_; ++i) {
    const core::sip::HeaderField* h = popped_headers_[i];
    if (edits_.removed_by_script(msg, *h)) continue;
    bool seen = false;
    for (int j = 0; j < i; ++j) seen = seen || popped_headers_[j] == h;
    bool all_popped = true;
    core::sip::ValueSplitter values(msg.value(*h));
    std::string_view v;
    while (values.next(v)) all_popped = all_popped && is_popped(v);
    if (!all_popped) {
      edit.remove_value(msg, *h, popped_routes_[i]);
    } else if (!seen) {
      edit.remove_header(*h);
    }
  }
}

void RouteSet::save(HeldRequest& held) const {
  const core::sip::SipMessage& msg = m_.msg();
  const char* base = msg.data().data();
  for (int i = 0; i < popped_; ++i) {
    held.popped[i] = {static_cast<uint32_t>(popped_headers_[i] - msg.headers().data()),
                      static_cast<uint32_t>(popped_routes_[i].data() - base),
                      static_cast<uint32_t>(popped_routes_[i].size())};
  }
  held.popped_count = popped_;
}

void RouteSet::restore(const HeldRequest& held) {
  const core::sip::SipMessage& msg = m_.msg();
  std::string_view data = msg.data();
  for (int i = 0; i < held.popped_count; ++i) {
    popped_headers_[i] = &msg.headers()[held.popped[i].header];
    popped_routes_[i] = data.substr(held.popped[i].offset, held.popped[i].length);
  }
  popped_ = held.popped_count;
}

}  // namespace core::proxy
