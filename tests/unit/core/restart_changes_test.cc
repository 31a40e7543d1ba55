// restart_only_changes: what a reload cannot apply is named, with its old and new value; what
// a reload applies (the route script, TLS domain parameters, log_level) is not.
#include "core/restart_changes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cfg/config_loader.h"

namespace core {
namespace {

using ::testing::ElementsAre;

cfg::Config load(const std::string& text) {
  cfg::Config config;
  cfg::Diagnostics diags;
  EXPECT_TRUE(cfg::load_config_text("/tmp/ser-restart-test/ser.cfg", text, &config, &diags))
      << diags.first_error();
  return config;
}

const char* kBase =
    "listen = udp:127.0.0.1:5060\nchildren = 2\nlog_level = 2\n"
    "route { sl_send_reply(200, \"A\"); }\n";

TEST(RestartChangesTest, TheSameConfigurationNeedsNoRestart) {
  EXPECT_TRUE(restart_only_changes(load(kBase), load(kBase)).empty());
}

TEST(RestartChangesTest, WhatAReloadAppliesIsNotListed) {
  cfg::Config next = load(
      "listen = udp:127.0.0.1:5060\nchildren = 2\nlog_level = 4\n"
      "route { sl_send_reply(404, \"B\"); }\n");
  EXPECT_TRUE(restart_only_changes(load(kBase), next).empty());
}

TEST(RestartChangesTest, ListenersChildrenAndLimitsAreListedWithTheirValues) {
  cfg::Config next = load(
      "listen = udp:127.0.0.1:5070\nlisten = tcp:127.0.0.1:5060\nchildren = 4\nlog_level = 2\n"
      "tcp_connect_timeout = 7\nroute { sl_send_reply(200, \"A\"); }\n");
  EXPECT_THAT(
      restart_only_changes(load(kBase), next),
      ElementsAre("listen: + tcp:127.0.0.1:5060, + udp:127.0.0.1:5070, - udp:127.0.0.1:5060",
                  "children: 2 -> 4", "tcp_connect_timeout: 5000ms -> 7000ms"));
}

TEST(RestartChangesTest, TheKeyMethodsAreProcessWideSoARestartAppliesThem) {
  cfg::Config next = load(
      "listen = udp:127.0.0.1:5060\nchildren = 2\nlog_level = 2\n"
      "tls_builtin_key_methods = no\nroute { sl_send_reply(200, \"A\"); }\n");
  EXPECT_THAT(restart_only_changes(load(kBase), next),
              ElementsAre("tls_builtin_key_methods: yes -> no"));
}

}  // namespace
}  // namespace core
