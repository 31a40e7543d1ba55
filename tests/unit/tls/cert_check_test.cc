// cert_check: each problem of a domain's files is one diagnostic naming the domain, the
// parameter and the file, at the domain's location.
#include "tls/cert_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "tests/unit/tls/tls_test_util.h"
#include "tls/tls_context.h"

namespace tls {
namespace {

using test::cert;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const char* kDomain = "t.cfg:7:1: error: tls_domain[127.0.0.1:5061]: ";
const char* kDomainWarning = "t.cfg:7:1: warning: tls_domain[127.0.0.1:5061]: ";

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string write_scratch(const std::string& name, const std::string& content, mode_t mode = 0600) {
  std::string path = test::TestCerts::get().scratch("cert_check") + "/" + name;
  std::ofstream(path) << content;
  chmod(path.c_str(), mode);
  return path;
}

std::vector<std::string> pem_blocks(const std::string& pem) {
  std::vector<std::string> blocks;
  const std::string begin = "-----BEGIN CERTIFICATE-----";
  for (size_t pos = pem.find(begin); pos != std::string::npos;) {
    size_t next = pem.find(begin, pos + 1);
    blocks.push_back(pem.substr(pos, next == std::string::npos ? next : next - pos));
    pos = next;
  }
  return blocks;
}

std::string build_text(const cfg::TlsDomainConfig& d, time_t now = 0, bool* built = nullptr) {
  cfg::Diagnostics diags;
  DomainReporter report(diags, d.loc, d.describe());
  ContextOptions options;
  options.default_certificate = test::implicit_certificate();
  options.now = now;
  SslCtxPtr ctx = build_context(d, options, report);
  if (built != nullptr) *built = ctx != nullptr;
  return test::diag_text(diags);
}

cfg::TlsDomainConfig with_files(const std::string& certificate, const std::string& key) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.certificate = certificate;
  d.settings.private_key = key;
  return d;
}

TEST(CertCheck, GoodFilesGiveNoDiagnostic) {
  bool built = false;
  EXPECT_EQ(build_text(test::server_domain(), 0, &built), "");
  EXPECT_TRUE(built);
}

TEST(CertCheck, CertificateAndKeyInOneFileAsTheSeedsDefaultCertPem) {
  std::string both =
      write_scratch("cert.pem", read_all(cert("server.pem")) + read_all(cert("server.key")));
  bool built = false;
  EXPECT_EQ(build_text(with_files(both, both), 0, &built), "");
  EXPECT_TRUE(built);
}

TEST(CertCheck, MissingCertificateFileNamesParameterAndFile) {
  bool built = true;
  std::string missing = cert("missing.pem");
  EXPECT_EQ(build_text(with_files(missing, cert("server.key")), 0, &built),
            std::string(kDomain) + "tls_certificate: cannot read " + missing +
                ": No such file or directory\n");
  EXPECT_FALSE(built);
}

TEST(CertCheck, MissingKeyFile) {
  std::string missing = cert("missing.key");
  EXPECT_EQ(build_text(with_files(cert("server.pem"), missing)),
            std::string(kDomain) + "tls_private_key: cannot read " + missing +
                ": No such file or directory\n");
}

TEST(CertCheck, DirectoryInsteadOfFile) {
  std::string dir = test::TestCerts::get().dir();
  EXPECT_EQ(build_text(with_files(dir, cert("server.key"))),
            std::string(kDomain) + "tls_certificate: " + dir + " is a directory, not a file\n");
}

TEST(CertCheck, ImplicitDefaultCertificateMissingTellsWhatToSet) {
  std::string implicit = test::implicit_certificate();
  EXPECT_EQ(build_text(with_files(implicit, implicit)),
            std::string(kDomain) + "tls_certificate: " + implicit +
                " does not exist (the default: CFG_DIR/cert.pem); set tls_certificate and "
                "tls_private_key to the server's certificate chain and private key\n");
}

TEST(CertCheck, FileWithoutCertificate) {
  std::string path = write_scratch("empty.pem", "not a certificate\n");
  EXPECT_EQ(build_text(with_files(path, cert("server.key"))),
            std::string(kDomain) + "tls_certificate: " + path + " holds no PEM certificate\n");
}

TEST(CertCheck, KeyNotMatchingCertificate) {
  EXPECT_EQ(build_text(with_files(cert("server-mismatch.pem"), cert("server-mismatch.key"))),
            std::string(kDomain) + "tls_private_key: the key in " + cert("server-mismatch.key") +
                " does not match the certificate CN=localhost in " + cert("server-mismatch.pem") +
                "\n");
}

TEST(CertCheck, ChainWithIntermediateFirstIsOutOfOrder) {
  std::vector<std::string> blocks = pem_blocks(read_all(cert("server.pem")));
  ASSERT_EQ(blocks.size(), 2u);
  std::string path = write_scratch("reversed.pem", blocks[1] + blocks[0]);
  EXPECT_EQ(build_text(with_files(path, cert("server.key"))),
            std::string(kDomain) + "tls_certificate: certificate chain out of order in " + path +
                ": the first certificate (CN=ser Test Intermediate CA) is a CA certificate; the "
                "server's own certificate must come first\n");
}

TEST(CertCheck, ChainWithForeignIssuerIsOutOfOrder) {
  std::string leaf = pem_blocks(read_all(cert("server.pem")))[0];
  std::string path = write_scratch("foreign.pem", leaf + read_all(cert("other-ca.pem")));
  EXPECT_EQ(build_text(with_files(path, cert("server.key"))),
            std::string(kDomain) + "tls_certificate: certificate chain out of order in " + path +
                ": certificate 2 (CN=Other Test Root CA) did not issue certificate 1 "
                "(CN=localhost); expected the leaf, then each issuer in turn\n");
}

TEST(CertCheck, ExpiredCertificateIsAnError) {
  bool built = true;
  EXPECT_EQ(
      build_text(with_files(cert("server-expired.pem"), cert("server-expired.key")), 0, &built),
      std::string(kDomain) + "tls_certificate: certificate CN=localhost in " +
          cert("server-expired.pem") + " expired on 2020-02-01 00:00:00 UTC\n");
  EXPECT_FALSE(built);
}

TEST(CertCheck, NotYetValidCertificateIsAnError) {
  time_t in_2019 = 1546300800;  // 2019-01-01
  cfg::Diagnostics diags;
  DomainReporter report(diags, {"t.cfg", 7, 1}, "tls_domain[127.0.0.1:5061]");
  X509StackPtr chain = load_certificates(cert("server-expired.pem"), "tls_certificate", report);
  ASSERT_TRUE(chain);
  check_chain(chain.get(), "x.pem", in_2019, report);
  // The intermediate, made today, is not valid in 2019 either: one line each.
  EXPECT_THAT(test::diag_text(diags),
              StartsWith(std::string(kDomain) +
                         "tls_certificate: certificate CN=localhost in x.pem is not valid before "
                         "2020-01-01 00:00:00 UTC\n" +
                         kDomain +
                         "tls_certificate: certificate CN=ser Test Intermediate CA in x.pem is "
                         "not valid before "));
}

TEST(CertCheck, CertificateExpiringWithin30DaysIsAWarningWithTheDate) {
  bool built = false;
  std::string text =
      build_text(with_files(cert("server-soon.pem"), cert("server-soon.key")), 0, &built);
  EXPECT_TRUE(built);
  EXPECT_THAT(text, StartsWith(std::string(kDomainWarning) +
                               "tls_certificate: certificate CN=localhost in " +
                               cert("server-soon.pem") + " expires on "));
  EXPECT_THAT(text, ContainsRegex(" expires on 20[0-9-]+ [0-9:]+ UTC \\(in (9|10) days\\)\n$"));
}

TEST(CertCheck, ExpiryWarningUsesTheThirtyDayWindow) {
  std::string leaf = pem_blocks(read_all(cert("server.pem")))[0];
  std::string path = write_scratch("leaf.pem", leaf, 0644);
  cfg::Diagnostics quiet;
  DomainReporter report(quiet, {"t.cfg", 7, 1}, "tls_domain[127.0.0.1:5061]");
  X509StackPtr chain = load_certificates(path, "tls_certificate", report);
  ASSERT_TRUE(chain);
  struct tm end {};
  ASSERT_EQ(ASN1_TIME_to_tm(X509_get0_notAfter(sk_X509_value(chain.get(), 0)), &end), 1);
  time_t not_after = timegm(&end);
  check_chain(chain.get(), "x.pem", not_after - 31 * 86400, report);
  EXPECT_EQ(test::diag_text(quiet), "");
  cfg::Diagnostics warned;
  DomainReporter report2(warned, {"t.cfg", 7, 1}, "tls_domain[127.0.0.1:5061]");
  check_chain(chain.get(), "x.pem", not_after - 29 * 86400, report2);
  EXPECT_EQ(test::diag_text(warned),
            std::string(kDomainWarning) +
                "tls_certificate: certificate CN=localhost in x.pem "
                "expires on " +
                format_asn1_time(X509_get0_notAfter(sk_X509_value(chain.get(), 0))) +
                " (in 29 days)\n");
}

TEST(CertCheck, GroupReadableKeyIsWarnedWithChmod) {
  std::string key = write_scratch("readable.key", read_all(cert("server.key")), 0640);
  bool built = false;
  EXPECT_EQ(build_text(with_files(cert("server.pem"), key), 0, &built),
            std::string(kDomainWarning) + "tls_private_key: " + key +
                " is readable by group or others (mode 0640): chmod 600 " + key + "\n");
  EXPECT_TRUE(built);
}

TEST(CertCheck, EncryptedKeyIsRefusedWithoutPrompting) {
  BioPtr in(BIO_new_file(cert("server.key").c_str(), "r"));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(key);
  std::string path = test::TestCerts::get().scratch("cert_check") + "/encrypted.key";
  {
    BioPtr out(BIO_new_file(path.c_str(), "w"));
    char pass[] = "secret";
    ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), EVP_aes_256_cbc(), pass, 6,
                                            nullptr, nullptr),
              1);
  }
  chmod(path.c_str(), 0600);
  EXPECT_EQ(build_text(with_files(cert("server.pem"), path)),
            std::string(kDomain) + "tls_private_key: no usable private key in " + path +
                " (bad password read; keys protected by a passphrase are not supported)\n");
}

