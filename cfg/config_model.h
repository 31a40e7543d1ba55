#pragma once
// The plain configuration model: what ser.cfg (and tls.cfg) say, resolved and checked.
// Plain data only: no sockets, no OpenSSL. Runtime objects (listeners, TLS contexts,
// the compiled route script) are built from it (DESIGN.md principle 4).
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cfg/control_address.h"
#include "cfg/route_ast.h"
#include "cfg/source_loc.h"
#include "core/base/transport.h"

namespace cfg {

using Millis = std::chrono::milliseconds;

using core::Transport;

enum class HostKind { kIpv4, kIpv6, kName };

// `listen = PROTO:ADDR[:PORT]`.
struct ListenConfig {
  Transport proto = Transport::kUdp;
  std::string host;  // IPv4 text, IPv6 text without brackets, or a host name
  HostKind host_kind = HostKind::kIpv4;
  uint16_t port = 5060;  // 5060 for udp/tcp, 5061 for tls when not given
  bool port_given = false;
  SourceLoc loc;

  std::string to_string() const;  // "tls:[::1]:5061"
};

// Protocol versions allowed by `tls_method`: [min, max], kNone meaning "no bound".
enum class TlsVersion { kNone, kTls1_0, kTls1_1, kTls1_2, kTls1_3 };

struct TlsMethod {
  TlsVersion min = TlsVersion::kTls1_2;
  TlsVersion max = TlsVersion::kNone;
  std::string spelling = "TLSv1.2+";
};

// Mozilla "intermediate" list for TLS <= 1.2: ECDHE/DHE with AEAD only (forward secrecy).
inline constexpr const char* kDefaultCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

// Every per-domain TLS parameter of CONFIG.md. The global `tls_*` values fill the defaults;
// a domain block overrides what it sets.
struct TlsSettings {
  TlsMethod method;
  std::string certificate;  // "" until resolved: CFG_DIR/cert.pem
  std::string private_key;  // "" until resolved: CFG_DIR/cert.pem
  std::string ca_list;
  std::string ca_path;
  std::string crl;
  std::string ciphers_list = kDefaultCiphers;
  std::string ciphersuites;  // "" = library default
  std::string groups = "X25519:P-256:P-384";
  std::string dh_params;             // "" = built-in RFC 7919 ffdhe2048
  std::optional<bool> verify;        // unset: false for servers, true for clients
  bool require_certificate = false;  // only meaningful with verify
  int verify_depth = 9;
  bool verify_wildcards = false;  // client: "*.example.net" may name a peer (RFC 5922 §7.2)
  std::string server_name;        // server: SNI it answers for; client: SNI sent + name checked
  bool sni_strict = false;  // server: refuse a ClientHello whose SNI names no domain of the socket
  Millis handshake_timeout{30000};
  Millis send_timeout{10000};
  bool session_cache = true;
  bool session_tickets = true;
  int session_tickets_count = 1;  // TLS 1.3 tickets sent after a full handshake
  bool renegotiation = false;
  std::string keylog_file;

  bool verify_for(bool client) const { return verify.value_or(client); }
};

enum class TlsDomainKind { kServer, kClient };

// A `tls_domain[...]` / `tls_client_domain[...]` block or a tls.cfg section.
//
// A client domain is chosen for an outbound connection (issue #10), first match wins:
//  1. by id, when the script named it with tls_client_domain("ID") (`id` set; no address);
//  2. by the destination's IP:port and the next hop's name (`tls_client_domain[IP:port, "name"]`,
//     tls.cfg [client:IP:PORT] with server_name: `sni` is that name);
//  3. by the destination's IP:port alone;
//  4. the default client domain.
struct TlsDomainConfig {
  TlsDomainKind kind = TlsDomainKind::kServer;
  bool is_default = false;  // tls.cfg [server:default] / [client:default]
  // Client domains chosen by the script: `tls_client_domain["ID"]`, tls.cfg [client:any] with
  // server_id = ID (Kamailio's spelling). Compared without regard to case, as Kamailio does.
  std::string id;
  std::string host;  // address (IPv6 without brackets); "" for defaults and id domains
  HostKind host_kind = HostKind::kIpv4;
  uint16_t port = 0;
  // server: `tls_domain[IP:port, "name"]` or tls_server_name; client: the next hop's name the
  // domain is chosen for (the key's name; tls.cfg server_name); lower case. In a client domain
  // chosen otherwise, tls_server_name only overrides the name sent and checked.
  std::string sni;
  TlsSettings settings;              // fully resolved (defaults <- globals <- block)
  std::set<std::string> overridden;  // parameter names the block set itself
  SourceLoc loc;                     // where the block starts

