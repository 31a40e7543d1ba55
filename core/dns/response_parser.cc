#include "core/dns/response_parser.h"

#include <algorithm>
#include <cstring>

namespace core::dns {
namespace {
constexpr uint16_t kClassIn = 1;
constexpr uint8_t kRcodeNxDomain = 3;
constexpr int kMaxPointers = 32;  // a compression loop must end
}  // namespace

bool ResponseParser::u8(size_t& at, uint8_t& v) const {
  if (at + 1 > wire_.size()) return false;
  v = static_cast<uint8_t>(wire_[at++]);
  return true;
}

bool ResponseParser::u16(size_t& at, uint16_t& v) const {
  uint8_t a, b;
  if (!u8(at, a) || !u8(at, b)) return false;
  v = static_cast<uint16_t>(a << 8 | b);
  return true;
}

bool ResponseParser::u32(size_t& at, uint32_t& v) const {
  uint16_t a, b;
  if (!u16(at, a) || !u16(at, b)) return false;
  v = static_cast<uint32_t>(a) << 16 | b;
  return true;
}

bool ResponseParser::read_name(size_t& at, std::string* name) const {
  if (name) name->clear();
  size_t pos = at;
  bool jumped = false;
  for (int pointers = 0;;) {
    uint8_t len;
    if (!u8(pos, len)) return false;
    if (len == 0) break;
    if ((len & 0xC0) == 0xC0) {  // RFC 1035 §4.1.4
      uint8_t low;
      if (!u8(pos, low) || ++pointers > kMaxPointers) return false;
      if (!jumped) at = pos;
      jumped = true;
      pos = static_cast<size_t>(len & 0x3F) << 8 | low;
      continue;
    }
    if ((len & 0xC0) != 0 || pos + len > wire_.size()) return false;
    if (name) {
      if (!name->empty()) name->push_back('.');
      for (size_t i = 0; i < len; ++i)
        name->push_back(
            static_cast<char>(std::tolower(static_cast<unsigned char>(wire_[pos + i]))));
      if (name->size() > 255) return false;
    }
    pos += len;
  }
  if (!jumped) at = pos;
  return true;
}

bool ResponseParser::character_string(size_t& at, size_t end, std::string& out) const {
  uint8_t len;
  if (!u8(at, len) || at + len > end) return false;
  out.assign(wire_.substr(at, len));
  at += len;
  return true;
}

bool ResponseParser::rdata(size_t at, size_t end, RrType type, Answer* out) const {
  switch (type) {
    case RrType::kA:
    case RrType::kAaaa: {
      size_t n = type == RrType::kA ? 4 : 16;
      if (end - at != n) return false;
      sockaddr_in6 sa6{};
      sockaddr_in sa4{};
      const sockaddr* sa;
      socklen_t len;
      if (n == 4) {
        sa4.sin_family = AF_INET;
        std::memcpy(&sa4.sin_addr, wire_.data() + at, 4);
        sa = reinterpret_cast<const sockaddr*>(&sa4);
        len = sizeof(sa4);
      } else {
        sa6.sin6_family = AF_INET6;
        std::memcpy(&sa6.sin6_addr, wire_.data() + at, 16);
        sa = reinterpret_cast<const sockaddr*>(&sa6);
        len = sizeof(sa6);
      }
      out->addresses.push_back(core::net::SocketAddr::from_sockaddr(sa, len));
      return true;
    }
    case RrType::kSrv: {
      SrvRecord r;
      if (!u16(at, r.priority) || !u16(at, r.weight) || !u16(at, r.port) ||
          !read_name(at, &r.target) || at > end)
        return false;
      out->srv.push_back(std::move(r));
      return true;
    }
    case RrType::kNaptr: {
      NaptrRecord r;
      if (!u16(at, r.order) || !u16(at, r.preference) || !character_string(at, end, r.flags) ||
          !character_string(at, end, r.service) || !character_string(at, end, r.regexp) ||
          !read_name(at, &r.replacement) || at > end)
        return false;
      out->naptr.push_back(std::move(r));
      return true;
    }
    case RrType::kSoa:
      return true;
  }
  return false;
}

// One resource record: those of `type` (class IN) go to `out`; an SOA gives the negative TTL.
bool ResponseParser::record(size_t& at, RrType type, Answer* out, uint32_t* soa_ttl,
                            bool* any) const {
  uint16_t rtype, rclass, rdlen;
  uint32_t ttl;
  if (!read_name(at, nullptr) || !u16(at, rtype) || !u16(at, rclass) || !u32(at, ttl) ||
      !u16(at, rdlen) || at + rdlen > wire_.size())
    return false;
  size_t end = at + rdlen;
  if (rclass == kClassIn && rtype == static_cast<uint16_t>(type)) {
    if (!rdata(at, end, type, out)) return false;
    out->ttl = *any ? std::min(out->ttl, ttl) : ttl;
    *any = true;
  } else if (rclass == kClassIn && rtype == static_cast<uint16_t>(RrType::kSoa)) {
    // RFC 2308 §5: the lesser of the SOA's own TTL and its MINIMUM field (the last 4 bytes).
    size_t p = at;
    uint32_t serial, refresh, retry, expire, minimum;
    if (read_name(p, nullptr) && read_name(p, nullptr) && u32(p, serial) && u32(p, refresh) &&
        u32(p, retry) && u32(p, expire) && u32(p, minimum) && p <= end)
      *soa_ttl = std::min(ttl, minimum);
  }
  at = end;
  return true;
}

void ResponseParser::parse(std::string_view wire, RrType type, Answer* out) {
  *out = Answer{};
  ResponseParser p(wire);
  size_t at = 0;
  uint16_t id, flags, qd, an, ns, ar;
  if (!p.u16(at, id) || !p.u16(at, flags) || !p.u16(at, qd) || !p.u16(at, an) || !p.u16(at, ns) ||
      !p.u16(at, ar))
    return;
  uint8_t rcode = flags & 0x0F;
  if (rcode != 0 && rcode != kRcodeNxDomain) return;
  for (uint16_t i = 0; i < qd; ++i) {
    uint16_t qtype, qclass;
    if (!p.read_name(at, nullptr) || !p.u16(at, qtype) || !p.u16(at, qclass)) return;
  }
  uint32_t soa_ttl = 0;
  bool any = false;
  Answer got;
  for (uint32_t i = 0; i < static_cast<uint32_t>(an) + ns; ++i)
    if (!p.record(at, type, &got, &soa_ttl, &any)) return;
  if (rcode == kRcodeNxDomain) {
    out->status = Status::kNxDomain;
    out->ttl = soa_ttl;
    return;
  }
  if (!any) {
    out->status = Status::kNoData;
    out->ttl = soa_ttl;
    return;
  }
  *out = std::move(got);
  out->status = Status::kOk;
}

}  // namespace core::dns
