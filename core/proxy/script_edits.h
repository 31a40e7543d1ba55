#pragma once
// What the routing script asked to change in a request before it is forwarded: the Request-URI
// (rewrite_uri/host/host_port), headers appended and removed (append_hf/remove_hf), the new
// Max-Forwards (mf_process_maxfwd_header), record_route(), add_path() and the TLS client
// domain. Texts live in the message's arena; ForwardBuilder applies them in one pass, and a
// held request keeps a copy (HeldRequest).
#include <array>
#include <cstdint>
#include <string_view>

#include "core/proxy/sip_text.h"
#include "core/sip/checked_fields.h"
#include "core/sip/message_edit.h"
#include "core/sip/sip_message.h"
#include "core/sip/sip_uri.h"

namespace core::proxy {

struct HeldRequest;

class ScriptEdits {
 public:
  enum class PathMode : uint8_t { kNone, kPath, kReceived };

  // The Request-URI of `msg` (a request's): validate()'s parse in `fields`, else parsed here.
  ScriptEdits(const core::sip::SipMessage& msg, const core::sip::CheckedFields* fields);
  // The edits a held request kept (HeldRequest), over its copy of the message.
  void restore(const HeldRequest& held);
  void save(HeldRequest& held) const;

  // ---- the Request-URI (RFC 3261 §16.4 may replace it too: RouteSet) ----
  std::string_view uri_text() const { return uri_text_; }
  const core::sip::SipUri& uri() const { return uri_; }
  bool uri_ok() const { return uri_ok_; }
  bool uri_rewritten() const { return uri_rewritten_; }
  // `text` (already in the arena or the message) as the new Request-URI, parsed as `parsed`.
  void replace_uri(std::string_view text, const core::sip::SipUri& parsed);
  // rewrite_uri: `uri` copied into the arena; false when it does not parse or does not fit.
  bool set_uri(std::string_view uri, TextArena& arena);
  bool rewrite_host_port(std::string_view host_port, TextArena& arena);
  bool rewrite_host(std::string_view host, TextArena& arena);

  // ---- headers ----
  bool append(std::string_view line, TextArena& arena);
  bool remove(std::string_view name, TextArena& arena);
  bool removed_by_script(const core::sip::SipMessage& msg, const core::sip::HeaderField& h) const;
  // For a response: the onreply_route's append_hf/remove_hf edits (our own Via is the caller's;
  // a script cannot remove Via headers of a response).
  void add_reply_edits(const core::sip::SipMessage& msg, core::sip::MessageEdit& edit) const;
  // For a forwarded request: the headers removed, whole (no other edit may touch them).
  void remove_headers(const core::sip::SipMessage& msg, core::sip::MessageEdit& edit) const;
  void append_headers(const core::sip::SipMessage& msg, core::sip::MessageEdit& edit) const;

  // ---- the rest ----
  int new_max_forwards = -1;  // set by mf_process_maxfwd_header
  bool record_route = false;
  PathMode path = PathMode::kNone;
  // tls_client_domain("ID"): the client domain of a TLS forward ("" = by address and name).
  std::string_view client_domain;

 private:
  std::string_view uri_text_;
  core::sip::SipUri uri_;
  bool uri_ok_ = false;
  bool uri_rewritten_ = false;
  std::array<std::string_view, 8> appended_{};
  int appended_count_ = 0;
  // remove_hf names, each with its header type looked up once (kOther: compared by name).
  struct Removed {
    std::string_view name;
    core::sip::HeaderType type = core::sip::HeaderType::kOther;
  };
  void add_removed(std::string_view name);
  std::array<Removed, 8> removed_{};
  int removed_count_ = 0;
};

}  // namespace core::proxy
