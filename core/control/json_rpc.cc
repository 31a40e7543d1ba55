#include "core/control/json_rpc.h"

namespace core::control {

namespace {

Json error_object(int code, const std::string& message, const Json& data = nullptr) {
  Json e = {{"code", code}, {"message", message}};
  if (!data.is_null()) e["data"] = data;
  return e;
}

Json error_response(const Json& id, int code, const std::string& message,
                    const Json& data = nullptr) {
  return Json{{"jsonrpc", "2.0"}, {"error", error_object(code, message, data)}, {"id", id}};
}

// JSON-RPC 2.0 §4: an id is a string, a number or null.
bool valid_id(const Json& id) {
  return id.is_string() || id.is_number() || id.is_null();
}

std::string dump(const Json& j) {
  // Invalid UTF-8 in a string a method returns (a peer's certificate subject) is replaced, not
  // thrown on: the answer must always be sent.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..." without
// the library's tag: the rest says what is wrong and where.
std::string parse_error_text(std::string_view what) {
  if (what.starts_with("[json.exception.")) {
    size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return std::string(what);
}

}  // namespace

void JsonRpc::add(std::string name, std::string help, Method method) {
  methods_[std::move(name)] = Entry{std::move(help), std::move(method)};
}

std::map<std::string, std::string> JsonRpc::methods() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, entry] : methods_) out[name] = entry.help;
  return out;
}

std::string JsonRpc::error_text(int code, const std::string& message) {
  return dump(error_response(nullptr, code, message));
}

Json JsonRpc::call(const std::string& name, const Json& params) const {
  auto it = methods_.find(name);
  if (it == methods_.end()) throw RpcError(kMethodNotFound, "method not found: " + name);
  return it->second.method(params);
}

Json JsonRpc::answer_one(const Json& request) const {
  if (!request.is_object())
    return error_response(nullptr, kInvalidRequest, "invalid request: expected a JSON object");
  auto id_it = request.find("id");
  bool notification = id_it == request.end();
  Json id = notification ? Json(nullptr) : *id_it;
  if (!valid_id(id)) return error_response(nullptr, kInvalidRequest, "invalid request: bad id");
  auto version = request.find("jsonrpc");
  if (version == request.end() || *version != "2.0")
    return error_response(id, kInvalidRequest, "invalid request: \"jsonrpc\" must be \"2.0\"");
  auto method = request.find("method");
  if (method == request.end() || !method->is_string())
    return error_response(id, kInvalidRequest, "invalid request: \"method\" must be a string");
  Json params = nullptr;
  if (auto p = request.find("params"); p != request.end()) {
    if (!p->is_array() && !p->is_object())
      return error_response(id, kInvalidRequest,
                            "invalid request: \"params\" must be an array or an object");
    params = *p;
  }
  Json response;
  try {
    Json result = call(method->get<std::string>(), params);
    response = Json{{"jsonrpc", "2.0"}, {"result", std::move(result)}, {"id", id}};
  } catch (const RpcError& e) {
    response = error_response(id, e.code(), e.what(), e.data());
  } catch (const std::exception& e) {
    response = error_response(id, kInternalError, std::string("internal error: ") + e.what());
  }
  return notification ? Json() : response;
}

std::string JsonRpc::answer(std::string_view request) const {
  Json parsed;
  try {
    parsed = Json::parse(request);
  } catch (const Json::exception& e) {
    // Not only parse_error: a number beyond a double (1e400) is out_of_range.406, and an
    // exception left uncaught here ends the whole proxy.
    return dump(error_response(nullptr, kParseError, parse_error_text(e.what())));
  }
  if (!parsed.is_array()) {
    Json r = answer_one(parsed);
    return r.is_null() ? std::string() : dump(r);
  }
  if (parsed.empty())
    return dump(error_response(nullptr, kInvalidRequest, "invalid request: empty batch"));
  // One batch runs on the control thread in one go: bounded, so that a client cannot queue
  // a thousand reloads in 64 KiB.
  if (parsed.size() > kMaxBatch)
    return dump(error_response(nullptr, kInvalidRequest,
                               "invalid request: a batch of " + std::to_string(parsed.size()) +
                                   " requests (at most " + std::to_string(kMaxBatch) + ")"));
  Json batch = Json::array();
  for (const auto& one : parsed) {
    Json r = answer_one(one);
    if (!r.is_null()) batch.push_back(std::move(r));
  }
  return batch.empty() ? std::string() : dump(batch);
}

}  // namespace core::control
