#pragma once
// OpenSSL 3.0 decodes the public key of every certificate a TLS client receives through its
// provider decoders, which look up and chain every decoder of the library each time: ~95 us
// per certificate on this project's bench machine, half of a load tool's CPU in a full
// handshake (two certificates). The built-in (1.1.1-era) RSA and EC key methods decode the
// same key in 9-19 us; OpenSSL takes that path for a key type an ENGINE claims.
// use_legacy_key_decoding() registers an ENGINE that claims RSA and EC keys with OpenSSL's
// own built-in methods (copied, not replaced): certificates parse faster and their
// signatures are checked by the same built-in RSA/ECDSA code. Keys loaded from files
// (--cert/--key) are provider keys and are not affected.
#include <string>

namespace sipbench {

// Once per process; false and `error` set when OpenSSL has no ENGINE support or refuses.
bool use_legacy_key_decoding(std::string* error);

}  // namespace sipbench
