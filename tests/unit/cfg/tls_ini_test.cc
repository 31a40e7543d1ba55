// tls.cfg (Kamailio INI) reader: every key, IPv4/IPv6/default sections, each error class.
#include "cfg/tls_ini.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace cfg {
namespace {

namespace fs = std::filesystem;

class TlsIniTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ser-tls-ini-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (fs::path(dir_) / "tls.cfg").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `text` as tls.cfg and reads it; returns read_tls_ini's result.
  bool read(const std::string& text) {
    std::ofstream(path_) << text;
    domains_.clear();
    diags_ = Diagnostics();
    return read_tls_ini(path_, defaults_, &domains_, &diags_);
  }
  // "tls.cfg:LINE:COL: error: MESSAGE" with the temp path replaced by "tls.cfg".
  std::string first_error() const {
    std::string e = diags_.first_error();
    if (e.starts_with(path_)) e = "tls.cfg" + e.substr(path_.size());
    return e;
  }
  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const auto& d : diags_.all()) {
      std::string e = d.to_string();
      if (e.starts_with(path_)) e = "tls.cfg" + e.substr(path_.size());
      out.push_back(e);
    }
    return out;
  }

  std::string dir_;
  std::string path_;
  TlsSettings defaults_;
  std::vector<TlsDomainConfig> domains_;
  Diagnostics diags_;
};

