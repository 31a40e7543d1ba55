// tls_ticket_key_file: the reader's errors (file:line, never the key), and fixed keys shared by
// two contexts (two nodes): the first encrypts, every one decrypts, and nothing rotates them.
#include "tls/ticket_key_file.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "tests/unit/tls/tls_test_util.h"
#include "tls/tls_context.h"

namespace tls {
namespace {

namespace fs = std::filesystem;
using test::cert;

// base64 of 80 bytes, all `fill`.
std::string key_line(unsigned char fill) {
  std::string raw(kTicketKeyBytes, static_cast<char>(fill));
  std::string out(((raw.size() + 2) / 3) * 4, '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                  reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  return out;
}

class TicketKeyFileTest : public ::testing::Test {
 protected:
  // One file per test: ctest runs the tests of this suite in parallel processes.
  void SetUp() override {
    path_ = (fs::path(::testing::TempDir()) /
             (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "." +
              std::to_string(getpid()) + ".ticket.keys"))
                .string();
  }
  bool read(const std::string& text) {
    std::ofstream(path_) << text;
    keys_.clear();
    diags_ = cfg::Diagnostics();
    return read_ticket_key_file(path_, {"ser.cfg", 3, 1}, &keys_, diags_);
  }
  std::string error() const {
    std::string e = diags_.first_error();
    return e.starts_with(path_) ? "ticket.keys" + e.substr(path_.size()) : e;
  }
  std::string path_;
  std::vector<TicketKey> keys_;
  cfg::Diagnostics diags_;
};

TEST_F(TicketKeyFileTest, KeysInOrderCommentsAndBlankLinesSkipped) {
  ASSERT_TRUE(read("# made by tools/make-ticket-keys.sh\n\n" + key_line(1) + "\n  " + key_line(2) +
                   "  \r\n"))
      << error();
  ASSERT_EQ(keys_.size(), 2u);
  EXPECT_EQ(keys_[0].name[0], 1);
  EXPECT_EQ(keys_[0].aes[31], 1);
  EXPECT_EQ(keys_[1].hmac[0], 2);
}

TEST_F(TicketKeyFileTest, ErrorsNameTheFileAndLineButNeverTheKey) {
  EXPECT_FALSE(read("# keys\n" + key_line(1).substr(0, 64) + "\n"));
  EXPECT_EQ(error(),
            "ticket.keys:2:1: error: expected a ticket key: the base64 of 80 bytes "
            "(tools/make-ticket-keys.sh), found 48 bytes");
  EXPECT_FALSE(read("not base64!\n"));
  EXPECT_EQ(error(),
            "ticket.keys:1:1: error: expected a ticket key: the base64 of 80 bytes "
            "(tools/make-ticket-keys.sh), found text that is not base64");
  EXPECT_FALSE(read("# nothing\n"));
  EXPECT_EQ(error(),
            "ticket.keys:1:1: error: no ticket key in the file (expected one base64 line of 80 "
            "bytes a key)");
  cfg::Diagnostics diags;
  std::vector<TicketKey> keys;
  EXPECT_FALSE(read_ticket_key_file(path_ + ".missing", {"ser.cfg", 3, 1}, &keys, diags));
  EXPECT_EQ(diags.first_error(), "ser.cfg:3:1: error: tls_ticket_key_file: cannot open " + path_ +
                                     ".missing: No such file or directory");
}

SslCtxPtr node(std::shared_ptr<TicketKeys> keys) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  SSL_CTX_use_certificate_chain_file(ctx.get(), cert("server.pem").c_str());
  SSL_CTX_use_PrivateKey_file(ctx.get(), cert("server.key").c_str(), SSL_FILETYPE_PEM);
  const unsigned char sid[] = "server:default";
  SSL_CTX_set_session_id_context(ctx.get(), sid, sizeof sid - 1);
  EXPECT_TRUE(TicketKeys::install(ctx.get(), std::move(keys)));
  return ctx;
}

TicketKey key(unsigned char fill) {
  TicketKey k;
  k.name.fill(fill);
  k.hmac.fill(fill);
  k.aes.fill(static_cast<unsigned char>(fill + 1));
  return k;
}

// Two nodes with the same file resume each other's sessions; after a rotation (a new first
// key) an old session still resumes on the other node; one whose key left the file does not.
TEST(TicketKeysFixed, TwoNodesShareTheFileAndRotateByIt) {
  int64_t now = 0;
  auto keys_a = std::make_shared<TicketKeys>(TicketKeys::kDefaultRotation, [&now] { return now; });
  auto keys_b = std::make_shared<TicketKeys>(TicketKeys::kDefaultRotation, [&now] { return now; });
  keys_a->use_fixed({key(1)});
  keys_b->use_fixed({key(1)});
  SslCtxPtr a = node(keys_a), b = node(keys_b);
  SslCtxPtr client = test::plain_client_ctx();
  bool reused = false;
  SslSessionPtr from_a = test::connect(a.get(), client.get(), nullptr, &reused);
  ASSERT_TRUE(from_a);
  test::connect(b.get(), client.get(), from_a.get(), &reused);
  EXPECT_TRUE(reused);
  now += 10 * 3600;  // fixed keys never rotate by age
  test::connect(b.get(), client.get(), from_a.get(), &reused);
  EXPECT_TRUE(reused);
  EXPECT_EQ(keys_b->rotations(), 0u);

  keys_a->use_fixed({key(2), key(1)});
  keys_b->use_fixed({key(2), key(1)});
  test::connect(b.get(), client.get(), from_a.get(), &reused);
  EXPECT_TRUE(reused);  // the old key decrypts
  keys_b->use_fixed({key(3), key(2)});
  test::connect(b.get(), client.get(), from_a.get(), &reused);
  EXPECT_FALSE(reused);  // its key left the file
}

}  // namespace
}  // namespace tls
