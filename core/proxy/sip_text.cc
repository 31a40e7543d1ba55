#include "core/proxy/sip_text.h"

#include <cstring>
#include <utility>

#include "core/sip/name_addr.h"
#include "core/sip/text.h"

namespace core::proxy {

using core::sip::HeaderType;
using core::sip::SipMessage;
using core::sip::Via;

std::string_view TextArena::concat(std::initializer_list<std::string_view> parts) {
  size_t n = 0;
  for (auto p : parts) n += p.size();
  if (used_ + n > kSize) return {};
  char* start = buf_ + used_;
  for (auto p : parts) {
    if (p.empty()) continue;  // a default view's data() is null: memcpy must not see it
    std::memcpy(buf_ + used_, p.data(), p.size());
    used_ += p.size();
  }
  return {start, n};
}

std::string_view TextArena::number(uint64_t v) {
  char tmp[24];
  int len = 0;
  do {
    tmp[len++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  char rev[24];
  for (int i = 0; i < len; ++i) rev[i] = tmp[len - 1 - i];
  return concat({std::string_view(rev, len)});
}

int via_fixes(const SipMessage& msg, const Via& top, const core::net::SocketAddr& src,
              TextArena& arena, Insert out[2]) {
  std::string_view data = msg.data();
  char ip[INET6_ADDRSTRLEN];
  size_t ip_len = src.format_ip(ip, sizeof(ip));
  if (ip_len == 0) return 0;
  std::string_view src_ip(ip, ip_len);
  int n = 0;
  const auto& rport = top.rport();
  bool rport_asked = rport.present() && !rport.has_value;
  std::string_view port = rport_asked ? arena.number(src.port()) : std::string_view();
  if (!port.empty()) {  // empty: the arena is full, and "rport=" without a port is malformed
    size_t at = core::sip::offset_in(data, rport.name) + rport.name.size();
    out[n++] = {at, arena.concat({"=", port})};
  }
  bool host_differs = !core::sip::iequals(top.sent_by().address(), src_ip);
  const auto& received = top.received();
  if (received.present()) {
    std::string_view text;
    if (!core::sip::iequals(received.value, src_ip) && !(text = arena.concat({src_ip})).empty())
      out[n++] = {core::sip::offset_in(data, received.value), text, received.value.size()};
  } else if (host_differs || rport_asked) {
    size_t at = core::sip::offset_in(data, top.text()) + top.text().size();
    out[n++] = {at, arena.concat({";received=", src_ip})};
  }
  if (n == 2 && out[1].offset < out[0].offset) std::swap(out[0], out[1]);
  return n;
}

namespace {

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string_view tag_of(const SipMessage& msg, HeaderType type) {
  const auto* h = msg.first(type);
  if (!h) return {};
  core::sip::NameAddr na;
  if (!na.parse(msg.value(*h)).ok()) return {};
  return na.tag();
}

// True when the header has a `tag` parameter, even an empty one (a second would be worse).
bool has_tag(const SipMessage& msg, HeaderType type) {
  const auto* h = msg.first(type);
  core::sip::NameAddr na;
  return h && na.parse(msg.value(*h)).ok() && na.param("tag").present();
}

void write_hex64(uint64_t h, char out[16]) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, h >>= 4) out[i] = kHex[h & 15];
}

}  // namespace

std::string_view make_branch(const SipMessage& msg, const Via& top, unsigned fork,
                             TextArena& arena) {
  uint64_t h = 14695981039346656037ull;
  if (top.has_rfc3261_branch()) {
    h = fnv1a(h, top.branch().value);
  } else {
    // RFC 3261 §16.11: To tag, From tag, Call-ID, CSeq number, Request-URI, top Via.
    core::sip::CSeq cseq;
    (void)msg.cseq(cseq);
    h = fnv1a(h, tag_of(msg, HeaderType::kTo));
    h = fnv1a(h, tag_of(msg, HeaderType::kFrom));
    h = fnv1a(h, msg.call_id());
    h = fnv1a(h, arena.number(cseq.number));
    h = fnv1a(h, msg.request_uri());
    h = fnv1a(h, top.text());
  }
  char f = static_cast<char>('0' + fork % 10);
  h = fnv1a(h, std::string_view(&f, 1));
  char hex[16];
  write_hex64(h, hex);
  return arena.concat({core::sip::kBranchCookie, "ser.", std::string_view(hex, sizeof(hex))});
}

void append_with_inserts(core::PoolString& out, std::string_view original, size_t begin, size_t end,
                         const Insert* inserts, int n) {
  size_t pos = begin;
  for (int i = 0; i < n; ++i) {
    if (inserts[i].offset < pos || inserts[i].offset + inserts[i].length > end) continue;
    out.append(original.substr(pos, inserts[i].offset - pos));
    out.append(inserts[i].text);
    pos = inserts[i].offset + inserts[i].length;
  }
  out.append(original.substr(pos, end - pos));
}

namespace {

// The To line, with a tag when it has none (a reply above 100 must carry one, §8.2.6.2).
void append_to(const SipMessage& req, const core::sip::HeaderField& h, int code,
               core::PoolString& out, const core::sip::CheckedFields* fields) {
  std::string_view data = req.data();
  if (code == 100 || (fields ? fields->to_tagged : has_tag(req, HeaderType::kTo))) {
    out.append(req.line(h));
    return;
  }
  std::string_view from_tag = fields ? fields->from_tag : tag_of(req, HeaderType::kFrom);
  uint64_t t = fnv1a(fnv1a(14695981039346656037ull, req.call_id()), from_tag);
  char tag[5 + 16] = {';', 't', 'a', 'g', '='};
  write_hex64(t, tag + 5);
  Insert ins{h.value_offset + h.value_length, std::string_view(tag, sizeof(tag))};
  append_with_inserts(out, data, h.offset, h.offset + h.length, &ins, 1);
}

}  // namespace

void build_reply(const SipMessage& req, const Insert* fixes, int nfixes, int code,
                 std::string_view reason, core::PoolString& out, std::string_view extra,
                 const core::sip::CheckedFields* fields) {
  out.clear();
  char status[8];
  status[0] = static_cast<char>('0' + code / 100 % 10);
  status[1] = static_cast<char>('0' + code / 10 % 10);
  status[2] = static_cast<char>('0' + code % 10);
  out.append("SIP/2.0 ").append(status, 3).append(" ").append(reason).append("\r\n");
  std::string_view data = req.data();
  bool first_via = true;
  for (const auto& h : req.headers()) {
    switch (h.type) {
      case HeaderType::kVia:
        append_with_inserts(out, data, h.offset, h.offset + h.length, fixes,
                            first_via ? nfixes : 0);
        first_via = false;
        break;
      case HeaderType::kTo:
        append_to(req, h, code, out, fields);
        break;
      case HeaderType::kFrom:
      case HeaderType::kCallId:
      case HeaderType::kCSeq:
        out.append(req.line(h));
        break;
      default:
        break;
    }
    if (!out.empty() && out.back() != '\n') out.append("\r\n");
  }
  out.append(extra);
  out.append("Server: ser\r\nContent-Length: 0\r\n\r\n");
}

core::PoolString& out_buffer(OutSlot slot) {
  thread_local core::PoolString buffers[3] = {
      core::PoolString(core::PoolAllocator<char>(core::Pool::shm())),
      core::PoolString(core::PoolAllocator<char>(core::Pool::shm())),
      core::PoolString(core::PoolAllocator<char>(core::Pool::shm()))};
  return buffers[static_cast<int>(slot)];
}

std::string_view tls_response_name(const core::sip::Via& via, const core::net::SocketAddr& dst,
                                   char* buf, size_t size) {
  if (via.sent_by().kind == core::sip::HostKind::kName) return via.sent_by().address();
  return std::string_view(buf, dst.format_ip(buf, size));
}

}  // namespace core::proxy