TEST(CertCheck, CaListWithoutCertificate) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.ca_list = cert("server.key");
  EXPECT_EQ(build_text(d), std::string(kDomain) + "tls_ca_list: " + cert("server.key") +
                               " holds no PEM certificate\n");
}

TEST(CertCheck, MissingCaList) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.ca_list = cert("missing-ca.pem");
  EXPECT_EQ(build_text(d), std::string(kDomain) + "tls_ca_list: cannot read " +
                               cert("missing-ca.pem") + ": No such file or directory\n");
}

TEST(CertCheck, CaPathMustBeADirectory) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.ca_path = cert("ca.pem");
  EXPECT_EQ(build_text(d), std::string(kDomain) + "tls_ca_path: " + cert("ca.pem") +
                               " is not a directory (tls_ca_path names a directory of hashed CA "
                               "files; use tls_ca_list for one file)\n");
  d.settings.ca_path = test::TestCerts::get().dir();
  EXPECT_EQ(build_text(d), "");
}

TEST(CertCheck, CrlThatDoesNotParse) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.crl = write_scratch("bad.crl", "garbage\n", 0644);
  EXPECT_EQ(build_text(d), std::string(kDomain) + "tls_crl: " + d.settings.crl +
                               " is not a PEM CRL file: no CRL found\n");
  std::string crl = read_all(cert("crl.pem"));
  std::string broken = crl + "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n";
  d.settings.crl = write_scratch("broken.crl", broken, 0644);
  EXPECT_THAT(build_text(d), HasSubstr("tls_crl: " + d.settings.crl + " is not a PEM CRL file: "));
}

TEST(CertCheck, EveryProblemOfOneDomainIsReported) {
  cfg::TlsDomainConfig d = with_files(cert("server-expired.pem"), cert("server-expired.key"));
  d.settings.ca_list = cert("missing-ca.pem");
  d.settings.ciphers_list = "NOPE";
  std::string text = build_text(d);
  EXPECT_THAT(text, HasSubstr("tls_certificate: certificate CN=localhost"));
  EXPECT_THAT(text, HasSubstr("tls_ca_list: cannot read"));
  EXPECT_THAT(text, HasSubstr("tls_ciphers_list: OpenSSL accepts no cipher"));
}

}  // namespace
}  // namespace tls
