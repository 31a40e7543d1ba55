#include "tls/ticket_keys.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

namespace tls {

namespace {

using SharedKeys = std::shared_ptr<TicketKeys>;

// The context holds one reference to its keys (others may hold more: a TicketKeyStore, the
// context that replaced it at a reload).
void free_keys(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<SharedKeys*>(ptr);
}

int keys_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_keys);
  return index;
}

int ticket_cb(SSL* ssl, unsigned char* key_name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
              compat::TicketMacCtx* mac, int enc) {
  // After an SNI switch this is the selected domain's context: its keys, not the first one's.
  TicketKeys* keys = TicketKeys::of(SSL_get_SSL_CTX(ssl));
  if (keys == nullptr) return 0;  // that domain has tickets off: none issued, none accepted
  int rc = keys->on_ticket(key_name, iv, cipher, mac, enc != 0);
  // A TLS 1.3 client uses each ticket once (RFC 8446 §4.6.1, appendix C.4), so a resumption
  // must hand it the next one. OpenSSL 3 sends a NewSessionTicket after a resumed TLS 1.3
  // handshake only when the key callback asks for renewal (tls_parse_ctos_psk clears
  // ticket_expected, tls_decrypt_ticket sets it again only for a renewal): without this the
  // client gets no ticket, and its next connection is a full handshake, or it waits for one.
  if (rc == 1 && enc == 0 && SSL_version(ssl) == TLS1_3_VERSION) return 2;
  return rc;
}

}  // namespace

TicketKeys::TicketKeys(std::chrono::seconds rotation, Clock clock)
    : rotation_s_(rotation.count() > 0 ? rotation.count() : 1), clock_(std::move(clock)) {}

bool TicketKeys::install(SSL_CTX* ctx, std::chrono::seconds rotation, Clock clock) {
  return install(ctx, std::make_shared<TicketKeys>(rotation, std::move(clock)));
}

bool TicketKeys::install(SSL_CTX* ctx, std::shared_ptr<TicketKeys> keys) {
  if (!keys || keys_index() < 0) return false;
  const long lifetime = static_cast<long>(keys->rotation_s_);
  auto* held = new SharedKeys(std::move(keys));
  if (SSL_CTX_set_ex_data(ctx, keys_index(), held) != 1) {
    delete held;
    return false;
  }
  SSL_CTX_set_timeout(ctx, lifetime);
  return compat::set_ticket_key_cb(ctx, ticket_cb);
}

bool TicketKeys::install_callback(SSL_CTX* ctx) {
  return compat::set_ticket_key_cb(ctx, ticket_cb);
}

TicketKeys* TicketKeys::of(const SSL_CTX* ctx) {
  if (ctx == nullptr || keys_index() < 0) return nullptr;
  auto* held = static_cast<SharedKeys*>(SSL_CTX_get_ex_data(ctx, keys_index()));
  return held != nullptr ? held->get() : nullptr;
}

int64_t TicketKeys::now() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool TicketKeys::make_key(Key* key, int64_t now) {
  key->valid = RAND_bytes(key->name.data(), key->name.size()) == 1 &&
               RAND_bytes(key->aes.data(), key->aes.size()) == 1 &&
               RAND_bytes(key->hmac.data(), key->hmac.size()) == 1;
  key->created = now;
  return key->valid;
}

void TicketKeys::rotate_if_due(int64_t now) {
  if (current_.valid && now - current_.created < rotation_s_) return;
  // Older than two periods: its tickets have expired too, keep neither key.
  bool keep = current_.valid && now - current_.created < 2 * rotation_s_;
  previous_ = keep ? current_ : Key{};
  if (current_.valid) ++rotations_;
  make_key(&current_, now);
}

TicketKeys::KeyName TicketKeys::current_name() {
  std::lock_guard<std::mutex> lock(mu_);
  rotate_if_due(now());
  return current_.name;
}

uint64_t TicketKeys::rotations() {
  std::lock_guard<std::mutex> lock(mu_);
  return rotations_;
}

void TicketKeys::use_fixed(const std::vector<TicketKey>& keys) {
  std::vector<Key> fixed;
  for (const TicketKey& k : keys) fixed.push_back(Key{k.name, k.aes, k.hmac, 0, true});
  std::lock_guard<std::mutex> lock(mu_);
  fixed_ = std::move(fixed);
}

bool TicketKeys::pick(const unsigned char* key_name, bool encrypt, Key* key, bool* renew) {
  if (!fixed_.empty()) {
    for (size_t i = 0; i < fixed_.size(); ++i) {
      if (!encrypt && std::memcmp(key_name, fixed_[i].name.data(), 16) != 0) continue;
      *key = fixed_[i];
      *renew = i > 0;  // a ticket under an older key gets one under the first
      return true;
    }
    return false;
  }
  rotate_if_due(now());
  if (encrypt || (current_.valid && std::memcmp(key_name, current_.name.data(), 16) == 0)) {
    *key = current_;
    return true;
  }
  if (previous_.valid && std::memcmp(key_name, previous_.name.data(), 16) == 0) {
    *key = previous_;
    *renew = true;
    return true;
  }
  return false;
}

int TicketKeys::on_ticket(unsigned char* key_name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                          compat::TicketMacCtx* mac, bool encrypt) {
  Key key;
  bool renew = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Unknown or retired key: a full handshake, not an error.
    if (!pick(key_name, encrypt, &key, &renew)) return 0;
  }
  if (!key.valid) return -1;
  const EVP_CIPHER* aes = compat::ticket_cipher();
  if (encrypt) {
    std::memcpy(key_name, key.name.data(), 16);
    if (RAND_bytes(iv, EVP_CIPHER_iv_length(aes)) != 1) return -1;
    if (EVP_EncryptInit_ex(cipher, aes, nullptr, key.aes.data(), iv) != 1) return -1;
  } else if (EVP_DecryptInit_ex(cipher, aes, nullptr, key.aes.data(), iv) != 1) {
    return -1;
  }
  if (!compat::init_ticket_mac(mac, key.hmac.data(), key.hmac.size())) return -1;
  return renew ? 2 : 1;
}

std::shared_ptr<TicketKeys> TicketKeyStore::for_domain(const std::string& domain_key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (use_shared_) {
    if (!shared_) shared_ = std::make_shared<TicketKeys>();
    return shared_;
  }
  auto& keys = keys_[domain_key];
  if (!keys) keys = std::make_shared<TicketKeys>();
  return keys;
}

void TicketKeyStore::use_shared(bool shared) {
  std::lock_guard<std::mutex> lock(mu_);
  use_shared_ = shared;
}

std::shared_ptr<TicketKeys> TicketKeyStore::shared() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!shared_) shared_ = std::make_shared<TicketKeys>();
  return shared_;
}

void TicketKeyStore::keep_only(const std::vector<std::string>& domain_keys) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = keys_.begin(); it != keys_.end();) {
    bool kept = std::find(domain_keys.begin(), domain_keys.end(), it->first) != domain_keys.end();
    it = kept ? std::next(it) : keys_.erase(it);
  }
}

size_t TicketKeyStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.size();
}

}  // namespace tls
