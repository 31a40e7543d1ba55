#include "cfg/control_address.h"

#include <sys/un.h>

#include "cfg/listen_parse.h"

namespace cfg {

namespace {

constexpr std::string_view kExpected = "expected unix:/PATH or tcp:IP:PORT";

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if ((text[i] | 0x20) != prefix[i]) return false;
  return true;
}

bool parse_unix(std::string_view path, ControlAddress* out, std::string* error) {
  // sun_path holds the name and its terminating NUL (unix(7)).
  constexpr size_t kMax = sizeof(sockaddr_un::sun_path) - 1;
  if (path.empty()) {
    *error = std::string(kExpected) + ", found 'unix:' without a path";
    return false;
  }
  if (path.size() > kMax) {
    *error = "the control socket path is " + std::to_string(path.size()) +
             " bytes long; a unix socket path holds at most " + std::to_string(kMax);
    return false;
  }
  if (path.find('\0') != std::string_view::npos) {
    *error = "the control socket path holds a NUL byte";
    return false;
  }
  out->kind = ControlAddress::Kind::kUnix;
  out->path = std::string(path);
  return true;
}

bool parse_tcp(std::string_view rest, ControlAddress* out, std::string* error) {
  HostPort hp;
  HostPortRules rules;
  rules.allow_name = false;
  rules.min_port = 1;
  std::string why;
  if (!parse_host_port(rest, rules, &hp, &why) || !hp.port_given) {
    *error = std::string(kExpected) +
             " (a numeric address and a port), found 'tcp:" + std::string(rest) + "'";
    return false;
  }
  out->kind = ControlAddress::Kind::kTcp;
  out->host = hp.host;
  out->port = hp.port;
  return true;
}

}  // namespace

std::string ControlAddress::to_string() const {
  if (kind == Kind::kUnix) return "unix:" + path;
  bool v6 = host.find(':') != std::string::npos;
  return "tcp:" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool parse_control_address(std::string_view text, ControlAddress* out, std::string* error) {
  if (starts_with_nocase(text, "unix:")) return parse_unix(text.substr(5), out, error);
  if (starts_with_nocase(text, "tcp:")) return parse_tcp(text.substr(4), out, error);
  *error = std::string(kExpected) + ", found '" + std::string(text) + "'";
  return false;
}

}  // namespace cfg
