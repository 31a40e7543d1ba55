#pragma once
// Loading and checking the files a TLS domain names (certificate chain, private key, CA list,
// CA directory, CRLs, DH parameters) before they reach an SSL_CTX, so that each problem is one
// diagnostic that names the domain, the parameter and the file, at the domain's location
// (`ser -c` prints them; start refuses to run on an error).
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "cfg/diagnostics.h"
#include "tls/ossl_ptr.h"

namespace tls {

// Reports problems of one domain as "<domain>: <parameter>: <what>" at its location.
class DomainReporter {
 public:
  DomainReporter(cfg::Diagnostics& diags, cfg::SourceLoc loc, std::string domain)
      : diags_(diags), loc_(std::move(loc)), domain_(std::move(domain)) {}

  void error(std::string_view param, const std::string& what);
  void warning(std::string_view param, const std::string& what);
  // An error was reported through this reporter.
  bool failed() const { return errors_ > 0; }
  const std::string& domain() const { return domain_; }

 private:
  cfg::Diagnostics& diags_;
  cfg::SourceLoc loc_;
  std::string domain_;
  int errors_ = 0;
};

// Drains this thread's OpenSSL error queue into the reason of its last entry (the most
// specific one), or `fallback` when the queue is empty.
std::string take_openssl_error(const char* fallback);

// "CN=localhost" (else the one-line subject) of a certificate, for messages.
std::string certificate_subject(const X509* cert);
// The whole subject on one line, RFC 2253 style ("CN=client.test,O=Example"), for serctl.
std::string subject_line(const X509* cert);
// Every subjectAltName as "DNS:name", "IP:addr", "URI:uri", "email:addr", in certificate order.
std::vector<std::string> subject_alt_names(const X509* cert);
// "2020-02-01 00:00:00 UTC".
std::string format_asn1_time(const ASN1_TIME* t);
// The time as unix seconds (0 when unreadable).
int64_t asn1_unix_time(const ASN1_TIME* t);

// Reads `path` whole; false with `*error` ("cannot read PATH: No such file or directory",
// "PATH is a directory") when it cannot.
bool read_file(const std::string& path, std::string* content, std::string* error);

// The PEM certificates of `path` in file order; reports (under `param`) a missing/unreadable
// file or one without a certificate. nullptr on error.
X509StackPtr load_certificates(const std::string& path, std::string_view param,
                               DomainReporter& report);

// Chain order (leaf first, not a CA unless alone; each next certificate issued the one
// before) and validity dates of every certificate: expired or not yet valid = error, expiring
// within kExpiryWarningDays (tls/cert_expiry.h: the one expiry policy) = warning with the date.
// `now` 0 = the current time. False when the order is wrong (the first certificate is then not the
// one the key must match).
bool check_chain(const STACK_OF(X509) * chain, const std::string& path, time_t now,
                 DomainReporter& report);

// The unencrypted private key of `path` (tls_private_key); a passphrase is never asked for.
// Warns when the file is readable by group or others.
EvpPkeyPtr load_private_key(const std::string& path, DomainReporter& report);

// Reports (tls_private_key) a key that does not belong to `leaf`.
bool check_key_matches(X509* leaf, EVP_PKEY* key, const std::string& key_path,
                       const std::string& cert_path, DomainReporter& report);

// tls_ca_list: a readable PEM file with at least one certificate.
bool check_ca_list(const std::string& path, DomainReporter& report);
// tls_ca_path: an existing directory.
bool check_ca_path(const std::string& path, DomainReporter& report);
// tls_crl: every CRL of a PEM file (at least one); empty on error.
std::vector<X509CrlPtr> load_crls(const std::string& path, DomainReporter& report);
// tls_dh_params: PEM DH parameters.
EvpPkeyPtr load_dh_params(const std::string& path, DomainReporter& report);

}  // namespace tls
