#pragma once
// Message builders shared by the SIP unit tests.
#include <initializer_list>
#include <string>
#include <string_view>

namespace core::sip::test {

// Joins lines with CRLF, adds the empty line, then the body.
inline std::string crlf(std::initializer_list<std::string_view> lines, std::string_view body = "") {
  std::string out;
  for (std::string_view l : lines) {
    out.append(l);
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(body);
  return out;
}

inline std::string invite(std::string_view body = "") {
  return crlf({"INVITE sip:bob@biloxi.example.com SIP/2.0",
               "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds",
               "Max-Forwards: 70", "To: Bob <sip:bob@biloxi.example.com>",
               "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
               "Call-ID: a84b4c76e66710@pc33.atlanta.example.com", "CSeq: 314159 INVITE",
               "Contact: <sip:alice@pc33.atlanta.example.com>", "Content-Type: application/sdp",
               "Content-Length: " + std::to_string(body.size())},
              body);
}

inline std::string ok_response() {
  return crlf({"SIP/2.0 200 OK",
               "Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bK1;received=192.0.2.1",
               "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
               "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf",
               "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
               "Call-ID: a84b4c76e66710@pc33.atlanta.example.com", "CSeq: 314159 INVITE",
               "Content-Length: 0"});
}

}  // namespace core::sip::test
