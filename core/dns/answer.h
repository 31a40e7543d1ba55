#pragma once
// What one DNS query (a name and a record type) answered: the records ser uses for RFC 3263
// (A, AAAA, SRV, NAPTR) and how long the answer may be kept.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/socket_addr.h"

namespace core::dns {

enum class RrType : uint16_t { kA = 1, kSoa = 6, kAaaa = 28, kSrv = 33, kNaptr = 35 };
const char* rr_type_name(RrType t);  // "A", "AAAA", "SRV", "NAPTR"

enum class Status : uint8_t {
  kOk,        // records of the type asked for
  kNoData,    // the name exists, without records of that type (RFC 2308 §2.2)
  kNxDomain,  // the name does not exist (RFC 2308 §2.1)
  kFailed,    // no usable answer: timeout, SERVFAIL, refused, malformed
};
const char* status_name(Status s);  // "ok", "no data", "NXDOMAIN", "failed"

// RFC 2782.
struct SrvRecord {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  std::string target;  // lower case, without the final dot; "" for "." (no service)
};

// RFC 3403 §4.1 (RFC 3263 §4.1 uses flags "s", services "SIP+D2U", ...).
struct NaptrRecord {
  uint16_t order = 0;
  uint16_t preference = 0;
  std::string flags;
  std::string service;
  std::string regexp;
  std::string replacement;  // lower case, without the final dot
};

struct Answer {
  Status status = Status::kFailed;
  // Seconds the answer may be kept: the smallest TTL of its records, or for a negative answer
  // the SOA's minimum (RFC 2308 §5); the cache caps both.
  uint32_t ttl = 0;
  std::vector<core::net::SocketAddr> addresses;  // A / AAAA, port 0
  std::vector<SrvRecord> srv;
  std::vector<NaptrRecord> naptr;
};

// Lower-cases `name` and drops one final dot into buf (a DNS name is at most 255 bytes); the
// view of buf, or empty when the name does not fit.
std::string_view normalize_name(std::string_view name, char* buf, size_t size);

}  // namespace core::dns
