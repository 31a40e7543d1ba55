#include "tls/tls_conn_state.h"

#include "tls/tls_engine.h"

namespace tls {

namespace {

int state_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace

TlsConnState* TlsConnState::of(const SSL* ssl) {
  if (ssl == nullptr || state_index() < 0) return nullptr;
  return static_cast<TlsConnState*>(SSL_get_ex_data(ssl, state_index()));
}

bool TlsConnState::attach(SSL* ssl) {
  return state_index() >= 0 && SSL_set_ex_data(ssl, state_index(), this) == 1;
}

int verify_callback(int ok, X509_STORE_CTX* store) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  TlsConnState* state = TlsConnState::of(ssl);
  if (state == nullptr) return ok;
  if (ok == 1 && state->engine != nullptr) ok = state->engine->check_peer_name(store);
  if (ok == 0 && state->verify.error == X509_V_OK) {
    state->verify.error = X509_STORE_CTX_get_error(store);
    state->verify.depth = X509_STORE_CTX_get_error_depth(store);
  }
  return ok;
}

}  // namespace tls
