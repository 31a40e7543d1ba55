// The runtime settings a default ser.cfg gives the workers and the proxy are ser.cfg's
// documented defaults (cfg::CoreParams), and the structs' own initial values agree with them.
#include "core/settings.h"

#include <gtest/gtest.h>

#include "cfg/config_loader.h"

namespace core {
namespace {

cfg::Config empty_config() {
  cfg::Config config;
  cfg::Diagnostics diags;
  EXPECT_TRUE(cfg::load_config_text("empty.cfg", "", &config, &diags));
  return config;
}

TEST(SettingsTest, AnEmptyConfigGivesTheWorkersTheDefaultsOfTheConfigModel) {
  cfg::Config config = empty_config();
  const cfg::CoreParams defaults;
  net::NetSettings s = net_settings(config);
  EXPECT_EQ(s.children, defaults.effective_children());
  EXPECT_EQ(s.max_connections, defaults.tcp_max_connections);
  EXPECT_EQ(s.max_connections_per_ip, defaults.tcp_max_connections_per_ip);
  EXPECT_EQ(s.connection_lifetime, defaults.tcp_connection_lifetime);
  EXPECT_EQ(s.connect_timeout, defaults.tcp_connect_timeout);
  EXPECT_EQ(s.send_timeout, defaults.tcp_send_timeout);
  EXPECT_EQ(s.msg_read_timeout, defaults.tcp_msg_read_timeout);
  EXPECT_EQ(s.crlf_pong, defaults.tcp_crlf_pong);
  EXPECT_EQ(s.max_message_size, defaults.max_message_size);
  EXPECT_EQ(s.pkg_budget, static_cast<size_t>(defaults.pkg_mem_size_mb) << 20);
  EXPECT_EQ(s.udp_rcvbuf, defaults.udp_rcvbuf);
  EXPECT_EQ(s.udp_sndbuf, defaults.udp_sndbuf);
  EXPECT_EQ(proxy_settings(config).max_message_size, defaults.max_message_size);
  EXPECT_EQ(proxy_settings(config).workers, s.children);
  EXPECT_EQ(proxy_settings(config).accept_aliases, defaults.tcp_accept_aliases);
}

// A Net or proxy built without a config (tests, tools) behaves as a default ser.cfg, except
// for the worker count, which a config takes from the machine.
TEST(SettingsTest, TheSettingsStructsStartFromTheSameDefaults) {
  cfg::Config config = empty_config();
  net::NetSettings from_config = net_settings(config);
  net::NetSettings plain;
  EXPECT_EQ(plain.max_connections, from_config.max_connections);
  EXPECT_EQ(plain.max_connections_per_ip, from_config.max_connections_per_ip);
  EXPECT_EQ(plain.connection_lifetime, from_config.connection_lifetime);
  EXPECT_EQ(plain.connect_timeout, from_config.connect_timeout);
  EXPECT_EQ(plain.send_timeout, from_config.send_timeout);
  EXPECT_EQ(plain.msg_read_timeout, from_config.msg_read_timeout);
  EXPECT_EQ(plain.crlf_pong, from_config.crlf_pong);
  EXPECT_EQ(plain.udp_rcvbuf, from_config.udp_rcvbuf);
  EXPECT_EQ(plain.udp_sndbuf, from_config.udp_sndbuf);
  EXPECT_EQ(plain.max_message_size, from_config.max_message_size);
  EXPECT_EQ(plain.pkg_budget, from_config.pkg_budget);
  EXPECT_EQ(proxy::ProxySettings{}.max_message_size, proxy_settings(config).max_message_size);
  EXPECT_EQ(proxy::ProxySettings{}.accept_aliases, proxy_settings(config).accept_aliases);
}

}  // namespace
}  // namespace core
