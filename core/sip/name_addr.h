#pragma once
// The value of From, To, Contact, Route, Record-Route and similar headers (RFC 3261 §20.10):
//   name-addr:  [ display-name ] "<" URI ">" *( SEMI param )
//   addr-spec:  URI *( SEMI param )   -- here the parameters belong to the header
// and Contact's "*". One value: split multi-value lines with ValueSplitter first.
#include <string_view>

#include "core/sip/param_list.h"
#include "core/sip/parse_error.h"

namespace core::sip {

class SipUri;

class NameAddr {
 public:
  ParseError parse(std::string_view value);

  bool is_star() const { return star_; }
  bool has_brackets() const { return brackets_; }
  // Without its quotes when quoted (quoted-pairs are left escaped); empty when absent.
  std::string_view display_name() const { return display_; }
  std::string_view uri() const { return uri_; }        // inside the brackets
  std::string_view params() const { return params_; }  // header parameters, from the ';'
  Param param(std::string_view name) const { return find_param(params_, name, true); }
  std::string_view tag() const { return param("tag").value; }
  // Parses uri() as a SIP URI (fails with kUnsupportedScheme for tel: and others).
  ParseError parse_uri(SipUri& out) const;

 private:
  ParseError parse_display(std::string_view& rest);

  bool star_ = false;
  bool brackets_ = false;
  std::string_view display_;
  std::string_view uri_;
  std::string_view params_;
};

}  // namespace core::sip
