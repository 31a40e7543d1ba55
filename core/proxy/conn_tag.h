#pragma once
// The `i` parameter of our Via on a request that came in over a stream: the id of that
// connection, so that the response goes back over it (RFC 3261 §18.2.2) without state kept
// here. The response comes from the downstream peer, which could write any id there and steer
// it into another peer's connection; so the id carries a MAC (SipHash-2-4 under a per-process
// random key) over the id and our Via's branch: "i=42.<13 base32 chars>". A value copied from
// another transaction (another branch) does not verify either.
#include <cstdint>
#include <string_view>

#include "core/base/base32.h"
#include "core/base/siphash.h"
#include "core/proxy/sip_text.h"

namespace core::proxy {

class ConnTag {
 public:
  explicit ConnTag(const core::SipKey& key = core::SipKey::random()) : key_(key) {}

  // "<id>.<mac>" for our Via whose branch is `branch`, in `arena` (empty when it is full).
  std::string_view write(uint64_t conn_id, std::string_view branch, TextArena& arena) const;
  // The connection id `value` names when it is one we wrote for `branch`, else 0.
  uint64_t verify(std::string_view value, std::string_view branch) const;
  // The id `value` claims, unverified (0 when it has not our form): only to guess, before
  // parsing, which worker a response will be handled on.
  static uint64_t claimed_id(std::string_view value);

 private:
  static constexpr size_t kMacChars = core::base32_chars(8);  // 64 bits: 13
  void mac_text(uint64_t conn_id, std::string_view branch, char out[kMacChars]) const;

  core::SipKey key_;
};

}  // namespace core::proxy
