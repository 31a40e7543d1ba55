#include "tools/serctl/control_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace serctl {
namespace {

// A server that refuses a client the way ser does past its client limit: it writes the
// JSON-RPC error at once and closes without reading what the client sends.
TEST(ControlClientTest, ARefusalWrittenBeforeTheCloseIsReadNotASendError) {
  char dir[] = "/tmp/serctl_client_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/ctl";
  int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof(sa.sun_path) - 1);
  ASSERT_EQ(bind(lfd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  ASSERT_EQ(listen(lfd, 1), 0);

  cfg::ControlAddress address;
  address.path = path;
  ControlClient client;
  std::string error;
  ASSERT_TRUE(client.connect(address, std::chrono::seconds(2), &error)) << error;
  int cfd = accept(lfd, nullptr, nullptr);
  ASSERT_GE(cfd, 0);
  std::string refusal =
      R"({"jsonrpc":"2.0","error":{"code":-32001,"message":"too many control clients"},"id":null})"
      "\n";
  ASSERT_EQ(write(cfd, refusal.data(), refusal.size()), static_cast<ssize_t>(refusal.size()));
  close(cfd);  // closed before the request: sending it fails with EPIPE

  Json response;
  ASSERT_TRUE(client.call("core.ps", nullptr, &response, &error)) << error;
  EXPECT_EQ(response["error"]["code"], -32001) << response.dump();
  close(lfd);
  unlink(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace serctl
