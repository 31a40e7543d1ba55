#pragma once
// OpenSSL 3.0 decodes the public key of every certificate it parses (a peer's chain in a
// handshake, the peer certificate again when a TLS 1.3 session ticket is made) through its
// provider decoders, which look up and chain every decoder of the library each time: ~95 us
// per certificate on this project's bench machine, more with two threads contending for the
// library's locks. The built-in (1.1.1-era) RSA and EC key methods decode the same key in
// 9-19 us; OpenSSL takes that path for a key type an ENGINE claims.
//
// use_builtin_key_methods() registers an ENGINE that claims RSA and EC keys with OpenSSL's own
// built-in methods (copied, not replaced): certificates parse faster and their signatures are
// checked by the same built-in RSA/ECDSA code, and a bad signature still fails. Keys loaded
// from files (certificates' private keys) are provider keys and are not affected; other key
// types (Ed25519, RSA-PSS keys) stay on the providers. It bypasses the provider of a FIPS
// configuration for those key types: ser's `tls_builtin_key_methods = no` keeps it off.
// Process-wide and for the process's life: call it before the threads that use OpenSSL start.
#include <string>

namespace tls {

// Once per process; false and `error` set when OpenSSL has no ENGINE support or refuses.
bool use_builtin_key_methods(std::string* error);
// Whether use_builtin_key_methods() succeeded in this process.
bool builtin_key_methods_in_use();

}  // namespace tls
