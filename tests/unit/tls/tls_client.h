#pragma once
// A TLS client for loopback tests: a TlsEngine over a blocking socket with a receive timeout
// (every call is bounded), trusting the test PKI's ca.pem and verifying the name localhost.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <span>
#include <string>
#include <string_view>

#include "core/net/socket_addr.h"
#include "tests/unit/net/net_test_util.h"
#include "tests/unit/tls/test_certs.h"
#include "tls/ossl_ptr.h"
#include "tls/tls_engine.h"

namespace tls::test {

// A TLS client: a TlsEngine over a blocking socket with a receive timeout.
class TlsClient {
 public:
  // `cert`: a client certificate of the test PKI ("client" = client.pem/.key), "" for none.
  // `server_name`: sent as SNI and verified in the server's certificate.
  explicit TlsClient(const core::net::SocketAddr& to, int rcvbuf = 0, const std::string& cert = "",
                     const std::string& server_name = "localhost")
      : fd_(core::net::testing::tcp_client(to, rcvbuf)) {
    const TestCerts& certs = TestCerts::get();
    ctx_.reset(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_load_verify_locations(ctx_.get(), certs.path("ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
    if (!cert.empty()) {
      SSL_CTX_use_certificate_chain_file(ctx_.get(), certs.path(cert + ".pem").c_str());
      SSL_CTX_use_PrivateKey_file(ctx_.get(), certs.path(cert + ".key").c_str(), SSL_FILETYPE_PEM);
    }
    engine_.init(ctx_.get(), TlsRole::kClient, server_name);
  }
  ~TlsClient() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }
  TlsEngine& engine() { return engine_; }

  bool handshake() {
    for (int i = 0; i < 50; ++i) {
      TlsResult r = engine_.handshake();
      if (!send_output()) return false;
      if (r == TlsResult::kOk) return true;
      if (r == TlsResult::kError || !receive()) return false;
    }
    return false;
  }
  bool send(std::string_view plain) {
    while (!plain.empty()) {
      size_t taken = 0;
      TlsResult r = engine_.write(plain, taken);
      if (r == TlsResult::kError || r == TlsResult::kClosed) return false;
      plain.remove_prefix(taken);
      if (!send_output()) return false;
    }
    return true;
  }
  // Plaintext until `want` bytes came, the stream ended, or the receive timeout.
  std::string read(size_t want) {
    std::string out;
    char buf[4096];
    while (out.size() < want) {
      size_t n = 0;
      TlsResult r = engine_.read(std::span<char>(buf, std::min(sizeof(buf), want - out.size())), n);
      out.append(buf, n);
      if (r == TlsResult::kOk) continue;
      if (r != TlsResult::kWantRead || !send_output() || !receive()) break;
    }
    return out;
  }
  // TLS records received so far (counted by their 5-byte headers, RFC 8446 §5.1).
  size_t records_received() const { return records_; }
  bool send_output() {
    bool ok = core::net::testing::write_all(fd_, engine_.output());
    engine_.consume_output(engine_.output().size());
    return ok;
  }

 private:
  bool receive() {
    char buf[16384];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    count_records(std::string_view(buf, static_cast<size_t>(n)));
    return engine_.feed(std::string_view(buf, static_cast<size_t>(n)));
  }
  void count_records(std::string_view bytes) {
    while (!bytes.empty()) {
      if (record_left_ > 0) {
        size_t n = std::min(record_left_, bytes.size());
        record_left_ -= n;
        bytes.remove_prefix(n);
        continue;
      }
      size_t n = std::min(5 - header_.size(), bytes.size());
      header_.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
      if (header_.size() < 5) continue;
      ++records_;
      record_left_ = static_cast<size_t>(static_cast<unsigned char>(header_[3])) << 8 |
                     static_cast<unsigned char>(header_[4]);
      header_.clear();
    }
  }

  int fd_;
  SslCtxPtr ctx_;
  TlsEngine engine_;
  size_t records_ = 0;
  size_t record_left_ = 0;  // of the record being received
  std::string header_;      // a record header received in part
};

}  // namespace tls::test
