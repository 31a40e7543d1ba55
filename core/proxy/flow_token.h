#pragma once
// RFC 5626 flow tokens: the user part of the Path (RFC 3327) or Record-Route URI an edge proxy
// writes, naming the flow a request came in on, so that a request routed back through that URI
// leaves over the same flow (§5.3): a stream connection by its id, or a UDP peer's address and
// port with the local socket it reached. A token carries a MAC (SipHash-2-4 under a random key
// of this process, as ConnTag does): one written by another node, by an earlier run, or edited
// by anyone on the path does not verify. The node that holds the flow is named by the URI's
// host:port, its own advertised address, never by the token.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/base/siphash.h"
#include "core/net/net.h"
#include "core/proxy/sip_text.h"

namespace core::proxy {

struct Flow {
  core::Transport transport = core::Transport::kUdp;
  int listener_id = -1;        // the local socket the flow reached
  uint64_t conn_id = 0;        // streams: the connection (ids are never reused by a process)
  core::net::SocketAddr peer;  // UDP: where the datagrams came from
  int af = AF_INET;            // the peer's address family (streams: for the Via we write)

  // The flow of a received message.
  static Flow of(const core::net::ReceivedMessage& rx);
  bool same_as(const Flow& o) const;
};

class FlowToken {
 public:
  explicit FlowToken(const core::SipKey& key = core::SipKey::random()) : key_(key) {}

  // The token for `flow`, in `arena` (empty when it is full). Lower-case base32 (RFC 4648 §6),
  // so it is a valid URI user part without escaping.
  std::string_view write(const Flow& flow, TextArena& arena) const;
  // The flow `text` names when it is a token this process wrote; nullopt otherwise.
  std::optional<Flow> verify(std::string_view text) const;

  // Whether a URI user part has the shape of a token (the length of one of the three layouts,
  // base32 only): only such a user part is checked, and refused when it does not verify; any
  // other (sip:edge@us, a phone number) names no flow. Kamailio's outbound module also treats a
  // user part of the wrong length as no flow token.
  static bool looks_like(std::string_view user);

  // The longest token (UDP over IPv6) in characters.
  static constexpr size_t kMaxChars = 48;

 private:
  uint64_t mac(const uint8_t* bytes, size_t n) const;

  core::SipKey key_;
};

}  // namespace core::proxy
