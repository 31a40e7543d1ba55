// TLS parameters and tls_domain / tls_client_domain blocks: resolution (defaults <- globals
// <- block), SNI names, paths, tls_config merging and every cross check.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/cfg/load_helper.h"

namespace cfg {
namespace {

using test::load_text;

#if SER_WITH_TLS

const char* kListen = "listen = tls:127.0.0.1:5061\n";

TEST(DomainTest, EveryGlobalTlsParameter) {
  auto r = load_text(
      "disable_tls = no\n"
      "tls_method = TLSv1.3+\n"
      "tls_certificate = \"/etc/ser/certs/server.pem\"\n"
      "tls_private_key = /etc/ser/private/server.key\n"
      "tls_ca_list = ca.pem\n"
      "tls_ca_path = cas\n"
      "tls_crl = crl.pem\n"
      "tls_ciphers_list = \"ECDHE+AESGCM:!aNULL\"\n"
      "tls_ciphersuites = TLS_AES_128_GCM_SHA256\n"
      "tls_groups = X25519\n"
      "tls_dh_params = dh.pem\n"
      "tls_verify = 1\n"
      "tls_require_certificate = 1\n"
      "tls_verify_depth = 3\n"
      "tls_server_name = sip.example.org\n"
      "tls_sni_strict = yes\n"
      "tls_handshake_timeout = 5\n"
      "tls_send_timeout = 2500ms\n"
      "tls_max_handshakes_per_ip = 8\n"
      "tls_session_cache = no\n"
      "tls_session_tickets = off\n"
      "tls_renegotiation = yes\n"
      "tls_keylog_file = /tmp/keys.log\n"
      "tls_reload_on_change = false\n",
      "/etc/ser/ser.cfg");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.text(), "");
  const TlsSettings& s = r.config.tls.defaults;
  EXPECT_EQ(s.method.spelling, "TLSv1.3+");
  EXPECT_EQ(s.method.min, TlsVersion::kTls1_3);
  EXPECT_EQ(s.method.max, TlsVersion::kNone);
  EXPECT_EQ(s.certificate, "/etc/ser/certs/server.pem");
  EXPECT_EQ(s.private_key, "/etc/ser/private/server.key");
  EXPECT_EQ(s.ca_list, "/etc/ser/ca.pem");
  EXPECT_EQ(s.ca_path, "/etc/ser/cas");
  EXPECT_EQ(s.crl, "/etc/ser/crl.pem");
  EXPECT_EQ(s.ciphers_list, "ECDHE+AESGCM:!aNULL");
  EXPECT_EQ(s.ciphersuites, "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(s.groups, "X25519");
  EXPECT_EQ(s.dh_params, "/etc/ser/dh.pem");
  EXPECT_EQ(s.verify, std::optional<bool>(true));
  EXPECT_TRUE(s.require_certificate);
  EXPECT_EQ(s.verify_depth, 3);
  EXPECT_EQ(s.server_name, "sip.example.org");
  EXPECT_TRUE(s.sni_strict);
  EXPECT_EQ(s.handshake_timeout, Millis(5000));
  EXPECT_EQ(s.send_timeout, Millis(2500));
  EXPECT_FALSE(s.session_cache);
  EXPECT_FALSE(s.session_tickets);
  EXPECT_TRUE(s.renegotiation);
  EXPECT_EQ(s.keylog_file, "/tmp/keys.log");
  EXPECT_FALSE(r.config.tls.disable_tls);
  EXPECT_EQ(r.config.tls.max_handshakes_per_ip, 8u);
  EXPECT_FALSE(r.config.tls.reload_on_change);
}

TEST(DomainTest, TlsDefaultsWhenNothingIsSet) {
  auto r = load_text("", "/etc/ser/ser.cfg");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.cfg_dir, "/etc/ser");
  const TlsSettings& s = r.config.tls.defaults;
  EXPECT_EQ(s.certificate, "/etc/ser/cert.pem");
  EXPECT_EQ(s.private_key, "/etc/ser/cert.pem");
  EXPECT_EQ(s.method.spelling, "TLSv1.2+");
  EXPECT_EQ(s.ciphers_list, kDefaultCiphers);
  EXPECT_EQ(s.groups, "X25519:P-256:P-384");
  EXPECT_FALSE(s.sni_strict);
  EXPECT_FALSE(s.verify_for(false));
  EXPECT_TRUE(s.verify_for(true));
  EXPECT_EQ(s.handshake_timeout, Millis(30000));
  EXPECT_EQ(r.config.tls.max_handshakes_per_ip, 64u);
  EXPECT_TRUE(r.config.tls.reload_on_change);
}

TEST(DomainTest, TlsCurvesIsAnAliasOfTlsGroups) {
  auto r = load_text(std::string(kListen) +
                     "tls_curves = P-256\ntls_domain[127.0.0.1:5061] { tls_curves = X25519 }\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.tls.defaults.groups, "P-256");
  EXPECT_EQ(r.config.tls_domains.at(0).settings.groups, "X25519");
  EXPECT_EQ(r.config.tls_domains.at(0).overridden, std::set<std::string>{"tls_groups"});
}

TEST(DomainTest, MethodNamesAreCaseInsensitiveAndMapToVersionBounds) {
  struct Case {
    const char* text;
    const char* spelling;
    TlsVersion min, max;
  };
  for (const Case& c : {Case{"SSLv23", "SSLv23", TlsVersion::kNone, TlsVersion::kNone},
                        Case{"tlsv1", "TLSv1", TlsVersion::kTls1_0, TlsVersion::kTls1_0},
                        Case{"TLSv1+", "TLSv1+", TlsVersion::kTls1_0, TlsVersion::kNone},
                        Case{"TLSV1.1", "TLSv1.1", TlsVersion::kTls1_1, TlsVersion::kTls1_1},
                        Case{"tlsv1.1+", "TLSv1.1+", TlsVersion::kTls1_1, TlsVersion::kNone},
                        Case{"TLSv1.2", "TLSv1.2", TlsVersion::kTls1_2, TlsVersion::kTls1_2},
                        Case{"tlsv1.2+", "TLSv1.2+", TlsVersion::kTls1_2, TlsVersion::kNone},
                        Case{"\"TLSv1.3\"", "TLSv1.3", TlsVersion::kTls1_3, TlsVersion::kTls1_3},
                        Case{"TLSv1.3+", "TLSv1.3+", TlsVersion::kTls1_3, TlsVersion::kNone}}) {
    auto r = load_text(std::string("tls_method = ") + c.text + "\n");
    ASSERT_TRUE(r.ok) << c.text << r.text();
    const TlsMethod& m = r.config.tls.defaults.method;
    EXPECT_EQ(m.spelling, c.spelling) << c.text;
    EXPECT_EQ(m.min, c.min) << c.text;
    EXPECT_EQ(m.max, c.max) << c.text;
  }
}

TEST(DomainTest, ServerBlockOverridesGlobalsSetAnywhereInTheFile) {
  auto r = load_text(
      "listen = tls:127.0.0.1:5061\n"
      "tls_method = TLSv1.2\n"
      "tls_domain[127.0.0.1:5061] {\n"
      "    tls_certificate = \"certs/a.pem\"   # relative to CFG_DIR\n"
      "    tls_private_key = /keys/a.key\n"
      "    tls_method = TLSv1.3+\n"
      "    tls_verify_depth = 2\n"
      "}\n"
      "tls_ciphers_list = \"ECDHE+AESGCM\"   # after the block: still its default\n"
      "tls_verify_depth = 5\n",
      "/etc/ser/ser.cfg");
  ASSERT_TRUE(r.ok) << r.text();
  ASSERT_EQ(r.config.tls_domains.size(), 1u);
  const TlsDomainConfig& d = r.config.tls_domains[0];
  EXPECT_EQ(d.kind, TlsDomainKind::kServer);
  EXPECT_EQ(d.host, "127.0.0.1");
  EXPECT_EQ(d.port, 5061);
  EXPECT_EQ(d.loc.to_string(), "/etc/ser/ser.cfg:3:1");
  EXPECT_EQ(d.key(), "server:127.0.0.1:5061");
  EXPECT_EQ(d.describe(), "tls_domain[127.0.0.1:5061]");
  EXPECT_EQ(d.settings.certificate, "/etc/ser/certs/a.pem");
  EXPECT_EQ(d.settings.private_key, "/keys/a.key");
  EXPECT_EQ(d.settings.method.spelling, "TLSv1.3+");
  EXPECT_EQ(d.settings.verify_depth, 2);
  EXPECT_EQ(d.settings.ciphers_list, "ECDHE+AESGCM");
  EXPECT_EQ(d.overridden, (std::set<std::string>{"tls_certificate", "tls_private_key", "tls_method",
                                                 "tls_verify_depth"}));
  EXPECT_EQ(r.config.tls.defaults.verify_depth, 5);
}

TEST(DomainTest, SniNameInTheKeyIsStoredLowerCase) {
  auto r = load_text(std::string(kListen) +
                     "tls_domain[127.0.0.1:5061] { tls_certificate = a.pem }\n"
                     "tls_domain[127.0.0.1:5061, \"SIP.Example.org\"] { tls_certificate = b.pem }\n"
                     "tls_domain[127.0.0.1:5061, \"*.example.net\"] { }\n");
  ASSERT_TRUE(r.ok) << r.text();
  ASSERT_EQ(r.config.tls_domains.size(), 3u);
  const TlsDomainConfig& d = r.config.tls_domains[1];
  EXPECT_EQ(d.sni, "sip.example.org");
  EXPECT_EQ(d.settings.server_name, "sip.example.org");
  EXPECT_EQ(d.key(), "server:127.0.0.1:5061/sip.example.org");
  EXPECT_EQ(d.describe(), "tls_domain[127.0.0.1:5061, \"sip.example.org\"]");
  EXPECT_EQ(r.config.tls_domains[2].sni, "*.example.net");
}

TEST(DomainTest, TlsServerNameInAServerBlockIsItsSniName) {
  auto r = load_text(std::string(kListen) +
                     "tls_domain[127.0.0.1:5061] {\n tls_server_name = Voice.Example.org\n}\n");
  ASSERT_TRUE(r.ok) << r.text();
  const TlsDomainConfig& d = r.config.tls_domains.at(0);
  EXPECT_EQ(d.sni, "voice.example.org");
  EXPECT_EQ(d.key(), "server:127.0.0.1:5061/voice.example.org");
}

TEST(DomainTest, Ipv6Keys) {
  auto r = load_text(
      "listen = tls:[2001:db8::1]:5061\n"
      "tls_domain[[2001:db8::1]:5061] { tls_method = TLSv1.3 }\n"
      "tls_domain[[2001:db8:0::1]:5061, \"a.example.org\"] { }\n"
      "tls_client_domain[[::1]:5062] { tls_verify = no }\n");
  ASSERT_TRUE(r.ok) << r.text();
  ASSERT_EQ(r.config.tls_domains.size(), 3u);
  EXPECT_EQ(r.config.tls_domains[0].host, "2001:db8::1");
  EXPECT_EQ(r.config.tls_domains[0].host_kind, HostKind::kIpv6);
  EXPECT_EQ(r.config.tls_domains[0].key(), "server:[2001:db8::1]:5061");
  EXPECT_EQ(r.config.tls_domains[1].describe(),
            "tls_domain[[2001:db8::1]:5061, \"a.example.org\"]");
  EXPECT_EQ(r.config.tls_domains[2].key(), "client:[::1]:5062");
}

TEST(DomainTest, ClientDomainNeedsNoListenerAndVerifiesByDefault) {
  auto r = load_text(
      "tls_client_domain[198.51.100.7:5061] {\n"
      "    tls_server_name = \"carrier.example.net\"\n"
      "    tls_certificate = /c/client.pem\n"
      "}\n"
      "tls_client_domain[198.51.100.7:5061, \"other.example.net\"] { }\n");
  ASSERT_TRUE(r.ok) << r.text();
  ASSERT_EQ(r.config.tls_domains.size(), 2u);
  const TlsDomainConfig& d = r.config.tls_domains[0];
  EXPECT_EQ(d.kind, TlsDomainKind::kClient);
  EXPECT_TRUE(d.settings.verify_for(true));
  EXPECT_EQ(d.settings.server_name, "carrier.example.net");
  EXPECT_EQ(d.describe(), "tls_client_domain[198.51.100.7:5061]");
  EXPECT_EQ(r.config.tls_domains[1].settings.server_name, "other.example.net");
}

TEST(DomainTest, PortDefaultsTo5061AndWildcardListenCoversTheAddress) {
  auto r = load_text("listen = tls:0.0.0.0\ntls_domain[192.0.2.10] { }\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.tls_domains.at(0).port, 5061);
}

TEST(DomainTest, HostNameListenMayCoverADomain) {
  auto r = load_text("listen = tls:sip.example.org\ntls_domain[192.0.2.10:5061] { }\n");
  EXPECT_TRUE(r.ok) << r.text();
}

TEST(DomainTest, MisspelledBlockKeywordSuggestsAndSkipsTheBlock) {
  auto r = load_text(std::string(kListen) +
                     "tls_domian[127.0.0.1:5061] {\n  tls_verify = 1\n}\nchildren = 3\n");
  EXPECT_EQ(r.text(),
            "t.cfg:2:1: error: unknown parameter 'tls_domian', did you mean 'tls_domain'?\n");
  EXPECT_EQ(r.config.core.children, 3);
  EXPECT_FALSE(r.config.tls.defaults.verify.has_value());
}

TEST(DomainTest, BraceOnTheNextLine) {
  auto r = load_text(std::string(kListen) + "tls_domain[127.0.0.1:5061]\n{\n  tls_verify = 1\n}\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.tls_domains.at(0).settings.verify, std::optional<bool>(true));
}

TEST(DomainTest, DisableTlsIgnoresDomainsWithAWarning) {
  auto r = load_text("disable_tls = 1\ntls_domain[192.0.2.10:5061] { }\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_TRUE(r.config.tls_domains.empty());
  EXPECT_EQ(r.text(),
            "t.cfg:2:1: warning: tls_domain[192.0.2.10:5061] is ignored: disable_tls is set\n");
}

TEST(DomainTest, RequireCertificateWithoutVerifyIsAWarning) {
  auto r = load_text(std::string(kListen) +
                     "tls_require_certificate = yes\n"
                     "tls_domain[127.0.0.1:5061] {\n  tls_verify = 1\n}\n"
                     "tls_domain[127.0.0.1:5061, \"b.example.org\"] {\n"
                     "  tls_require_certificate = 1\n}\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.text(),
            "t.cfg:2:1: warning: tls_require_certificate = 1 has no effect without tls_verify = "
            "1 (no client certificate is requested)\n"
            "t.cfg:7:3: warning: tls_require_certificate = 1 has no effect without tls_verify = "
            "1 (no client certificate is requested)\n"
            "t.cfg:6:1: warning: tls_domain[127.0.0.1:5061, \"b.example.org\"] verifies clients "
            "differently from tls_domain[127.0.0.1:5061] on the same socket (tls_verify = 0 "
            "here; tls_verify = 1, tls_require_certificate = 1, tls_verify_depth = 9 there): a "
            "client chooses which applies by the SNI it sends\n");
}

// A client chooses among a socket's domains with its SNI: `ser -c` says where they verify
// clients differently (the CA list counts only where clients are verified).
TEST(DomainTest, DomainsOfOneSocketVerifyingDifferentlyIsAWarning) {
  auto r =
      load_text(std::string(kListen) +
                    "listen = tls:127.0.0.1:5062\n"
                    "tls_domain[127.0.0.1:5061, \"a.example.org\"] {\n"
                    "  tls_verify = 1\n  tls_require_certificate = 1\n  tls_ca_list = ca.pem\n}\n"
                    "tls_domain[127.0.0.1:5061, \"b.example.org\"] {\n  tls_verify = 0\n}\n"
                    "tls_domain[127.0.0.1:5061] {\n"
                    "  tls_verify = 1\n  tls_require_certificate = 1\n  tls_ca_list = ca.pem\n}\n"
                    "tls_domain[127.0.0.1:5062] {\n  tls_ca_list = a.pem\n}\n"
                    "tls_domain[127.0.0.1:5062, \"c.example.org\"] {\n  tls_ca_list = b.pem\n}\n",
                "/etc/ser/ser.cfg");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.text(),
            "/etc/ser/ser.cfg:8:1: warning: tls_domain[127.0.0.1:5061, \"b.example.org\"] "
            "verifies clients differently from tls_domain[127.0.0.1:5061, \"a.example.org\"] on "
            "the same socket (tls_verify = 0 here; tls_verify = 1, tls_require_certificate = 1, "
            "tls_ca_list = \"/etc/ser/ca.pem\", tls_verify_depth = 9 there): a client chooses "
            "which applies by the SNI it sends\n");
}

TEST(DomainTest, SniStrictInAClientDomainIsAWarning) {
  auto r = load_text("tls_client_domain[192.0.2.1:5061] {\n  tls_sni_strict = yes\n}\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.text(),
            "t.cfg:2:3: warning: tls_sni_strict has no effect in a client domain (it refuses "
            "ClientHellos on a server socket)\n");
}

TEST(DomainTest, VerifyWildcardsIsOffByDefaultAndSetPerClientDomain) {
  auto r = load_text(std::string(kListen) +
                     "tls_client_domain[198.51.100.7:5061] {\n  tls_verify_wildcards = yes\n}\n"
                     "tls_client_domain[198.51.100.8:5061] { }\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.text(), "");
  EXPECT_FALSE(r.config.tls.defaults.verify_wildcards);
  EXPECT_TRUE(r.config.tls_domains.at(0).settings.verify_wildcards);
  EXPECT_FALSE(r.config.tls_domains.at(1).settings.verify_wildcards);
  auto global = load_text("tls_verify_wildcards = on\n");
  ASSERT_TRUE(global.ok) << global.text();
  EXPECT_TRUE(global.config.tls.defaults.verify_wildcards);
}

TEST(DomainTest, VerifyWildcardsInAServerDomainIsAWarning) {
  auto r = load_text(std::string(kListen) +
                     "tls_domain[127.0.0.1:5061] {\n  tls_verify_wildcards = yes\n}\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.text(),
            "t.cfg:3:3: warning: tls_verify_wildcards has no effect in a server domain (it "
            "applies to the certificates of peers ser connects to: put it in a "
            "tls_client_domain)\n");
  auto bad = load_text("tls_verify_wildcards = maybe\n");
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.text().find("t.cfg:1:24: error:"), std::string::npos) << bad.text();
}

TEST(DomainTest, DuplicateDomainPointsAtTheSecondWithANoteAtTheFirst) {
  auto r = load_text(std::string(kListen) +
                     "tls_domain[127.0.0.1:5061] { }\n"
                     "tls_domain[127.0.0.1:5061, \"a.example.org\"] { }\n"
                     "tls_domain[127.0.0.1:5061] { }\n");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.text(),
            "t.cfg:4:1: error: duplicate tls_domain[127.0.0.1:5061]: a domain for the same "
            "address and SNI name was already configured\n"
            "t.cfg:2:1: note: tls_domain[127.0.0.1:5061] was first defined here\n");
}

// Issue #10: a client domain the script chooses by id (Kamailio: [client:any] + server_id).
TEST(DomainTest, ClientDomainDeclaredById) {
  auto r = load_text(
      "tls_client_domain[\"tenant-a\"] {\n"
      "    tls_certificate = /c/a.pem\n"
      "    tls_server_name = Carrier.Example.NET\n"
      "}\n"
      "tls_client_domain[198.51.100.7:5061, \"sip.carrier.net\"] { }\n"
      "tls_client_domain[198.51.100.7:5061] { tls_server_name = other.carrier.net }\n");
  ASSERT_TRUE(r.ok) << r.text();
  ASSERT_EQ(r.config.tls_domains.size(), 3u);
  const TlsDomainConfig& a = r.config.tls_domains[0];
  EXPECT_EQ(a.id, "tenant-a");
  EXPECT_EQ(a.host, "");
  EXPECT_EQ(a.key(), "client:id:tenant-a");
  EXPECT_EQ(a.describe(), "tls_client_domain[\"tenant-a\"]");
  EXPECT_EQ(a.sni, "");  // chosen by id, not by name: the name only overrides SNI and the check
  EXPECT_EQ(a.settings.server_name, "carrier.example.net");
  // The key's name chooses the domain for that next hop; tls_server_name inside a block chosen
  // by address only overrides the name sent and checked.
  EXPECT_EQ(r.config.tls_domains[1].sni, "sip.carrier.net");
  EXPECT_EQ(r.config.tls_domains[1].settings.server_name, "sip.carrier.net");
  EXPECT_EQ(r.config.tls_domains[2].sni, "");
  EXPECT_EQ(r.config.tls_domains[2].settings.server_name, "other.carrier.net");
}

TEST(DomainTest, ClientDomainIdErrors) {
  auto server = load_text(std::string(kListen) + "tls_domain[\"tenant-a\"] { }\n");
  EXPECT_EQ(server.first_error(),
            "t.cfg:2:12: error: a tls_domain is chosen by its socket: expected IP:PORT, found "
            "\"tenant-a\" (ids name client domains: tls_client_domain[\"tenant-a\"])");
  auto bad = load_text("tls_client_domain[\"tenant a\"] { }\n");
  EXPECT_EQ(bad.first_error(),
            "t.cfg:1:19: error: invalid client domain id \"tenant a\": ' ' is not allowed in an "
            "id (letters, digits, '.', '-', '_')");
  auto dup =
      load_text("tls_client_domain[\"tenant-a\"] { }\ntls_client_domain[\"Tenant-A\"] { }\n");
  EXPECT_EQ(dup.text(),
            "t.cfg:2:1: error: duplicate tls_client_domain[\"Tenant-A\"]: a client domain with the "
            "same id (ids compare without regard to case) was already configured\n"
            "t.cfg:1:1: note: tls_client_domain[\"tenant-a\"] was first defined here\n");
}

TEST(DomainTest, TlsCfgClientAnyWithServerIdIsTheSameDomainAsABlockById) {
  std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/ids.tls.cfg") << "[client:any]\nserver_id = tenant-b\n";
  auto ok = load_text("tls_config = \"" + dir + "/ids.tls.cfg\"\n", dir + "/ser.cfg");
  ASSERT_TRUE(ok.ok) << ok.text();
  EXPECT_EQ(ok.config.tls_domains.at(0).key(), "client:id:tenant-b");
  auto clash = load_text("tls_config = \"" + dir +
                             "/ids.tls.cfg\"\n"
                             "tls_client_domain[\"TENANT-B\"] { }\n",
                         dir + "/ser.cfg");
  EXPECT_FALSE(clash.ok);
  EXPECT_NE(clash.first_error().find("clashes with tls_client_domain[\"TENANT-B\"]"),
            std::string::npos)
      << clash.text();
}

TEST(DomainTest, ServerAndClientDomainsOfOneAddressAreNotDuplicates) {
  auto r = load_text(std::string(kListen) +
                     "tls_domain[127.0.0.1:5061] { }\ntls_client_domain[127.0.0.1:5061] { }\n");
  EXPECT_TRUE(r.ok) << r.text();
}

TEST(DomainTest, ServerDomainWithoutTlsSocket) {
  auto r = load_text(
      "listen = tcp:127.0.0.1:5061\nlisten = tls:127.0.0.1:5062\n"
      "tls_domain[127.0.0.1:5061] { }\n");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.text(),
            "t.cfg:3:1: error: tls_domain[127.0.0.1:5061]: 127.0.0.1:5061 is not a TLS listen "
            "socket (expected a matching listen=tls:127.0.0.1:5061)\n");
}

struct DomainError {
  const char* text;
  const char* error;
};

class DomainErrorTest : public ::testing::TestWithParam<DomainError> {};

TEST_P(DomainErrorTest, ReportsExactLocationAndMessage) {
  auto r = load_text(std::string(kListen) + GetParam().text);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_error(), GetParam().error) << r.text();
}

INSTANTIATE_TEST_SUITE_P(
    Domains, DomainErrorTest,
    ::testing::Values(
        DomainError{"tls_method = TLSv2\n",
                    "t.cfg:2:14: error: invalid value for 'tls_method': expected a TLS method "
                    "(SSLv23, TLSv1, TLSv1+, TLSv1.1, TLSv1.1+, TLSv1.2, TLSv1.2+, TLSv1.3, "
                    "TLSv1.3+), found 'TLSv2'"},
        DomainError{"tls_method = sslv3\n",
                    "t.cfg:2:14: error: invalid value for 'tls_method': 'sslv3' is refused: "
                    "SSLv2 and SSLv3 are broken (RFC 6176, RFC 7568); expected one of SSLv23, "
                    "TLSv1, TLSv1+, TLSv1.1, TLSv1.1+, TLSv1.2, TLSv1.2+, TLSv1.3, TLSv1.3+, for "
                    "example TLSv1.2+"},
        DomainError{"tls_domain[127.0.0.1:5061] {\n  tls_method = SSLv2\n}\n",
                    "t.cfg:3:16: error: invalid value for 'tls_method': 'SSLv2' is refused: "
                    "SSLv2 and SSLv3 are broken (RFC 6176, RFC 7568); expected one of SSLv23, "
                    "TLSv1, TLSv1+, TLSv1.1, TLSv1.1+, TLSv1.2, TLSv1.2+, TLSv1.3, TLSv1.3+, for "
                    "example TLSv1.2+"},
        DomainError{"tls_verify_depth = 101\n",
                    "t.cfg:2:20: error: invalid value for 'tls_verify_depth': expected an "
                    "integer from 0 to 100, found '101'"},
        DomainError{"tls_handshake_timeout = 2h\n",
                    "t.cfg:2:25: error: invalid value for 'tls_handshake_timeout': expected a "
                    "duration from 100ms to 3600s (like 30, 30s or 500ms; a bare number means "
                    "seconds), found '2h'"},
        DomainError{"tls_certificate = \"\"\n",
                    "t.cfg:2:19: error: invalid value for 'tls_certificate': expected a "
                    "non-empty string, found string \"\""},
        DomainError{"tls_domain[127.0.0.1:5061] {\n  children = 4\n}\n",
                    "t.cfg:3:3: error: parameter 'children' is global: it cannot be set inside "
                    "tls_domain[127.0.0.1:5061]"},
        DomainError{"tls_domain[127.0.0.1:5061] {\n  tls_config = \"tls.cfg\"\n}\n",
                    "t.cfg:3:3: error: parameter 'tls_config' is global: it cannot be set "
                    "inside tls_domain[127.0.0.1:5061]"},
        DomainError{"tls_domain[127.0.0.1:5061] {\n  tls_certificat = a.pem\n}\n",
                    "t.cfg:3:3: error: unknown parameter 'tls_certificat', did you mean "
                    "'tls_certificate'?"},
        DomainError{"tls_domain[sip.example.org:5061] { }\n",
                    "t.cfg:2:12: error: invalid address in 'tls_domain' block: expected an IP "
                    "address (IPv4 or [IPv6]), found 'sip.example.org'"},
        DomainError{"tls_client_domain[ 10.0.0.1:99999 ] { }\n",
                    "t.cfg:2:20: error: invalid address in 'tls_client_domain' block: expected "
                    "a port from 1 to 65535, found '99999'"},
        DomainError{"tls_domain[[::1:5061] { }\n",
                    "t.cfg:2:12: error: expected IP:PORT followed by ']' after 'tls_domain[', "
                    "found end of line"},
        DomainError{"tls_domain[127.0.0.1:5061, \"bad name!\"] { }\n",
                    "t.cfg:2:28: error: invalid SNI name in tls_domain[127.0.0.1:5061]: expected "
                    "a host name like \"sip.example.org\" or \"*.example.org\", found 'bad name!'"},
        DomainError{"tls_domain[127.0.0.1:5061 { }\n",
                    "t.cfg:2:12: error: expected IP:PORT followed by ']' after 'tls_domain[', "
                    "found end of line"},
        DomainError{"tls_domain 127.0.0.1:5061 { }\n",
                    "t.cfg:2:12: error: expected '[' after 'tls_domain', found '127.0.0.1:5061'"},
        DomainError{"tls_domain[127.0.0.1:5061]\n  tls_verify = 1\n",
                    "t.cfg:3:3: error: expected '{' after tls_domain[127.0.0.1:5061], found "
                    "'tls_verify'"},
        DomainError{"tls_domain[127.0.0.1:5061] {\n  tls_verify = 1\n",
                    "t.cfg:4:1: error: expected '}' to close tls_domain[127.0.0.1:5061] opened "
                    "at t.cfg:2:1, found end of file"},
        DomainError{"tls_domain[127.0.0.1:5061] {\n  = 1\n}\n",
                    "t.cfg:3:3: error: expected a tls_* parameter or '}' in "
                    "tls_domain[127.0.0.1:5061], found '='"},
        DomainError{"tls_domain[127.0.0.1:5061, \"a.example.org\"] {\n"
                    "  tls_server_name = b.example.org\n}\n",
                    "t.cfg:3:3: error: tls_server_name \"b.example.org\" differs from the name "
                    "\"a.example.org\" in the block's key at t.cfg:2:28"},
        DomainError{"tls_domain[127.0.0.1:5061] {\n  tls_server_name = \"a b\"\n}\n",
                    "t.cfg:3:3: error: invalid value for 'tls_server_name': expected a host "
                    "name like \"sip.example.org\", found \"a b\""}));

TEST(DomainTest, SettingTwiceInABlockWarnsAndTheLaterWins) {
  auto r = load_text(std::string(kListen) +
                     "tls_domain[127.0.0.1:5061] { tls_verify_depth = 2; tls_verify_depth = 3 }\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.tls_domains.at(0).settings.verify_depth, 3);
  EXPECT_EQ(r.text(),
            "t.cfg:2:52: warning: 'tls_verify_depth' is set again in this block; the value from "
            "t.cfg:2:30 is replaced\n");
}

TEST(DomainTest, DisableTlsIgnoresTlsConfigWithAWarning) {
  auto r = load_text("tls_config = \"/nonexistent/tls.cfg\"\ndisable_tls = on\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.text(), "t.cfg:1:1: warning: tls_config is ignored: disable_tls is set\n");
}

TEST(DomainTest, ErrorsInsideABlockDoNotEndIt) {
  auto r = load_text(std::string(kListen) +
                     "tls_domain[127.0.0.1:5061] {\n"
                     "  tls_verify = perhaps\n"
                     "  children = 2\n"
                     "  tls_verify_depth = 4\n"
                     "}\n"
                     "log_level = 1\n");
  EXPECT_EQ(r.diags.error_count(), 2u) << r.text();
  EXPECT_EQ(r.config.core.log_level, 1);
}

class TlsConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ser-h1-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(TlsConfigFileTest, DomainsFromTlsCfgAreMerged) {
  write("tls.cfg", "[server:127.0.0.1:5061]\ncertificate = /x/a.pem\n[client:default]\n");
  std::string main = write("ser.cfg",
                           "listen = tls:127.0.0.1\ntls_config = \"tls.cfg\"\n"
                           "tls_verify_depth = 7\n"
                           "tls_client_domain[10.0.0.1:5061] { }\n");
  Config config;
  Diagnostics diags;
  ASSERT_TRUE(load_config_file(main, &config, &diags)) << diags.first_error();
  EXPECT_EQ(config.tls.config_file, dir_ + "/tls.cfg");
  ASSERT_EQ(config.tls_domains.size(), 3u);
  EXPECT_EQ(config.tls_domains[0].key(), "client:10.0.0.1:5061");
  EXPECT_EQ(config.tls_domains[1].key(), "server:127.0.0.1:5061");
  EXPECT_EQ(config.tls_domains[1].settings.certificate, "/x/a.pem");
  EXPECT_EQ(config.tls_domains[1].settings.verify_depth, 7);  // from the global values
  EXPECT_EQ(config.tls_domains[2].key(), "client:default");
}

TEST_F(TlsConfigFileTest, ClashWithASerCfgBlockNamesBothPlaces) {
  std::string ini = write("tls.cfg", "\n[server:127.0.0.1:5061]\ncertificate = /x/a.pem\n");
  std::string main = write("ser.cfg",
                           "listen = tls:127.0.0.1\ntls_config = tls.cfg\n"
                           "tls_domain[127.0.0.1:5061] { }\n");
  Config config;
  Diagnostics diags;
  EXPECT_FALSE(load_config_file(main, &config, &diags));
  ASSERT_EQ(diags.all().size(), 2u) << diags.first_error();
  EXPECT_EQ(diags.all()[0].loc.file, ini);
  EXPECT_EQ(diags.all()[0].loc.line, 2);
  EXPECT_EQ(diags.all()[0].message,
            "tls.cfg domain 'server:127.0.0.1:5061' clashes with tls_domain[127.0.0.1:5061] at " +
                main + ":3:1: configure each domain in one place only");
  EXPECT_EQ(diags.all()[1].to_string(),
            main + ":3:1: note: tls_domain[127.0.0.1:5061] was first defined here");
}

TEST_F(TlsConfigFileTest, MissingTlsCfgIsAnError) {
  std::string main = write("ser.cfg", "tls_config = nothere.cfg\n");
  Config config;
  Diagnostics diags;
  EXPECT_FALSE(load_config_file(main, &config, &diags));
  EXPECT_NE(diags.first_error().find("nothere.cfg"), std::string::npos) << diags.first_error();
}

#else  // built without TLS

struct NoTlsError {
  const char* text;
  const char* error;
};

class NoTlsErrorTest : public ::testing::TestWithParam<NoTlsError> {};

TEST_P(NoTlsErrorTest, SaysTlsIsNotBuiltIn) {
  auto r = load_text(GetParam().text);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_error(), GetParam().error) << r.text();
}

INSTANTIATE_TEST_SUITE_P(
    NoTls, NoTlsErrorTest,
    ::testing::Values(
        NoTlsError{"tls_method = TLSv1.2+\n",
                   "t.cfg:1:1: error: parameter 'tls_method': ser was built without TLS support "
                   "(rebuild with make TLS=1)"},
        NoTlsError{"disable_tls = 1\n",
                   "t.cfg:1:1: error: parameter 'disable_tls': ser was built without TLS support "
                   "(rebuild with make TLS=1)"},
        NoTlsError{"tls_domain[127.0.0.1:5061] {\n  tls_verify = 1\n}\n",
                   "t.cfg:1:1: error: 'tls_domain': ser was built without TLS support (rebuild "
                   "with make TLS=1)"},
        NoTlsError{"tls_client_domain[127.0.0.1:5061]\n{\n}\n",
                   "t.cfg:1:1: error: 'tls_client_domain': ser was built without TLS support "
                   "(rebuild with make TLS=1)"}));

TEST(NoTlsTest, BlocksAreSkippedWholeAndTheRestIsRead) {
  auto r = load_text("tls_domain[127.0.0.1:5061] {\n  tls_verify = 1\n}\nchildren = 3\n");
  EXPECT_EQ(r.diags.error_count(), 1u) << r.text();
  EXPECT_EQ(r.config.core.children, 3);
}

TEST(NoTlsTest, TlsParametersAreNotSuggested) {
  auto r = load_text("tls_methd = 1\n");
  EXPECT_EQ(r.first_error(), "t.cfg:1:1: error: unknown parameter 'tls_methd'");
}

#endif

}  // namespace
}  // namespace cfg
