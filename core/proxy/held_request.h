#pragma once
// A request held while its next hop is looked up (RFC 3263), or while the connect to one of its
// targets is in progress with more targets left to try: a copy of the received message and of
// the script's edits, from which ForwardBuilder writes the forwarded request again. Made only
// off the hot path (a numeric or cached next hop over an existing connection copies nothing).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/dns/server_locator.h"
#include "core/dns/target_list.h"
#include "core/net/net.h"
#include "core/sip/sip_message.h"
#include "core/sip/via.h"

namespace core::proxy {

struct HeldRequest {
  // Copies rx (its bytes and addresses) and parses the copy; parsed() says whether it did.
  explicit HeldRequest(const core::net::ReceivedMessage& received);
  HeldRequest(const HeldRequest&) = delete;
  HeldRequest& operator=(const HeldRequest&) = delete;
  bool parsed() const { return parsed_; }

  // The received message (rx views the members above it).
  std::string data;
  core::net::SocketAddr src;
  core::net::SocketAddr dst;
  core::net::ReceivedMessage rx;
  core::sip::SipMessage msg;
  core::sip::Via top;

  // The script's edits at forward() (ScriptEdits, RouteSet, Forwarder save and restore them).
  struct Popped {
    uint32_t header = 0;  // index in msg.headers()
    uint32_t offset = 0;  // of the Route value in data
    uint32_t length = 0;
  };
  bool uri_rewritten = false;
  std::string uri;
  std::array<Popped, 4> popped{};
  int popped_count = 0;
  std::vector<std::string> appended;
  std::vector<std::string> removed;
  int new_max_forwards = -1;
  bool record_route = false;
  uint8_t path_mode = 0;      // add_path() / add_path_received() (ScriptEdits::PathMode)
  std::string client_domain;  // tls_client_domain("id")
  unsigned forks = 0;

  // Where it goes: the next hop (its host views `host`) and, once resolved, the targets.
  std::string host;
  core::dns::NextHop hop;
  core::dns::TargetList targets;
  size_t next = 0;  // the target to try next

 private:
  bool parsed_ = false;
};

}  // namespace core::proxy
