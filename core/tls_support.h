#pragma once
// The one place that knows whether ser was built with TLS (DESIGN.md principle 1): the
// composition root asks it for a tls::TlsRuntime and never branches on SER_WITH_TLS itself.
// Without TLS, or with a configuration that uses none, it hands out a TLS-less runtime whose
// factories are null, so start-up, `ser -c` and reload take the same path in both builds.
// It also defines core::install_library_allocators (core/base/library_memory.h): OpenSSL's
// hooks only in a TLS build.
#include <memory>
#include <string>

#include "cfg/config_model.h"
#include "cfg/diagnostics.h"
#include "tls/tls_runtime.h"

namespace core {

// The TLS runtime for `config`: every domain built and validated (files, keys, chains, expiry,
// cipher lists), or nullptr with the reasons in diags. A configuration that uses TLS in a
// build without it gets "ser was built without TLS support".
std::shared_ptr<tls::TlsRuntime> build_tls_runtime(const cfg::Config& config,
                                                   cfg::Diagnostics& diags);

// True when this binary was built with TLS.
bool tls_built_in();
// "OpenSSL 3.0.x ..." (for -V and the start log), "" without TLS.
std::string tls_library_version();
// How certificates' keys are decoded, for the start log: "OpenSSL's built-in RSA/EC methods"
// (tls_builtin_key_methods, in use) or "OpenSSL's provider decoders"; "" without TLS.
std::string tls_key_methods();

}  // namespace core
