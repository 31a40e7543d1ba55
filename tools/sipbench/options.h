#pragma once
// sipbench's command line as plain values, checked: parse_options() is all main() needs, and
// what the unit tests drive (every rejection names the option and what it expected).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <netinet/in.h>

#include "core/base/transport.h"

namespace sipbench {

enum class Mode : uint8_t { kIdle, kHandshake, kOptions };
using core::Transport;  // UDP: the options mode only
// 0 leaves the choice to OpenSSL (the highest both sides speak).
enum class TlsVersion : uint8_t { kAny, k12, k13 };

// Requests outstanding per connection at most (the request id gives the slot 5 digits).
inline constexpr uint32_t kMaxWindow = 10000;

const char* mode_name(Mode mode);
const char* tls_version_name(TlsVersion version);

struct Options {
  Mode mode = Mode::kIdle;
  Transport transport = Transport::kTls;
  sockaddr_in target{};            // IPv4 only: loopback labs and edge proxies
  std::string target_text;         // as given, for the summary
  std::vector<in_addr> local_ips;  // source addresses, used in turn (empty: the kernel's)
  uint64_t connections = 100;      // idle: connections to hold; options: connections (UDP: sockets)
  uint64_t total = 1000;           // handshake: connections to make (-n)
  uint32_t concurrency = 100;      // connections being set up at once
  std::chrono::milliseconds duration{10000};  // idle: how long to hold them; options: counted run
  std::chrono::milliseconds timeout{5000};    // connect + handshake + answer, per connection;
                                              // options: also each request's answer
  uint32_t window = 8;                        // options: requests outstanding per connection
  double rate = 0;                      // options: requests/s offered in total (0: closed loop)
  std::chrono::milliseconds warmup{0};  // options: run first, not counted
  std::string ruri;                     // options: the Request-URI (empty: sip:TARGET)
  bool send_options = true;  // idle: always; handshake: --options; options: at setup, none
  TlsVersion tls_version = TlsVersion::kAny;
  bool resume = false;    // handshake: TLS 1.2 session ids / TLS 1.3 tickets
  std::string sni;        // empty: none sent
  std::string ca_file;    // empty: the server's certificate is not verified
  std::string cert_file;  // client certificate (with key_file)
  std::string key_file;
  bool builtin_key_methods = true;  // certificate keys through OpenSSL's built-in methods
  bool progress = true;             // a line per second on stderr
};

struct ParseOutcome {
  std::optional<Options> options;  // set when the command line was valid
  bool help = false;               // --help: print `usage` and exit 0
  std::string error;               // otherwise: what is wrong, naming the option
  std::string usage;               // the options' description
};

ParseOutcome parse_options(int argc, const char* const* argv);

}  // namespace sipbench
