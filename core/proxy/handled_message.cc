#include "core/proxy/handled_message.h"

#include <cstdio>

namespace core::proxy {

HandledMessage::HandledMessage(ProxyEnv& env, const core::net::ReceivedMessage& rx,
                               const core::sip::SipMessage& msg, const core::sip::Via& top,
                               const core::sip::CheckedFields* fields)
    : env_(env), rx_(rx), msg_(msg), top_(top), fields_(fields) {
  prefix_[0] = '\0';
  if (fields != nullptr)
    max_forwards_ = fields->max_forwards;
  else if (msg.is_request())
    (void)msg.max_forwards(max_forwards_);
}

const char* HandledMessage::log_prefix() const {
  if (prefix_[0] == '\0') {
    char src[64], dst[64];
    rx_.src.format(src, sizeof(src));
    rx_.dst.format(dst, sizeof(dst));
    std::snprintf(prefix_, sizeof(prefix_), "[c#%llu %s %s<-%s]",
                  static_cast<unsigned long long>(rx_.conn_id), rx_.transport.name(), dst, src);
  }
  return prefix_;
}

}  // namespace core::proxy
