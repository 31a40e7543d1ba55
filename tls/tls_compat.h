#pragma once
// Every OpenSSL version difference of tls/ lives here (STYLE.md, after HAProxy's
// openssl-compat.h). The target is OpenSSL 3.0 (Debian 12); 1.1.1 still builds, with the
// fallbacks below. Nothing else in tls/ tests OPENSSL_VERSION_NUMBER.
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "tls/ossl_ptr.h"

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core_names.h>
#include <openssl/params.h>
#define SER_OPENSSL_3 1
#else
#include <openssl/hmac.h>
#define SER_OPENSSL_3 0
#endif

// 1.1.0h+: refuses every renegotiation; 3.0 adds SSL_OP_NO_CLIENT_RENEGOTIATION for the
// client-initiated kind only. Where a flag is missing it is 0, so OR-ing it is harmless.
#ifndef SSL_OP_NO_RENEGOTIATION
#define SSL_OP_NO_RENEGOTIATION 0
#endif
#ifndef SSL_OP_NO_CLIENT_RENEGOTIATION
#define SSL_OP_NO_CLIENT_RENEGOTIATION 0
#endif
// 3.0: client-initiated renegotiation is refused unless this is set.
#ifndef SSL_OP_ALLOW_CLIENT_RENEGOTIATION
#define SSL_OP_ALLOW_CLIENT_RENEGOTIATION 0
#endif

namespace tls::compat {

// OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1 signatures) at security level 1 and above: a
// tls_method that asks for them must lower the level to 0 (1.1.1 allows them at level 1).
inline constexpr int kLegacyTlsSecurityLevel = SER_OPENSSL_3 ? 0 : 1;

// The RFC 7919 ffdhe2048 group as DH parameters, for DHE suites when no tls_dh_params is given.
inline EvpPkeyPtr ffdhe2048() {
#if SER_OPENSSL_3
  EvpPkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr));
  if (!pctx || EVP_PKEY_fromdata_init(pctx.get()) <= 0) return nullptr;
  char group[] = "ffdhe2048";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
                         OSSL_PARAM_construct_end()};
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_fromdata(pctx.get(), &pkey, EVP_PKEY_KEY_PARAMETERS, params) <= 0) return nullptr;
  return EvpPkeyPtr(pkey);
#else
  DH* dh = DH_new_by_nid(NID_ffdhe2048);
  if (dh == nullptr) return nullptr;
  EvpPkeyPtr pkey(EVP_PKEY_new());
  if (!pkey || EVP_PKEY_assign_DH(pkey.get(), dh) != 1) {
    DH_free(dh);
    return nullptr;
  }
  return pkey;
#endif
}

// Reads PEM DH parameters (`openssl dhparam` output); nullptr when there are none.
inline EvpPkeyPtr read_dh_params(BIO* bio) {
#if SER_OPENSSL_3
  EvpPkeyPtr pkey(PEM_read_bio_Parameters(bio, nullptr));
  if (pkey && !EVP_PKEY_is_a(pkey.get(), "DH") && !EVP_PKEY_is_a(pkey.get(), "DHX")) return nullptr;
  return pkey;
#else
  DH* dh = PEM_read_bio_DHparams(bio, nullptr, nullptr, nullptr);
  if (dh == nullptr) return nullptr;
  EvpPkeyPtr pkey(EVP_PKEY_new());
  if (!pkey || EVP_PKEY_assign_DH(pkey.get(), dh) != 1) {
    DH_free(dh);
    return nullptr;
  }
  return pkey;
#endif
}

// Installs DH parameters on the context; takes `pkey` (OpenSSL owns it on success).
inline bool set_tmp_dh(SSL_CTX* ctx, EvpPkeyPtr pkey) {
#if SER_OPENSSL_3
  if (SSL_CTX_set0_tmp_dh_pkey(ctx, pkey.get()) != 1) return false;
  (void)pkey.release();
  return true;
#else
  return SSL_CTX_set_tmp_dh(ctx, EVP_PKEY_get0_DH(pkey.get())) == 1;  // copies
#endif
}

// The library's TLS 1.3 ciphersuites, to restore them on an SSL switched to a domain that
// sets none.
inline const char* default_ciphersuites() {
#if SER_OPENSSL_3
  return OSSL_default_ciphersuites();
#else
  return TLS_DEFAULT_CIPHERSUITES;
#endif
}

// Session ticket callbacks: 3.0 passes an EVP_MAC_CTX, 1.1.1 an HMAC_CTX.
#if SER_OPENSSL_3
using TicketMacCtx = EVP_MAC_CTX;
#else
using TicketMacCtx = HMAC_CTX;
#endif
using TicketKeyCb = int (*)(SSL*, unsigned char* key_name, unsigned char* iv,
                            EVP_CIPHER_CTX* cipher, TicketMacCtx* mac, int enc);

inline bool set_ticket_key_cb(SSL_CTX* ctx, TicketKeyCb cb) {
#if SER_OPENSSL_3
  return SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, cb) == 1;
#else
  return SSL_CTX_set_tlsext_ticket_key_cb(ctx, cb) == 1;
#endif
}

// The ticket cipher, AES-256-CBC (RFC 5077 section 4). OpenSSL 3.0 looks an EVP_aes_256_cbc()
// up in its provider store at every EVP_EncryptInit_ex (about 5 us, measured here, against
// 0.8 us for one fetched once): a resumed TLS 1.3 handshake decrypts one ticket and encrypts
// the next. Fetched once for the process, never freed.
inline const EVP_CIPHER* ticket_cipher() {
#if SER_OPENSSL_3
  static const EVP_CIPHER* const cipher = [] {
    const EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
    return fetched != nullptr ? fetched : EVP_aes_256_cbc();
  }();
  return cipher;
#else
  return EVP_aes_256_cbc();
#endif
}

// Keys the ticket MAC with HMAC-SHA256 (RFC 5077 section 4's recommended construction).
inline bool init_ticket_mac(TicketMacCtx* mac, const unsigned char* key, size_t len) {
#if SER_OPENSSL_3
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(key), len),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  return EVP_MAC_CTX_set_params(mac, params) == 1;
#else
  return HMAC_Init_ex(mac, key, static_cast<int>(len), EVP_sha256(), nullptr) == 1;
#endif
}

}  // namespace tls::compat
