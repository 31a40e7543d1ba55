#pragma once
// The transports ser speaks, one type for every layer: the config (`listen=tls:...`), the
// sockets, the SIP parser (a Via's or a URI's `transport`), the routing script (`proto == TLS`,
// `forward_tls`). A transport it does not speak (SCTP, WS, ...) is not a value of this type:
// parse() returns nullopt and the caller keeps the text; "any transport" is
// std::optional<Transport>.
//
// A class around a plain enum so that `Transport::kTls` reads like an enum constant, a value
// can be switched on, and the names live with the type.
#include <cstdint>
#include <optional>
#include <string_view>

namespace core {

class Transport {
 public:
  enum Value : uint8_t { kUdp, kTcp, kTls };
  static constexpr size_t kCount = 3;

  constexpr Transport() = default;
  constexpr Transport(Value v) : value_(v) {}  // NOLINT: implicit, as an enum constant
  constexpr operator Value() const { return value_; }
  explicit operator bool() const = delete;  // `if (t)` would mean kUdp is false

  // "udp", "tcp", "tls": config, logs, metrics labels.
  constexpr const char* name() const { return kNames[value_]; }
  // "UDP", "TCP", "TLS": a Via's transport (RFC 3261 §20.42) and the script's `proto`.
  constexpr const char* upper_name() const { return kUpperNames[value_]; }
  // Case-insensitive; nullopt for anything else (SCTP, WS, WSS are SIP's, not ours).
  static constexpr std::optional<Transport> parse(std::string_view text) {
    for (uint8_t i = 0; i < kCount; ++i)
      if (iequals(text, kNames[i])) return Transport(static_cast<Value>(i));
    return std::nullopt;
  }

  constexpr bool is_stream() const { return value_ != kUdp; }
  constexpr bool is_secure() const { return value_ == kTls; }
  // RFC 3261 §19.1.2: 5061 for TLS, 5060 otherwise.
  constexpr uint16_t default_port() const { return value_ == kTls ? 5061 : 5060; }
  // Dense index for per-transport arrays (counters).
  constexpr size_t index() const { return value_; }

 private:
  static constexpr const char* kNames[kCount] = {"udp", "tcp", "tls"};
  static constexpr const char* kUpperNames[kCount] = {"UDP", "TCP", "TLS"};

  static constexpr bool iequals(std::string_view a, std::string_view lower) {
    if (a.size() != lower.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
      if (c != lower[i]) return false;
    }
    return true;
  }

  Value value_ = kUdp;
};

}  // namespace core