  // "server:127.0.0.1:5061" / "client:[::1]:5061" / "server:default" / "client:id:tenant-a"
  std::string key() const;
  // "tls_domain[127.0.0.1:5061, \"sip.example.org\"]", "tls_client_domain[\"tenant-a\"]"
  std::string describe() const;
};

struct CoreParams {
  std::vector<ListenConfig> listen;  // empty in the file: udp:0.0.0.0:5060 is used
  std::vector<std::string> aliases;
  int children = 0;  // 0 = number of CPUs (effective_children())
  int log_level = 2;
  bool log_stderror = false;
  uint32_t max_message_size = 65535;
  uint32_t tcp_max_connections = 65536;
  uint32_t tcp_max_connections_per_ip = 1024;  // inbound TCP+TLS per IPv4 address / IPv6 /64
  Millis tcp_connection_lifetime{120000};
  Millis tcp_connect_timeout{5000};
  Millis tcp_send_timeout{10000};
  Millis tcp_msg_read_timeout{20000};  // a partly received message must complete in this time
  bool tcp_crlf_pong = true;
  bool tcp_accept_aliases = false;  // honour the Via `alias` parameter (RFC 5923)
  uint32_t shm_mem_size_mb = 256;
  uint32_t pkg_mem_size_mb = 16;
  // Bytes asked of the kernel for each UDP socket's receive and send buffers, as much of it as
  // it grants (Kamailio's maxbuffer); 0 = the kernel's default.
  uint32_t udp_rcvbuf = 4u << 20;
  uint32_t udp_sndbuf = 4u << 20;
  // The memory guard's marks, percents of shm_mem_size: above high new connections are
  // refused until shm falls below low (low < high).
  uint32_t shm_high_water = 90;
  uint32_t shm_low_water = 80;
  std::string ctl_socket{kDefaultCtlSocket};
  std::string metrics_listen;  // "IP:PORT" of the Prometheus endpoint; "" = none
  std::string user;
  std::string group;
  // RFC 3263 resolution (core/dns): "IP:PORT,..." ("" = /etc/resolv.conf), per-try timeout,
  // tries after the first, cache entries per worker, requests held per worker.
  std::string dns_servers;
  Millis dns_timeout{2000};
  uint32_t dns_retries = 2;
  uint32_t dns_cache_size = 10000;
  uint32_t dns_max_pending = 1024;

  // The number of worker threads started: `children`, or one per CPU when it is not set.
  int effective_children() const;
};

struct TlsGlobals {
  bool disable_tls = false;
  uint32_t max_handshakes_per_ip = 64;
  std::string config_file;  // tls_config (resolved relative to the main file)
  // tls_ticket_key_file (resolved against CFG_DIR): session ticket keys shared by several
  // nodes; "" = each process makes and rotates its own (tls/ticket_keys.h).
  std::string ticket_key_file;
  bool reload_on_change = true;
  // tls_builtin_key_methods: certificates' RSA and EC keys through OpenSSL's built-in methods
  // (tls/builtin_key_methods.h), 5-10x cheaper to parse than OpenSSL 3.0's provider decoders.
  bool builtin_key_methods = true;
  TlsSettings defaults;  // the default server/client domain values
};

struct Config {
  std::string main_file;  // as given to -f
  std::string cfg_dir;    // directory of main_file: CFG_DIR
  // Where each global parameter was last set (canonical name), for errors found after parsing
  // (a `user` that does not exist); "command line" for -u, -g and the like.
  std::map<std::string, SourceLoc> set_at;
  CoreParams core;
  TlsGlobals tls;
  std::vector<TlsDomainConfig> tls_domains;  // server and client blocks, in file order
  std::vector<std::string> modules;          // loadmodule names accepted as built-ins
  RouteScript script;

  // The listen sockets in effect: `core.listen`, or udp:0.0.0.0:5060 when none.
  std::vector<ListenConfig> effective_listen() const;
  // True when TLS is set up at start: a TLS listener or a client domain block, and no
  // disable_tls. Only then must the TLS files exist.
  bool uses_tls() const;
};

}  // namespace cfg
