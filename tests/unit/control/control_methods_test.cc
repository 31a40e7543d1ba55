#include "core/control/control_methods.h"

#include <gtest/gtest.h>

#include "tests/unit/control/fake_server_control.h"

namespace core::control {
namespace {

class ControlMethodsTest : public ::testing::Test {
 protected:
  ControlMethodsTest() { add_control_methods(rpc_, fake_, std::chrono::system_clock::now()); }
  Json call(const std::string& method, const std::string& params = "") {
    std::string req = R"({"jsonrpc":"2.0","id":1,"method":")" + method + "\"";
    if (!params.empty()) req += ",\"params\":" + params;
    return Json::parse(rpc_.answer(req + "}"));
  }
  testing::FakeServerControl fake_;
  JsonRpc rpc_;
};

TEST_F(ControlMethodsTest, TlsListHoldsOnlyTlsConnectionsWithTheirTlsFields) {
  Json r = call("tls.list")["result"];
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["id"], 2);
  EXPECT_EQ(r[0]["sni"], "sip.example.org");
  EXPECT_EQ(r[0]["version"], "TLSv1.3");
  EXPECT_EQ(r[0]["peer_subject"], "CN=phone\xEF\xBF\xBD") << "invalid UTF-8 replaced";
  Json all = call("core.tcp_list")["result"];
  ASSERT_EQ(all.size(), 2u);
  EXPECT_FALSE(all[0].contains("sni"));
}

TEST_F(ControlMethodsTest, PsTlsInfoAndCfgListAnswerWhatTheServerSays) {
  Json ps = call("core.ps")["result"];
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0]["connections"], 2);
  EXPECT_EQ(ps[0]["pool_budget"], 1000);
  EXPECT_EQ(ps[0]["answered"], true);
  Json info = call("tls.info")["result"];
  EXPECT_EQ(info[0]["sans"][0], "DNS:sip.example.org");
  EXPECT_EQ(info[0]["days_left"], 42.5);
  Json cfg = call("cfg.list")["result"];
  EXPECT_EQ(cfg["children"], "4");
  EXPECT_EQ(cfg.begin().key(), "children") << "the server's order is kept";
}

TEST_F(ControlMethodsTest, StatisticsAreSelectedByPrefixLikeKamailiosGroups) {
  EXPECT_EQ(call("stats.get_statistics")["result"].size(), 3u);
  EXPECT_EQ(call("stats.get_statistics", R"(["all"])")["result"].size(), 3u);
  Json tls = call("stats.get_statistics", R"(["tls:"])")["result"];
  ASSERT_EQ(tls.size(), 2u);
  EXPECT_EQ(tls[1]["labels"]["result"], "failed");
  EXPECT_EQ(tls[1]["type"], "counter");
  EXPECT_EQ(call("stats.get_statistics", R"([1])")["error"]["code"], kInvalidParams);
  EXPECT_EQ(call("stats.get_statistics", R"({"x":1})")["error"]["code"], kInvalidParams);
}

TEST_F(ControlMethodsTest, MemStatsAnswersThePoolsTheLibrariesAndTheGuard) {
  Json m = call("mem.stats")["result"];
  ASSERT_EQ(m["pools"].size(), 2u);
  EXPECT_EQ(m["pools"][0]["name"], "shm");
  EXPECT_FALSE(m["pools"][0].contains("worker")) << "shm belongs to no worker";
  EXPECT_EQ(m["pools"][0]["budget"], 1 << 20);
  EXPECT_EQ(m["pools"][1]["name"], "pkg");
  EXPECT_EQ(m["pools"][1]["worker"], 0);
  EXPECT_EQ(m["pools"][1]["allocations"], 5);
  EXPECT_EQ(m["pools"][1]["failures"], 1);
  EXPECT_EQ(m["openssl_in_use"], 2048);
  EXPECT_EQ(m["libevent_in_use"], 512);
  EXPECT_EQ(m["tls_connections"], 1);
  EXPECT_EQ(m["avg_tls_connection_bytes"], 2560);
  EXPECT_EQ(m["guard"]["high_water"], 943718);
  EXPECT_EQ(m["guard"]["low_water"], 838860);
  EXPECT_EQ(m["guard"]["refusing"], true);
  EXPECT_EQ(m["guard"]["refused_connections"], 7);
  EXPECT_EQ(m["guard"]["refused_handshakes"], 2);
  EXPECT_EQ(m["allocation_drops"], 3);
  EXPECT_EQ(call("mem.stats", "[1]")["error"]["code"], kInvalidParams);
}

TEST_F(ControlMethodsTest, CoreShmmemHasKamailiosShape) {
  Json m = call("core.shmmem")["result"];
  EXPECT_EQ(m, Json::parse(R"({"total":1048576,"free":1044480,"used":4096,"real_used":4096,
                               "max_used":8192,"fragments":0})"));
}

TEST_F(ControlMethodsTest, MethodsWithoutParametersRefuseSome) {
  EXPECT_TRUE(call("tls.list", "[]").contains("result"));
  EXPECT_TRUE(call("tls.list", "{}").contains("result"));
  Json r = call("tls.list", R"(["x"])");
  EXPECT_EQ(r["error"]["code"], kInvalidParams);
  EXPECT_EQ(r["error"]["message"], "invalid params: tls.list takes none");
}

TEST_F(ControlMethodsTest, AReloadReportsWhatChangedAndWhichScopeWasAsked) {
  Json r = call("tls.reload")["result"];
  EXPECT_EQ(r["ok"], true);
  EXPECT_EQ(r["changed"][0], "tls domains");
  EXPECT_EQ(fake_.last_scope, ReloadScope::kTlsOnly);
  call("core.reload");
  EXPECT_EQ(fake_.last_scope, ReloadScope::kAll);
  EXPECT_EQ(fake_.reloads, 2);
}

TEST_F(ControlMethodsTest, AFailedReloadIsAnErrorCarryingTheDiagnostics) {
  fake_.next_reload = {
      false, "ser.cfg:3:1: error: bad\nser.cfg:4:1: error: worse", {"children"}, {}, 1};
  Json r = call("core.reload");
  EXPECT_EQ(r["error"]["code"], kReloadFailed);
  EXPECT_EQ(r["error"]["message"], "reload failed: ser.cfg:3:1: error: bad");
  EXPECT_EQ(r["error"]["data"]["diagnostics"], fake_.next_reload.diagnostics);
  EXPECT_EQ(r["error"]["data"]["restart_required"][0], "children");
}

TEST_F(ControlMethodsTest, TheMethodsCanBeListed) {
  Json names = call("system.listMethods")["result"];
  for (const char* m : {"core.ps", "core.tcp_list", "core.reload", "core.uptime", "cfg.list",
                        "stats.get_statistics", "tls.list", "tls.info", "tls.reload"})
    EXPECT_NE(std::find(names.begin(), names.end(), m), names.end()) << m;
  EXPECT_TRUE(call("system.methodHelp", R"(["tls.list"])")["result"].is_string());
}

}  // namespace
}  // namespace core::control
