// A reload swaps the route script under the proxy: every worker runs the new script from its
// next message, and the old script lives until the last worker that ran it has moved on.
#include <gtest/gtest.h>

#include "core/proxy/stateless_proxy.h"
#include "proxy_fixture.h"

namespace core::proxy::testing {
namespace {

using core::net::SocketAddr;

class ScriptSwapTest : public ProxyTest {
 protected:
  // Delivers a request as worker `worker` did; returns the first line of what was sent.
  std::string request_on(int worker) {
    std::string text = invite();
    SocketAddr src = addr("198.51.100.7", 5062);
    SocketAddr dst = locals_.by_listener(0)->address;
    core::net::ReceivedMessage rx{Transport::kUdp, src, dst, 0, 0, worker, text};
    sender_.sent.clear();
    proxy().on_message(rx);
    if (sender_.sent.empty()) return "";
    const std::string& out = sender_.sent.back().data;
    return out.substr(0, out.find("\r\n"));
  }
};

TEST_F(ScriptSwapTest, EachWorkerRunsTheNewScriptFromItsNextMessage) {
  settings_.workers = 2;
  use_script("route { sl_send_reply(404, \"Old\"); }");
  EXPECT_EQ(request_on(0), "SIP/2.0 404 Old");
  EXPECT_EQ(request_on(1), "SIP/2.0 404 Old");
  std::weak_ptr<const core::script::CompiledScript> old = script_;
  use_script("route { sl_send_reply(403, \"New\"); }");
  proxy().set_script(script_);
  EXPECT_EQ(proxy().script_generation(), 1u);
  EXPECT_EQ(request_on(0), "SIP/2.0 403 New");
  EXPECT_FALSE(old.expired());  // worker 1 still holds it: it has had no message since
  EXPECT_EQ(request_on(1), "SIP/2.0 403 New");
  EXPECT_TRUE(old.expired());
}

TEST_F(ScriptSwapTest, ANullScriptForwardsByTheRequestUri) {
  use_script("route { sl_send_reply(404, \"Old\"); }");
  EXPECT_EQ(request_on(0), "SIP/2.0 404 Old");
  proxy().set_script(nullptr);
  EXPECT_EQ(request_on(0), "INVITE sip:bob@203.0.113.5 SIP/2.0");
}

TEST_F(ScriptSwapTest, AMessageFromOutsideTheWorkersUsesTheScriptInEffect) {
  use_script("route { sl_send_reply(404, \"Old\"); }");
  EXPECT_EQ(request_on(-1), "SIP/2.0 404 Old");
  use_script("route { sl_send_reply(403, \"New\"); }");
  proxy().set_script(script_);
  EXPECT_EQ(request_on(-1), "SIP/2.0 403 New");
}

}  // namespace
}  // namespace core::proxy::testing
