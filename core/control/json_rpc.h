#pragma once
// A JSON-RPC 2.0 dispatcher (https://www.jsonrpc.org/specification), the protocol of
// Kamailio's jsonrpcs module: a request text in, the response text out. Single requests and
// batches; notifications (no "id") are run and not answered. Every malformed request gets the
// specification's error object, never an exception:
//   -32700 parse error (not JSON), -32600 invalid request (not a request object, too large),
//   -32601 method not found, -32602 invalid params, -32603 internal error (the method threw).
// Methods report their own failures with RpcError (codes -32000 to -32099 for the server's).
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace core::control {

using Json = nlohmann::ordered_json;

enum RpcCode : int {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kReloadFailed = -32000,  // the reload was refused; data holds the diagnostics
  kTooManyClients = -32001,
};

// Thrown by a method: answered as {"code", "message"[, "data"]}.
class RpcError : public std::runtime_error {
 public:
  RpcError(int code, const std::string& message, Json data = nullptr)
      : std::runtime_error(message), code_(code), data_(std::move(data)) {}
  int code() const { return code_; }
  const Json& data() const { return data_; }

 private:
  int code_;
  Json data_;
};

class JsonRpc {
 public:
  static constexpr size_t kMaxBatch = 32;  // requests in one batch
  // `params` is the request's "params" (null when absent: an array or an object otherwise).
  using Method = std::function<Json(const Json& params)>;

  void add(std::string name, std::string help, Method method);
  // The response text (one line, no newline) for one request text; "" when nothing is to be
  // answered (a notification, or a batch of notifications).
  std::string answer(std::string_view request) const;
  // An error response with a null id, for what never reached the parser (oversized input).
  static std::string error_text(int code, const std::string& message);
  // name -> help, sorted (system.listMethods).
  std::map<std::string, std::string> methods() const;

 private:
  struct Entry {
    std::string help;
    Method method;
  };
  Json answer_one(const Json& request) const;
  Json call(const std::string& name, const Json& params) const;

  std::map<std::string, Entry, std::less<>> methods_;
};

}  // namespace core::control
