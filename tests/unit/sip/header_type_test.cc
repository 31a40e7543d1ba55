#include "core/sip/header_type.h"

#include <gtest/gtest.h>

#include <string>

namespace core::sip {
namespace {

struct CompactCase {
  const char* compact;
  HeaderType type;
  const char* long_name;
};

TEST(HeaderTypeTest, CompactFormsMapToTheirLongNames) {
  const CompactCase cases[] = {
      {"v", HeaderType::kVia, "Via"},
      {"f", HeaderType::kFrom, "From"},
      {"t", HeaderType::kTo, "To"},
      {"i", HeaderType::kCallId, "Call-ID"},
      {"m", HeaderType::kContact, "Contact"},
      {"l", HeaderType::kContentLength, "Content-Length"},
      {"c", HeaderType::kContentType, "Content-Type"},
      {"k", HeaderType::kSupported, "Supported"},
      {"s", HeaderType::kSubject, "Subject"},
      {"e", HeaderType::kContentEncoding, "Content-Encoding"},
      {"o", HeaderType::kEvent, "Event"},
      {"r", HeaderType::kReferTo, "Refer-To"},
      {"b", HeaderType::kReferredBy, "Referred-By"},
      {"u", HeaderType::kAllowEvents, "Allow-Events"},
      {"x", HeaderType::kSessionExpires, "Session-Expires"},
      {"a", HeaderType::kAcceptContact, "Accept-Contact"},
      {"j", HeaderType::kRejectContact, "Reject-Contact"},
      {"d", HeaderType::kRequestDisposition, "Request-Disposition"},
      {"y", HeaderType::kIdentity, "Identity"},
      {"n", HeaderType::kIdentityInfo, "Identity-Info"},
  };
  for (const CompactCase& c : cases) {
    EXPECT_EQ(header_type_of(c.compact), c.type) << c.compact;
    const std::string upper(1, static_cast<char>(c.compact[0] - 'a' + 'A'));
    EXPECT_EQ(header_type_of(upper), c.type) << upper;
    EXPECT_EQ(header_long_name(c.type), c.long_name);
    EXPECT_EQ(header_type_of(c.long_name), c.type) << c.long_name;
  }
  EXPECT_EQ(header_type_of("q"), HeaderType::kOther);
  EXPECT_EQ(header_type_of("CSeq"), HeaderType::kCSeq);
  EXPECT_EQ(header_type_of("max-forwards"), HeaderType::kMaxForwards);
  EXPECT_EQ(header_type_of("Record-Route"), HeaderType::kRecordRoute);
}

TEST(HeaderTypeTest, LongNamesAreCaseInsensitiveAndUnknownsAreOther) {
  EXPECT_EQ(header_type_of("VIA"), HeaderType::kVia);
  EXPECT_EQ(header_type_of("call-id"), HeaderType::kCallId);
  EXPECT_EQ(header_type_of("WWW-AUTHENTICATE"), HeaderType::kWwwAuthenticate);
  EXPECT_EQ(header_type_of("X-Call-ID"), HeaderType::kOther);
  EXPECT_EQ(header_type_of("Vias"), HeaderType::kOther);
  EXPECT_EQ(header_type_of(""), HeaderType::kOther);
  EXPECT_EQ(header_type_of(std::string(300, 'a')), HeaderType::kOther);
  EXPECT_EQ(header_long_name(HeaderType::kOther), "");
}

}  // namespace
}  // namespace core::sip
