#pragma once
// A look at one header of a message without parsing it (before a worker is chosen for it):
// the raw value of the first header of a type, long or compact name, trimmed. Folded values
// are cut at the fold; nothing is validated.
#include <string_view>

#include "core/sip/header_type.h"

namespace core::sip {

// Empty when the message has no such header before its blank line.
std::string_view first_header_value(std::string_view message, HeaderType type);

// The value of parameter `name` of the first via-parm of a Via header value (as
// first_header_value gives it); empty when absent.
std::string_view first_via_param(std::string_view via, std::string_view name);

}  // namespace core::sip
