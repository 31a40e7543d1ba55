#include "tools/sipbench/options.h"

#include <arpa/inet.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <sstream>

namespace po = boost::program_options;

namespace sipbench {

const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::kIdle:
      return "idle";
    case Mode::kHandshake:
      return "handshake";
    case Mode::kOptions:
      return "options";
  }
  return "?";
}
const char* tls_version_name(TlsVersion version) {
  switch (version) {
    case TlsVersion::k12:
      return "1.2";
    case TlsVersion::k13:
      return "1.3";
    case TlsVersion::kAny:
      break;
  }
  return "any";
}

namespace {

po::options_description describe() {
  po::options_description d("Options");
  d.add_options()("help,h", "this text")("transport,T",
                                         po::value<std::string>()->default_value("tls"),
                                         "tls, tcp, or (options mode only) udp")(
      "connections,c", po::value<uint64_t>()->default_value(100),
      "idle: connections to hold; options: connections (udp: sockets, each its own port)")(
      "total,n", po::value<uint64_t>()->default_value(1000), "handshake: connections to make")(
      "concurrency,p", po::value<uint32_t>()->default_value(100),
      "connections being set up at once (connect, handshake, first answer)")(
      "duration,d", po::value<double>()->default_value(10),
      "idle: seconds to hold the connections once the last is up; options: seconds of the "
      "counted run (SIGINT/SIGTERM ends sooner)")(
      "timeout", po::value<double>()->default_value(5),
      "seconds for one connection's connect, handshake and answer; options: also for each "
      "request's answer (after it, the request is lost), and the wait for the last ones")(
      "window,w", po::value<uint32_t>()->default_value(8),
      "options: requests outstanding per connection (pipelined)")(
      "rate", po::value<double>(),
      "options: requests per second offered in total, evenly paced (-w then caps what is "
      "outstanding); without it each connection keeps -w outstanding")(
      "warmup", po::value<double>()->default_value(0),
      "options: seconds run before the counted run, not counted")(
      "ruri", po::value<std::string>(),
      "the Request-URI of every OPTIONS sent, in all modes (default sip:TARGET)")(
      "options", "handshake: send one OPTIONS on each connection and wait for its 200")(
      "tls-version", po::value<std::string>(), "1.2 or 1.3 (default: the highest both speak)")(
      "resume", "handshake: resume sessions (TLS 1.2 session ids, TLS 1.3 tickets)")(
      "sni", po::value<std::string>(), "server name to send (default: none)")(
      "ca", po::value<std::string>(), "CA file to verify the server with (default: no check)")(
      "cert", po::value<std::string>(), "client certificate file (PEM, with --key)")(
      "key", po::value<std::string>(), "client private key file (PEM)")(
      "provider-key-decoding",
      "parse the server's certificate keys with OpenSSL 3's provider decoders (default: "
      "the built-in RSA and EC ones, 5-10x cheaper per certificate)")(
      "local-ip", po::value<std::vector<std::string>>()->composing(),
      "source IPv4 address, e.g. 127.0.0.2 (repeat or comma-separate to use several in turn)")(
      "quiet,q", "no progress line each second (notices such as 'N connections up' stay)");
  return d;
}

bool parse_ipv4(const std::string& text, in_addr* out) {
  return inet_pton(AF_INET, text.c_str(), out) == 1;
}

// "IP:PORT" (IPv4 only).
bool parse_target(const std::string& text, sockaddr_in* out) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  int port = std::stoi(port_text);
  if (port < 1 || port > 65535) return false;
  *out = sockaddr_in{};
  out->sin_family = AF_INET;
  out->sin_port = htons(static_cast<uint16_t>(port));
  return parse_ipv4(text.substr(0, colon), &out->sin_addr);
}

std::optional<std::chrono::milliseconds> seconds_option(double value, double lo, double hi) {
  if (!std::isfinite(value) || value < lo || value > hi) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(value * 1000)));
}

