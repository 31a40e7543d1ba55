#include "core/sip/header_scan.h"

#include "core/sip/param_list.h"
#include "core/sip/text.h"

namespace core::sip {

std::string_view first_header_value(std::string_view message, HeaderType type) {
  size_t at = message.find('\n');  // past the start line
  while (at != std::string_view::npos && at + 1 < message.size()) {
    std::string_view rest = message.substr(at + 1);
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the end of the headers
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && header_type_of(trim_lws(line.substr(0, colon))) == type)
      return trim_lws(line.substr(colon + 1));
    at = end == std::string_view::npos ? end : at + 1 + end;
  }
  return {};
}

std::string_view first_via_param(std::string_view via, std::string_view name) {
  via = via.substr(0, via.find(','));  // the first via-parm
  const size_t params = via.find(';');
  if (params == std::string_view::npos) return {};
  return find_param(via.substr(params), name, true).value;
}

}  // namespace core::sip
