#include "core/proxy/script_edits.h"

#include "core/proxy/held_request.h"
#include "core/sip/header_type.h"
#include "core/sip/text.h"

namespace core::proxy {

using core::sip::HeaderType;

ScriptEdits::ScriptEdits(const core::sip::SipMessage& msg, const core::sip::CheckedFields* fields) {
  if (!msg.is_request()) return;
  uri_text_ = msg.request_uri();
  if (fields != nullptr) {
    uri_ok_ = fields->uri_ok;
    if (uri_ok_) uri_ = fields->uri;
  } else {
    uri_ok_ = uri_.parse(uri_text_).ok();
  }
}

void ScriptEdits::restore(const HeldRequest& held) {
  if (held.uri_rewritten) {
    uri_text_ = held.uri;
    uri_ok_ = uri_.parse(uri_text_).ok();
    uri_rewritten_ = true;
  }
  for (const auto& a : held.appended) appended_[appended_count_++] = a;
  for (const auto& r : held.removed) add_removed(r);
  new_max_forwards = held.new_max_forwards;
  record_route = held.record_route;
  path = static_cast<PathMode>(held.path_mode);
  client_domain = held.client_domain;
}

void ScriptEdits::save(HeldRequest& held) const {
  held.uri_rewritten = uri_rewritten_;
  if (uri_rewritten_) held.uri.assign(uri_text_);
  for (int i = 0; i < appended_count_; ++i) held.appended.emplace_back(appended_[i]);
  for (int i = 0; i < removed_count_; ++i) held.removed.emplace_back(removed_[i].name);
  held.new_max_forwards = new_max_forwards;
  held.record_route = record_route;
  held.path_mode = static_cast<uint8_t>(path);
  held.client_domain.assign(client_domain);
}

void ScriptEdits::replace_uri(std::string_view text, const core::sip::SipUri& parsed) {
  uri_text_ = text;
  uri_ = parsed;
  uri_ok_ = true;
  uri_rewritten_ = true;
}

bool ScriptEdits::set_uri(std::string_view uri, TextArena& arena) {
  core::sip::SipUri parsed;
  std::string_view kept = arena.concat({uri});
  if (kept.empty() || !parsed.parse(kept).ok()) return false;
  replace_uri(kept, parsed);
  return true;
}

bool ScriptEdits::rewrite_host_port(std::string_view host_port, TextArena& arena) {
  if (!uri_ok_) return false;
  std::string_view scheme = uri_.scheme() == core::sip::UriScheme::kSips ? "sips:" : "sip:";
  // One concatenation: a full arena then fails the whole rewrite instead of dropping a part.
  std::string_view at = uri_.has_user() ? "@" : "";
  std::string_view colon = uri_.has_password() ? ":" : "";
  std::string_view qmark = uri_.headers().empty() ? "" : "?";
  return set_uri(arena.concat({scheme, uri_.user(), colon, uri_.password(), at, host_port,
                               uri_.params(), qmark, uri_.headers()}),
                 arena);
}

bool ScriptEdits::rewrite_host(std::string_view host, TextArena& arena) {
  if (!uri_ok_) return false;
  std::string_view colon = uri_.has_port() ? ":" : "";
  std::string_view port = uri_.has_port() ? uri_.host_port().port_text : "";
  std::string_view host_port = arena.concat({host, colon, port});
  return !host_port.empty() && rewrite_host_port(host_port, arena);
}

bool ScriptEdits::append(std::string_view line, TextArena& arena) {
  if (appended_count_ == static_cast<int>(appended_.size())) return false;
  std::string_view kept = arena.concat({line});
  if (kept.empty()) return false;
  appended_[appended_count_++] = kept;
  return true;
}

bool ScriptEdits::remove(std::string_view name, TextArena& arena) {
  if (removed_count_ == static_cast<int>(removed_.size())) return false;
  std::string_view kept = arena.concat({name});
  if (kept.empty() && !name.empty()) return false;
  add_removed(kept);
  return true;
}

void ScriptEdits::add_removed(std::string_view name) {
  removed_[removed_count_++] = {name, core::sip::header_type_of(name)};
}

bool ScriptEdits::removed_by_script(const core::sip::SipMessage& msg,
                                    const core::sip::HeaderField& h) const {
  for (int i = 0; i < removed_count_; ++i) {
    const Removed& r = removed_[i];
    if (r.type != HeaderType::kOther ? h.type == r.type : core::sip::iequals(msg.name(h), r.name))
      return true;
  }
  return false;
}

void ScriptEdits::add_reply_edits(const core::sip::SipMessage& msg,
                                  core::sip::MessageEdit& edit) const {
  for (const auto& h : msg.headers())
    if (h.type != HeaderType::kVia && removed_by_script(msg, h)) edit.remove_header(h);
  append_headers(msg, edit);
}

void ScriptEdits::remove_headers(const core::sip::SipMessage& msg,
                                 core::sip::MessageEdit& edit) const {
  if (removed_count_ == 0) return;
  for (const auto& h : msg.headers())
    if (removed_by_script(msg, h)) edit.remove_header(h);
}

void ScriptEdits::append_headers(const core::sip::SipMessage& msg,
                                 core::sip::MessageEdit& edit) const {
  for (int i = 0; i < appended_count_; ++i) edit.append_header(msg, appended_[i]);
}

}  // namespace core::proxy