// Splits each --local-ip value at commas.
bool parse_local_ips(const std::vector<std::string>& values, std::vector<in_addr>* out,
                     std::string* bad) {
  for (const auto& value : values) {
    std::stringstream list(value);
    std::string item;
    while (std::getline(list, item, ',')) {
      in_addr addr{};
      if (!parse_ipv4(item, &addr)) {
        *bad = item;
        return false;
      }
      out->push_back(addr);
    }
  }
  return true;
}

// The checks that need several options at once; empty when the combination is valid.
std::string check_combination(const Options& o, const po::variables_map& vm) {
  bool tls_option = vm.count("tls-version") || vm.count("resume") || vm.count("sni") ||
                    vm.count("ca") || vm.count("cert") || vm.count("key") ||
                    vm.count("provider-key-decoding");
  if (o.transport != Transport::kTls && tls_option)
    return "--tls-version, --resume, --sni, --ca, --cert, --key and --provider-key-decoding need "
           "-T tls";
  if (vm.count("cert") != vm.count("key")) return "--cert and --key go together";
  if (o.resume && o.mode != Mode::kHandshake) return "--resume is for the handshake mode";
  if (vm.count("options") && o.mode != Mode::kHandshake)
    return "--options is for the handshake mode (idle always sends one OPTIONS)";
  if (o.mode != Mode::kHandshake && !vm["total"].defaulted()) return "-n is for the handshake mode";
  if (o.mode == Mode::kHandshake && !vm["connections"].defaulted())
    return "-c is for the idle and options modes (the handshake mode makes -n connections)";
  if (o.mode == Mode::kHandshake && !vm["duration"].defaulted())
    return "-d is for the idle and options modes";
  if (o.mode != Mode::kOptions) {
    if (!vm["window"].defaulted()) return "-w is for the options mode";
    if (!vm["warmup"].defaulted()) return "--warmup is for the options mode";
    if (vm.count("rate")) return "--rate is for the options mode";
  }
  if (vm.count("ruri") && o.mode == Mode::kHandshake && !vm.count("options"))
    return "--ruri is for the modes that send OPTIONS (options, idle, handshake --options)";
  if (o.transport == Transport::kUdp && o.mode != Mode::kOptions)
    return "-T udp is for the options mode (idle and handshake need connections)";
  return {};
}

// The options mode's own numbers; an error naming the option, or empty.
std::string fill_options_mode(const po::variables_map& vm, Options& o) {
  o.window = vm["window"].as<uint32_t>();
  if (o.window < 1 || o.window > kMaxWindow)
    return "-w: expected 1 to " + std::to_string(kMaxWindow);
  if (vm.count("rate")) {
    o.rate = vm["rate"].as<double>();
    if (!std::isfinite(o.rate) || o.rate < 1 || o.rate > 10'000'000)
      return "--rate: expected 1 to 10000000 requests per second";
  }
  auto warmup = seconds_option(vm["warmup"].as<double>(), 0, 86400);
  if (!warmup) return "--warmup: expected 0 to 86400 seconds";
  o.warmup = *warmup;
  if (vm.count("ruri")) {
    o.ruri = vm["ruri"].as<std::string>();
    bool sip = o.ruri.rfind("sip:", 0) == 0 || o.ruri.rfind("sips:", 0) == 0;
    if (!sip || o.ruri.find_first_of(" \t\r\n") != std::string::npos)
      return "--ruri: expected a sip: or sips: URI without spaces, found '" + o.ruri + "'";
  }
  return {};
}

