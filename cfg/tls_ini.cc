// TEMPORARY STUB (skeleton): replaced by the tls.cfg reader.
#include "cfg/tls_ini.h"

namespace cfg {

bool read_tls_ini(const std::string& path, const TlsSettings&, std::vector<TlsDomainConfig>*,
                  Diagnostics* diags) {
  diags->error({path, 0, 0}, "tls.cfg reader not implemented yet");
  return false;
}

}  // namespace cfg
