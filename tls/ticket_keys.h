#pragma once
// Session ticket keys of one server context (RFC 5077; TLS 1.3 tickets, RFC 8446 section
// 4.6.1, go through the same callback). OpenSSL's own ticket key is made once per SSL_CTX and
// never changes, so a stolen key would decrypt every session ever resumed with it. Here a
// current key encrypts new tickets and the previous one still decrypts older tickets; keys
// rotate by age, checked at each use (no timer needed; an idle server rotates at its next
// handshake). A ticket decrypted with the previous key is renewed.
//
// With tls_ticket_key_file the keys are the file's instead (fixed keys, shared by several
// nodes, issue #10): the first encrypts, every one decrypts (a ticket under another is
// renewed), and nothing rotates but the operator replacing the file and reloading.
#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tls/tls_compat.h"

namespace tls {

// One key of the file, in nginx's 80-byte layout (ssl_session_ticket_key): name, HMAC secret,
// AES key.
struct TicketKey {
  std::array<unsigned char, 16> name{};
  std::array<unsigned char, 32> hmac{};
  std::array<unsigned char, 32> aes{};
};

class TicketKeys {
 public:
  // Seconds since an arbitrary epoch; steady in production, controlled in tests.
  using Clock = std::function<int64_t()>;
  static constexpr std::chrono::seconds kDefaultRotation{3600};

  explicit TicketKeys(std::chrono::seconds rotation = kDefaultRotation, Clock clock = {});

  // Installs a new TicketKeys and the ticket callback on `ctx` (which owns the keys from then
  // on) and makes the session lifetime equal to the rotation period, so that a ticket stays
  // decryptable for as long as it is valid. False when OpenSSL refused.
  static bool install(SSL_CTX* ctx, std::chrono::seconds rotation = kDefaultRotation,
                      Clock clock = {});
  // The same with keys shared with other contexts: the context of a domain after a reload
  // takes over the keys of the context it replaces, so tickets issued before still resume.
  static bool install(SSL_CTX* ctx, std::shared_ptr<TicketKeys> keys);
  // Only the callback, on a context with tickets off: OpenSSL calls the callback of the
  // connection's first context even after an SNI switch, and the callback then uses the keys
  // of the selected domain (or refuses tickets when it has none) instead of the first
  // context's built-in, never rotated key.
  static bool install_callback(SSL_CTX* ctx);
  // The keys installed on `ctx`, or nullptr.
  static TicketKeys* of(const SSL_CTX* ctx);

  using KeyName = std::array<unsigned char, 16>;
  KeyName current_name();
  uint64_t rotations();

  // From now on the keys are `keys` (not empty; the first encrypts), never rotated: the keys of
  // tls_ticket_key_file. Called again with the file's new keys at a reload.
  void use_fixed(const std::vector<TicketKey>& keys);

  // The OpenSSL callback body (see SSL_CTX_set_tlsext_ticket_key_evp_cb(3)): 1 ok, 2 ok and
  // renew the ticket, 0 unknown key (full handshake), -1 error.
  int on_ticket(unsigned char* key_name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                compat::TicketMacCtx* mac, bool encrypt);

 private:
  struct Key {
    KeyName name{};
    std::array<unsigned char, 32> aes{};
    std::array<unsigned char, 32> hmac{};
    int64_t created = 0;
    bool valid = false;
  };

  bool make_key(Key* key, int64_t now);
  void rotate_if_due(int64_t now);  // with mu_ held
  // With mu_ held: the key for `key_name` (any key when encrypting); false when none fits.
  bool pick(const unsigned char* key_name, bool encrypt, Key* key, bool* renew);
  int64_t now() const;

  const int64_t rotation_s_;
  const Clock clock_;
  std::mutex mu_;
  Key current_;
  Key previous_;
  std::vector<Key> fixed_;  // tls_ticket_key_file's keys; empty: current_/previous_ rotate
  uint64_t rotations_ = 0;
};

// The ticket keys of each server domain by its key (TlsDomainConfig::key()), kept across
// reloads: the domain set built by a reload asks for the keys of each of its domains and gets
// the ones in service. Thread-safe.
class TicketKeyStore {
 public:
  // The keys of domain `domain_key`, made on first use; while shared keys are in use
  // (use_shared(true): tls_ticket_key_file), the one set every domain shares.
  std::shared_ptr<TicketKeys> for_domain(const std::string& domain_key);
  // Domains built from now on take the shared keys (the file's), or each its own.
  void use_shared(bool shared);
  // The keys every domain shares under tls_ticket_key_file (made on first use).
  std::shared_ptr<TicketKeys> shared();
  // Forgets the domains not in `domain_keys` (after a reload removed them; contexts still
  // holding their keys keep them alive).
  void keep_only(const std::vector<std::string>& domain_keys);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<TicketKeys>> keys_;
  std::shared_ptr<TicketKeys> shared_;
  bool use_shared_ = false;
};

}  // namespace tls