// Fills `o` from `vm`; returns an error naming the option, or empty.
std::string fill(const po::variables_map& vm, Options& o) {
  const auto& mode = vm["mode"].as<std::string>();
  if (mode == "idle")
    o.mode = Mode::kIdle;
  else if (mode == "handshake")
    o.mode = Mode::kHandshake;
  else if (mode == "options")
    o.mode = Mode::kOptions;
  else
    return "MODE: expected options, idle or handshake, found '" + mode + "'";
  o.target_text = vm["target"].as<std::string>();
  if (!parse_target(o.target_text, &o.target))
    return "TARGET: expected IPv4:PORT (e.g. 127.0.0.1:5061), found '" + o.target_text + "'";
  const auto& transport = vm["transport"].as<std::string>();
  auto parsed = Transport::parse(transport);
  if (parsed)
    o.transport = *parsed;
  else
    return "-T: expected tls, tcp or udp, found '" + transport + "'";
  o.connections = vm["connections"].as<uint64_t>();
  if (o.connections < 1 || o.connections > 10'000'000) return "-c: expected 1 to 10000000";
  o.total = vm["total"].as<uint64_t>();
  if (o.total < 1 || o.total > 100'000'000) return "-n: expected 1 to 100000000";
  o.concurrency = vm["concurrency"].as<uint32_t>();
  if (o.concurrency < 1 || o.concurrency > 100'000) return "-p: expected 1 to 100000";
  auto duration = seconds_option(vm["duration"].as<double>(), 0, 86400);
  if (!duration) return "-d: expected 0 to 86400 seconds";
  o.duration = *duration;
  auto timeout = seconds_option(vm["timeout"].as<double>(), 0.001, 600);
  if (!timeout) return "--timeout: expected 0.001 to 600 seconds";
  o.timeout = *timeout;
  o.send_options = o.mode == Mode::kIdle || vm.count("options");
  if (std::string err = fill_options_mode(vm, o); !err.empty()) return err;
  if (vm.count("tls-version")) {
    const auto& v = vm["tls-version"].as<std::string>();
    if (v == "1.2")
      o.tls_version = TlsVersion::k12;
    else if (v == "1.3")
      o.tls_version = TlsVersion::k13;
    else
      return "--tls-version: expected 1.2 or 1.3, found '" + v + "'";
  }
  o.resume = vm.count("resume") > 0;
  if (vm.count("sni")) o.sni = vm["sni"].as<std::string>();
  if (vm.count("ca")) o.ca_file = vm["ca"].as<std::string>();
  if (vm.count("cert")) o.cert_file = vm["cert"].as<std::string>();
  if (vm.count("key")) o.key_file = vm["key"].as<std::string>();
  o.builtin_key_methods = vm.count("provider-key-decoding") == 0;
  std::string bad;
  if (vm.count("local-ip") &&
      !parse_local_ips(vm["local-ip"].as<std::vector<std::string>>(), &o.local_ips, &bad))
    return "--local-ip: expected an IPv4 address, found '" + bad + "'";
  o.progress = vm.count("quiet") == 0;
  return check_combination(o, vm);
}

}  // namespace

ParseOutcome parse_options(int argc, const char* const* argv) {
  ParseOutcome out;
  auto visible = describe();
  std::ostringstream usage;
  usage << "usage: sipbench MODE TARGET [options]\n"
           "  MODE    options (-c connections, -w pipelined OPTIONS each, for -d seconds),\n"
           "          idle (hold -c connections, each after one OPTIONS answered 200) or\n"
           "          handshake (-n connections: connect, handshake, close)\n"
           "  TARGET  IPv4:PORT of the SIP server\n"
        << visible;
  out.usage = usage.str();
  po::options_description hidden;
  hidden.add_options()("mode", po::value<std::string>())("target", po::value<std::string>());
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("mode", 1).add("target", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    out.error = e.what();
    return out;
  }
  if (vm.count("help")) {
    out.help = true;
    return out;
  }
  if (!vm.count("mode") || !vm.count("target")) {
    out.error = "expected MODE and TARGET";
    return out;
  }
  Options o;
  out.error = fill(vm, o);
  if (out.error.empty()) out.options = o;
  return out;
}

}  // namespace sipbench
