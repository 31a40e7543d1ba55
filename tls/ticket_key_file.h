#pragma once
// tls_ticket_key_file: session ticket keys shared by several ser nodes, so that a client resumes
// its TLS session on whichever node it reaches (issue #10; nginx's ssl_session_ticket_key and
// HAProxy's tls-ticket-keys do the same).
//
// Format: a text file, one key a line: the base64 of 80 random bytes in nginx's layout (16-byte
// key name, 32-byte HMAC-SHA256 secret, 32-byte AES-256 key), as `openssl rand 80 | base64 -w0`
// (tools/make-ticket-keys.sh) writes it. Blank lines and lines starting with '#' are skipped.
// The first key encrypts new tickets; every key decrypts (a ticket under a later key is renewed
// under the first). Rotation: put a new key first, keep the previous ones a while (a ticket is
// valid for the session lifetime, one hour), the same file on every node, then reload.
#include <string>
#include <vector>

#include "cfg/diagnostics.h"
#include "tls/ticket_keys.h"

namespace tls {

inline constexpr size_t kTicketKeyBytes = 80;
inline constexpr size_t kMaxTicketKeys = 16;

// Reads `path` into `keys`. False after reporting to `diags` what is wrong, by file:line:col
// (a missing or unreadable file at `param`, where tls_ticket_key_file was set). Never logs or
// reports key material.
bool read_ticket_key_file(const std::string& path, const cfg::SourceLoc& param,
                          std::vector<TicketKey>* keys, cfg::Diagnostics& diags);

}  // namespace tls
