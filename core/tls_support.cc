#include "core/tls_support.h"

#include "cfg/param_table.h"
#include "core/base/library_memory.h"
#if SER_WITH_TLS
#include "tls/builtin_key_methods.h"
#include "tls/openssl_memory.h"
#endif

namespace core {

namespace {

// The runtime of a proxy that serves no TLS: no listener factory, no outbound TLS (Net refuses
// a tls: listener and a tls: next hop without a factory, with a log line).
class TlsLessRuntime final : public tls::TlsRuntime {
 public:
  core::net::TransportSocketFactory* server_factory() override { return nullptr; }
  core::net::TransportSocketFactory* client_factory() override { return nullptr; }
  std::string stats_line() const override { return {}; }
  std::shared_ptr<const tls::DomainSet> build_domains(const cfg::Config&,
                                                      cfg::Diagnostics&) override {
    return nullptr;
  }
  void use_domains(std::shared_ptr<const tls::DomainSet>) override {}
  std::shared_ptr<const tls::DomainSet> domains() const override { return nullptr; }
  std::vector<std::string> files() const override { return {}; }
};

}  // namespace

#if SER_WITH_TLS

bool install_library_allocators(Pool& shm) {
  // OpenSSL first: libevent does not call it, but nothing may allocate through it before this.
  const bool openssl = tls::install_openssl_allocator(shm);
  install_libevent_allocator(shm);
  return openssl;
}

std::shared_ptr<tls::TlsRuntime> build_tls_runtime(const cfg::Config& config,
                                                   cfg::Diagnostics& diags) {
  if (!config.uses_tls()) return std::make_shared<TlsLessRuntime>();
  return tls::TlsRuntime::create(config, diags);
}

bool tls_built_in() {
  return true;
}

std::string tls_library_version() {
  return tls::library_version();
}

std::string tls_key_methods() {
  return tls::builtin_key_methods_in_use() ? "OpenSSL's built-in RSA/EC methods"
                                           : "OpenSSL's provider decoders";
}

#else

bool install_library_allocators(Pool& shm) {
  install_libevent_allocator(shm);
  return true;
}

std::shared_ptr<tls::TlsRuntime> build_tls_runtime(const cfg::Config& config,
                                                   cfg::Diagnostics& diags) {
  // The parser already refuses tls: listeners and TLS blocks in this build; this guards a
  // Config built some other way.
  if (config.uses_tls()) {
    diags.error({config.main_file, 0, 0}, cfg::kNoTlsSupport);
    return nullptr;
  }
  return std::make_shared<TlsLessRuntime>();
}

bool tls_built_in() {
  return false;
}

std::string tls_library_version() {
  return {};
}

std::string tls_key_methods() {
  return {};
}

#endif

}  // namespace core
