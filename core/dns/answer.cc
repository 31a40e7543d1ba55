#include "core/dns/answer.h"

#include <cctype>

namespace core::dns {

const char* rr_type_name(RrType t) {
  switch (t) {
    case RrType::kA:
      return "A";
    case RrType::kSoa:
      return "SOA";
    case RrType::kAaaa:
      return "AAAA";
    case RrType::kSrv:
      return "SRV";
    case RrType::kNaptr:
      return "NAPTR";
  }
  return "?";
}

const char* status_name(Status s) {
  switch (s) {
    case Status::kOk:
      return "ok";
    case Status::kNoData:
      return "no data";
    case Status::kNxDomain:
      return "NXDOMAIN";
    case Status::kFailed:
      return "failed";
  }
  return "?";
}

std::string_view normalize_name(std::string_view name, char* buf, size_t size) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.size() > size || name.size() > 255) return {};
  for (size_t i = 0; i < name.size(); ++i)
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  return {buf, name.size()};
}

}  // namespace core::dns
