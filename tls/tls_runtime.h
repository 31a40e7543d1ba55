#pragma once
// The TLS subsystem as the core sees it (DESIGN.md principle 1): no OpenSSL header here, so
// core/ can hold a TlsRuntime without knowing OpenSSL. Built from the checked configuration:
// the domain set (one SSL_CTX per domain), the socket factories for TLS listeners and for
// outbound TLS, the per-IP handshake limiter and the counters.
#include <memory>
#include <string>

#include "cfg/config_model.h"
#include "cfg/diagnostics.h"
#include "core/net/transport_socket.h"

namespace tls {

class TlsRuntime {
 public:
  virtual ~TlsRuntime() = default;

  // Builds and validates every domain; nullptr (with the reasons in diags) when one fails.
  static std::unique_ptr<TlsRuntime> create(const cfg::Config& config, cfg::Diagnostics& diags);

  // The factory of every TLS listener (the domain is chosen per accepted socket and by SNI).
  virtual core::net::TransportSocketFactory* server_factory() = 0;
  // The factory for outbound TLS connections (Net::set_client_factory).
  virtual core::net::TransportSocketFactory* client_factory() = 0;
  // One line of counters for the stop log: handshakes done, failed by reason, timeouts.
  virtual std::string stats_line() const = 0;
};

// `ser -c` and start-up: builds the domain set only to validate it (files, keys, chains,
// expiry, cipher lists). Returns false when an error was reported.
bool validate_tls(const cfg::Config& config, cfg::Diagnostics& diags);

// "OpenSSL 3.0.x ..." for -V and the start log line.
std::string library_version();

}  // namespace tls
