#pragma once
// The fields SipMessage::validate() parses to check them, kept for the caller so that nothing
// on the message path parses them a second time: the top Via (every reply and forward), a
// request's SIP URI (loose routing, the script's uri facts), Max-Forwards (the forwarded
// value), and whether To has a tag with From's tag (a stateless reply's To tag, RFC 3261
// §8.2.6.2). Views into the message.
#include <string_view>

#include "core/sip/sip_message.h"
#include "core/sip/sip_uri.h"
#include "core/sip/via.h"

namespace core::sip {

struct CheckedFields {
  Via top;
  SipUri uri;             // a request's sip:/sips: Request-URI
  bool uri_ok = false;    // uri was parsed (false for tel:, urn: and for responses)
  int max_forwards = -1;  // -1: absent
  // A request's (a response's are not looked for):
  bool to_tagged = false;  // To has a tag parameter, even an empty one
  std::string_view from_tag;
};

}  // namespace core::sip
