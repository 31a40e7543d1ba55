#pragma once
// What the routing script sees of one message and what it can do to it. The proxy implements
// ScriptContext once per message (request or reply); CompiledScript reads facts and calls actions
// through it. Actions return a Status value, never throw (DESIGN.md principle 7).
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/base/transport.h"

namespace core::script {

using core::Transport;

// Address family (`af == INET|INET6`).
enum class Af : uint8_t { kInet, kInet6 };

// Result of an action. Used as a condition, kOk is true; kFalse and kError are false.
enum class Status : uint8_t { kOk, kFalse, kError };

// The TLS facts of CONFIG.md ("$tls_version", ...; names: cfg/script_functions.cc, mapped by
// tls_fact_of). Empty when the message did not come over TLS.
enum class TlsFact : uint8_t { kVersion, kCipher, kPeerSubjectCn, kPeerSanDns, kSni, kDomain };

// An IP address as plain bytes: the script only compares it, so no sockaddr is needed.
struct IpAddr {
  Af af = Af::kInet;
  uint8_t bytes[16] = {};  // network order; IPv4 uses the first 4

  static IpAddr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    IpAddr ip;
    ip.bytes[0] = a;
    ip.bytes[1] = b;
    ip.bytes[2] = c;
    ip.bytes[3] = d;
    return ip;
  }
  size_t size() const { return af == Af::kInet ? 4 : 16; }
};

class ScriptContext {
 public:
  virtual ~ScriptContext() = default;

  // ---- facts ----
  // For a reply (onreply_route) method() is the CSeq method and the URI facts are empty.
  virtual std::string_view method() const = 0;
  virtual std::string_view request_uri() const = 0;
  virtual std::string_view uri_host() const = 0;
  virtual uint16_t uri_port() const = 0;  // 0 when the URI has no port
  virtual IpAddr src_ip() const = 0;
  virtual uint16_t src_port() const = 0;
  virtual IpAddr dst_ip() const = 0;
  virtual uint16_t dst_port() const = 0;
  virtual Transport proto() const = 0;  // `proto == UDP|TCP|TLS`
  virtual Af af() const = 0;
  virtual size_t msg_len() const = 0;
  // True when host[:port] names this proxy (a listen address or an `alias`). port 0 = any port.
  virtual bool is_myself(std::string_view host, uint16_t port) const = 0;
  virtual std::string_view tls_fact(TlsFact fact) const = 0;
  virtual bool is_peer_verified() const = 0;

  // ---- actions ----
  // host "" = the Request-URI's host, port 0 = the URI's port or the transport's default.
  // proto: forward_udp/_tcp/_tls; nullopt (forward()) leaves the transport to the proxy.
  virtual Status forward(std::optional<Transport> proto, std::string_view host, uint16_t port) = 0;
  virtual Status sl_send_reply(int code, std::string_view reason) = 0;
  // kFalse when Max-Forwards reached 0 (the script then usually replies 483).
  virtual Status mf_process_maxfwd_header(int limit) = 0;
  virtual Status record_route() = 0;
  virtual Status rewrite_host(std::string_view host) = 0;
  virtual Status rewrite_host_port(std::string_view host_port) = 0;
  virtual Status rewrite_uri(std::string_view uri) = 0;
  virtual Status append_hf(std::string_view text) = 0;
  virtual Status remove_hf(std::string_view name) = 0;
  // level: 0 errors ... 4 debug (the `debug` parameter's scale).
  virtual void log(int level, std::string_view text) = 0;
  // RFC 3327 Path with an RFC 5626 flow token for a REGISTER (kFalse for other methods);
  // `received`: the source address too (add_path_received()).
  virtual Status add_path(bool received) {
    (void)received;
    return Status::kError;
  }
  // tls_client_domain("ID"): the client domain of this message's next TLS forward (the view
  // stays valid while the message is handled). "" goes back to the choice by address.
  // Contexts that never forward over TLS keep the default: an error.
  virtual Status set_tls_client_domain(std::string_view /*id*/) { return Status::kError; }
};

}  // namespace core::script
