#include "tools/sipbench/load_connection.h"

#include <openssl/err.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>

#include "tools/sipbench/io_error.h"
#include "tools/sipbench/load_run.h"
#include "tools/sipbench/response_matcher.h"

namespace sipbench {

LoadConnection::LoadConnection(LoadRun& run, uint32_t index, OpenSocket socket,
                               RequestTemplate request)
    : run_(run),
      index_(index),
      fd_(socket.fd),
      ssl_(socket.ssl),
      udp_(run.options().transport == Transport::kUdp),
      request_(std::move(request)),
      pending_(run.options().window),
      reader_(udp_ ? 0 : 16384) {
  uint32_t window = run.options().window;
  out_.reserve(static_cast<size_t>(window) * request_.size());
  if (udp_) {
    send_headers_.resize(window);
    send_iov_.resize(window);
  }
  if (ssl_) {
    // One SSL_write per batch, resumed after WANT_WRITE with more appended (moving buffer).
    // Read-ahead comes from the context (TlsClient::create).
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  }
}

LoadConnection::~LoadConnection() {
  if (read_event_) event_free(read_event_);
  if (write_event_) event_free(write_event_);
  if (ssl_) SSL_free(ssl_);
  if (fd_ >= 0) close(fd_);
}

bool LoadConnection::start() {
  read_event_ = event_new(run_.base(), fd_, EV_READ | EV_PERSIST, &LoadConnection::on_read, this);
  write_event_ = event_new(run_.base(), fd_, EV_WRITE, &LoadConnection::on_write, this);
  return read_event_ && write_event_ && event_add(read_event_, nullptr) == 0;
}

void LoadConnection::queue(Clock::time_point now, bool counted) {
  assert(!pending_.full() && alive());
  uint64_t seq = ++seq_ % (kMaxSeq + 1);
  uint32_t slot = pending_.add(seq, now, counted);
  request_.append_to(out_, slot, seq);
  run_.sent(counted);
}

void LoadConnection::fill(Clock::time_point now, bool counted) {
  while (alive() && !pending_.full()) queue(now, counted);
}

bool LoadConnection::flush() {
  if (!alive()) return false;
  if (out_sent_ == out_.size() || write_waiting_) return true;
  return udp_ ? write_udp() : write_stream();
}

void LoadConnection::wait_writable() {
  write_waiting_ = true;
  event_add(write_event_, nullptr);
}

bool LoadConnection::write_stream() {
  while (out_sent_ < out_.size()) {
    const char* p = out_.data() + out_sent_;
    size_t left = out_.size() - out_sent_;
    if (ssl_) {
      ERR_clear_error();
      errno = 0;
      int n = SSL_write(ssl_, p, static_cast<int>(left));
      if (n <= 0) {
        int err = SSL_get_error(ssl_, n);
        if (err == SSL_ERROR_WANT_WRITE) {
          wait_writable();
          return true;
        }
        if (err == SSL_ERROR_WANT_READ) return true;  // the read event resumes it
        end_io(n, "send");
        return false;
      }
      out_sent_ += static_cast<size_t>(n);
      continue;
    }
    ssize_t n = send(fd_, p, left, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      wait_writable();
      return true;
    }
    if (n < 0) {
      end_io(-1, "send");
      return false;
    }
    out_sent_ += static_cast<size_t>(n);
  }
  out_.clear();  // capacity kept
  out_sent_ = 0;
  return true;
}

bool LoadConnection::write_udp() {
  size_t size = request_.size();
  while (out_sent_ < out_.size()) {
    unsigned count = 0;
    for (size_t at = out_sent_; at < out_.size(); at += size, ++count) {
      send_iov_[count] = {out_.data() + at, size};
      send_headers_[count] = {};
      send_headers_[count].msg_hdr.msg_iov = &send_iov_[count];
      send_headers_[count].msg_hdr.msg_iovlen = 1;
    }
    int n = sendmmsg(fd_, send_headers_.data(), count, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      wait_writable();
      return true;
    }
    if (n < 0 && errno == ECONNREFUSED) {  // an earlier datagram's ICMP: the next try may pass
      run_.error(ErrorKind::kConnectRefused, "send: port unreachable (ICMP)");
      continue;
    }
    if (n < 0) {
      end_io(-1, "sendmmsg");
      return false;
    }
    out_sent_ += static_cast<size_t>(n) * size;
  }
  out_.clear();
  out_sent_ = 0;
  return true;
}

void LoadConnection::on_write(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<LoadConnection*>(arg);
  self->write_waiting_ = false;
  if (self->flush() && self->ssl_) self->readable();  // a read that waited for this write
}

void LoadConnection::on_read(evutil_socket_t, short, void* arg) {
  static_cast<LoadConnection*>(arg)->readable();
}

void LoadConnection::readable() {
  Clock::time_point now{};
  bool open = udp_ ? read_udp(&now) : read_stream(&now);
  if (!open) return;
  run_.after_read(*this, now);
}

// Reads until the socket (and OpenSSL) has nothing more, framing as it goes.
bool LoadConnection::read_stream(Clock::time_point* now) {
  for (;;) {
    char* at = reader_.space();
    int room = static_cast<int>(std::min<size_t>(reader_.room(), 1 << 20));
    int n;
    if (ssl_) {
      ERR_clear_error();
      errno = 0;
      n = SSL_read(ssl_, at, room);
      if (n <= 0) {
        int err = SSL_get_error(ssl_, n);
        if (err == SSL_ERROR_WANT_READ) return true;
        if (err == SSL_ERROR_WANT_WRITE) {
          wait_writable();
          return true;
        }
        end_io(n, "read");
        return false;
      }
    } else {
      ssize_t got = recv(fd_, at, static_cast<size_t>(room), 0);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) return true;
      if (got <= 0) {
        end_io(static_cast<int>(got), "read");
        return false;
      }
      n = static_cast<int>(got);
    }
    reader_.commit(static_cast<size_t>(n));
    *now = Clock::now();
    bool framed = reader_.drain([&](std::string_view message) { take(message, *now); });
    if (!framed) {
      end(ErrorKind::kBadFraming, "broken framing: " + reader_.error());
      return false;
    }
    // Drained: the socket gave less than asked and OpenSSL holds nothing more. The read that
    // would say EAGAIN is saved; the loop is level-triggered, so anything that came meanwhile
    // wakes it again.
    if (n < room && (!ssl_ || !SSL_has_pending(ssl_))) return true;
  }
}

