#pragma once
// Does a peer certificate name the SIP domain we connected to? RFC 5922 §7, as a pure function
// over the certificate (no handshake, no SSL), so every rule is unit-testable.
//
// §7.1, the identities of a certificate:
//  - each subjectAltName URI of scheme "sip" without a user part gives its host part ("sips"
//    URIs are not SIP domain identities: §7.1 says so explicitly; nor is "sip:user@host");
//  - each subjectAltName dNSName, but only when there is no such "sip" URI identity ("if and
//    only if no other identity is found that matches the sip URI type");
//  - the subject CN only when the certificate has no subjectAltName extension at all.
// §7.2, the comparison: DNS names, case-insensitive, whole names only. No wildcard matches
// ("*.example.net" names only "*.example.net") unless the client domain opts in
// (tls_verify_wildcards): then a leftmost label that is exactly "*" matches one label, never a
// partial label ("f*.example.net") and never a bare public suffix ("*.net").
//
// IP literals are not handled here: the engine checks them against the IP SANs (RFC 5922
// §7.2 compares domain names; an address is matched as OpenSSL's X509_check_ip_asc does).
#include <openssl/x509.h>

#include <string>
#include <string_view>

namespace tls {

struct PeerNameRules {
  bool wildcards = false;  // tls_verify_wildcards: "*.example.net" may name "sip.example.net"
};

// True when `cert` names the SIP domain `name` (a host name, not an IP literal).
bool certificate_names(X509* cert, std::string_view name, PeerNameRules rules);

// The identities `cert` offers under RFC 5922 §7.1, for a failure line:
// "URI:sip:a.example.net, DNS:b.example.net" or "CN:c.example.net"; "none" when it has none.
std::string certificate_identities(X509* cert);

// The reason of a failed check, for the handshake failure line:
// "peer certificate does not name sip.example.net (it names DNS:*.example.net; a wildcard
// matches only with tls_verify_wildcards = yes) (RFC 5922: SAN URI sip:/dNSName; CN only
// without SAN)".
std::string peer_name_mismatch(X509* cert, std::string_view name, PeerNameRules rules);

}  // namespace tls
