#pragma once
// The TLS subsystem as the core sees it (DESIGN.md principle 1): no OpenSSL header here, so
// core/ can hold a TlsRuntime without knowing OpenSSL. Built from the checked configuration:
// the domain set (one SSL_CTX per domain), the socket factories for TLS listeners and for
// outbound TLS, the per-IP handshake limiter and the counters. A reload replaces the domain
// set only: the limiter (with the handshakes it paces), the session ticket keys of each
// domain and the counters stay.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cfg/config_model.h"
#include "cfg/diagnostics.h"
#include "core/control/server_control.h"
#include "core/net/transport_socket.h"

namespace tls {

class DomainSet;

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

  // A reload, step 1: builds and validates a new domain set from `config` beside the one in
  // service (each server domain keeps its session ticket keys, so sessions resume across the
  // reload). Nothing changes; nullptr (diags say why) when it fails.
  virtual std::shared_ptr<const DomainSet> build_domains(const cfg::Config& config,
                                                         cfg::Diagnostics& diags) = 0;
  // Step 2: new connections use `domains` from now on; live ones keep the set they started
  // with (each TLS socket holds a reference), which is freed with the last of them.
  virtual void use_domains(std::shared_ptr<const DomainSet> domains) = 0;
  // The set in service.
  virtual std::shared_ptr<const DomainSet> domains() const = 0;

  // The control plane's view (core::control::ServerControl); a runtime without TLS has none.
  // Each domain of the set in service: certificate file, subject, SANs, notAfter and its
  // expiry at `now` (unix seconds) by the policy of tls/cert_expiry.h.
  virtual std::vector<core::control::DomainInfo> domain_infos(int64_t /*now*/) const { return {}; }
  // Appends the TLS counters (handshakes done, failed by reason, timed out ...) and each
  // domain's certificate notAfter as a timestamp gauge.
  virtual void append_metrics(std::vector<core::control::Metric>& /*out*/, int64_t /*now*/) const {}
  // Logs certificate expiry warnings by that policy (ExpiryWatch): `just_checked` at start and
  // after a reload, when the configuration check has said it. Call from the control thread.
  virtual void check_expiry(int64_t /*now*/, bool /*just_checked*/) {}
  // The files the set in service was built from (certificates, keys, CA lists and
  // directories, CRLs, DH parameters): what tls_reload_on_change watches.
  virtual std::vector<std::string> files() const = 0;
};

// `ser -c` and start-up: builds the domain set only to validate it (files, keys, chains,
// expiry, cipher lists). Returns false when an error was reported.
bool validate_tls(const cfg::Config& config, cfg::Diagnostics& diags);

// "OpenSSL 3.0.x ..." for -V and the start log line.
std::string library_version();

}  // namespace tls
