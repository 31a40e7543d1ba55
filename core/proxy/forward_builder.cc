#include "core/proxy/forward_builder.h"

#include "core/base/log.h"
#include "core/sip/header_type.h"

namespace core::proxy {

using core::Transport;
using core::dns::Target;
using core::sip::HeaderType;
using core::sip::MessageEdit;

ForwardBuilder::Result ForwardBuilder::build(const Target& t, const LocalSocket& local,
                                             unsigned fork, bool to_flow, core::PoolString& out) {
  const core::sip::SipMessage& msg = m_.msg();
  MessageEdit edit(msg.data());
  if (edits_.uri_rewritten()) edit.replace_request_uri(msg, edits_.uri_text());
  // A header the script removes goes whole: no other edit may touch it (they would overlap).
  routes_.remove_popped(edit);
  edits_.remove_headers(msg, edit);
  Insert fx[2];
  int n = via_fixes(msg, m_.top(), m_.rx().src, m_.arena(), fx);
  for (int i = 0; i < n; ++i) edit.replace(fx[i].offset, fx[i].length, fx[i].text);
  if (!max_forwards_edit(edit)) return Result::kTooManyHops;
  if (!add_own_headers(edit, t, local, fork, to_flow)) {
    SER_LOG_THROTTLED(m_.env().log.dropped, LogLevel::kError, m_.log_prefix(),
                      "forward: headers do not fit the edit limits");
    return Result::kFailed;
  }
  edits_.append_headers(msg, edit);
  if (edit.apply(out) != core::sip::EditError::kNone) {
    SER_LOG_THROTTLED(m_.env().log.dropped, LogLevel::kError, m_.log_prefix(),
                      "forward: the script's header edits conflict");
    return Result::kFailed;
  }
  return Result::kBuilt;
}

// RFC 3261 §16.6 step 3; false when it reached 0 (§16.3 step 2) and the script set none.
bool ForwardBuilder::max_forwards_edit(MessageEdit& edit) {
  int v = edits_.new_max_forwards;
  if (v < 0) {
    if (m_.max_forwards() == 0) return false;
    v = m_.max_forwards() < 0 ? m_.env().settings.default_max_forwards : m_.max_forwards() - 1;
  }
  TextArena& arena = m_.arena();
  std::string_view num = arena.number(static_cast<uint64_t>(v));
  const core::sip::SipMessage& msg = m_.msg();
  const auto* h = msg.first(HeaderType::kMaxForwards);
  if (h && !edits_.removed_by_script(msg, *h)) return edit.replace_value(*h, num);
  return edit.append_header(msg, arena.concat({"Max-Forwards: ", num, "\r\n"}));
}

std::string_view ForwardBuilder::record_route_line(const LocalSocket& s, Transport t,
                                                   std::string_view user) {
  TextArena& arena = m_.arena();
  std::string_view tp;
  if (t != Transport::kUdp) tp = arena.concat({";transport=", t.name()});
  std::string_view at = user.empty() ? "" : "@";
  return arena.concat(
      {"Record-Route: <sip:", user, at, s.host, ":", arena.number(s.port), tp, ";lr>\r\n"});
}

bool ForwardBuilder::add_own_headers(MessageEdit& edit, const Target& t, const LocalSocket& local,
                                     unsigned fork, bool to_flow) {
  TextArena& arena = m_.arena();
  const core::net::ReceivedMessage& rx = m_.rx();
  std::string_view branch = make_branch(m_.msg(), m_.top(), fork, arena);
  std::string_view conn;
  // Streams: our Via names the connection the request came in on, so that the response goes
  // back over it (RFC 3261 §18.2.2) without any state kept here.
  // The id is authenticated (ConnTag): the response's sender cannot name another connection.
  if (rx.conn_id != 0) {
    std::string_view tag = m_.env().conn_tag.write(rx.conn_id, branch, arena);
    if (tag.empty()) return false;
    conn = arena.concat({";i=", tag});
  }
  std::string_view via =
      arena.concat({"Via: SIP/2.0/", t.transport.upper_name(), " ", local.host, ":",
                    arena.number(local.port), ";branch=", branch, conn, "\r\n"});
  if (via.empty() || !edit.prepend_header(m_.msg(), via)) return false;
  if (!add_path_line(edit, local, t.transport)) return false;
  return !edits_.record_route || add_record_routes(edit, t, local, to_flow);
}

bool ForwardBuilder::add_record_routes(MessageEdit& edit, const Target& t, const LocalSocket& local,
                                       bool to_flow) {
  const core::net::ReceivedMessage& rx = m_.rx();
  const LocalSockets& locals = m_.env().locals;
  const LocalSocket* in = locals.by_listener(rx.listener_id);
  if (!in) in = locals.pick(rx.transport, rx.dst.af());
  // RFC 5626 §5.3: a Record-Route facing a flow carries its token, so that the dialog's
  // requests towards that side come back over it: the incoming flow of a UA using outbound
  // (";ob" in its Contact, and we are its first hop), the outgoing flow of a request routed by
  // a token (a call to a registered phone).
  std::string_view in_token, out_token;
  if (contact_has_ob() && first_hop() && (in_token = own_flow_token()).empty()) return false;
  if (to_flow && (out_token = m_.env().flow_token.write(routes_.flow(), m_.arena())).empty())
    return false;
  // Two Record-Routes when the request changes socket or transport (RFC 5658 §3.2), or when
  // each side has a token of its own: the outgoing side first, as the downstream element reads
  // the route set top-down.
  bool both = in && (in != &local || rx.transport != t.transport ||
                     (!in_token.empty() && !out_token.empty()));
  std::string_view out_user = both || !out_token.empty() ? out_token : in_token;
  // An empty line is a full arena: fail rather than forward without the Record-Route.
  std::string_view out_rr = record_route_line(local, t.transport, out_user);
  if (out_rr.empty() || !edit.prepend_header(m_.msg(), out_rr)) return false;
  if (!both) return true;
  std::string_view in_rr = record_route_line(*in, rx.transport, in_token);
  return !in_rr.empty() && edit.prepend_header(m_.msg(), in_rr);
}

}  // namespace core::proxy
