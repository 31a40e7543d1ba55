#include "core/sip/header_type.h"

#include <cstddef>
#include <iterator>

#include "core/sip/text.h"

namespace core::sip {
namespace {

struct NameEntry {
  std::string_view name;
  HeaderType type;
};

// Long names; looked up by length first so a miss costs a few compares.
constexpr NameEntry kLongNames[] = {
    {"Via", HeaderType::kVia},
    {"From", HeaderType::kFrom},
    {"To", HeaderType::kTo},
    {"Call-ID", HeaderType::kCallId},
    {"CSeq", HeaderType::kCSeq},
    {"Max-Forwards", HeaderType::kMaxForwards},
    {"Contact", HeaderType::kContact},
    {"Content-Length", HeaderType::kContentLength},
    {"Content-Type", HeaderType::kContentType},
    {"Content-Encoding", HeaderType::kContentEncoding},
    {"Route", HeaderType::kRoute},
    {"Record-Route", HeaderType::kRecordRoute},
    {"Supported", HeaderType::kSupported},
    {"Require", HeaderType::kRequire},
    {"Proxy-Require", HeaderType::kProxyRequire},
    {"Unsupported", HeaderType::kUnsupported},
    {"Allow", HeaderType::kAllow},
    {"Expires", HeaderType::kExpires},
    {"Subject", HeaderType::kSubject},
    {"Event", HeaderType::kEvent},
    {"Refer-To", HeaderType::kReferTo},
    {"Referred-By", HeaderType::kReferredBy},
    {"Allow-Events", HeaderType::kAllowEvents},
    {"Session-Expires", HeaderType::kSessionExpires},
    {"Accept-Contact", HeaderType::kAcceptContact},
    {"Reject-Contact", HeaderType::kRejectContact},
    {"Request-Disposition", HeaderType::kRequestDisposition},
    {"Identity", HeaderType::kIdentity},
    {"Identity-Info", HeaderType::kIdentityInfo},
    {"Authorization", HeaderType::kAuthorization},
    {"Proxy-Authorization", HeaderType::kProxyAuthorization},
    {"WWW-Authenticate", HeaderType::kWwwAuthenticate},
    {"Proxy-Authenticate", HeaderType::kProxyAuthenticate},
    {"User-Agent", HeaderType::kUserAgent},
    {"Server", HeaderType::kServer},
    {"Path", HeaderType::kPath},
    {"Date", HeaderType::kDate},
};

HeaderType compact_type(char c) {
  switch (ascii_lower(c)) {
    case 'v':
      return HeaderType::kVia;
    case 'f':
      return HeaderType::kFrom;
    case 't':
      return HeaderType::kTo;
    case 'i':
      return HeaderType::kCallId;
    case 'm':
      return HeaderType::kContact;
    case 'l':
      return HeaderType::kContentLength;
    case 'c':
      return HeaderType::kContentType;
    case 'k':
      return HeaderType::kSupported;
    case 's':
      return HeaderType::kSubject;
    case 'e':
      return HeaderType::kContentEncoding;
    case 'o':
      return HeaderType::kEvent;
    case 'r':
      return HeaderType::kReferTo;
    case 'b':
      return HeaderType::kReferredBy;
    case 'u':
      return HeaderType::kAllowEvents;
    case 'x':
      return HeaderType::kSessionExpires;
    case 'a':
      return HeaderType::kAcceptContact;
    case 'j':
      return HeaderType::kRejectContact;
    case 'd':
      return HeaderType::kRequestDisposition;
    case 'y':
      return HeaderType::kIdentity;
    case 'n':
      return HeaderType::kIdentityInfo;
    default:
      return HeaderType::kOther;
  }
}

// Indices into kLongNames grouped by name length, built at compile time, so a lookup
// compares only the few names of the right length.
constexpr size_t kMaxNameLength = 20;
constexpr size_t kBucketSlots = 8;
struct Buckets {
  uint8_t count[kMaxNameLength] = {};
  uint8_t index[kMaxNameLength][kBucketSlots] = {};
};

constexpr Buckets make_buckets() {
  Buckets b;
  for (size_t i = 0; i < std::size(kLongNames); ++i) {
    const size_t len = kLongNames[i].name.size();
    b.index[len][b.count[len]++] = static_cast<uint8_t>(i);
  }
  return b;
}

constexpr Buckets kBuckets = make_buckets();

}  // namespace

HeaderType header_type_of(std::string_view name) {
  if (name.size() == 1) return compact_type(name[0]);
  if (name.size() >= kMaxNameLength) return HeaderType::kOther;
  const size_t len = name.size();
  const char first = ascii_lower(name[0]);
  for (size_t i = 0; i < kBuckets.count[len]; ++i) {
    const NameEntry& e = kLongNames[kBuckets.index[len][i]];
    if (ascii_lower(e.name[0]) == first && iequals(e.name, name)) return e.type;
  }
  return HeaderType::kOther;
}

std::string_view header_long_name(HeaderType type) {
  for (const NameEntry& e : kLongNames) {
    if (e.type == type) return e.name;
  }
  return {};
}

}  // namespace core::sip
