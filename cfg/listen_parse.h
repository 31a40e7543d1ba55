#pragma once
// Addresses as ser.cfg writes them: `listen` values (PROTO:ADDR[:PORT]), `alias` values
// (host[:port]) and tls_domain keys (IP:PORT, [IPv6]:PORT).
#include <cstdint>
#include <string>
#include <string_view>

#include "cfg/config_model.h"

namespace cfg {

struct HostPort {
  std::string host;  // IPv4 text, IPv6 text (normalized, no brackets) or host name
  HostKind kind = HostKind::kIpv4;
  uint16_t port = 0;
  bool port_given = false;
};

struct HostPortRules {
  bool allow_name = true;  // a host name may stand for the address
  int min_port = 0;        // lowest port accepted when given
};

// Parses `ADDR[:PORT]`, ADDR an IPv4 address, `[IPv6]` or (when allowed) a host name.
// On failure `error` says "expected X, found Y".
bool parse_host_port(std::string_view text, const HostPortRules& rules, HostPort* out,
                     std::string* error);

// Parses `PROTO:ADDR[:PORT]` (PROTO udp, tcp or tls, case-insensitive). The port defaults to
// 5060 for udp/tcp and 5061 for tls. On failure `error` says "expected X, found Y".
bool parse_listen(std::string_view text, ListenConfig* out, std::string* error);

// Parses `IP:PORT` / `[IPv6]:PORT` (a numeric address, port 1-65535 required: a socket of ours
// bound at start, like `metrics_listen`); `*out` gets it as written back ("[::1]:9090").
bool parse_addr_port(std::string_view text, std::string* out, std::string* error);

// Parses a list of `IP[:PORT]` / `[IPv6][:PORT]` separated by commas or spaces (at least one;
// `default_port` when none is given); `*out` gets "IP:PORT,[IPv6]:PORT" (dns_servers).
bool parse_addr_list(std::string_view text, uint16_t default_port, std::string* out,
                     std::string* error);

// Checks an `alias` value: `host`, `host:port`, `[IPv6]`, `[IPv6]:port`.
bool check_alias(std::string_view text, std::string* error);

// A host name (labels of letters, digits, '-'), optionally starting with "*." when
// `allow_wildcard` (SNI names such as `*.example.org`).
bool valid_host_name(std::string_view name, bool allow_wildcard);

// "1.2.3.4" / "[::1]" / "example.org": the host as written in addresses.
std::string host_text(const std::string& host, HostKind kind);

// True when a `listen` socket's address covers `host` (same address, the wildcard
// address of the same family, or a host name that is resolved only at start).
bool listen_covers(const ListenConfig& listen, const std::string& host, HostKind kind);

}  // namespace cfg
