#pragma once
// ";name[=value]" parameter lists of Via, name-addr headers and SIP URIs (RFC 3261 §25.1).
// Views point into the message so an editor can find each parameter's offset.
#include <string_view>

namespace core::sip {

struct Param {
  std::string_view name;   // empty when absent
  std::string_view value;  // as written; a quoted-string keeps its quotes
  bool has_value = false;

  bool present() const { return !name.empty(); }
};

class ParamCursor {
 public:
  // `list` is empty or starts with ';' (leading LWS allowed); `allow_lws` permits white space
  // around ';' and '=' (header parameters: SEMI and EQUAL are SWS-wrapped), URIs have none.
  ParamCursor(std::string_view list, bool allow_lws) : rest_(list), allow_lws_(allow_lws) {}

  // The next parameter; false at the end or when malformed (see malformed()).
  bool next(Param& out);
  bool malformed() const { return malformed_; }

 private:
  std::string_view rest_;
  bool allow_lws_;
  bool malformed_ = false;
};

// Checks a whole list; false if malformed.
bool params_well_formed(std::string_view list, bool allow_lws);
// Finds a parameter by name (case-insensitive, RFC 3261 §7.3.1); absent if not found.
Param find_param(std::string_view list, std::string_view name, bool allow_lws);

}  // namespace core::sip
