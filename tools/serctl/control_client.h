#pragma once
// serctl's side of the control socket: one connection, JSON-RPC requests written one per
// line, each answer read as one line, every wait bounded by the timeout.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "cfg/control_address.h"

namespace serctl {

using Json = nlohmann::ordered_json;

class ControlClient {
 public:
  ControlClient() = default;
  ~ControlClient();
  ControlClient(const ControlClient&) = delete;
  ControlClient& operator=(const ControlClient&) = delete;

  // False with `error` ("cannot connect to unix:/run/ser/ser.ctl: No such file or directory").
  bool connect(const cfg::ControlAddress& address, std::chrono::milliseconds timeout,
               std::string* error);
  // Sends {"jsonrpc":"2.0","method":..,"params":..,"id":N} and reads the answer with id N.
  // False with `error` when no answer came (closed, timed out, not JSON): the transport failed,
  // whereas a JSON-RPC error is an answer (`*response` holds it).
  bool call(const std::string& method, const Json& params, Json* response, std::string* error);

 private:
  bool read_line(std::string* line, std::string* error);

  int fd_ = -1;
  std::chrono::milliseconds timeout_{0};
  std::string name_;
  std::string buffer_;
  int next_id_ = 1;
};

}  // namespace serctl
