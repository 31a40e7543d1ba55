#pragma once
// Owning handles for OpenSSL objects (STYLE.md: OpenSSL objects only through these aliases).
// Each alias frees with the matching *_free; `up_ref` helpers take an extra reference where
// OpenSSL hands out a borrowed pointer that we want to keep.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

namespace tls {

// A stateless deleter calling F; keeps the unique_ptr the size of a raw pointer.
template <auto F>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    if (p != nullptr) F(p);
  }
};

// X509 stacks own their certificates: pop_free frees each one, then the stack.
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * s) const noexcept {
    if (s != nullptr) sk_X509_pop_free(s, X509_free);
  }
};
struct X509NameStackDeleter {
  void operator()(STACK_OF(X509_NAME) * s) const noexcept {
    if (s != nullptr) sk_X509_NAME_pop_free(s, X509_NAME_free);
  }
};
struct X509InfoStackDeleter {
  void operator()(STACK_OF(X509_INFO) * s) const noexcept {
    if (s != nullptr) sk_X509_INFO_pop_free(s, X509_INFO_free);
  }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, OsslDeleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OsslDeleter<SSL_free>>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, OsslDeleter<SSL_SESSION_free>>;
using X509Ptr = std::unique_ptr<X509, OsslDeleter<X509_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OsslDeleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OsslDeleter<X509_STORE_CTX_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OsslDeleter<X509_CRL_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OsslDeleter<X509_NAME_free>>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;
using X509NameStackPtr = std::unique_ptr<STACK_OF(X509_NAME), X509NameStackDeleter>;
using X509InfoStackPtr = std::unique_ptr<STACK_OF(X509_INFO), X509InfoStackDeleter>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<EVP_PKEY_CTX_free>>;
using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OsslDeleter<EVP_CIPHER_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<BIO_free_all>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OsslDeleter<ASN1_TIME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OsslDeleter<GENERAL_NAMES_free>>;

// Takes a new reference on a borrowed X509 (e.g. from SSL_get0_peer_certificate).
inline X509Ptr x509_up_ref(X509* x) {
  if (x != nullptr) X509_up_ref(x);
  return X509Ptr(x);
}
// Takes a new reference on a borrowed SSL_CTX (e.g. for a connection that outlives a reload).
inline SslCtxPtr ssl_ctx_up_ref(SSL_CTX* c) {
  if (c != nullptr) SSL_CTX_up_ref(c);
  return SslCtxPtr(c);
}
inline EvpPkeyPtr evp_pkey_up_ref(EVP_PKEY* k) {
  if (k != nullptr) EVP_PKEY_up_ref(k);
  return EvpPkeyPtr(k);
}

}  // namespace tls
