#include "tls/peer_name.h"

#include <openssl/x509v3.h>

#include <memory>

#include "core/base/log.h"
#include "core/sip/text.h"
#include "tls/ossl_ptr.h"

namespace tls {

namespace {

using SanPtr = std::unique_ptr<GENERAL_NAMES, OsslDeleter<GENERAL_NAMES_free>>;

// A failure line lists at most this many identities of a peer's certificate.
constexpr int kMaxListed = 6;

std::string_view asn1_view(const ASN1_STRING* s) {
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
          static_cast<size_t>(ASN1_STRING_length(s))};
}

// RFC 4343: DNS names compare case-insensitively (ASCII only; IDNs are in A-label form).
using core::sip::iequals;

// "sip.example.net." is the same absolute name as "sip.example.net".
std::string_view without_root_dot(std::string_view n) {
  if (!n.empty() && n.back() == '.') n.remove_suffix(1);
  return n;
}

// RFC 5922 §7.1: the host part of a "sip" URI with no user part; empty when the URI is no SIP
// domain identity ("sips:", "sip:user@host", another scheme).
std::string_view sip_uri_host(std::string_view uri) {
  if (uri.size() <= 4 || !core::sip::istarts_with(uri, "sip:")) return {};
  std::string_view rest = uri.substr(4);
  rest = rest.substr(0, rest.find_first_of(";?"));  // parameters and headers
  if (rest.empty() || rest.find('@') != std::string_view::npos) return {};
  if (rest.front() == '[') {
    size_t close = rest.find(']');
    return close == std::string_view::npos ? std::string_view() : rest.substr(1, close - 1);
  }
  return rest.substr(0, rest.find(':'));  // no port
}

// "*.example.net" names "sip.example.net": one whole leftmost label, never "a.b.example.net",
// "example.net", a partial label ("s*.example.net") or a public suffix ("*.net").
bool wildcard_names(std::string_view pattern, std::string_view name) {
  if (pattern.size() < 3 || pattern[0] != '*' || pattern[1] != '.') return false;
  std::string_view suffix = pattern.substr(2);
  if (suffix.find('.') == std::string_view::npos || suffix.find('*') != std::string_view::npos)
    return false;
  size_t dot = name.find('.');
  if (dot == 0 || dot == std::string_view::npos) return false;
  return iequals(name.substr(dot + 1), suffix);
}

bool identity_names(std::string_view identity, std::string_view name, PeerNameRules rules) {
  identity = without_root_dot(identity);
  if (identity.empty()) return false;
  return iequals(identity, name) || (rules.wildcards && wildcard_names(identity, name));
}

// The subject CN as UTF-8. OpenSSL's host check takes the last (most specific) CN: so do we.
std::string last_common_name(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  int i = -1, last = -1;
  while (subject != nullptr && (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0)
    last = i;
  if (last < 0) return std::string();
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, last)));
  if (n < 0) return std::string();
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

// Calls visit(kind, shown, identity) for each SIP domain identity of `cert` (RFC 5922 §7.1)
// until it returns true; `shown` is the value as the certificate has it, for log lines.
template <typename Visit>
void for_each_identity(X509* cert, Visit&& visit) {
  int found = 0;
  SanPtr sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, &found, nullptr)));
  if (found == -1) {  // no subjectAltName extension at all: the CN, for backward compatibility
    std::string cn = last_common_name(cert);
    if (!cn.empty()) visit("CN:", cn, cn);
    return;
  }
  // An undecodable or repeated extension (found == -2 or a decode error) names nothing.
  int n = sans ? sk_GENERAL_NAME_num(sans.get()) : 0;
  bool uri_seen = false;
  for (int i = 0; i < n; ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans.get(), i);
    if (gn->type != GEN_URI) continue;
    std::string_view uri = asn1_view(gn->d.uniformResourceIdentifier);
    std::string_view host = sip_uri_host(uri);
    if (host.empty()) continue;
    uri_seen = true;
    if (visit("URI:", uri, host)) return;
  }
  if (uri_seen) return;  // dNSName only when no "sip" URI identity is present
  for (int i = 0; i < n; ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans.get(), i);
    if (gn->type != GEN_DNS) continue;
    std::string_view dns = asn1_view(gn->d.dNSName);
    if (visit("DNS:", dns, dns)) return;
  }
}

// A peer's bytes in our log line, escaped as every peer-supplied text is (core/base/log.h).
void append_printable(std::string& out, std::string_view text) {
  out += core::LogEscaped(text).view();
}

}  // namespace

bool certificate_names(X509* cert, std::string_view name, PeerNameRules rules) {
  name = without_root_dot(name);
  if (cert == nullptr || name.empty()) return false;
  bool named = false;
  for_each_identity(cert, [&](const char*, std::string_view, std::string_view identity) {
    named = identity_names(identity, name, rules);
    return named;
  });
  return named;
}

std::string certificate_identities(X509* cert) {
  std::string out;
  int listed = 0;
  if (cert != nullptr) {
    for_each_identity(cert, [&](const char* kind, std::string_view shown, std::string_view) {
      if (listed++ == kMaxListed) {
        out += ", ...";
        return true;
      }
      if (!out.empty()) out += ", ";
      out += kind;
      append_printable(out, shown);
      return false;
    });
  }
  return out.empty() ? "none" : out;
}

std::string peer_name_mismatch(X509* cert, std::string_view name, PeerNameRules rules) {
  std::string line = "peer certificate does not name ";
  append_printable(line, name);
  line += " (it names " + certificate_identities(cert);
  if (!rules.wildcards && certificate_names(cert, name, PeerNameRules{true}))
    line += "; a wildcard names a peer only with tls_verify_wildcards = yes";
  line += ") (RFC 5922: SAN URI sip:/dNSName; CN only without SAN)";
  return line;
}

}  // namespace tls
