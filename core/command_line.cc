#include "core/command_line.h"

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cfg/config_loader.h"
#include "cfg/listen_parse.h"
#include "cfg/param_table.h"
#include "core/base/block_allocator.h"
#include "core/runtime.h"
#include "core/tls_support.h"

namespace core {

namespace fs = std::filesystem;
namespace po = boost::program_options;

namespace {

#ifdef SER_VERSION
constexpr const char* kVersion = SER_VERSION;
#else
constexpr const char* kVersion = "0.1.0";
#endif

// `-d` may be given several times (`-d -d`, `-ddd`): each one raises the log level.
// Program_options refuses a repeated plain option; a type whose validate() counts does not.
struct Repeats {
  int count = 0;
};

// Found by argument-dependent lookup from Program_options' value parser.
[[maybe_unused]] void validate(boost::any& store, const std::vector<std::string>&, Repeats*, int) {
  if (store.empty()) store = Repeats{};
  ++boost::any_cast<Repeats&>(store).count;
}

po::options_description option_table() {
  po::options_description d("Options");
  std::string f_help = "configuration file (default: " + default_config_file() + ")";
  d.add_options()                                                                    //
      (",f", po::value<std::string>()->value_name("FILE"), f_help.c_str())           //
      (",c", "check the configuration, print a summary and exit")                    //
      (",D", "stay in the foreground (do not daemonize)")                            //
      (",E", "log to stderr instead of syslog")                                      //
      (",d", po::value<Repeats>()->zero_tokens(), "more debug output (repeatable)")  //
      (",n", po::value<std::string>()->value_name("N"), "number of worker threads")  //
      (",l", po::value<std::vector<std::string>>()->value_name("ADDR"),
       "also listen on PROTO:ADDR[:PORT], as listen= (repeatable)")                         //
      (",m", po::value<std::string>()->value_name("MB"), "shared memory pool, MiB")         //
      (",M", po::value<std::string>()->value_name("MB"), "per-worker private pool, MiB")    //
      (",u", po::value<std::string>()->value_name("USER"), "run as USER after binding")     //
      (",g", po::value<std::string>()->value_name("GROUP"), "run as GROUP after binding")   //
      (",P", po::value<std::string>()->value_name("PIDFILE"), "write the process id here")  //
      ("version,V", "print the version and exit")                                           //
      ("help,h", "print this help and exit");
  return d;
}

// A number option checked against the range of the ser.cfg parameter it overrides.
bool number_option(const po::variables_map& vm, const char* flag, const char* param, int64_t* out,
                   std::string* error) {
  const std::string text = vm[flag].as<std::string>();
  const cfg::ParamSpec* spec = cfg::find_param(param);
  int64_t min = spec ? spec->min : 1, max = spec ? spec->max : INT32_MAX;
  int64_t v = 0;
  bool digits = !text.empty() && text.size() < 12 &&
                text.find_first_not_of("0123456789") == std::string::npos;
  if (digits) v = std::stoll(text);
  if (!digits || v < min || v > max) {
    *error = std::string("option '") + flag + "' (" + param + "): expected a number from " +
             std::to_string(min) + " to " + std::to_string(max) + ", found '" + text + "'";
    return false;
  }
  *out = v;
  return true;
}

// Fills cmd from the parsed map; false with `error` set on a bad value.
bool fill(const po::variables_map& vm, CommandLine* cmd, std::string* error) {
  auto str = [&](const char* flag, std::string* out) {
    if (vm.count(flag)) *out = vm[flag].as<std::string>();
  };
  str("-f", &cmd->config_file);
  str("-u", &cmd->user);
  str("-g", &cmd->group);
  str("-P", &cmd->pid_file);
  cmd->check_only = vm.count("-c") > 0;
  cmd->foreground = vm.count("-D") > 0;
  cmd->log_stderr = vm.count("-E") > 0;
  if (vm.count("-d")) cmd->debug_raise = vm["-d"].as<Repeats>().count;
  int64_t n = 0;
  if (vm.count("-n")) {
    if (!number_option(vm, "-n", "children", &n, error)) return false;
    cmd->children = static_cast<int>(n);
  }
  if (vm.count("-m")) {
    if (!number_option(vm, "-m", "shm_mem_size", &n, error)) return false;
    cmd->shm_mem_mb = static_cast<uint32_t>(n);
  }
  if (vm.count("-M")) {
    if (!number_option(vm, "-M", "pkg_mem_size", &n, error)) return false;
    cmd->pkg_mem_mb = static_cast<uint32_t>(n);
  }
  if (vm.count("-l")) {
    for (const auto& text : vm["-l"].as<std::vector<std::string>>()) {
      cfg::ListenConfig listen;
      std::string e = parse_listen_arg(text, &listen);
      if (!e.empty()) return *error = "option '-l': " + e, false;
      cmd->extra_listen.push_back(listen);
    }
  }
  for (const char* flag : {"-f", "-u", "-g", "-P"})
    if (vm.count(flag) && vm[flag].as<std::string>().empty())
      return *error = std::string("option '") + flag + "' needs a non-empty value", false;
  return true;
}

std::string certificate_text(const cfg::Config& config, const cfg::TlsSettings& s) {
  if (!s.certificate.empty()) return s.certificate;
  return (config.cfg_dir.empty() ? std::string(".") : config.cfg_dir) + "/cert.pem";
}

struct DomainRow {
  std::string kind, address, sni, certificate, method;
};

DomainRow domain_row(const cfg::Config& config, const cfg::TlsDomainConfig& d) {
  DomainRow row;
  row.kind = d.kind == cfg::TlsDomainKind::kServer ? "server" : "client";
  row.address = d.is_default ? "default"
                : !d.id.empty()
                    ? "id \"" + d.id + "\""
                    : cfg::host_text(d.host, d.host_kind) + ":" + std::to_string(d.port);
  row.sni = d.kind == cfg::TlsDomainKind::kServer ? d.sni : d.settings.server_name;
  if (row.sni.empty()) row.sni = "-";
  row.certificate = certificate_text(config, d.settings);
  row.method = d.settings.method.spelling;
  return row;
}

// The domains in effect: the file's, plus the default server and client domains made of the
// global tls_* values when the file (or tls.cfg) does not define them.
std::vector<DomainRow> domain_rows(const cfg::Config& config) {
  std::vector<DomainRow> rows;
  bool server_default = false, client_default = false;
  for (const auto& d : config.tls_domains) {
    if (d.is_default && d.kind == cfg::TlsDomainKind::kServer) server_default = true;
    if (d.is_default && d.kind == cfg::TlsDomainKind::kClient) client_default = true;
  }
  for (auto kind : {cfg::TlsDomainKind::kServer, cfg::TlsDomainKind::kClient}) {
    if (kind == cfg::TlsDomainKind::kServer ? server_default : client_default) continue;
    cfg::TlsDomainConfig d;
    d.kind = kind;
    d.is_default = true;
    d.settings = config.tls.defaults;
    rows.push_back(domain_row(config, d));
  }
  for (const auto& d : config.tls_domains) rows.push_back(domain_row(config, d));
  return rows;
}

void print_domains(const cfg::Config& config, std::ostream& out) {
  if (!tls_built_in()) {
    out << "tls: not built in (TLS=0)\n";
    return;
  }
  if (config.tls.disable_tls) {
    out << "tls: disabled (disable_tls)\n";
    return;
  }
  std::vector<DomainRow> rows = domain_rows(config);
  DomainRow head{"kind", "address", "sni", "certificate", "method"};
  size_t w_addr = head.address.size(), w_sni = head.sni.size(), w_cert = head.certificate.size();
  for (const auto& r : rows) {
    w_addr = std::max(w_addr, r.address.size());
    w_sni = std::max(w_sni, r.sni.size());
    w_cert = std::max(w_cert, r.certificate.size());
  }
  out << "tls domains (" << rows.size() << "):\n";
  auto line = [&](const DomainRow& r) {
    auto pad = [](const std::string& s, size_t w) {
      return s + std::string(w - s.size() + 2, ' ');
    };
    out << "  " << pad(r.kind, 6) << pad(r.address, w_addr) << pad(r.sni, w_sni)
        << pad(r.certificate, w_cert) << r.method << "\n";
  };
  line(head);
  for (const auto& r : rows) line(r);
}

}  // namespace

std::string default_config_file() {
#ifdef SER_DEFAULT_CONFIG
  return SER_DEFAULT_CONFIG;
#else
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "/usr/local/etc/ser/ser.cfg";
  fs::path prefix = exe.parent_path().parent_path();
  fs::path installed = prefix / "etc/ser/ser.cfg";
  fs::path source_tree = prefix / "etc/ser.cfg";
  if (!fs::exists(installed, ec) && fs::exists(source_tree, ec)) return source_tree.string();
  return installed.string();
#endif
}

void print_summary(const cfg::Config& config, std::ostream& out) {
  out << "ser: " << config.main_file << ": configuration OK\n";
  std::vector<cfg::ListenConfig> listen = config.effective_listen();
  out << "listen (" << listen.size() << "):\n";
  for (const auto& l : listen) out << "  " << l.to_string() << "\n";
  print_domains(config, out);
}

// Program_options names a short-only option '--n' in its messages; SER users type '-n'.
std::string fix_option_names(std::string message) {
  for (size_t i = 0; (i = message.find("'--", i)) != std::string::npos; ++i)
    if (i + 4 < message.size() && message[i + 4] == '\'') message.erase(i + 1, 1);
  return message;
}

ParseResult parse_command_line(int argc, const char* const argv[]) {
  ParseResult result;
  po::variables_map vm;
  try {
    // SER's flags are short and case-sensitive; guessing abbreviations would blur -d/-D.
    int style = po::command_line_style::unix_style ^ po::command_line_style::allow_guessing;
    const po::options_description options = option_table();  // `parsed` points into it
    po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(options).style(style).run();
    for (const auto& o : parsed.options) {
      if (o.position_key >= 0 && !o.value.empty()) {
        result.outcome = ParseOutcome::kError;
        result.error = "unexpected argument '" + o.value.front() +
                       "' (the configuration file is given with -f FILE)";
        return result;
      }
    }
    po::store(parsed, vm);
  } catch (const po::error& e) {
    result.outcome = ParseOutcome::kError;
    result.error = fix_option_names(e.what());
    return result;
  }
  if (vm.count("help")) return result.outcome = ParseOutcome::kHelp, result;
  if (vm.count("version")) return result.outcome = ParseOutcome::kVersion, result;
  result.cmd.config_file = default_config_file();
  if (!fill(vm, &result.cmd, &result.error)) result.outcome = ParseOutcome::kError;
  return result;
}

std::string usage_text() {
  std::ostringstream out;
  out << "Usage: ser [options]\n"
      << "SIP proxy with a TLS transport, configured by ser.cfg.\n\n"
      << option_table() << "\nExit status: 0 ok, 1 configuration errors, 2 usage errors.\n";
  return out.str();
}

std::string version_text() {
  std::string v = std::string("ser ") + kVersion + "\n";
  if (tls_built_in())
    v += "TLS support: yes\nbuilt with " + tls_library_version() + "\n";
  else
    v += "TLS support: no (built with TLS=0)\n";
  v += std::string("memory pools on ") + BlockAllocator::instance().name() + "\n";
  return v;
}

std::string parse_listen_arg(const std::string& text, cfg::ListenConfig* out) {
  std::string error;
  if (!cfg::parse_listen(text, out, &error)) return error;
  if (out->proto == core::Transport::kTls && !tls_built_in())
    return "listen '" + text + "': " + cfg::kNoTlsSupport;
  out->loc = {"command line", 0, 0};
  return {};
}

namespace {}  // namespace

bool has_listen(const cfg::CoreParams& core, const cfg::ListenConfig& l) {
  for (const auto& have : core.listen)
    if (have.to_string() == l.to_string()) return true;
  return false;
}

void apply_overrides(const CommandLine& cmd, cfg::Config* config) {
  cfg::CoreParams& core = config->core;
  if (cmd.children) core.children = *cmd.children;
  // As in SER, addresses given on the command line join those of the file; with none in the
  // file they replace the implicit udp:0.0.0.0:5060.
  for (const auto& l : cmd.extra_listen)
    if (!has_listen(core, l)) core.listen.push_back(l);
  if (cmd.shm_mem_mb) core.shm_mem_size_mb = *cmd.shm_mem_mb;
  if (cmd.pkg_mem_mb) core.pkg_mem_size_mb = *cmd.pkg_mem_mb;
  const cfg::SourceLoc command_line{"command line", 0, 0};
  if (!cmd.user.empty()) core.user = cmd.user, config->set_at["user"] = command_line;
  if (!cmd.group.empty()) core.group = cmd.group, config->set_at["group"] = command_line;
  core.log_level = std::min(4, core.log_level + cmd.debug_raise);
  if (cmd.log_stderr) core.log_stderror = true;
}

int run_check(const CommandLine& cmd, std::ostream& out, std::ostream& err) {
  BuildResult built = build_runtime(cmd);
  err << built.text();
  if (!built.ok()) return kExitConfigError;
  print_summary(built.runtime->config, out);
  return kExitOk;
}

std::optional<int> handle_early_exit(const ParseResult& parsed, std::ostream& out,
                                     std::ostream& err) {
  switch (parsed.outcome) {
    case ParseOutcome::kHelp:
      out << usage_text();
      return kExitOk;
    case ParseOutcome::kVersion:
      out << version_text();
      return kExitOk;
    case ParseOutcome::kError:
      err << "ser: " << parsed.error << "\n\n" << usage_text();
      return kExitUsage;
    case ParseOutcome::kRun:
      break;
  }
  return std::nullopt;
}

}  // namespace core
