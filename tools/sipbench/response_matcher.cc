#include "tools/sipbench/response_matcher.h"

#include "core/sip/header_scan.h"
#include "core/sip/header_type.h"
#include "core/sip/text.h"
#include "tools/sipbench/request_template.h"

namespace sipbench {

namespace {

constexpr std::string_view kCookie = "z9hG4bK-";

using core::sip::header_type_of;
using core::sip::HeaderType;
using core::sip::iequals;
using core::sip::is_digit;
using core::sip::trim_lws;

// "SIP/2.0 200 OK": the status code, or 0.
int status_of(std::string_view line) {
  constexpr std::string_view kVersion = "SIP/2.0 ";
  if (line.size() < kVersion.size() + 3 || line.substr(0, kVersion.size()) != kVersion) return 0;
  int status = 0;
  for (size_t i = kVersion.size(); i < kVersion.size() + 3; ++i) {
    if (!is_digit(line[i])) return 0;
    status = status * 10 + (line[i] - '0');
  }
  if (line.size() > kVersion.size() + 3 && line[kVersion.size() + 3] != ' ') return 0;
  return status >= 100 && status <= 699 ? status : 0;
}

}  // namespace

std::optional<ResponseHead> scan_response(std::string_view message) {
  size_t eol = message.find('\n');
  std::string_view first = message.substr(0, eol);
  if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
  ResponseHead head;
  head.status = status_of(first);
  if (head.status == 0) return std::nullopt;
  bool via_seen = false;
  while (eol != std::string_view::npos) {
    size_t begin = eol + 1;
    eol = message.find('\n', begin);
    std::string_view line =
        message.substr(begin, eol == std::string_view::npos ? eol : eol - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;                                    // the end of the headers
    if (line.front() == ' ' || line.front() == '\t') continue;  // a folded line
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim_lws(line.substr(0, colon));
    std::string_view value = trim_lws(line.substr(colon + 1));
    HeaderType type = header_type_of(name);
    if (type == HeaderType::kCallId) {
      head.call_id = value;
    } else if (!via_seen && type == HeaderType::kVia) {
      via_seen = true;
      head.branch = core::sip::first_via_param(value, "branch");
    }
  }
  return head;
}

Match match_response(std::string_view message, std::string_view prefix, uint32_t connection,
                     PendingTable& pending) {
  Match match;
  auto head = scan_response(message);
  if (!head) {
    match.outcome = Outcome::kNotResponse;
    return match;
  }
  match.status = head->status;
  auto id = parse_request_id(head->call_id, prefix);
  std::string_view branch = head->branch;
  bool cookie =
      branch.size() > kCookie.size() && iequals(branch.substr(0, kCookie.size()), kCookie);
  auto branch_id = cookie ? parse_request_id(branch.substr(kCookie.size()), prefix) : std::nullopt;
  if (!id || !branch_id || id->connection != connection || branch_id->slot != id->slot ||
      branch_id->seq != id->seq || branch_id->connection != id->connection ||
      !pending.find(id->slot, id->seq)) {
    match.outcome = Outcome::kUnmatched;
    return match;
  }
  if (head->status < 200) {
    match.outcome = Outcome::kProvisional;
    return match;
  }
  match.request = pending.release(id->slot);
  match.outcome = head->status < 300 ? Outcome::kAnswered : Outcome::kNon2xx;
  return match;
}

}  // namespace sipbench
