#include "core/proxy/conn_tag.h"

#include "core/base/base32.h"
#include "core/base/big_endian.h"
#include "core/sip/text.h"

namespace core::proxy {

void ConnTag::mac_text(uint64_t conn_id, std::string_view branch, char out[kMacChars]) const {
  uint64_t mac = core::SipHash(key_).add_u64(conn_id).add(branch).finish();
  uint8_t bytes[8];
  core::put_be(bytes, mac, sizeof(bytes));
  core::base32_encode(bytes, sizeof(bytes), out);
}

std::string_view ConnTag::write(uint64_t conn_id, std::string_view branch, TextArena& arena) const {
  char mac[kMacChars];
  mac_text(conn_id, branch, mac);
  std::string_view id = arena.number(conn_id);
  if (id.empty()) return {};
  return arena.concat({id, ".", std::string_view(mac, kMacChars)});
}

uint64_t ConnTag::claimed_id(std::string_view value) {
  size_t dot = value.find('.');
  if (dot == std::string_view::npos || value.size() - dot - 1 != kMacChars) return 0;
  uint64_t id = 0;
  return core::sip::parse_uint(value.substr(0, dot), UINT64_MAX, id) ? id : 0;
}

uint64_t ConnTag::verify(std::string_view value, std::string_view branch) const {
  const uint64_t id = claimed_id(value);
  if (id == 0) return 0;
  const std::string_view claimed = value.substr(value.size() - kMacChars);  // claimed_id checked
  char mac[kMacChars];
  mac_text(id, branch, mac);
  // Compared without an early exit: the time taken tells nothing about the right value.
  unsigned diff = 0;
  for (size_t i = 0; i < kMacChars; ++i) diff |= static_cast<unsigned char>(mac[i] ^ claimed[i]);
  return diff == 0 ? id : 0;
}

}  // namespace core::proxy
