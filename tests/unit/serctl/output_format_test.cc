#include "tools/serctl/output_format.h"

#include <gtest/gtest.h>

#include "tools/serctl/text_table.h"

namespace serctl {
namespace {

constexpr int64_t kNow = 1800000000;  // 2027-01-15 08:00 UTC

TEST(TextTableTest, ColumnsAreAlignedNumbersToTheRightAndNoTrailingBlanks) {
  TextTable t({{"NAME"}, {"N", TextTable::Align::kRight}, {"NOTE"}});
  t.add({"a", "5", "x"});
  t.add({"longer", "1234", ""});
  t.add({"é", "7"});  // two bytes, one column
  EXPECT_EQ(t.render(),
            "NAME       N  NOTE\n"
            "a          5  x\n"
            "longer  1234\n"
            "é          7\n");
}

TEST(OutputFormatTest, TlsListShowsEveryFieldOfEachConnectionInAlignedColumns) {
  Json conns = Json::parse(R"([
    {"id":7,"transport":"tls","local":"127.0.0.1:5061","peer":"127.0.0.1:40000","outbound":false,
     "state":"open","worker":0,"age":75.2,"bytes_in":1200,"bytes_out":480,
     "domain":"default server domain","sni":"sip.example.org","version":"TLSv1.3",
     "cipher":"TLS_AES_256_GCM_SHA384","peer_subject":"CN=phone1","peer_not_after":1900000000,
     "peer_verified":true},
    {"id":12,"transport":"tls","local":"127.0.0.1:40001","peer":"127.0.0.1:5071","outbound":true,
     "state":"handshake","worker":1,"age":3,"bytes_in":0,"bytes_out":517,"domain":"",
     "sni":"","version":"","cipher":"","peer_subject":"","peer_not_after":0,
     "peer_verified":false}])");
  EXPECT_EQ(format_tls_list(conns, kNow),
            "ID  LOCAL            PEER             DIR  DOMAIN                 SNI              "
            "VERSION  CIPHER                  PEER SUBJECT  PEER NOT AFTER        VERIFIED    AGE"
            "    IN  OUT\n"
            " 7  127.0.0.1:5061   127.0.0.1:40000  in   default server domain  sip.example.org  "
            "TLSv1.3  TLS_AES_256_GCM_SHA384  CN=phone1     2030-03-17 17:46 UTC  yes       1m15s  "
            "1200  480\n"
            "12  127.0.0.1:40001  127.0.0.1:5071   out  -                      -                "
            "-        -                       -             -                     no           3s  "
            "   0  517\n");
  EXPECT_EQ(format_tls_list(Json::array(), kNow), "no TLS connections\n");
}

TEST(OutputFormatTest, APeersControlBytesNeverReachTheTerminal) {
  Json conns = Json::parse(R"([{"id":1,"peer_subject":"CN=\u001b[31mred\u0007"}])");
  std::string out = format_tls_list(conns, kNow);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_NE(out.find("CN=\\x1b[31mred\\x07"), std::string::npos) << out;
}

TEST(OutputFormatTest, TlsInfoShowsDaysLeftAndTheExpiryWarning) {
  Json domains = Json::parse(R"([
    {"name":"default server domain","kind":"server","certificate_file":"/c/server.pem",
     "subject":"CN=sip.example.org","sans":["DNS:sip.example.org","IP:127.0.0.1"],
     "not_after":1800518400,"days_left":6.0,"expiry":"expires in 6 days","verify_peer":false},
    {"name":"tls_client_domain[127.0.0.1:5071]","kind":"client","certificate_file":"",
     "subject":"","sans":[],"not_after":0,"days_left":0,"expiry":"","verify_peer":true}])");
  EXPECT_EQ(format_tls_info(domains, kNow),
            "DOMAIN                             KIND    SUBJECT             SANS                   "
            "           NOT AFTER             DAYS LEFT  VERIFY PEER  EXPIRY\n"
            "default server domain              server  CN=sip.example.org  "
            "DNS:sip.example.org,IP:127.0.0.1  2027-01-21 08:00 UTC          6  no           "
            "expires in 6 days\n"
            "tls_client_domain[127.0.0.1:5071]  client  -                   -                      "
            "           -                             -  yes          -\n");
}

TEST(OutputFormatTest, PsShowsWorkersThenTheirConnections) {
  Json workers = Json::parse(
      R"([{"index":0,"connections":1,"pool_in_use":2048,"pool_peak":4096,"pool_budget":16777216}])");
  Json conns = Json::parse(R"([{"id":3,"transport":"tcp","local":"127.0.0.1:5060",
    "peer":"127.0.0.1:33000","outbound":false,"state":"open","worker":0,"age":4000,
    "bytes_in":10,"bytes_out":20}])");
  EXPECT_EQ(format_ps(workers, conns),
            "WORKER  CONNECTIONS  POOL IN USE  POOL PEAK  POOL BUDGET\n"
            "     0            1         2048       4096     16777216\n"
            "\n"
            "ID  WORKER  TRANSPORT  STATE  DIR  LOCAL           PEER               AGE  IN  OUT\n"
            " 3       0  tcp        open   in   127.0.0.1:5060  127.0.0.1:33000  1h06m  10   20\n");
  EXPECT_NE(format_ps(workers, Json::array()).find("no TCP or TLS connections"), std::string::npos);
  Json stuck = Json::parse(R"([{"index":1,"answered":false,"connections":0,"pool_in_use":0,
    "pool_peak":0,"pool_budget":16}])");
  EXPECT_EQ(format_ps(stuck, Json::array()),
            "WORKER  CONNECTIONS  POOL IN USE  POOL PEAK  POOL BUDGET\n"
            "     1    no answer            0          0           16\n"
            "\n"
            "no TCP or TLS connections\n");
}

