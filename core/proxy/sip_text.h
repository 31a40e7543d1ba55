#pragma once
// Small text pieces the stateless proxy writes: branch, received/rport fixes, stateless
// reply, and a fixed-size arena for per-message texts (no heap allocation per message).
#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>

#include "core/base/memory_guard.h"
#include "core/base/pool.h"
#include "core/net/socket_addr.h"
#include "core/sip/checked_fields.h"
#include "core/sip/sip_message.h"
#include "core/sip/via.h"

namespace core::proxy {

// Bump allocator over an inline buffer; lives as long as the message being handled.
class TextArena {
 public:
  static constexpr size_t kSize = 4096;
  // Concatenates the parts; an empty view when the arena is full.
  std::string_view concat(std::initializer_list<std::string_view> parts);
  std::string_view number(uint64_t v);

 private:
  // Not zeroed: only the bytes concat() wrote are ever read, and a message's handling makes
  // one arena (zeroing it cost more than the rest of a stateless reply's text).
  char buf_[kSize];
  size_t used_ = 0;
};

// One text inserted into the original message at an offset, replacing `length` bytes there.
struct Insert {
  size_t offset = 0;
  std::string_view text;
  size_t length = 0;
};

// RFC 3261 §18.2.1 and RFC 3581 §4: the top Via gets `received` when its sent-by host is not
// the packet's source address (always when `rport` was asked), and an empty `rport` gets the
// source port. A `received` the sender wrote itself is replaced by the source address: it
// would steer the responses elsewhere. At most two edits, sorted by offset, texts in `arena`.
int via_fixes(const core::sip::SipMessage& msg, const core::sip::Via& top,
              const core::net::SocketAddr& src, TextArena& arena, Insert out[2]);

// A branch for our Via that is the same for a retransmission (and for a CANCEL or non-2xx ACK
// of the same INVITE) and differs per fork: a hash of the received top-Via branch when it
// carries the magic cookie, else of the RFC 2543 transaction key (RFC 3261 §16.11).
std::string_view make_branch(const core::sip::SipMessage& msg, const core::sip::Via& top,
                             unsigned fork, TextArena& arena);

// A stateless reply to `req` (RFC 3261 §8.2.6): its Via headers (the top one with `fixes`),
// From, To (a tag added when missing, derived from the request so retransmissions get the
// same), Call-ID and CSeq, then the header lines in `extra`; no body. Written into `out`.
// `fields` (optional): what validate() parsed of `req`, so From and To are not parsed again.
void build_reply(const core::sip::SipMessage& req, const Insert* fixes, int nfixes, int code,
                 std::string_view reason, core::PoolString& out, std::string_view extra = {},
                 const core::sip::CheckedFields* fields = nullptr);

// The name a new TLS connection carrying a response to `via`'s sender checks in the peer's
// certificate (RFC 5922 §7.2, RFC 3261 §18.2.2): the sent-by host when it is a domain name,
// else the address the response goes to (`dst`, formatted into buf: an IP SAN check). Empty
// only when buf is too small.
std::string_view tls_response_name(const core::sip::Via& via, const core::net::SocketAddr& dst,
                                   char* buf, size_t size);

// Appends original[begin, end) to out with the inserts (sorted by offset) applied.
void append_with_inserts(core::PoolString& out, std::string_view original, size_t begin, size_t end,
                         const Insert* inserts, int n);

// This thread's output buffer for one use (a forwarded request, a local reply, a relayed
// response): reused for every message, its bytes in the shared pool so they are accounted.
// Growing it past the pool's budget throws std::bad_alloc: callers catch it and drop the
// message (DESIGN.md principle 3).
enum class OutSlot { kForward, kReply, kResponse };
core::PoolString& out_buffer(OutSlot slot);

// Runs `write`, which fills an out_buffer(); false when it returned false or the pool refused
// the bytes (the one place the forward path turns bad_alloc into a value). A refusal is the
// message dropped for want of memory: counted in core::allocation_drops(), and `*no_memory`
// (when given) says so apart from write's own false.
template <typename F>
bool within_budget(F&& write, bool* no_memory = nullptr) {
  try {
    return write();
  } catch (const std::bad_alloc&) {
    core::count_allocation_drop();
    if (no_memory != nullptr) *no_memory = true;
    return false;
  }
}

}  // namespace core::proxy
