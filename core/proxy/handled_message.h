#pragma once
// What every part of one message's handling shares: the proxy's environment, the received
// message with its parsed top Via, the arena for the texts written for it, and its log prefix.
// Lives on the stack of the handler for the one message (or of a held request's retry).
#include "core/net/net.h"
#include "core/proxy/proxy_types.h"
#include "core/proxy/sip_text.h"
#include "core/sip/checked_fields.h"
#include "core/sip/sip_message.h"
#include "core/sip/via.h"

namespace core::proxy {

class HandledMessage {
 public:
  // `fields`: what validate() parsed (null for a response, a refused or a held request).
  HandledMessage(ProxyEnv& env, const core::net::ReceivedMessage& rx,
                 const core::sip::SipMessage& msg, const core::sip::Via& top,
                 const core::sip::CheckedFields* fields = nullptr);
  HandledMessage(const HandledMessage&) = delete;
  HandledMessage& operator=(const HandledMessage&) = delete;

  ProxyEnv& env() const { return env_; }
  const core::net::ReceivedMessage& rx() const { return rx_; }
  const core::sip::SipMessage& msg() const { return msg_; }
  const core::sip::Via& top() const { return top_; }
  const core::sip::CheckedFields* fields() const { return fields_; }
  TextArena& arena() { return arena_; }
  bool is_ack() const { return msg_.method() == core::sip::Method::kAck; }
  // The received Max-Forwards (a request's), -1 when absent.
  int max_forwards() const { return max_forwards_; }

  // The connection prefix of log lines: "[c#42 tcp 127.0.0.1:5060<-127.0.0.1:40000]", written
  // at the first line logged.
  const char* log_prefix() const;

 private:
  ProxyEnv& env_;
  const core::net::ReceivedMessage& rx_;
  const core::sip::SipMessage& msg_;
  const core::sip::Via& top_;
  const core::sip::CheckedFields* fields_;
  TextArena arena_;
  int max_forwards_ = -1;
  mutable char prefix_[160];
};

}  // namespace core::proxy
