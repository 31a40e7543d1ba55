#pragma once
// After every file is read: resolves the TLS domains (defaults <- global tls_* values <- the
// block's own settings), file paths (relative to CFG_DIR), tls_config, disable_tls, and the
// cross checks (duplicate domains and listen sockets, server domains without a TLS socket,
// tls_require_certificate without tls_verify).
#include "cfg/diagnostics.h"
#include "cfg/parse_state.h"

namespace cfg {

void resolve_config(ParseState& state, Diagnostics& diags);

// CFG_DIR/cert.pem for an unset certificate/key; relative file names made relative to CFG_DIR.
void resolve_tls_paths(const std::string& cfg_dir, TlsSettings* settings);

}  // namespace cfg
