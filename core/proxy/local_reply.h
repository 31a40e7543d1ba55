#pragma once
// A stateless reply of this proxy to the request being handled (RFC 3261 §8.2.6, §16.11): the
// script's sl_send_reply, the parser's 4xx/5xx, 483, 420, 430, 403 and 503. Built into the
// worker's reply buffer and sent back where RFC 3261 §18.2.2 says.
#include <string_view>

#include "core/proxy/handled_message.h"

namespace core::proxy {

// `extra` holds whole header lines (CRLF included) to add, e.g. a 420's Unsupported. False when
// it was not sent (no memory, or the send failed: counted, logged).
bool send_local_reply(HandledMessage& m, int code, std::string_view reason,
                      std::string_view extra = {});

}  // namespace core::proxy
