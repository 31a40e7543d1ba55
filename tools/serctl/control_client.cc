#include "tools/serctl/control_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace serctl {

namespace {

using Clock = std::chrono::steady_clock;

// Waits for `events` on `fd` until `deadline`; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

socklen_t fill_address(const cfg::ControlAddress& a, sockaddr_storage* ss) {
  std::memset(ss, 0, sizeof(*ss));
  if (a.kind == cfg::ControlAddress::Kind::kUnix) {
    auto* un = reinterpret_cast<sockaddr_un*>(ss);
    un->sun_family = AF_UNIX;
    a.path.copy(un->sun_path, sizeof(un->sun_path) - 1);
    return sizeof(*un);
  }
  if (a.host.find(':') != std::string::npos) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(ss);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(a.port);
    inet_pton(AF_INET6, a.host.c_str(), &in6->sin6_addr);
    return sizeof(*in6);
  }
  auto* in = reinterpret_cast<sockaddr_in*>(ss);
  in->sin_family = AF_INET;
  in->sin_port = htons(a.port);
  inet_pton(AF_INET, a.host.c_str(), &in->sin_addr);
  return sizeof(*in);
}

}  // namespace

ControlClient::~ControlClient() {
  if (fd_ >= 0) close(fd_);
}

bool ControlClient::connect(const cfg::ControlAddress& address, std::chrono::milliseconds timeout,
                            std::string* error) {
  timeout_ = timeout;
  name_ = address.to_string();
  sockaddr_storage ss;
  socklen_t len = fill_address(address, &ss);
  fd_ = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) {
    *error = "cannot connect to " + name_ + ": " + std::strerror(errno);
    return false;
  }
  int rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len);
  if (rc != 0 && errno == EINPROGRESS) {
    int err = ETIMEDOUT;
    socklen_t err_len = sizeof(err);
    if (wait_for(fd_, POLLOUT, Clock::now() + timeout_))
      getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &err_len);
    errno = err;
    rc = err == 0 ? 0 : -1;
  }
  if (rc != 0) {
    *error = "cannot connect to " + name_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool ControlClient::read_line(std::string* line, std::string* error) {
  auto deadline = Clock::now() + timeout_;
  for (;;) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      *line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return true;
    }
    if (!wait_for(fd_, POLLIN, deadline)) {
      *error =
          "no answer from " + name_ + " within " + std::to_string(timeout_.count() / 1000) + " s";
      return false;
    }
    char buf[16384];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      *error = name_ + " closed the connection without answering" +
               (n < 0 ? std::string(": ") + std::strerror(errno) : "");
      return false;
    }
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

bool ControlClient::call(const std::string& method, const Json& params, Json* response,
                         std::string* error) {
  int id = next_id_++;
  Json request = {{"jsonrpc", "2.0"}, {"method", method}, {"id", id}};
  if (!params.is_null()) request["params"] = params;
  std::string text = request.dump() + "\n";
  auto deadline = Clock::now() + timeout_;
  int send_errno = 0;
  for (size_t off = 0; off < text.size();) {
    ssize_t n = send(fd_, text.data() + off, text.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
    } else if (n < 0 && errno == EAGAIN && wait_for(fd_, POLLOUT, deadline)) {
      continue;
    } else {
      send_errno = n < 0 ? errno : EPIPE;
      if (send_errno != EPIPE && send_errno != ECONNRESET) {
        *error = "cannot send to " + name_ + ": " + std::strerror(send_errno);
        return false;
      }
      break;
    }
  }
  // A server refusing us (too many control clients) writes why and closes without reading:
  // the send then fails, but its answer is already ours to read.
  std::string line;
  if (!read_line(&line, error)) {
    if (send_errno != 0) *error = "cannot send to " + name_ + ": " + std::strerror(send_errno);
    return false;
  }
  *response = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (response->is_discarded() || !response->is_object()) {
    *error = name_ + " answered something that is not a JSON-RPC response: " + line.substr(0, 200);
    return false;
  }
  // The server answers in order; an answer without our id is a refusal (too many clients).
  if (response->value("id", Json()) != Json(id) && !response->contains("error")) {
    *error = name_ + " answered another request (id " + response->value("id", Json()).dump() + ")";
    return false;
  }
  return true;
}

}  // namespace serctl
