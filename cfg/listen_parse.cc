#include "cfg/listen_parse.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "cfg/did_you_mean.h"
#include "cfg/value_parse.h"

namespace cfg {

namespace {

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// inet_pton then inet_ntop: one spelling per address (`0:0::1` == `::1`).
bool normalize_ip(int family, std::string_view text, std::string* out) {
  unsigned char buf[16];
  std::string s(text);
  if (inet_pton(family, s.c_str(), buf) != 1) return false;
  char shown[INET6_ADDRSTRLEN];
  inet_ntop(family, buf, shown, sizeof shown);
  *out = shown;
  return true;
}

bool parse_port(std::string_view text, const HostPortRules& rules, uint16_t* out,
                std::string* error) {
  int64_t n = -1;
  bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  if (!digits || !parse_int(text, &n) || n < rules.min_port || n > 65535) {
    *error = "expected a port from " + std::to_string(rules.min_port) + " to 65535, found " +
             (text.empty() ? std::string("nothing") : quoted(text));
    return false;
  }
  *out = static_cast<uint16_t>(n);
  return true;
}

bool parse_host(std::string_view host, const HostPortRules& rules, HostPort* out,
                std::string* error) {
  if (host.empty()) {
    *error = "expected an address, found nothing";
    return false;
  }
  bool dotted = std::all_of(host.begin(), host.end(), [](char c) {
    return c == '.' || std::isdigit(static_cast<unsigned char>(c));
  });
  if (dotted) {
    out->kind = HostKind::kIpv4;
    if (normalize_ip(AF_INET, host, &out->host)) return true;
    *error = "expected an IPv4 address, found " + quoted(host);
    return false;
  }
  out->kind = HostKind::kName;
  out->host = to_lower(host);
  if (rules.allow_name && valid_host_name(host, false)) return true;
  *error = rules.allow_name ? "expected an IPv4 address, [IPv6] or host name, found "
                            : "expected an IP address (IPv4 or [IPv6]), found ";
  *error += quoted(host);
  return false;
}

}  // namespace

bool valid_host_name(std::string_view name, bool allow_wildcard) {
  if (allow_wildcard && name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    start = dot + 1;
  }
  return true;
}

bool parse_host_port(std::string_view text, const HostPortRules& rules, HostPort* out,
                     std::string* error) {
  *out = HostPort{};
  std::string_view host = text, port;
  bool has_port = false;
  if (text.starts_with("[")) {
    size_t close = text.find(']');
    std::string_view inner = text.substr(1, close == std::string_view::npos ? 0 : close - 1);
    out->kind = HostKind::kIpv6;
    if (close == std::string_view::npos || !normalize_ip(AF_INET6, inner, &out->host)) {
      *error = "expected an IPv6 address inside '[ ]', found " + quoted(text);
      return false;
    }
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      *error = "expected ':PORT' after ']', found " + quoted(rest);
      return false;
    }
    has_port = !rest.empty();
    if (has_port) port = rest.substr(1);
  } else {
    if (std::count(text.begin(), text.end(), ':') > 1) {
      *error = "expected an IPv6 address in brackets (like [::1]:5060), found " + quoted(text);
      return false;
    }
    size_t colon = text.find(':');
    has_port = colon != std::string_view::npos;
    host = text.substr(0, colon);
    if (has_port) port = text.substr(colon + 1);
    if (!parse_host(host, rules, out, error)) return false;
  }
  out->port_given = has_port;
  return !has_port || parse_port(port, rules, &out->port, error);
}

bool parse_listen(std::string_view text, ListenConfig* out, std::string* error) {
  size_t colon = text.find(':');
  std::string proto = to_lower(text.substr(0, colon == std::string_view::npos ? 0 : colon));
  if (colon == std::string_view::npos || proto.empty() || proto.front() == '[' ||
      std::isdigit(static_cast<unsigned char>(proto.front()))) {
    *error = "expected PROTO:ADDR[:PORT] with PROTO udp, tcp or tls, found " + quoted(text);
    return false;
  }
  if (auto t = Transport::parse(proto)) {
    out->proto = *t;
  } else {
    *error = "expected protocol udp, tcp or tls, found " + quoted(text.substr(0, colon)) +
             did_you_mean(proto, {"udp", "tcp", "tls"});
    return false;
  }
  HostPort hp;
  if (!parse_host_port(text.substr(colon + 1), HostPortRules{true, 0}, &hp, error)) return false;
  out->host = hp.host;
  out->host_kind = hp.kind;
  out->port_given = hp.port_given;
  out->port = hp.port_given ? hp.port : out->proto.default_port();
  return true;
}

bool parse_addr_port(std::string_view text, std::string* out, std::string* error) {
  HostPort hp;
  if (!parse_host_port(text, HostPortRules{false, 1}, &hp, error)) return false;
  if (!hp.port_given) {
    *error = "expected IP:PORT, found " + quoted(text) + " (no port)";
    return false;
  }
  *out = host_text(hp.host, hp.kind) + ":" + std::to_string(hp.port);
  return true;
}

bool parse_addr_list(std::string_view text, uint16_t default_port, std::string* out,
                     std::string* error) {
  out->clear();
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find_first_of(", \t", at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(at, end - at);
    at = end + 1;
    if (item.empty()) continue;
    HostPort hp;
    if (!parse_host_port(item, HostPortRules{false, 1}, &hp, error)) return false;
    *out += (out->empty() ? "" : ",") + host_text(hp.host, hp.kind) + ":" +
            std::to_string(hp.port_given ? hp.port : default_port);
  }
  if (out->empty()) {
    *error = "expected at least one IP[:PORT], found " + quoted(text);
    return false;
  }
  return true;
}

bool check_alias(std::string_view text, std::string* error) {
  HostPort hp;
  return parse_host_port(text, HostPortRules{true, 1}, &hp, error);
}

std::string host_text(const std::string& host, HostKind kind) {
  return kind == HostKind::kIpv6 ? "[" + host + "]" : host;
}

bool listen_covers(const ListenConfig& listen, const std::string& host, HostKind kind) {
  if (listen.host_kind == HostKind::kName) return true;
  if (listen.host == host) return true;
  if (listen.host == "0.0.0.0") return kind == HostKind::kIpv4;
  return listen.host == "::";  // a dual-stack wildcard accepts IPv4 too
}

}  // namespace cfg
