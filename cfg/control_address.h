#pragma once
// The address of the control socket as `ctl_socket` and `serctl -s` write it:
// `unix:/PATH` (a stream socket in the file system) or `tcp:IP:PORT` (`tcp:[IPv6]:PORT`).
#include <cstdint>
#include <string>
#include <string_view>

namespace cfg {

// ser's default, the socket serctl talks to without -s.
inline constexpr std::string_view kDefaultCtlSocket = "unix:/run/ser/ser.ctl";

struct ControlAddress {
  enum class Kind { kUnix, kTcp };
  Kind kind = Kind::kUnix;
  std::string path;  // kUnix: absolute or relative file name
  std::string host;  // kTcp: numeric IPv4 or IPv6 (no brackets)
  uint16_t port = 0;

  std::string to_string() const;  // as parsed: "unix:/run/ser/ser.ctl", "tcp:[::1]:2049"
};

// Parses `unix:PATH` or `tcp:IP:PORT` (port 1-65535 required; no host names: the control
// socket is bound before anything is resolved). On failure `error` says "expected X, found Y".
bool parse_control_address(std::string_view text, ControlAddress* out, std::string* error);

}  // namespace cfg
