#include "tools/serctl/command.h"

#include <ctime>
#include <ostream>

#include "tools/serctl/control_client.h"

namespace serctl {

namespace {

// A failed reload answers with the server's error -32000 whose data is the reload's result.
constexpr int kReloadFailed = -32000;

std::string human_tls_list(const std::vector<Json>& r, int64_t now) {
  return format_tls_list(r[0], now);
}
std::string human_tls_info(const std::vector<Json>& r, int64_t now) {
  return format_tls_info(r[0], now);
}
std::string human_reload(const std::vector<Json>& r, int64_t) {
  return format_reload(r[0]);
}
std::string human_stats(const std::vector<Json>& r, int64_t) {
  return format_stats(r[0]);
}
std::string human_ps(const std::vector<Json>& r, int64_t) {
  return format_ps(r[0], r[1]);
}
std::string human_cfg(const std::vector<Json>& r, int64_t) {
  return format_cfg(r[0]);
}
std::string human_mem(const std::vector<Json>& r, int64_t) {
  return format_mem(r[0]);
}
std::string human_raw(const std::vector<Json>& r, int64_t) {
  return r[0].dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Command simple(const char* method, std::string (*human)(const std::vector<Json>&, int64_t)) {
  return Command{{{method, nullptr}}, human, {}};
}

std::optional<Command> parse_call(const std::vector<std::string>& words, std::string* error) {
  if (words.size() < 2 || words.size() > 3) {
    *error = "usage: serctl call METHOD [PARAMS as a JSON array or object]";
    return std::nullopt;
  }
  Json params = nullptr;
  if (words.size() == 3) {
    params = Json::parse(words[2], nullptr, /*allow_exceptions=*/false);
    if (params.is_discarded() || (!params.is_array() && !params.is_object())) {
      *error =
          "call " + words[1] + ": PARAMS must be a JSON array or object, found '" + words[2] + "'";
      return std::nullopt;
    }
  }
  return Command{{{words[1], params}}, human_raw, {}};
}

std::optional<Command> parse_tls(const std::vector<std::string>& words, std::string* error) {
  std::string sub = words.size() == 2 ? words[1] : "";
  if (sub == "list") return simple("tls.list", human_tls_list);
  if (sub == "info") return simple("tls.info", human_tls_info);
  if (sub == "reload") return simple("tls.reload", human_reload);
  *error = "usage: serctl tls list|info|reload";
  return std::nullopt;
}

// The JSON printed for --json: the result, or {name: result} for a command of several calls.
Json machine_form(const Command& command, const std::vector<Json>& results) {
  if (command.json_names.empty()) return results[0];
  Json out = Json::object();
  for (size_t i = 0; i < results.size(); ++i) out[command.json_names[i]] = results[i];
  return out;
}

std::string dump(const Json& j) {
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

// The server's error: printed, and exit 1. A failed reload prints its diagnostics.
int report_error(const Json& error, const RunOptions& options, std::ostream& out,
                 std::ostream& err) {
  if (options.json) {
    out << dump(Json{{"error", error}});
  } else if (error.value("code", 0) == kReloadFailed && error.contains("data")) {
    out << format_reload(error["data"]);
  } else {
    err << "serctl: " << format_error(error);
  }
  return kExitError;
}

}  // namespace

std::optional<Command> parse_command(const std::vector<std::string>& words, std::string* error) {
  std::string first = words.empty() ? "" : words[0];
  bool alone = words.size() == 1;
  if (first == "tls") return parse_tls(words, error);
  if (first == "call") return parse_call(words, error);
  if (first == "reload" && alone) return simple("core.reload", human_reload);
  if (first == "ps" && alone)
    return Command{
        {{"core.ps", nullptr}, {"core.tcp_list", nullptr}}, human_ps, {"workers", "connections"}};
  if (first == "cfg" && alone) return simple("cfg.list", human_cfg);
  if (first == "mem" && alone) return simple("mem.stats", human_mem);
  if (first == "stats") {
    Json groups = Json::array();
    for (size_t i = 1; i < words.size(); ++i) groups.push_back(words[i]);
    return Command{
        {{"stats.get_statistics", groups.empty() ? Json(nullptr) : groups}}, human_stats, {}};
  }
  *error = first.empty() ? "no command given" : "unknown command '" + first + "'";
  if (!first.empty() && !alone && first != "stats") *error = "usage: serctl " + first;
  return std::nullopt;
}

int run_command(const Command& command, const RunOptions& options, std::ostream& out,
                std::ostream& err) {
  ControlClient client;
  std::string error;
  if (!client.connect(options.address, options.timeout, &error)) {
    err << "serctl: " << error << " (is ser running, with this ctl_socket?)\n";
    return kExitNoAnswer;
  }
  std::vector<Json> results;
  for (const Call& call : command.calls) {
    Json response;
    if (!client.call(call.method, call.params, &response, &error)) {
      err << "serctl: " << error << "\n";
      return kExitNoAnswer;
    }
    if (response.contains("error")) return report_error(response["error"], options, out, err);
    results.push_back(response.value("result", Json()));
  }
  if (options.json)
    out << dump(machine_form(command, results));
  else
    out << command.human(results, static_cast<int64_t>(std::time(nullptr)));
  return kExitOk;
}

const char* command_help() {
  return "Commands:\n"
         "  tls list        every TLS connection (addresses, domain, SNI, version, cipher,\n"
         "                  peer certificate, verified, age, bytes)\n"
         "  tls info        TLS domains: certificate subject, SANs, not-after, days left\n"
         "  tls reload      re-read the TLS domains and their files\n"
         "  reload          re-read ser.cfg (route script and TLS)\n"
         "  stats [PREFIX]  every counter and gauge (or those whose name starts with PREFIX)\n"
         "  ps              workers, their pools and connections\n"
         "  cfg             the effective value of every parameter\n"
         "  mem             memory pools, OpenSSL's and libevent's shares, shm per TLS\n"
         "                  connection, the memory guard and its refusals\n"
         "  call METHOD [PARAMS]  any JSON-RPC method (system.listMethods lists them)\n"
         "Exit codes: 0 ok, 1 the server answered an error or the reload failed,\n"
         "            2 usage, 3 no answer (cannot connect, closed, timed out)\n";
}

}  // namespace serctl
