// RFC 5922 §7 peer names, on certificates made here in memory (only the names matter to the
// matcher: nothing is signed) and on the ones tools/make-test-certs.sh makes for the e2e tests.
#include "tls/peer_name.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <string>

#include "tests/unit/tls/test_certs.h"
#include "tls/ossl_ptr.h"

namespace tls {
namespace {

constexpr PeerNameRules kStrict{};
constexpr PeerNameRules kWildcards{true};

// A certificate with subject CN `cn` (none if null) and subjectAltName `san` in openssl.cnf
// syntax ("URI:sip:a.example.net,DNS:b.example.net"; no extension if null).
X509Ptr cert_with(const char* cn, const char* san) {
  X509Ptr x(X509_new());
  if (cn != nullptr)
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x.get()), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  if (san != nullptr) {
    X509_EXTENSION* ext =
        X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, const_cast<char*>(san));
    EXPECT_NE(ext, nullptr) << san;
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  return x;
}

// A certificate whose only subjectAltName is the dNSName `raw` taken byte for byte.
X509Ptr cert_with_raw_dns(std::string_view raw) {
  X509Ptr x(X509_new());
  GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
  GENERAL_NAME* gn = GENERAL_NAME_new();
  ASN1_IA5STRING* s = ASN1_IA5STRING_new();
  ASN1_STRING_set(s, raw.data(), static_cast<int>(raw.size()));
  GENERAL_NAME_set0_value(gn, GEN_DNS, s);
  sk_GENERAL_NAME_push(names, gn);
  X509_add1_ext_i2d(x.get(), NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT);
  GENERAL_NAMES_free(names);
  return x;
}

X509Ptr load(const std::string& file) {
  std::FILE* f = std::fopen(test::TestCerts::get().path(file).c_str(), "r");
  EXPECT_NE(f, nullptr) << file;
  if (f == nullptr) return nullptr;
  X509Ptr x(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  return x;
}

TEST(PeerNameTest, SipUriSanNamesItsHostWhateverThePortAndParameters) {
  EXPECT_TRUE(certificate_names(cert_with("x", "URI:sip:sip.example.net").get(), "sip.example.net",
                                kStrict));
  EXPECT_TRUE(
      certificate_names(cert_with(nullptr, "URI:SIP:Sip.Example.NET:5061;transport=tls").get(),
                        "sip.example.net", kStrict));
  EXPECT_FALSE(certificate_names(cert_with(nullptr, "URI:sip:example.net").get(), "sip.example.net",
                                 kStrict));
}

TEST(PeerNameTest, SipsUrisUserUrisAndOtherSchemesAreNoDomainIdentity) {
  for (const char* san : {"URI:sips:sip.example.net", "URI:sip:alice@sip.example.net",
                          "URI:https://sip.example.net/", "URI:sip:"}) {
    X509Ptr c = cert_with("sip.example.net", san);
    EXPECT_FALSE(certificate_names(c.get(), "sip.example.net", kStrict)) << san;
  }
}

TEST(PeerNameTest, DnsSanNamesTheHostCaseInsensitivelyAndWhole) {
  X509Ptr c = cert_with(nullptr, "DNS:other.example.net,DNS:SIP.example.NET");
  EXPECT_TRUE(certificate_names(c.get(), "sip.example.net", kStrict));
  EXPECT_TRUE(certificate_names(c.get(), "sip.example.net.", kStrict));
  EXPECT_FALSE(certificate_names(c.get(), "example.net", kStrict));
  EXPECT_FALSE(certificate_names(c.get(), "a.sip.example.net", kStrict));
  EXPECT_FALSE(certificate_names(c.get(), "", kStrict));
}

TEST(PeerNameTest, DnsSanCountsOnlyWhenNoSipUriIdentityIsPresent) {
  // RFC 5922 §7.1: a dNSName is an identity "if and only if" no "sip" URI identity is found.
  EXPECT_FALSE(
      certificate_names(cert_with(nullptr, "URI:sip:other.example.net,DNS:sip.example.net").get(),
                        "sip.example.net", kStrict));
  // A sips: URI is no identity, so the dNSName is used.
  EXPECT_TRUE(
      certificate_names(cert_with(nullptr, "URI:sips:other.example.net,DNS:sip.example.net").get(),
                        "sip.example.net", kStrict));
}

TEST(PeerNameTest, CommonNameCountsOnlyWithoutAnySubjectAltName) {
  EXPECT_TRUE(
      certificate_names(cert_with("sip.example.net", nullptr).get(), "sip.example.net", kStrict));
  for (const char* san : {"URI:sip:other.example.net", "DNS:other.example.net", "IP:127.0.0.1",
                          "email:admin@sip.example.net"}) {
    X509Ptr c = cert_with("sip.example.net", san);
    EXPECT_FALSE(certificate_names(c.get(), "sip.example.net", kStrict)) << san;
  }
  EXPECT_FALSE(certificate_names(cert_with(nullptr, nullptr).get(), "sip.example.net", kStrict));
}

TEST(PeerNameTest, WildcardNamesOneLabelOnlyWhenTheClientDomainOptsIn) {
  X509Ptr c = cert_with(nullptr, "DNS:*.example.net");
  EXPECT_FALSE(certificate_names(c.get(), "sip.example.net", kStrict));
  EXPECT_TRUE(certificate_names(c.get(), "sip.example.net", kWildcards));
  EXPECT_TRUE(certificate_names(c.get(), "*.example.net", kStrict));  // §7.2: only itself
  EXPECT_FALSE(certificate_names(c.get(), "a.sip.example.net", kWildcards));
  EXPECT_FALSE(certificate_names(c.get(), "example.net", kWildcards));
  EXPECT_FALSE(certificate_names(c.get(), ".example.net", kWildcards));
  for (const char* san : {"DNS:s*.example.net", "DNS:*.net", "DNS:*", "DNS:*.*.net"}) {
    X509Ptr p = cert_with(nullptr, san);
    EXPECT_FALSE(certificate_names(p.get(), "sip.example.net", kWildcards)) << san;
  }
  EXPECT_TRUE(
      certificate_names(cert_with("*.example.net", nullptr).get(), "sip.example.net", kWildcards));
}

TEST(PeerNameTest, ANameWithAnEmbeddedNulNamesNothing) {
  using namespace std::string_view_literals;
  X509Ptr c = cert_with_raw_dns("sip.example.net\0.attacker.test"sv);
  EXPECT_FALSE(certificate_names(c.get(), "sip.example.net", kStrict));
  EXPECT_EQ(certificate_identities(c.get()), "DNS:sip.example.net\\x00.attacker.test");
}

TEST(PeerNameTest, TheFailureLineSaysWhatTheCertificateNames) {
  X509Ptr c = cert_with("sip.example.net", "URI:sip:other.example.net,DNS:sip.example.net");
  EXPECT_EQ(peer_name_mismatch(c.get(), "sip.example.net", kStrict),
            "peer certificate does not name sip.example.net (it names URI:sip:other.example.net) "
            "(RFC 5922: SAN URI sip:/dNSName; CN only without SAN)");
  X509Ptr w = cert_with(nullptr, "DNS:*.example.net");
  EXPECT_EQ(peer_name_mismatch(w.get(), "sip.example.net", kStrict),
            "peer certificate does not name sip.example.net (it names DNS:*.example.net; a "
            "wildcard names a peer only with tls_verify_wildcards = yes) (RFC 5922: SAN URI "
            "sip:/dNSName; CN only without SAN)");
  EXPECT_EQ(certificate_identities(cert_with("cn.example.net", nullptr).get()),
            "CN:cn.example.net");
  EXPECT_EQ(certificate_identities(cert_with("cn.example.net", "IP:127.0.0.1").get()), "none");
}

TEST(PeerNameTest, TheFailureLineListsABoundedNumberOfIdentities) {
  std::string san;
  for (int i = 0; i < 20; ++i)
    san += (i ? "," : "") + std::string("DNS:n") + std::to_string(i) + ".test";
  std::string ids = certificate_identities(cert_with(nullptr, san.c_str()).get());
  EXPECT_EQ(ids,
            "DNS:n0.test, DNS:n1.test, DNS:n2.test, DNS:n3.test, DNS:n4.test, "
            "DNS:n5.test, ...");
}

// The certificates of tools/make-test-certs.sh that the e2e tests serve with openssl s_server.
TEST(PeerNameTest, TheTestPkiCertificatesFollowTheRules) {
  const char* name = "sip.example.net";
  EXPECT_TRUE(certificate_names(load("server-uri-san.pem").get(), name, kStrict));
  EXPECT_FALSE(certificate_names(load("server-wildcard.pem").get(), name, kStrict));
  EXPECT_TRUE(certificate_names(load("server-wildcard.pem").get(), name, kWildcards));
  EXPECT_TRUE(certificate_names(load("server-cn-only.pem").get(), name, kStrict));
  EXPECT_FALSE(certificate_names(load("server-uri-other.pem").get(), name, kWildcards));
  EXPECT_FALSE(certificate_names(load("server-dns-other.pem").get(), name, kWildcards));
  EXPECT_FALSE(certificate_names(load("server-wrong-name.pem").get(), name, kWildcards));
  EXPECT_TRUE(certificate_names(load("server.pem").get(), "localhost", kStrict));
}

}  // namespace
}  // namespace tls