bool LoadConnection::read_udp(Clock::time_point* now) {
  UdpReceiver& rx = run_.udp_receiver();
  for (;;) {
    int n = rx.receive(fd_);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n < 0 && errno == ECONNREFUSED) {  // ICMP port unreachable for a request sent
      run_.error(ErrorKind::kConnectRefused, "port unreachable (ICMP) from the target");
      continue;
    }
    if (n < 0) {
      end_io(-1, "recvmmsg");
      return false;
    }
    *now = Clock::now();
    for (int i = 0; i < n; ++i) {
      if (rx.truncated(i))
        run_.error(ErrorKind::kBadFraming, "a datagram larger than the receive buffer");
      else
        take(rx.datagram(i), *now);
    }
    if (static_cast<size_t>(n) < rx.capacity()) return true;
  }
}

void LoadConnection::take(std::string_view message, Clock::time_point now) {
  Match m = match_response(message, run_.prefix(), index_, pending_);
  run_.count(m, now);
}

void LoadConnection::expire(Clock::time_point before) {
  pending_.expire(before, [&](const PendingTable::Entry& e) { run_.lost(e); });
}

void LoadConnection::end_io(int ret, const char* what) {
  int saved = errno;
  IoEnd e = ssl_ ? tls_io_end(ssl_, ret, saved, what, false) : socket_io_end(ret, saved, what);
  end(e.kind, e.text);
}

void LoadConnection::end(ErrorKind kind, const std::string& text) {
  run_.error(kind, text);
  expire(Clock::time_point::max());
  event_del(read_event_);
  event_del(write_event_);
  if (ssl_) SSL_free(ssl_);
  ssl_ = nullptr;
  close(fd_);
  fd_ = -1;
  run_.closed(*this);
}

}  // namespace sipbench
