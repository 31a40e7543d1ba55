#pragma once
// Kamailio-style tls.cfg (INI, read with inih) into the same TLS domain model as ser.cfg's
// tls_domain blocks. Sections: [server:default], [client:default], [server:IP:PORT],
// [client:IP:PORT], [server:[IPv6]:PORT], [client:[IPv6]:PORT].
#include <string>
#include <vector>

#include "cfg/config_model.h"
#include "cfg/diagnostics.h"

namespace cfg {

// Reads `path`. Each section becomes a TlsDomainConfig whose settings start from `defaults`
// (the global tls_* values) and whose `overridden` names the keys the section set, using the
// ser.cfg parameter names (`method` -> `tls_method`, ...). Errors name `path:line:col`.
// Returns false when any error was reported.
bool read_tls_ini(const std::string& path, const TlsSettings& defaults,
                  std::vector<TlsDomainConfig>* domains, Diagnostics* diags);

}  // namespace cfg
