// Running a compiled script must not allocate (DESIGN.md: nothing on the data path allocates
// around the pool seam). Counts operator new while a script runs against a context whose own
// actions do not allocate. (glibc's regexec uses malloc internally for its scratch state; that
// is the C library's, not ours, and is not counted here.)
#include <gtest/gtest.h>

#include "cfg/config_loader.h"
#include "core/script/compiled_script.h"
#include "tests/unit/counting_new.h"

namespace core::script {
namespace {

class QuietContext : public ScriptContext {
 public:
  std::string_view method() const override { return "INVITE"; }
  std::string_view request_uri() const override { return "sip:bob@example.org:5080"; }
  std::string_view uri_host() const override { return "example.org"; }
  uint16_t uri_port() const override { return 5080; }
  IpAddr src_ip() const override { return IpAddr::v4(10, 1, 2, 3); }
  uint16_t src_port() const override { return 5062; }
  IpAddr dst_ip() const override { return IpAddr::v4(127, 0, 0, 1); }
  uint16_t dst_port() const override { return 5060; }
  Transport proto() const override { return Transport::kTls; }
  Af af() const override { return Af::kInet; }
  size_t msg_len() const override { return 900; }
  bool is_myself(std::string_view host, uint16_t) const override { return host == "127.0.0.1"; }
  std::string_view tls_fact(TlsFact) const override { return "TLSv1.3"; }
  bool is_peer_verified() const override { return true; }
  Status forward(std::optional<Transport>, std::string_view, uint16_t) override { return ok(); }
  Status sl_send_reply(int, std::string_view) override { return ok(); }
  Status mf_process_maxfwd_header(int) override { return ok(); }
  Status record_route() override { return ok(); }
  Status rewrite_host(std::string_view) override { return ok(); }
  Status rewrite_host_port(std::string_view) override { return ok(); }
  Status rewrite_uri(std::string_view) override { return ok(); }
  Status append_hf(std::string_view) override { return ok(); }
  Status remove_hf(std::string_view) override { return ok(); }
  void log(int, std::string_view text) override { logged += text.size(); }

  size_t actions = 0;
  size_t logged = 0;

 private:
  Status ok() {
    ++actions;
    return Status::kOk;
  }
};

TEST(ScriptNoAllocation, RunningTheScriptDoesNotCallOperatorNew) {
  cfg::Config config;
  cfg::Diagnostics diags;
  ASSERT_TRUE(cfg::load_config_text("t.cfg", R"(
route {
    if (!mf_process_maxfwd_header(10)) { exit; }
    if (src_ip == 10.0.0.0/8 && dst_ip == myself && src_port > 1024 && proto == TLS) {
        log(2, "tls $tls_version $tls_cipher from $tls_peer_subject_cn");
    }
    if (method == "INVITE" && uri =~ "example\\.org" && uri == myself) { drop; }
    if (is_peer_verified()) { route(EDIT); }
    forward(uri:host, uri:port);
}
route[EDIT] {
    record_route();
    append_hf("X-A: 1\r\n");
    remove_hf("X-B");
    rewritehostport("example.org:5080");
    break;
}
)",
                                    &config, &diags))
      << diags.first_error();
  auto compiled = CompiledScript::compile(config.script, diags);
  ASSERT_TRUE(compiled) << diags.first_error();
  QuietContext ctx;
  compiled->run_request(ctx);  // warm-up: log()'s thread_local buffer reaches its size
  size_t before_actions = ctx.actions;
  g_allocations = 0;
  g_counting = true;
  RunResult r{};
  for (int i = 0; i < 100; ++i) r = compiled->run_request(ctx);
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0u);
  EXPECT_TRUE(r.forwarded);
  EXPECT_EQ(ctx.actions - before_actions, 100u * 6);  // maxfwd, 4 edits, forward per message
  EXPECT_GT(ctx.logged, 0u);
}

}  // namespace
}  // namespace core::script
