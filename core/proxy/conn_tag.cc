#include "core/proxy/conn_tag.h"

#include "core/sip/text.h"

namespace core::proxy {

void ConnTag::mac_text(uint64_t conn_id, std::string_view branch, char out[kMacChars]) const {
  // RFC 4648 §6 alphabet, lower case: a token character set (RFC 3261 §25.1).
  static const char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";
  uint64_t mac = core::SipHash(key_).add_u64(conn_id).add(branch).finish();
  for (size_t i = 0; i < kMacChars; ++i) {
    out[i] = kBase32[mac & 31];
    mac >>= 5;
  }
}

std::string_view ConnTag::write(uint64_t conn_id, std::string_view branch, TextArena& arena) const {
  char mac[kMacChars];
  mac_text(conn_id, branch, mac);
  std::string_view id = arena.number(conn_id);
  if (id.empty()) return {};
  return arena.concat({id, ".", std::string_view(mac, kMacChars)});
}

uint64_t ConnTag::verify(std::string_view value, std::string_view branch) const {
  size_t dot = value.find('.');
  if (dot == std::string_view::npos || value.size() - dot - 1 != kMacChars) return 0;
  uint64_t id = 0;
  if (!core::sip::parse_uint(value.substr(0, dot), UINT64_MAX, id) || id == 0) return 0;
  char mac[kMacChars];
  mac_text(id, branch, mac);
  // Compared without an early exit: the time taken tells nothing about the right value.
  unsigned diff = 0;
  for (size_t i = 0; i < kMacChars; ++i)
    diff |= static_cast<unsigned char>(mac[i] ^ value[dot + 1 + i]);
  return diff == 0 ? id : 0;
}

}  // namespace core::proxy