TEST(OutputFormatTest, StatsNameEachSeriesWithItsLabels) {
  Json metrics = Json::parse(R"([
    {"name":"tls_handshakes","labels":{"result":"ok"},"value":12,"type":"counter"},
    {"name":"pool_shm_bytes","labels":{},"value":0.5,"type":"gauge"}])");
  EXPECT_EQ(format_stats(metrics),
            "NAME                         VALUE\n"
            "tls_handshakes{result=\"ok\"}     12\n"
            "pool_shm_bytes                 0.5\n");
}

TEST(OutputFormatTest, CfgListsParametersInTheServersOrder) {
  Json cfg = Json::parse(R"({"listen":"tls:127.0.0.1:5061","children":"4"})");
  EXPECT_EQ(format_cfg(cfg),
            "PARAMETER  VALUE\n"
            "listen     tls:127.0.0.1:5061\n"
            "children   4\n");
}

TEST(OutputFormatTest, AReloadSaysWhatChangedOrWhyNothingDidAndWhatNeedsARestart) {
  EXPECT_EQ(format_reload(Json::parse(R"({"ok":true,"generation":3,"changed":["route script",
    "tls domains"],"restart_required":["children: 4 -> 8"],"diagnostics":""})")),
            "reload ok: generation 3 in service; changed: route script, tls domains\n"
            "needs a restart to take effect: children: 4 -> 8\n");
  EXPECT_EQ(format_reload(Json::parse(R"({"ok":false,"generation":2,"changed":[],
    "restart_required":[],"diagnostics":"a.cfg:1:2: error: x\na.cfg:3:4: error: y\n"})")),
            "reload failed: nothing was changed (generation 2 stays in service)\n"
            "a.cfg:1:2: error: x\n"
            "a.cfg:3:4: error: y\n");
}

TEST(OutputFormatTest, HelpersFormatDatesAgesAndNumbers) {
  EXPECT_EQ(format_date(0), "-");
  EXPECT_EQ(format_date(kNow), "2027-01-15 08:00 UTC");
  EXPECT_EQ(format_age(59.9), "59s");
  EXPECT_EQ(format_age(3 * 86400 + 7200), "3d02h");
  EXPECT_EQ(format_number(42), "42");
  EXPECT_EQ(format_number(0.25), "0.25");
  EXPECT_EQ(format_error(Json::parse(R"({"code":-32601,"message":"method not found: x"})")),
            "error -32601: method not found: x\n");
}

}  // namespace
}  // namespace serctl
