#include "tls/builtin_key_methods.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/unit/tls/test_certs.h"
#include "tls/ossl_ptr.h"

namespace tls {
namespace {

// The certificates of a PEM file in order (leaf first), each decoded from DER as a TLS
// client decodes what the server sends.
std::vector<X509Ptr> read_chain(const std::string& name) {
  std::vector<X509Ptr> chain;
  std::string path = test::TestCerts::get().path(name);
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  while (X509* pem = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    unsigned char* der = nullptr;
    int len = i2d_X509(pem, &der);
    const unsigned char* p = der;
    chain.emplace_back(d2i_X509(nullptr, &p, len));
    OPENSSL_free(der);
    X509_free(pem);
  }
  return chain;
}

// A copy of `cert` with one bit of its signature flipped.
X509Ptr with_bad_signature(X509* cert) {
  X509Ptr copy(X509_dup(cert));
  const ASN1_BIT_STRING* sig = nullptr;
  X509_get0_signature(&sig, nullptr, copy.get());
  auto* bits = const_cast<ASN1_BIT_STRING*>(sig);
  bits->data[bits->length / 2] ^= 0x01;
  return copy;
}

void expect_keys_and_signatures(const std::string& name, bool builtin) {
  SCOPED_TRACE(name);
  auto chain = read_chain(name);
  ASSERT_EQ(chain.size(), 2u) << "leaf and intermediate";
  EVP_PKEY* leaf_key = X509_get0_pubkey(chain[0].get());
  EVP_PKEY* issuer_key = X509_get0_pubkey(chain[1].get());
  ASSERT_NE(leaf_key, nullptr);
  ASSERT_NE(issuer_key, nullptr);
  // A provider key carries its provider; a key of the built-in methods has none.
  EXPECT_EQ(EVP_PKEY_get0_provider(leaf_key) == nullptr, builtin);
  EXPECT_EQ(EVP_PKEY_get0_provider(issuer_key) == nullptr, builtin);
  // The signature check is still a check: the genuine certificate passes, an altered one not.
  EXPECT_EQ(X509_verify(chain[0].get(), issuer_key), 1);
  EXPECT_NE(X509_verify(with_bad_signature(chain[0].get()).get(), issuer_key), 1);
}

TEST(BuiltinKeyMethods, CertificateKeysComeFromThemAndSignaturesStillFail) {
  // ctest runs each test in its own process; in one process another test may have set them.
  if (!builtin_key_methods_in_use()) {
    expect_keys_and_signatures("server.pem", false);     // RSA, OpenSSL's provider decoders
    expect_keys_and_signatures("server-ec.pem", false);  // ECDSA P-256
  }
  std::string error;
  ASSERT_TRUE(use_builtin_key_methods(&error)) << error;
  ASSERT_TRUE(use_builtin_key_methods(&error)) << "a second call is a no-op";
  EXPECT_TRUE(builtin_key_methods_in_use());
  expect_keys_and_signatures("server.pem", true);
  expect_keys_and_signatures("server-ec.pem", true);
}

}  // namespace
}  // namespace tls
