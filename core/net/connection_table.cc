#include "core/net/connection_table.h"

#include "core/sip/text.h"

namespace core::net {

void ConnectionTable::add(uint64_t id, int worker, Transport transport, const SocketAddr& peer) {
  insert(id, Entry{worker, transport, peer, false, {}, {}, false, {}, {}});
}

void ConnectionTable::add_outbound(uint64_t id, int worker, Transport transport,
                                   const SocketAddr& peer, const TlsIdentity& identity) {
  insert(id, Entry{worker,
                   transport,
                   peer,
                   true,
                   std::string(identity.client_domain),
                   std::string(identity.server_name),
                   false,
                   {},
                   {}});
}

void ConnectionTable::insert(uint64_t id, Entry entry) {
  Key key{entry.transport, entry.peer};
  std::lock_guard<std::mutex> lock(mu_);
  by_id_.emplace(id, std::move(entry));
  by_peer_.emplace(key, id);
}

void ConnectionTable::remove(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  auto range = by_peer_.equal_range(Key{it->second.transport, it->second.peer});
  for (auto p = range.first; p != range.second; ++p) {
    if (p->second == id) {
      by_peer_.erase(p);
      break;
    }
  }
  const Entry& e = it->second;
  if (e.aliased) {
    auto a = by_alias_.find(Key{e.transport, e.alias});
    if (a != by_alias_.end() && a->second == id) by_alias_.erase(a);
  }
  by_id_.erase(it);
}

std::optional<ConnectionRef> ConnectionTable::find(uint64_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return ConnectionRef{id, it->second.worker};
}

std::optional<ConnectionRef> ConnectionTable::find_to(uint64_t id, Transport transport,
                                                      const SocketAddr& dst) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second.transport != transport) return std::nullopt;
  SocketAddr peer = it->second.peer;
  peer.set_port(dst.port());
  if (peer != dst) return std::nullopt;
  return ConnectionRef{id, it->second.worker};
}

std::optional<ConnectionRef> ConnectionTable::find(Transport transport, const SocketAddr& peer,
                                                   const TlsIdentity& identity) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto range = by_peer_.equal_range(Key{transport, peer});
  std::optional<ConnectionRef> best;
  for (auto p = range.first; p != range.second; ++p) {
    const Entry& e = by_id_.at(p->second);
    // Host names compare case-insensitively (RFC 4343): "SIP.example.net" is the same peer;
    // client domain ids too, as Kamailio's server_id.
    if (transport == Transport::kTls &&
        (!e.outbound || !core::sip::iequals(e.server_name, identity.server_name) ||
         !core::sip::iequals(e.client_domain, identity.client_domain)))
      continue;
    if (!best || p->second > best->id) best = ConnectionRef{p->second, e.worker};
  }
  // A connection really open to `peer` wins over an alias: an alias is only a peer's word
  // (RFC 5923 §6), and over TCP any device behind the peer's address can say it; it must not
  // take the traffic of a connection ser has to that address.
  if (best) return best;
  auto a = by_alias_.find(Key{transport, peer});
  if (a != by_alias_.end()) {
    const Entry& e = by_id_.at(a->second);
    if (alias_serves(e, identity)) best = ConnectionRef{a->second, e.worker};
  }
  return best;
}

// An alias over TLS stands for the name the peer's certificate was checked for, and for the
// certificate ser presented on that connection (a server domain's): a send asking for another
// name or for a client domain of its own gets its own connection.
bool ConnectionTable::alias_serves(const Entry& e, const TlsIdentity& identity) const {
  if (e.transport != Transport::kTls) return true;
  return identity.client_domain.empty() && core::sip::iequals(e.alias_name, identity.server_name);
}

bool ConnectionTable::add_alias(uint64_t id, Transport transport, const SocketAddr& alias,
                                std::string_view server_name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second.transport != transport) return false;
  Entry& e = it->second;
  if (e.aliased && e.alias == alias && e.alias_name == server_name) return true;
  if (e.aliased) {
    auto old = by_alias_.find(Key{transport, e.alias});
    if (old != by_alias_.end() && old->second == id) by_alias_.erase(old);
  }
  e.aliased = true;
  e.alias = alias;
  e.alias_name.assign(server_name);
  by_alias_[Key{transport, alias}] = id;
  return true;
}

size_t ConnectionTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.size();
}

}  // namespace core::net
