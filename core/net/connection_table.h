#pragma once
// Which worker owns which connection, looked up from any worker by id or by (transport, peer).
// Only ids and worker indexes are shared: a Connection object is touched only by its owner, which
// finds it in its own map, so a lookup never hands out a pointer that another thread may free.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/net/socket_addr.h"
#include "core/net/transport_socket.h"

namespace core::net {

struct ConnectionRef {
  uint64_t id = 0;
  int worker = -1;
};

class ConnectionTable {
 public:
  // An accepted connection: reached by id (a response's connection hint), and by peer for
  // plain TCP only.
  void add(uint64_t id, int worker, Transport transport, const SocketAddr& peer);
  // An outbound connection, opened for `identity` (TLS; ignored for plain TCP).
  void add_outbound(uint64_t id, int worker, Transport transport, const SocketAddr& peer,
                    const TlsIdentity& identity);
  void remove(uint64_t id);
  std::optional<ConnectionRef> find(uint64_t id) const;
  // Connection `id` when it runs over `transport` to the host of `dst` (any port: a response
  // goes to the Via's sent-by port, the connection came from an ephemeral one).
  std::optional<ConnectionRef> find_to(uint64_t id, Transport transport,
                                       const SocketAddr& dst) const;
  // The most recently added live connection to `peer` over `transport`. Over TLS only an
  // outbound one opened for the same identity (client domain and server name, each compared
  // without regard to case): a TLS identity is never borrowed from another tenant, nor from a
  // peer that connected to us (its certificate was not checked against the name, and ours
  // was not the client domain's).
  std::optional<ConnectionRef> find(Transport transport, const SocketAddr& peer,
                                    const TlsIdentity& identity = {}) const;
  // RFC 5923: live connection `id` is also reachable at `alias` over `transport`. Over TLS the
  // alias serves only sends naming `server_name` (the name the peer's certificate was checked
  // for) with the default client domain. One alias per connection (a new one replaces it); an
  // address aliased by two connections goes to the later; a connection open to the address
  // itself goes before any alias. False when `id` is gone.
  bool add_alias(uint64_t id, Transport transport, const SocketAddr& alias,
                 std::string_view server_name);
  size_t size() const;

 private:
  struct Entry {
    int worker;
    Transport transport;
    SocketAddr peer;
    bool outbound;
    std::string client_domain;  // the identity it was opened for (outbound TLS)
    std::string server_name;
    bool aliased = false;
    SocketAddr alias;
    std::string alias_name;
  };
  void insert(uint64_t id, Entry entry);
  struct Key {
    Transport transport;
    SocketAddr peer;
    bool operator==(const Key& o) const { return transport == o.transport && peer == o.peer; }
  };
  bool alias_serves(const Entry& e, const TlsIdentity& identity) const;
  struct KeyHash {
    size_t operator()(const Key& k) const { return k.peer.hash() ^ k.transport.index(); }
  };

  // One mutex: lookups are short and happen once per message sent over a stream; shard it if it
  // ever shows in a profile.
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Entry> by_id_;
  std::unordered_multimap<Key, uint64_t, KeyHash> by_peer_;
  std::unordered_map<Key, uint64_t, KeyHash> by_alias_;
};

}  // namespace core::net
