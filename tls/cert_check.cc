#include "tls/cert_check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tls/cert_expiry.h"
#include "tls/tls_compat.h"

namespace tls {

namespace {

// A passphrase callback that refuses: ser never prompts on a terminal (it may be a daemon).
int no_passphrase(char*, int, int, void*) {
  return -1;
}

BioPtr memory_bio(const std::string& content) {
  return BioPtr(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
}

// True when the last error is "no more PEM blocks": the normal end of a multi-object file.
bool at_pem_end() {
  unsigned long err = ERR_peek_last_error();
  return ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0%03o", static_cast<unsigned>(mode & 0777));
  return buf;
}

std::string validity_problem(const X509* cert, time_t now, bool* error) {
  time_t t = now;
  const ASN1_TIME* not_before = X509_get0_notBefore(cert);
  const ASN1_TIME* not_after = X509_get0_notAfter(cert);
  *error = true;
  if (X509_cmp_time(not_before, &t) > 0)
    return "is not valid before " + format_asn1_time(not_before);
  int64_t expires = asn1_unix_time(not_after);
  ExpiryBand band = expiry_band(expires, now);
  *error = band == ExpiryBand::kExpired;
  return expiry_text(expires, now);
}

// "certificate chain out of order" details, or "" when the order is right.
std::string order_problem(const STACK_OF(X509) * chain) {
  int n = sk_X509_num(chain);
  X509* leaf = sk_X509_value(chain, 0);
  // A lone self-signed CA certificate is a common test/lab setup: allowed.
  if (n > 1 && X509_check_ca(leaf) != 0)
    return "the first certificate (" + certificate_subject(leaf) +
           ") is a CA certificate; the server's own certificate must come first";
  for (int i = 1; i < n; ++i) {
    X509* prev = sk_X509_value(chain, i - 1);
    X509* next = sk_X509_value(chain, i);
    if (X509_check_issued(next, prev) != X509_V_OK)
      return "certificate " + std::to_string(i + 1) + " (" + certificate_subject(next) +
             ") did not issue certificate " + std::to_string(i) + " (" + certificate_subject(prev) +
             "); expected the leaf, then each issuer in turn";
  }
  return "";
}

}  // namespace

void DomainReporter::error(std::string_view param, const std::string& what) {
  ++errors_;
  diags_.error(loc_, domain_ + ": " + std::string(param) + ": " + what);
}

void DomainReporter::warning(std::string_view param, const std::string& what) {
  diags_.warning(loc_, domain_ + ": " + std::string(param) + ": " + what);
}

std::string take_openssl_error(const char* fallback) {
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return fallback;
  const char* reason = ERR_reason_error_string(last);
  if (reason != nullptr) return reason;
  char buf[256];
  ERR_error_string_n(last, buf, sizeof buf);
  return buf;
}

std::string certificate_subject(const X509* cert) {
  const X509_NAME* name = X509_get_subject_name(cert);
  char cn[256];
  if (X509_NAME_get_text_by_NID(const_cast<X509_NAME*>(name), NID_commonName, cn, sizeof cn) > 0)
    return std::string("CN=") + cn;
  char line[512];
  X509_NAME_oneline(name, line, sizeof line);
  return line;
}

std::string subject_line(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return certificate_subject(cert);
  const unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;  // UTF-8 kept as is
  if (X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, flags) < 0)
    return certificate_subject(cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::vector<std::string> subject_alt_names(const X509* cert) {
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    auto text = [](const ASN1_STRING* s) {
      return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                         static_cast<size_t>(ASN1_STRING_length(s)));
    };
    if (gn->type == GEN_DNS) {
      out.push_back("DNS:" + text(gn->d.dNSName));
    } else if (gn->type == GEN_URI) {
      out.push_back("URI:" + text(gn->d.uniformResourceIdentifier));
    } else if (gn->type == GEN_EMAIL) {
      out.push_back("email:" + text(gn->d.rfc822Name));
    } else if (gn->type == GEN_IPADD) {
      char buf[INET6_ADDRSTRLEN] = "?";
      int len = ASN1_STRING_length(gn->d.iPAddress);
      const unsigned char* ip = ASN1_STRING_get0_data(gn->d.iPAddress);
      if (len == 4 || len == 16) inet_ntop(len == 4 ? AF_INET : AF_INET6, ip, buf, sizeof buf);
      out.push_back(std::string("IP:") + buf);
    }
  }
  return out;
}

int64_t asn1_unix_time(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::string format_asn1_time(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return "an unreadable date";
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

bool read_file(const std::string& path, std::string* content, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    *error = path + " is a directory, not a file";
    return false;
  }
  content->clear();
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) content->append(buf, static_cast<size_t>(n));
  int read_errno = errno;
  ::close(fd);
  if (n < 0) {
    *error = "cannot read " + path + ": " + std::strerror(read_errno);
    return false;
  }
  return true;
}

X509StackPtr load_certificates(const std::string& path, std::string_view param,
                               DomainReporter& report) {
  std::string content, error;
  if (!read_file(path, &content, &error)) {
    report.error(param, error);
    return nullptr;
  }
  BioPtr bio = memory_bio(content);
  X509StackPtr chain(sk_X509_new_null());
  if (!bio || !chain) {
    report.error(param, "out of memory reading " + path);
    return nullptr;
  }
  ERR_clear_error();
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)) {
    if (sk_X509_push(chain.get(), x) == 0) {
      X509_free(x);
      report.error(param, "out of memory reading " + path);
      return nullptr;
    }
  }
  bool clean_end = at_pem_end();
  std::string why = take_openssl_error("no PEM certificate");
  if (sk_X509_num(chain.get()) == 0) {
    report.error(param, path + " holds no PEM certificate");
    return nullptr;
  }
  if (!clean_end) {
    report.error(param, "cannot parse the PEM certificate " +
                            std::to_string(sk_X509_num(chain.get()) + 1) + " of " + path + ": " +
                            why);
    return nullptr;
  }
  return chain;
}

