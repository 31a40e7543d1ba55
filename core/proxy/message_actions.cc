// The script's actions on a message, and the building of the forwarded request.
#include <arpa/inet.h>

#include <cstdio>

#include "core/base/log.h"
#include "core/proxy/message_context.h"
#include "core/sip/header_type.h"
#include "core/sip/text.h"

namespace core::proxy {

using core::Transport;
using core::sip::HeaderType;
using core::sip::MessageEdit;
using script::Status;

const char* MessageContext::log_prefix() const {
  if (prefix_[0] == '\0') {
    char src[64], dst[64];
    rx_.src.format(src, sizeof(src));
    rx_.dst.format(dst, sizeof(dst));
    std::snprintf(prefix_, sizeof(prefix_), "[c#%llu %s %s<-%s]",
                  static_cast<unsigned long long>(rx_.conn_id), rx_.transport.name(), dst, src);
  }
  return prefix_;
}

bool MessageContext::max_forwards_edit(MessageEdit& edit) {
  int v = new_max_forwards_;
  if (v < 0) {
    if (max_forwards_ == 0) {
      // RFC 3261 §16.3 step 2; an ACK gets no reply.
      if (msg_.method() != core::sip::Method::kAck) reply(483, "Too Many Hops");
      return false;
    }
    v = max_forwards_ < 0 ? env_.settings.default_max_forwards : max_forwards_ - 1;
  }
  std::string_view num = arena_.number(static_cast<uint64_t>(v));
  const auto* h = msg_.first(HeaderType::kMaxForwards);
  if (h && !removed_by_script(*h)) return edit.replace_value(*h, num);
  return edit.append_header(msg_, arena_.concat({"Max-Forwards: ", num, "\r\n"}));
}

std::string_view MessageContext::record_route_line(const LocalSocket& s, Transport t,
                                                   std::string_view user) {
  std::string_view tp;
  if (t != Transport::kUdp) tp = arena_.concat({";transport=", t.name()});
  std::string_view at = user.empty() ? "" : "@";
  return arena_.concat(
      {"Record-Route: <sip:", user, at, s.host, ":", arena_.number(s.port), tp, ";lr>\r\n"});
}

bool MessageContext::add_own_headers(MessageEdit& edit, const Target& t, const LocalSocket& local) {
  std::string_view branch = make_branch(msg_, top_, forks_, arena_);
  std::string_view conn;
  // Streams: our Via names the connection the request came in on, so that the response goes
  // back over it (RFC 3261 §18.2.2) without any state kept here.
  // The id is authenticated (ConnTag): the response's sender cannot name another connection.
  if (rx_.conn_id != 0) {
    std::string_view tag = env_.conn_tag.write(rx_.conn_id, branch, arena_);
    if (tag.empty()) return false;
    conn = arena_.concat({";i=", tag});
  }
  std::string_view via =
      arena_.concat({"Via: SIP/2.0/", t.transport.upper_name(), " ", local.host, ":",
                     arena_.number(local.port), ";branch=", branch, conn, "\r\n"});
  if (via.empty() || !edit.prepend_header(msg_, via)) return false;
  if (!add_path_line(edit, local, t.transport)) return false;
  return !record_route_ || add_record_routes(edit, t, local);
}

bool MessageContext::add_record_routes(MessageEdit& edit, const Target& t,
                                       const LocalSocket& local) {
  const LocalSocket* in = env_.locals.by_listener(rx_.listener_id);
  if (!in) in = env_.locals.pick(rx_.transport, rx_.dst.af());
  // RFC 5626 §5.3: a Record-Route facing a flow carries its token, so that the dialog's
  // requests towards that side come back over it: the incoming flow of a UA using outbound
  // (";ob" in its Contact, and we are its first hop), the outgoing flow of a request routed by
  // a token (a call to a registered phone).
  std::string_view in_token, out_token;
  if (contact_has_ob() && first_hop() && (in_token = own_flow_token()).empty()) return false;
  if (to_flow_ && (out_token = env_.flow_token.write(flow_, arena_)).empty()) return false;
  // Two Record-Routes when the request changes socket or transport (RFC 5658 §3.2), or when
  // each side has a token of its own: the outgoing side first, as the downstream element reads
  // the route set top-down.
  bool both = in && (in != &local || rx_.transport != t.transport ||
                     (!in_token.empty() && !out_token.empty()));
  std::string_view out_user = both || !out_token.empty() ? out_token : in_token;
  // An empty line is a full arena: fail rather than forward without the Record-Route.
  std::string_view out_rr = record_route_line(local, t.transport, out_user);
  if (out_rr.empty() || !edit.prepend_header(msg_, out_rr)) return false;
  if (!both) return true;
  std::string_view in_rr = record_route_line(*in, rx_.transport, in_token);
  return !in_rr.empty() && edit.prepend_header(msg_, in_rr);
}

bool MessageContext::removed_by_script(const core::sip::HeaderField& h) const {
  for (int i = 0; i < removed_count_; ++i) {
    HeaderType type = core::sip::header_type_of(removed_names_[i]);
    if (type != HeaderType::kOther ? h.type == type
                                   : core::sip::iequals(msg_.name(h), removed_names_[i]))
      return true;
  }
  return false;
}

void MessageContext::add_reply_edits(MessageEdit& edit) const {
  for (const auto& h : msg_.headers())
    if (h.type != HeaderType::kVia && removed_by_script(h)) edit.remove_header(h);
  for (int i = 0; i < appended_count_; ++i) edit.append_header(msg_, appended_[i]);
}

// A Route line whose values are all ours goes whole: value by value, the last one's removal
// would take the comma the one before it already took (Kamailio writes a route set on one
// line, so our two Record-Routes of RFC 5658 come back as "Route: <in>, <out>").
void MessageContext::remove_popped_routes(MessageEdit& edit) const {
  for (int i = 0; i < popped_; ++i) {
    const core::sip::HeaderField* h = popped_headers_[i];
    if (removed_by_script(*h)) continue;
    bool seen = false;
    for (int j = 0; j < i; ++j) seen = seen || popped_headers_[j] == h;
    bool all_popped = true;
    core::sip::ValueSplitter values(msg_.value(*h));
    std::string_view v;
    while (values.next(v)) all_popped = all_popped && is_popped(v);
    if (!all_popped) {
      edit.remove_value(msg_, *h, popped_routes_[i]);
    } else if (!seen) {
      edit.remove_header(*h);
    }
  }
}

bool MessageContext::build_forward(const Target& t, const LocalSocket& local,
                                   core::PoolString& out) {
  MessageEdit edit(msg_.data());
  if (uri_rewritten_) edit.replace_request_uri(msg_, uri_text_);
  // A header the script removes goes whole: no other edit may touch it (they would overlap).
  remove_popped_routes(edit);
  for (const auto& h : msg_.headers())
    if (removed_by_script(h)) edit.remove_header(h);
  Insert fx[2];
  int n = via_fixes(msg_, top_, rx_.src, arena_, fx);
  for (int i = 0; i < n; ++i) edit.replace(fx[i].offset, fx[i].length, fx[i].text);
  if (!max_forwards_edit(edit)) return false;
  if (!add_own_headers(edit, t, local)) {
    SER_LOG_THROTTLED(env_.log.dropped, LogLevel::kError, log_prefix(),
                      "forward: headers do not fit the edit limits");
    return false;
  }
  for (int i = 0; i < appended_count_; ++i) edit.append_header(msg_, appended_[i]);
  if (edit.apply(out) != core::sip::EditError::kNone) {
    SER_LOG_THROTTLED(env_.log.dropped, LogLevel::kError, log_prefix(),
                      "forward: the script's header edits conflict");
    return false;
  }
  return true;
}

bool MessageContext::reply(int code, std::string_view reason, std::string_view extra) {
  Insert fx[2];
  int n = via_fixes(msg_, top_, rx_.src, arena_, fx);
  core::PoolString& out = out_buffer(OutSlot::kReply);
  if (!within_budget([&] {
        build_reply(msg_, fx, n, code, reason, out, extra);
        return true;
      })) {
    SER_LOG_THROTTLED(env_.log.dropped, LogLevel::kWarning, log_prefix(),
                      "reply %d not sent: shared memory budget exhausted", code);
    return false;
  }
  core::net::SocketAddr dst = rx_.src;
  // RFC 3261 §18.2.2: over UDP without rport, to the received address and the Via's port.
  if (rx_.transport == Transport::kUdp && !top_.rport().present())
    dst.set_port(top_.port() ? top_.port() : 5060);
  // Over TLS, should the request's connection be gone, a new one checks this name.
  char ip[INET6_ADDRSTRLEN];
  std::string_view name = rx_.transport == Transport::kTls
                              ? tls_response_name(top_, dst, ip, sizeof(ip))
                              : std::string_view();
  auto r = env_.sender.send(rx_.transport, dst, out, rx_.conn_id, rx_.listener_id, {{}, name});
  if (r == core::net::SendResult::kFailed) {
    env_.stats.send_failed.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  env_.stats.local_replies.fetch_add(1, std::memory_order_relaxed);
  return true;
}

Status MessageContext::sl_send_reply(int code, std::string_view reason) {
  if (!msg_.is_request() || msg_.method() == core::sip::Method::kAck) return Status::kError;
  return reply(code, reason) ? Status::kOk : Status::kError;
}

Status MessageContext::mf_process_maxfwd_header(int limit) {
  if (!msg_.is_request()) return Status::kError;
  if (max_forwards_ < 0) {
    new_max_forwards_ = limit;
    return Status::kOk;
  }
  if (max_forwards_ == 0) return Status::kFalse;
  new_max_forwards_ = max_forwards_ - 1;
  return Status::kOk;
}

Status MessageContext::record_route() {
  if (!msg_.is_request()) return Status::kError;
  record_route_ = true;
  return Status::kOk;
}

bool MessageContext::set_uri(std::string_view uri) {
  core::sip::SipUri parsed;
  std::string_view kept = arena_.concat({uri});
  if (kept.empty() || !parsed.parse(kept).ok()) return false;
  uri_text_ = kept;
  uri_ = parsed;
  uri_ok_ = true;
  uri_rewritten_ = true;
  return true;
}

Status MessageContext::rewrite_uri(std::string_view uri) {
  if (!msg_.is_request()) return Status::kError;
  return set_uri(uri) ? Status::kOk : Status::kError;
}

Status MessageContext::rewrite_host_port(std::string_view host_port) {
  if (!msg_.is_request() || !uri_ok_) return Status::kError;
  std::string_view scheme = uri_.scheme() == core::sip::UriScheme::kSips ? "sips:" : "sip:";
  // One concatenation: a full arena then fails the whole rewrite instead of dropping a part.
  std::string_view at = uri_.has_user() ? "@" : "";
  std::string_view colon = uri_.has_password() ? ":" : "";
  std::string_view qmark = uri_.headers().empty() ? "" : "?";
  return set_uri(arena_.concat({scheme, uri_.user(), colon, uri_.password(), at, host_port,
                                uri_.params(), qmark, uri_.headers()}))
             ? Status::kOk
             : Status::kError;
}

Status MessageContext::rewrite_host(std::string_view host) {
  if (!uri_ok_) return Status::kError;
  std::string_view colon = uri_.has_port() ? ":" : "";
  std::string_view port = uri_.has_port() ? uri_.host_port().port_text : "";
  std::string_view host_port = arena_.concat({host, colon, port});
  if (host_port.empty()) return Status::kError;
  return rewrite_host_port(host_port);
}

Status MessageContext::append_hf(std::string_view text) {
  if (appended_count_ == static_cast<int>(appended_.size())) return Status::kError;
  std::string_view kept = arena_.concat({text});
  if (kept.empty()) return Status::kError;
  appended_[appended_count_++] = kept;
  return Status::kOk;
}

Status MessageContext::remove_hf(std::string_view name) {
  if (removed_count_ == static_cast<int>(removed_names_.size())) return Status::kError;
  removed_names_[removed_count_++] = arena_.concat({name});
  return Status::kOk;
}

void MessageContext::log(int level, std::string_view text) {
  auto lv = static_cast<LogLevel>(level < 0 ? 0 : level > 4 ? 4 : level);
  if (!log_enabled(lv)) return;
  // SER scripts end their texts with "\n"; the rest is one line whatever the peer put in the
  // $tls_* values it holds (SNI, certificate names): escaped.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  char line[768];
  core::escape_for_log(text, line, sizeof(line));
  SER_LOG(lv, log_prefix(), "%s", line);
}

}  // namespace core::proxy
