// ENGINE and EVP_PKEY_METHOD are deprecated in OpenSSL 3.0 but still built; this is the only
// way to reach the built-in key decoders from a TLS handshake (see the header).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "tls/builtin_key_methods.h"

#include <openssl/opensslconf.h>
#include <openssl/opensslv.h>

// Without ENGINE support the providers stay in use: OpenSSL built with no-engine, a system
// that ships <openssl/engine.h> apart (Fedora's openssl-devel-engine), and OpenSSL 4, which
// removed ENGINEs (3.2 and later also cache their decoders, which mends most of the cost).
#if __has_include(<openssl/engine.h>) && !defined(OPENSSL_NO_ENGINE) && \
    !defined(OPENSSL_NO_DEPRECATED_3_0) && OPENSSL_VERSION_MAJOR < 4
#define SER_HAVE_ENGINE 1
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#endif

#include <array>
#include <atomic>

namespace tls {

#ifndef SER_HAVE_ENGINE

bool use_builtin_key_methods(std::string* error) {
  *error = "this OpenSSL (" OPENSSL_VERSION_TEXT ") has no ENGINE support";
  return false;
}

bool builtin_key_methods_in_use() {
  return false;
}

#else

namespace {

constexpr std::array<int, 2> kKeyTypes = {EVP_PKEY_RSA, EVP_PKEY_EC};
std::array<EVP_PKEY_METHOD*, kKeyTypes.size()> methods{};
// The ENGINE in use, for the process's life: never finished nor freed. Held here too, so that
// a leak checker still sees it after OpenSSL's cleanup at exit has emptied its engine list.
std::atomic<ENGINE*> kept_engine{nullptr};

// The ENGINE's list of key methods: OpenSSL asks for the types (pm null), then per type.
int key_methods(ENGINE*, EVP_PKEY_METHOD** pm, const int** types, int type) {
  if (pm == nullptr) {
    *types = kKeyTypes.data();
    return static_cast<int>(kKeyTypes.size());
  }
  for (size_t i = 0; i < kKeyTypes.size(); ++i) {
    if (kKeyTypes[i] == type) {
      *pm = methods[i];
      return 1;
    }
  }
  *pm = nullptr;
  return 0;
}

bool register_engine(std::string* error) {
  for (size_t i = 0; i < kKeyTypes.size(); ++i) {
    const EVP_PKEY_METHOD* builtin = EVP_PKEY_meth_find(kKeyTypes[i]);
    int flags = 0;
    if (builtin) EVP_PKEY_meth_get0_info(nullptr, &flags, builtin);
    methods[i] = builtin ? EVP_PKEY_meth_new(kKeyTypes[i], flags) : nullptr;
    if (methods[i] == nullptr) {
      *error = "no built-in method for key type " + std::to_string(kKeyTypes[i]);
      return false;
    }
    EVP_PKEY_meth_copy(methods[i], builtin);
  }
  ENGINE* engine = ENGINE_new();
  bool ok = engine && ENGINE_set_id(engine, "ser-builtin-keys") &&
            ENGINE_set_name(engine, "OpenSSL's built-in RSA and EC key methods") &&
            ENGINE_set_pkey_meths(engine, &key_methods) && ENGINE_init(engine) &&
            ENGINE_set_default_pkey_meths(engine);
  if (ok) {
    kept_engine = engine;
  } else {
    *error = "ENGINE set-up refused";
    if (engine) ENGINE_free(engine);
  }
  ERR_clear_error();
  return ok;
}

std::string failure;

}  // namespace

bool use_builtin_key_methods(std::string* error) {
  static const bool ok = register_engine(&failure);
  if (!ok) *error = failure;
  return ok;
}

bool builtin_key_methods_in_use() {
  return kept_engine.load() != nullptr;
}

#endif  // SER_HAVE_ENGINE

}  // namespace tls
