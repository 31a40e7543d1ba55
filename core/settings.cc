#include "core/settings.h"

namespace core {

core::net::NetSettings net_settings(const cfg::Config& config) {
  const cfg::CoreParams& core = config.core;
  core::net::NetSettings s;
  s.children = core.effective_children();
  s.max_connections = core.tcp_max_connections;
  s.max_connections_per_ip = core.tcp_max_connections_per_ip;
  s.connection_lifetime = core.tcp_connection_lifetime;
  s.connect_timeout = core.tcp_connect_timeout;
  s.send_timeout = core.tcp_send_timeout;
  s.msg_read_timeout = core.tcp_msg_read_timeout;
  s.crlf_pong = core.tcp_crlf_pong;
  s.max_message_size = core.max_message_size;
  s.pkg_budget = static_cast<size_t>(core.pkg_mem_size_mb) << 20;
  s.udp_rcvbuf = core.udp_rcvbuf;
  s.udp_sndbuf = core.udp_sndbuf;
  s.shm_high_water = core.shm_high_water;
  s.shm_low_water = core.shm_low_water;
  return s;
}

core::proxy::ProxySettings proxy_settings(const cfg::Config& config) {
  core::proxy::ProxySettings s;
  s.workers = config.core.effective_children();  // one script cache per worker of net_settings
  s.max_message_size = config.core.max_message_size;
  s.accept_aliases = config.core.tcp_accept_aliases;
  s.dns.resolver.servers = config.core.dns_servers;
  s.dns.resolver.timeout = config.core.dns_timeout;
  s.dns.resolver.retries = static_cast<int>(config.core.dns_retries);
  s.dns.cache_size = config.core.dns_cache_size;
  s.dns_max_pending = config.core.dns_max_pending;
  return s;
}

}  // namespace core
