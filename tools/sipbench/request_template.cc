#include "tools/sipbench/request_template.h"

#include <algorithm>
#include <cassert>

#include "tools/sipbench/sip_exchange.h"

namespace sipbench {

namespace {

// `value` in exactly `width` decimal digits at `at` (the caller keeps it in range).
void put_digits(char* at, int width, uint64_t value) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  assert(value == 0);
}

// The "SSSSS-QQQQQQQQQQ" of one request at `at` (in its Call-ID or its branch).
void put_request_digits(char* at, uint32_t slot, uint64_t seq) {
  put_digits(at, kSlotDigits, slot);
  put_digits(at + kSlotDigits + 1, kSeqDigits, seq);
}

std::string digits(int width, uint64_t value) {
  std::string text(static_cast<size_t>(width), '0');
  put_digits(text.data(), width, value);
  return text;
}

// Reads exactly `width` digits at the start of `text`.
std::optional<uint64_t> read_digits(std::string_view text, int width) {
  if (text.size() < static_cast<size_t>(width)) return std::nullopt;
  uint64_t value = 0;
  for (int i = 0; i < width; ++i) {
    char c = text[static_cast<size_t>(i)];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

std::string id_prefix(uint64_t run_id) {
  return "sb" + std::to_string(run_id) + "-";
}

RequestId setup_request_id(uint64_t serial) {
  constexpr uint64_t kConnections = 10'000'000;  // kConnectionDigits
  static_assert(kConnectionDigits == 7);
  assert(serial / kConnections < 100000);
  return {static_cast<uint32_t>(serial % kConnections),
          static_cast<uint32_t>(serial / kConnections), 0};
}

RequestTemplate::RequestTemplate(core::Transport transport, const sockaddr_in& target,
                                 const sockaddr_in& local, std::string_view ruri, uint64_t run_id,
                                 uint32_t connection) {
  std::string to = ip_port(target);
  std::string conn = id_prefix(run_id) + digits(kConnectionDigits, connection);
  // The digits patched per request: "-SSSSS-QQQQQQQQQQ" after the connection's part.
  std::string per_request = "-" + digits(kSlotDigits, 0) + "-" + digits(kSeqDigits, 0);
  std::string uri(ruri);
  if (uri.empty())
    uri =
        "sip:" + to + (transport.is_stream() ? std::string(";transport=") + transport.name() : "");
  text_.reserve(512);
  text_ += "OPTIONS " + uri + " SIP/2.0\r\n";
  text_ += std::string("Via: SIP/2.0/") + transport.upper_name() + " " + ip_port(local) +
           ";rport;branch=z9hG4bK-" + conn;
  branch_digits_ = text_.size() + 1;
  text_ += per_request + "\r\n";
  text_ += "Max-Forwards: 70\r\n";
  text_ += "From: <sip:sipbench@" + ip_port(local) + ">;tag=" + conn + "\r\n";
  text_ += "To: <sip:" + to + ">\r\n";
  text_ += "Call-ID: ";
  call_id_ = text_.size();
  text_ += conn;
  call_id_digits_ = text_.size() + 1;
  text_ += per_request + "@sipbench\r\n";
  text_ += "CSeq: 1 OPTIONS\r\n";
  text_ += "User-Agent: sipbench\r\n";
  text_ += "Content-Length: 0\r\n\r\n";
}

void RequestTemplate::append_to(std::string& out, uint32_t slot, uint64_t seq) const {
  assert(slot < 100000 && seq <= kMaxSeq);
  size_t at = out.size();
  out.append(text_);
  for (size_t offset : {call_id_digits_, branch_digits_})
    put_request_digits(out.data() + at + offset, slot, seq);
}

std::string RequestTemplate::call_id(uint32_t slot, uint64_t seq) const {
  std::string id = text_.substr(call_id_, text_.find("\r\n", call_id_) - call_id_);
  put_request_digits(id.data() + (call_id_digits_ - call_id_), slot, seq);
  return id;
}

std::optional<RequestId> parse_request_id(std::string_view text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
  text.remove_prefix(prefix.size());
  auto connection = read_digits(text, kConnectionDigits);
  text.remove_prefix(std::min(text.size(), size_t{kConnectionDigits}));
  if (!connection || text.empty() || text[0] != '-') return std::nullopt;
  auto slot = read_digits(text.substr(1), kSlotDigits);
  text.remove_prefix(std::min(text.size(), size_t{kSlotDigits + 1}));
  if (!slot || text.empty() || text[0] != '-') return std::nullopt;
  auto seq = read_digits(text.substr(1), kSeqDigits);
  if (!seq) return std::nullopt;
  text.remove_prefix(std::min(text.size(), size_t{kSeqDigits + 1}));
  if (!text.empty() && text[0] != '@') return std::nullopt;  // the Call-ID's host, or the end
  return RequestId{static_cast<uint32_t>(*connection), static_cast<uint32_t>(*slot), *seq};
}

}  // namespace sipbench
