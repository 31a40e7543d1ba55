#pragma once
// Reads a DNS response (RFC 1035 §4.1) into an Answer: the records of the type asked for, the
// smallest TTL, and for a negative answer the SOA's negative TTL (RFC 2308 §5). c-ares 1.18's
// own parsers drop the TTL of SRV and NAPTR records, which the cache needs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/dns/answer.h"

namespace core::dns {

class ResponseParser {
 public:
  // Fills `out` from the wire bytes of a response to a query of `type`. A malformed response
  // gives Status::kFailed.
  static void parse(std::string_view wire, RrType type, Answer* out);

 private:
  explicit ResponseParser(std::string_view wire) : wire_(wire) {}
  bool u8(size_t& at, uint8_t& v) const;
  bool u16(size_t& at, uint16_t& v) const;
  bool u32(size_t& at, uint32_t& v) const;
  // Reads a (possibly compressed) name at `at` into `name` (lower case, no final dot).
  bool read_name(size_t& at, std::string* name) const;
  bool character_string(size_t& at, size_t end, std::string& out) const;
  bool record(size_t& at, RrType type, Answer* out, uint32_t* soa_ttl, bool* any) const;
  bool rdata(size_t at, size_t end, RrType type, Answer* out) const;

  std::string_view wire_;
};

}  // namespace core::dns
