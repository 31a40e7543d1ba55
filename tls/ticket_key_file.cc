#include "tls/ticket_key_file.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace tls {

namespace {

// The base64 text of one line decoded, or "" when it is not base64 (EVP_DecodeBlock ignores
// neither stray characters nor a length that is not a multiple of 4: both are refused).
std::string decode_base64(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0) return {};
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return {};
  size_t pad = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string trimmed(const std::string& line) {
  size_t b = line.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  size_t e = line.find_last_not_of(" \t\r");
  return line.substr(b, e - b + 1);
}

TicketKey to_key(const std::string& bytes) {
  TicketKey k;
  std::memcpy(k.name.data(), bytes.data(), k.name.size());
  std::memcpy(k.hmac.data(), bytes.data() + 16, k.hmac.size());
  std::memcpy(k.aes.data(), bytes.data() + 48, k.aes.size());
  return k;
}

}  // namespace

bool read_ticket_key_file(const std::string& path, const cfg::SourceLoc& param,
                          std::vector<TicketKey>* keys, cfg::Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(param, "tls_ticket_key_file: cannot open " + path + ": " + std::strerror(errno));
    return false;
  }
  const size_t errors = diags.error_count();
  std::vector<TicketKey> found;
  int lineno = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineno;
    std::string text = trimmed(line);
    if (text.empty() || text.front() == '#') continue;
    cfg::SourceLoc loc{path, lineno, static_cast<int>(line.find_first_not_of(" \t")) + 1};
    std::string bytes = decode_base64(text);
    if (bytes.size() != kTicketKeyBytes) {
      // The length only: the line is a secret.
      diags.error(loc, "expected a ticket key: the base64 of " + std::to_string(kTicketKeyBytes) +
                           " bytes (tools/make-ticket-keys.sh), found " +
                           (bytes.empty() ? std::string("text that is not base64")
                                          : std::to_string(bytes.size()) + " bytes"));
      continue;
    }
    if (found.size() == kMaxTicketKeys) {
      diags.error(loc, "more than " + std::to_string(kMaxTicketKeys) +
                           " ticket keys: keep the newest few (the first encrypts)");
      break;
    }
    found.push_back(to_key(bytes));
  }
  if (diags.error_count() > errors) return false;
  if (found.empty()) {
    diags.error({path, lineno, 1},
                "no ticket key in the file (expected one base64 line of 80 bytes a key)");
    return false;
  }
  *keys = std::move(found);
  return true;
}

}  // namespace tls
