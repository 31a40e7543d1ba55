#include "core/restart_changes.h"

#include <algorithm>
#include <functional>

namespace core {

namespace {

using Getter = std::function<std::string(const cfg::Config&)>;

std::string ms(cfg::Millis d) {
  return std::to_string(d.count()) + "ms";
}

std::string yes_no(bool b) {
  return b ? "yes" : "no";
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// The scalar parameters a restart applies, as ser.cfg names them.
const std::vector<std::pair<const char*, Getter>>& restart_params() {
  using C = const cfg::Config&;
  static const std::vector<std::pair<const char*, Getter>> table = {
      {"children", [](C c) { return std::to_string(c.core.children); }},
      {"log_stderror", [](C c) { return yes_no(c.core.log_stderror); }},
      {"max_message_size", [](C c) { return std::to_string(c.core.max_message_size); }},
      {"tcp_max_connections", [](C c) { return std::to_string(c.core.tcp_max_connections); }},
      {"tcp_max_connections_per_ip",
       [](C c) { return std::to_string(c.core.tcp_max_connections_per_ip); }},
      {"tcp_connection_lifetime", [](C c) { return ms(c.core.tcp_connection_lifetime); }},
      {"tcp_connect_timeout", [](C c) { return ms(c.core.tcp_connect_timeout); }},
      {"tcp_send_timeout", [](C c) { return ms(c.core.tcp_send_timeout); }},
      {"tcp_msg_read_timeout", [](C c) { return ms(c.core.tcp_msg_read_timeout); }},
      {"tcp_crlf_pong", [](C c) { return yes_no(c.core.tcp_crlf_pong); }},
      {"tcp_accept_aliases", [](C c) { return yes_no(c.core.tcp_accept_aliases); }},
      {"shm_mem_size", [](C c) { return std::to_string(c.core.shm_mem_size_mb); }},
      {"pkg_mem_size", [](C c) { return std::to_string(c.core.pkg_mem_size_mb); }},
      {"udp_rcvbuf", [](C c) { return std::to_string(c.core.udp_rcvbuf); }},
      {"udp_sndbuf", [](C c) { return std::to_string(c.core.udp_sndbuf); }},
      {"shm_high_water", [](C c) { return std::to_string(c.core.shm_high_water); }},
      {"shm_low_water", [](C c) { return std::to_string(c.core.shm_low_water); }},
      {"ctl_socket", [](C c) { return quoted(c.core.ctl_socket); }},
      {"metrics_listen", [](C c) { return quoted(c.core.metrics_listen); }},
      {"dns_servers", [](C c) { return quoted(c.core.dns_servers); }},
      {"dns_timeout", [](C c) { return ms(c.core.dns_timeout); }},
      {"dns_retries", [](C c) { return std::to_string(c.core.dns_retries); }},
      {"dns_cache_size", [](C c) { return std::to_string(c.core.dns_cache_size); }},
      {"dns_max_pending", [](C c) { return std::to_string(c.core.dns_max_pending); }},
      {"user", [](C c) { return quoted(c.core.user); }},
      {"group", [](C c) { return quoted(c.core.group); }},
      {"disable_tls", [](C c) { return yes_no(c.tls.disable_tls); }},
      {"tls_builtin_key_methods", [](C c) { return yes_no(c.tls.builtin_key_methods); }},
      {"tls_max_handshakes_per_ip",
       [](C c) { return std::to_string(c.tls.max_handshakes_per_ip); }},
  };
  return table;
}

// "+ a, - b" for the elements of a list added and removed; "" when the same set.
std::string list_change(std::vector<std::string> before, std::vector<std::string> after) {
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  std::string out;
  auto add = [&out](const char* sign, const std::string& item) {
    out += (out.empty() ? "" : ", ") + std::string(sign) + " " + item;
  };
  for (const auto& a : after)
    if (!std::binary_search(before.begin(), before.end(), a)) add("+", a);
  for (const auto& b : before)
    if (!std::binary_search(after.begin(), after.end(), b)) add("-", b);
  return out;
}

std::vector<std::string> listen_of(const cfg::Config& c) {
  std::vector<std::string> v;
  for (const auto& l : c.effective_listen()) v.push_back(l.to_string());
  return v;
}

}  // namespace

std::vector<std::string> restart_only_changes(const cfg::Config& running, const cfg::Config& next) {
  std::vector<std::string> out;
  if (std::string d = list_change(listen_of(running), listen_of(next)); !d.empty())
    out.push_back("listen: " + d);
  if (std::string d = list_change(running.core.aliases, next.core.aliases); !d.empty())
    out.push_back("alias: " + d);
  for (const auto& [name, get] : restart_params()) {
    std::string before = get(running), after = get(next);
    if (before != after) out.push_back(std::string(name) + ": " + before + " -> " + after);
  }
  // TLS set up for the first time (a client domain where none was used): the factories for
  // it are made at start.
  if (!running.uses_tls() && next.uses_tls()) out.push_back("TLS: not in use since the start");
  return out;
}

}  // namespace core