TEST_F(TlsIniTest, EveryKeySetsItsSettingAndIsRecordedUnderItsSerCfgName) {
  ASSERT_TRUE(
      read("[server:192.0.2.10:5061]\n"
           "method = TLSv1.3+\n"
           "certificate = /etc/ser/a.pem\n"
           "private_key = /etc/ser/a.key\n"
           "ca_list = /etc/ser/ca.pem\n"
           "ca_path = /etc/ser/ca.d\n"
           "crl = /etc/ser/crl.pem\n"
           "cipher_list = ECDHE+AESGCM\n"
           "ciphersuites = TLS_AES_256_GCM_SHA384\n"
           "groups = X25519\n"
           "dh_params = /etc/ser/dh.pem\n"
           "verify_certificate = yes\n"
           "require_certificate = on\n"
           "verify_depth = 3\n"
           "server_name = Sip.Example.ORG\n"
           "sni_strict = yes\n"
           "session_cache = no\n"
           "session_tickets = off\n"
           "renegotiation = true\n"
           "handshake_timeout = 5s\n"
           "send_timeout = 250ms\n"
           "keylog_file = /tmp/keys.log\n"))
      << first_error();
  ASSERT_EQ(domains_.size(), 1u);
  const TlsDomainConfig& d = domains_[0];
  EXPECT_EQ(d.kind, TlsDomainKind::kServer);
  EXPECT_FALSE(d.is_default);
  EXPECT_EQ(d.host, "192.0.2.10");
  EXPECT_EQ(d.host_kind, HostKind::kIpv4);
  EXPECT_EQ(d.port, 5061);
  EXPECT_EQ(d.sni, "sip.example.org");
  EXPECT_EQ(d.loc.line, 1);
  const TlsSettings& s = d.settings;
  EXPECT_EQ(s.method.min, TlsVersion::kTls1_3);
  EXPECT_EQ(s.method.max, TlsVersion::kNone);
  EXPECT_EQ(s.method.spelling, "TLSv1.3+");
  EXPECT_EQ(s.certificate, "/etc/ser/a.pem");
  EXPECT_EQ(s.private_key, "/etc/ser/a.key");
  EXPECT_EQ(s.ca_list, "/etc/ser/ca.pem");
  EXPECT_EQ(s.ca_path, "/etc/ser/ca.d");
  EXPECT_EQ(s.crl, "/etc/ser/crl.pem");
  EXPECT_EQ(s.ciphers_list, "ECDHE+AESGCM");
  EXPECT_EQ(s.ciphersuites, "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(s.groups, "X25519");
  EXPECT_EQ(s.dh_params, "/etc/ser/dh.pem");
  EXPECT_EQ(s.verify, std::optional<bool>(true));
  EXPECT_TRUE(s.require_certificate);
  EXPECT_EQ(s.verify_depth, 3);
  EXPECT_EQ(s.server_name, "sip.example.org");
  EXPECT_TRUE(s.sni_strict);
  EXPECT_FALSE(s.session_cache);
  EXPECT_FALSE(s.session_tickets);
  EXPECT_TRUE(s.renegotiation);
  EXPECT_EQ(s.handshake_timeout, Millis(5000));
  EXPECT_EQ(s.send_timeout, Millis(250));
  EXPECT_EQ(s.keylog_file, "/tmp/keys.log");
  std::set<std::string> expected = {
      "tls_method",          "tls_certificate",   "tls_private_key",
      "tls_ca_list",         "tls_ca_path",       "tls_crl",
      "tls_ciphers_list",    "tls_ciphersuites",  "tls_groups",
      "tls_dh_params",       "tls_verify",        "tls_require_certificate",
      "tls_verify_depth",    "tls_server_name",   "tls_session_cache",
      "tls_session_tickets", "tls_renegotiation", "tls_handshake_timeout",
      "tls_send_timeout",    "tls_keylog_file",   "tls_sni_strict"};
  EXPECT_EQ(d.overridden, expected);
}

TEST_F(TlsIniTest, VerifyWildcardsKeySetsTheClientDomainsOptIn) {
  ASSERT_TRUE(
      read("[client:198.51.100.7:5061]\nverify_wildcards = yes\n"
           "[client:default]\n"))
      << first_error();
  ASSERT_EQ(domains_.size(), 2u);
  EXPECT_TRUE(domains_[0].settings.verify_wildcards);
  EXPECT_EQ(domains_[0].overridden, std::set<std::string>{"tls_verify_wildcards"});
  EXPECT_FALSE(domains_[1].settings.verify_wildcards);
}

TEST_F(TlsIniTest, DefaultSectionsStartFromTheGlobalValues) {
  defaults_.verify_depth = 4;
  defaults_.certificate = "/global/cert.pem";
  ASSERT_TRUE(read("[server:default]\nmethod = tlsv1.2\n\n[client:default]\n")) << first_error();
  ASSERT_EQ(domains_.size(), 2u);
  EXPECT_EQ(domains_[0].kind, TlsDomainKind::kServer);
  EXPECT_TRUE(domains_[0].is_default);
  EXPECT_EQ(domains_[0].host, "");
  EXPECT_EQ(domains_[0].settings.method.spelling, "TLSv1.2");
  EXPECT_EQ(domains_[0].settings.method.max, TlsVersion::kTls1_2);
  EXPECT_EQ(domains_[0].settings.verify_depth, 4);
  EXPECT_EQ(domains_[0].settings.certificate, "/global/cert.pem");
  EXPECT_EQ(domains_[0].overridden, std::set<std::string>{"tls_method"});
  // A section without keys is still a domain (inih alone never reports it).
  EXPECT_EQ(domains_[1].kind, TlsDomainKind::kClient);
  EXPECT_TRUE(domains_[1].is_default);
  EXPECT_TRUE(domains_[1].overridden.empty());
  EXPECT_EQ(domains_[1].loc.line, 4);
}

TEST_F(TlsIniTest, Ipv6SectionsThatInihAloneWouldCutAtTheFirstBracket) {
  ASSERT_TRUE(
      read("[server:[2001:db8::1]:5061]\n"
           "certificate = /a.pem\n"
           "[client:[::1]:5062]\n"
           "verify_certificate = no\n"))
      << first_error();
  ASSERT_EQ(domains_.size(), 2u);
  EXPECT_EQ(domains_[0].kind, TlsDomainKind::kServer);
  EXPECT_EQ(domains_[0].host, "2001:db8::1");
  EXPECT_EQ(domains_[0].host_kind, HostKind::kIpv6);
  EXPECT_EQ(domains_[0].port, 5061);
  EXPECT_EQ(domains_[0].settings.certificate, "/a.pem");
  EXPECT_EQ(domains_[1].kind, TlsDomainKind::kClient);
  EXPECT_EQ(domains_[1].host, "::1");
  EXPECT_EQ(domains_[1].port, 5062);
  EXPECT_EQ(domains_[1].settings.verify, std::optional<bool>(false));
}

TEST_F(TlsIniTest, ClientServerNameIsTheSniSentAndPartOfTheKey) {
  ASSERT_TRUE(read("[client:198.51.100.7:5061]\nserver_name = carrier.example.net\n"));
  ASSERT_EQ(domains_.size(), 1u);
  EXPECT_EQ(domains_[0].kind, TlsDomainKind::kClient);
  EXPECT_EQ(domains_[0].host, "198.51.100.7");
  EXPECT_EQ(domains_[0].settings.server_name, "carrier.example.net");
  EXPECT_EQ(domains_[0].sni, "carrier.example.net");
}

TEST_F(TlsIniTest, RelativeFilesAreResolvedAgainstTheTlsCfgDirectory) {
  ASSERT_TRUE(
      read("[server:default]\n"
           "certificate = certs/server.pem\n"
           "private_key = ../keys/server.key\n"
           "ca_list = /abs/ca.pem\n"
           "crl = \n"))
      << first_error();
  const TlsSettings& s = domains_.at(0).settings;
  EXPECT_EQ(s.certificate, (fs::path(dir_) / "certs/server.pem").string());
  EXPECT_EQ(s.private_key, (fs::path(dir_).parent_path() / "keys/server.key").string());
  EXPECT_EQ(s.ca_list, "/abs/ca.pem");
  EXPECT_EQ(s.crl, "");
}

TEST_F(TlsIniTest, CommentsQuotesColonsAndCaseAreAccepted) {
  ASSERT_TRUE(
      read("# Kamailio tls.cfg\n"
           "; inih comment\n"
           "[SERVER:DEFAULT]   # trailing comment\n"
           "  method = sslv23   # any version\n"
           "verify_depth: 2 ; semicolon comment\n"
           "certificate = \"/with space/cert.pem\"\n"
           "Verify_Certificate = 1\n"
           "curve = P-256\n"))
      << first_error();
  const TlsSettings& s = domains_.at(0).settings;
  EXPECT_EQ(s.method.spelling, "SSLv23");
  EXPECT_EQ(s.method.min, TlsVersion::kNone);
  EXPECT_EQ(s.verify_depth, 2);
  EXPECT_EQ(s.certificate, "/with space/cert.pem");
  EXPECT_EQ(s.verify, std::optional<bool>(true));
  EXPECT_EQ(s.groups, "P-256");
}

TEST_F(TlsIniTest, LongCipherListLinesAreReadWhole) {
  std::string ciphers = kDefaultCiphers;
  ciphers += ":" + ciphers;  // well over inih's default 200-byte line
  ASSERT_TRUE(read("[server:default]\ncipher_list = " + ciphers + "\nverify_depth = 7\n"))
      << first_error();
  EXPECT_EQ(domains_.at(0).settings.ciphers_list, ciphers);
  EXPECT_EQ(domains_.at(0).settings.verify_depth, 7);
}

TEST_F(TlsIniTest, DurationsTakeAUnitAndBareNumbersAreSeconds) {
  ASSERT_TRUE(read("[server:default]\nhandshake_timeout = 30\nsend_timeout = 2s\n"));
  EXPECT_EQ(domains_.at(0).settings.handshake_timeout, Millis(30000));
  EXPECT_EQ(domains_.at(0).settings.send_timeout, Millis(2000));
}

TEST_F(TlsIniTest, SameSocketWithDifferentServerNamesIsTwoDomains) {
  ASSERT_TRUE(
      read("[server:127.0.0.1:5061]\nserver_name = a.example\n"
           "[server:127.0.0.1:5061]\nserver_name = b.example\n"
           "[server:127.0.0.1:5061]\n"))
      << first_error();
  ASSERT_EQ(domains_.size(), 3u);
  EXPECT_EQ(domains_[0].sni, "a.example");
  EXPECT_EQ(domains_[1].sni, "b.example");
  EXPECT_EQ(domains_[2].sni, "");
}

// ---- errors ----

TEST_F(TlsIniTest, MissingFile) {
  fs::path missing = fs::path(dir_) / "nope.cfg";
  EXPECT_FALSE(read_tls_ini(missing.string(), defaults_, &domains_, &diags_));
  EXPECT_EQ(diags_.first_error(),
            missing.string() + ": error: cannot open tls.cfg file: No such file or directory");
}

TEST_F(TlsIniTest, UnknownSectionKindSuggestsTheNearName) {
  EXPECT_FALSE(read("[srever:default]\nmethod = TLSv1.2+\n"));
  EXPECT_EQ(errors(), std::vector<std::string>{
                          "tls.cfg:1:2: error: unknown section '[srever:default]': expected "
                          "[server:...] or [client:...], did you mean 'server'?"});
  EXPECT_TRUE(domains_.empty());
}

TEST_F(TlsIniTest, SectionWithoutAddress) {
  EXPECT_FALSE(read("\n[client]\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:2: error: expected 'client:default' or 'client:IP:PORT', found 'client'");
}

TEST_F(TlsIniTest, BadIpv4AddressPointsAtTheAddress) {
  EXPECT_FALSE(read("[server:1.2.3:5061]\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:1:9: error: invalid section address: expected an IPv4 address, found "
            "'1.2.3'");
}

TEST_F(TlsIniTest, HostNamesAreNotSectionAddresses) {
  EXPECT_FALSE(read("[client:sip.example.net:5061]\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:1:9: error: invalid section address: expected an IP address (IPv4 or "
            "[IPv6]), found 'sip.example.net'");
}

TEST_F(TlsIniTest, BadPortPointsAtThePort) {
  EXPECT_FALSE(read("[server:10.0.0.1:70000]\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:1:9: error: invalid section address: expected a port from 1 to 65535, "
            "found '70000'");
}

TEST_F(TlsIniTest, MissingPort) {
  EXPECT_FALSE(read("[server:[::1]]\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:1:9: error: missing port: expected IP:PORT or [IPv6]:PORT, found '[::1]'");
}

TEST_F(TlsIniTest, BadIpv6Address) {
  EXPECT_FALSE(read("[server:[fe80::zz]:5061]\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:1:9: error: invalid section address: expected an IPv6 address inside "
            "'[ ]', found '[fe80::zz]:5061'");
}

TEST_F(TlsIniTest, UnbracketedIpv6Address) {
  EXPECT_FALSE(read("[server:::1:5061]\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:1:9: error: invalid section address: expected an IPv6 address in "
            "brackets (like [::1]:5060), found '::1:5061'");
}

TEST_F(TlsIniTest, AnySocketIsRefusedWithAHint) {
  EXPECT_FALSE(read("[server:any]\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:1:9: error: 'server:any' is not supported: name the socket's IP:PORT and "
            "set server_name for SNI");
}

// Kamailio's spelling of a client domain the script chooses (tls_set_connect_server_id).
TEST_F(TlsIniTest, ClientAnyWithServerIdIsAnIdDomain) {
  ASSERT_TRUE(
      read("[client:any]\nserver_id = tenant-a\nserver_name = sip.carrier.net\n"
           "certificate = a.pem\n[client:any]\nserver_id = \"tenant-b\"\n"));
  ASSERT_EQ(domains_.size(), 2u);
  EXPECT_EQ(domains_[0].id, "tenant-a");
  EXPECT_EQ(domains_[0].key(), "client:id:tenant-a");
  EXPECT_EQ(domains_[0].sni, "");  // server_name overrides what is sent and checked only
  EXPECT_EQ(domains_[0].settings.server_name, "sip.carrier.net");
  EXPECT_EQ(domains_[1].id, "tenant-b");
}

TEST_F(TlsIniTest, ServerIdErrors) {
  EXPECT_FALSE(read("[client:any]\nserver_name = a.example.net\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:1:1: error: [client:any] needs server_id = ID: the domain the script "
            "chooses with tls_client_domain(\"ID\")");
  EXPECT_FALSE(read("[client:192.0.2.1:5061]\nserver_id = x\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:1: error: server_id in [client:192.0.2.1:5061]: only a [client:any] "
            "section is chosen by its id (the script's tls_client_domain(\"ID\")); this one is "
            "chosen by its address");
  EXPECT_FALSE(read("[client:any]\nserver_id = a b\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:13: error: invalid value for 'server_id' \"a b\": ' ' is not allowed in "
            "an id (letters, digits, '.', '-', '_')");
  EXPECT_FALSE(read("[client:any]\nserver_id = a\n[client:any]\nserver_id = A\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:3:1: error: duplicate section [client:any] with server_id A: first defined "
            "on line 1");
}

TEST_F(TlsIniTest, UnclosedSectionHeader) {
  EXPECT_FALSE(read("[server:[::1]:5061\n"));
  EXPECT_EQ(first_error(), "tls.cfg:1:19: error: expected ']' to end the section header");
}

TEST_F(TlsIniTest, TextAfterSectionHeader) {
  EXPECT_FALSE(read("[server:default] x\n"));
  EXPECT_EQ(first_error(), "tls.cfg:1:18: error: unexpected text after the section header");
}

TEST_F(TlsIniTest, UnknownKeySuggestsTheNearName) {
  EXPECT_FALSE(read("[server:default]\n  certficate = /a.pem\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:3: error: unknown tls.cfg key 'certficate', did you mean 'certificate'?");
}

TEST_F(TlsIniTest, SerCfgParameterNameGetsTheIniSpelling) {
  EXPECT_FALSE(read("[server:default]\ntls_ciphers_list = HIGH\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:1: error: unknown tls.cfg key 'tls_ciphers_list': tls.cfg spells "
            "'tls_ciphers_list' as 'cipher_list'");
}

TEST_F(TlsIniTest, BadBooleanPointsAtTheValue) {
  EXPECT_FALSE(read("[server:default]\nverify_certificate =  maybe\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:23: error: invalid value for 'verify_certificate': expected a boolean "
            "(yes, no, on, off, true, false, 1, 0), found 'maybe'");
}

TEST_F(TlsIniTest, Sslv3IsRefused) {
  EXPECT_FALSE(read("[client:default]\nmethod = SSLv3\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:10: error: invalid value for 'method': 'SSLv3' is refused: SSLv2 and "
            "SSLv3 are broken (RFC 6176, RFC 7568); expected one of SSLv23, TLSv1, TLSv1+, "
            "TLSv1.1, TLSv1.1+, TLSv1.2, TLSv1.2+, TLSv1.3, TLSv1.3+, for example TLSv1.2+");
}

TEST_F(TlsIniTest, UnknownMethodListsTheChoices) {
  EXPECT_FALSE(read("[client:default]\nmethod = TLSv1.4+\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:10: error: invalid value for 'method': expected a TLS method (SSLv23, "
            "TLSv1, TLSv1+, TLSv1.1, TLSv1.1+, TLSv1.2, TLSv1.2+, TLSv1.3, TLSv1.3+), found "
            "'TLSv1.4+'");
}

TEST_F(TlsIniTest, VerifyDepthOutOfRange) {
  EXPECT_FALSE(read("[server:default]\nverify_depth = 101\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:16: error: invalid value for 'verify_depth': expected an integer from 0 "
            "to 100, found '101'");
}

TEST_F(TlsIniTest, BadDuration) {
  EXPECT_FALSE(read("[server:default]\nhandshake_timeout = 0\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:21: error: invalid value for 'handshake_timeout': expected a duration "
            "from 100ms to 3600s (like 30, 30s or 500ms; a bare number means seconds), found "
            "'0'");
}

TEST_F(TlsIniTest, EmptyValueForTypedKey) {
  EXPECT_FALSE(read("[server:default]\nmethod =\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:9: error: missing value for 'method': expected a TLS method (SSLv23, "
            "TLSv1, TLSv1+, TLSv1.1, TLSv1.1+, TLSv1.2, TLSv1.2+, TLSv1.3, TLSv1.3+)");
}

TEST_F(TlsIniTest, DuplicateSection) {
  EXPECT_FALSE(read("[server:127.0.0.1:5061]\n\n[server:127.0.0.1:5061]\nmethod = TLSv1.3\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:3:1: error: duplicate section [server:127.0.0.1:5061]: first defined on "
            "line 1");
  EXPECT_EQ(domains_.size(), 1u);
}

TEST_F(TlsIniTest, DuplicateServerNameOnOneSocket) {
  EXPECT_FALSE(
      read("[server:[::1]:5061]\nserver_name = a.example\n"
           "[server:[::1]:5061]\nserver_name = A.example\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:3:1: error: duplicate section [server:[::1]:5061] with server_name "
            "a.example: first defined on line 1");
}

TEST_F(TlsIniTest, ServerNameMustBeAHostName) {
  EXPECT_FALSE(read("[client:10.0.0.1:5061]\nserver_name = *.example.org\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:15: error: invalid value for 'server_name': expected a host name like "
            "sip.example.org, found '*.example.org'");
  // A server domain may answer for a wildcard name.
  EXPECT_TRUE(read("[server:10.0.0.1:5061]\nserver_name = *.Example.org\n")) << first_error();
  EXPECT_EQ(domains_.at(0).sni, "*.example.org");
}

TEST_F(TlsIniTest, Ipv6AddressesAreNormalizedLikeSerCfgKeys) {
  ASSERT_TRUE(read("[server:[0:0::1]:5061]\n")) << first_error();
  EXPECT_EQ(domains_.at(0).host, "::1");
}

TEST_F(TlsIniTest, RequireWithoutVerifyIsWarnedAbout) {
  EXPECT_TRUE(read("[server:default]\nrequire_certificate = yes\n"));
  EXPECT_EQ(errors(), std::vector<std::string>{
                          "tls.cfg:2:1: warning: require_certificate = yes has no effect without "
                          "verify_certificate = yes (no client certificate is requested)"});
  EXPECT_TRUE(read("[server:default]\nrequire_certificate = yes\nverify_certificate = 1\n"));
  EXPECT_TRUE(errors().empty());
}

TEST_F(TlsIniTest, DuplicateKeyInASection) {
  EXPECT_FALSE(read("[server:default]\nmethod = TLSv1.2+\nmethod = TLSv1.3+\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:3:1: error: duplicate key 'method' in section [server:default] (first set "
            "on line 2)");
}

TEST_F(TlsIniTest, KeyOutsideASection) {
  EXPECT_FALSE(read("method = TLSv1.2+\n[server:default]\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:1:1: error: key 'method' outside a section: start with [server:default], "
            "[server:IP:PORT] or a [client:...] section");
}

TEST_F(TlsIniTest, LineWithoutEqualsSign) {
  EXPECT_FALSE(read("[server:default]\n\tverify_certificate yes\n"));
  EXPECT_EQ(first_error(),
            "tls.cfg:2:2: error: expected 'key = value', found 'verify_certificate yes'");
}

TEST_F(TlsIniTest, NulByteIsAnErrorAtItsLineAndTheLinesAfterItAreStillRead) {
  const std::string text("[server:default]\nmethod = TLSv1.2+\0x\nverify_depth = 101\n", 56);
  EXPECT_FALSE(read(text));
  const auto e = errors();
  ASSERT_EQ(e.size(), 2u) << ::testing::PrintToString(e);
  EXPECT_EQ(e[0], "tls.cfg:2:18: error: NUL byte in the line (is this a text file?)");
  EXPECT_TRUE(e[1].starts_with("tls.cfg:3:")) << e[1];
}

TEST_F(TlsIniTest, SeveralErrorsAreReportedInOneRunWithoutNoiseFromBadSections) {
  EXPECT_FALSE(
      read("[server:default]\n"
           "verify_depth = x\n"
           "[bogus:1.2.3.4:5061]\n"
           "certficate = ignored under a bad header\n"
           "[client:default]\n"
           "session_cache = perhaps\n"));
  EXPECT_EQ(errors(),
            (std::vector<std::string>{
                "tls.cfg:2:16: error: invalid value for 'verify_depth': expected an integer "
                "from 0 to 100, found 'x'",
                "tls.cfg:3:2: error: unknown section '[bogus:1.2.3.4:5061]': expected "
                "[server:...] or [client:...]",
                "tls.cfg:6:17: error: invalid value for 'session_cache': expected a boolean "
                "(yes, no, on, off, true, false, 1, 0), found 'perhaps'"}));
  // The sections that were understood are still returned.
  EXPECT_EQ(domains_.size(), 2u);
}

}  // namespace
}  // namespace cfg