bool check_chain(const STACK_OF(X509) * chain, const std::string& path, time_t now,
                 DomainReporter& report) {
  if (now == 0) now = std::time(nullptr);
  std::string order = order_problem(chain);
  if (!order.empty())
    report.error("tls_certificate", "certificate chain out of order in " + path + ": " + order);
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    const X509* cert = sk_X509_value(chain, i);
    bool is_error = false;
    std::string problem = validity_problem(cert, now, &is_error);
    if (problem.empty()) continue;
    std::string what = "certificate " + certificate_subject(cert) + " in " + path + " " + problem;
    if (is_error)
      report.error("tls_certificate", what);
    else
      report.warning("tls_certificate", what);
  }
  return order.empty();
}

EvpPkeyPtr load_private_key(const std::string& path, DomainReporter& report) {
  std::string content, error;
  if (!read_file(path, &content, &error)) {
    report.error("tls_private_key", error);
    return nullptr;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)) != 0)
    report.warning("tls_private_key", path + " is readable by group or others (mode " +
                                          octal_mode(st.st_mode) + "): chmod 600 " + path);
  BioPtr bio = memory_bio(content);
  ERR_clear_error();
  EvpPkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)
                     : nullptr);
  if (!key) {
    std::string why = take_openssl_error("no key");
    report.error("tls_private_key", "no usable private key in " + path + " (" + why +
                                        "; keys protected by a passphrase are not supported)");
  }
  return key;
}

bool check_key_matches(X509* leaf, EVP_PKEY* key, const std::string& key_path,
                       const std::string& cert_path, DomainReporter& report) {
  ERR_clear_error();
  if (X509_check_private_key(leaf, key) == 1) return true;
  ERR_clear_error();
  report.error("tls_private_key", "the key in " + key_path + " does not match the certificate " +
                                      certificate_subject(leaf) + " in " + cert_path);
  return false;
}

bool check_ca_list(const std::string& path, DomainReporter& report) {
  std::string content, error;
  if (!read_file(path, &content, &error)) {
    report.error("tls_ca_list", error);
    return false;
  }
  BioPtr bio = memory_bio(content);
  ERR_clear_error();
  X509InfoStackPtr infos(bio ? PEM_X509_INFO_read_bio(bio.get(), nullptr, no_passphrase, nullptr)
                             : nullptr);
  int certs = 0;
  for (int i = 0; infos && i < sk_X509_INFO_num(infos.get()); ++i)
    if (sk_X509_INFO_value(infos.get(), i)->x509 != nullptr) ++certs;
  ERR_clear_error();
  if (certs == 0) {
    report.error("tls_ca_list", path + " holds no PEM certificate");
    return false;
  }
  return true;
}

bool check_ca_path(const std::string& path, DomainReporter& report) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    report.error("tls_ca_path", "cannot use " + path + ": " + std::strerror(errno));
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    report.error("tls_ca_path", path +
                                    " is not a directory (tls_ca_path names a directory of "
                                    "hashed CA files; use tls_ca_list for one file)");
    return false;
  }
  return true;
}

std::vector<X509CrlPtr> load_crls(const std::string& path, DomainReporter& report) {
  std::vector<X509CrlPtr> crls;
  std::string content, error;
  if (!read_file(path, &content, &error)) {
    report.error("tls_crl", error);
    return crls;
  }
  BioPtr bio = memory_bio(content);
  ERR_clear_error();
  while (X509_CRL* crl =
             bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr)
    crls.emplace_back(crl);
  bool clean_end = at_pem_end();
  std::string why = take_openssl_error("no CRL");
  if (crls.empty() || !clean_end) {
    report.error("tls_crl", path + " is not a PEM CRL file: " +
                                (crls.empty() ? std::string("no CRL found") : why));
    crls.clear();
  }
  return crls;
}

EvpPkeyPtr load_dh_params(const std::string& path, DomainReporter& report) {
  std::string content, error;
  if (!read_file(path, &content, &error)) {
    report.error("tls_dh_params", error);
    return nullptr;
  }
  BioPtr bio = memory_bio(content);
  ERR_clear_error();
  EvpPkeyPtr dh = bio ? compat::read_dh_params(bio.get()) : nullptr;
  ERR_clear_error();
  if (!dh)
    report.error("tls_dh_params",
                 "no DH parameters in " + path + " (expected the output of `openssl dhparam`)");
  return dh;
}

}  // namespace tls
