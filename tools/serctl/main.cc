// serctl: asks a running ser over its control socket (ctl_socket) and prints the answer.
//   serctl [-s unix:PATH|tcp:IP:PORT] [--json] [-t SECONDS] COMMAND...
#include <boost/program_options.hpp>
#include <iostream>

#include "tools/serctl/command.h"

namespace po = boost::program_options;

namespace {

int usage_error(const std::string& what) {
  std::cerr << "serctl: " << what
            << "\nusage: serctl [-s unix:PATH|tcp:IP:PORT] [--json] [-t SECONDS] COMMAND... "
               "(serctl --help lists the commands)\n";
  return serctl::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description options("Options");
  options.add_options()("help,h", "this text")(
      "socket,s", po::value<std::string>()->default_value(std::string(cfg::kDefaultCtlSocket)),
      "ser's control socket: unix:PATH or tcp:IP:PORT (ser.cfg's ctl_socket)")(
      "json,j", "print the JSON-RPC result instead of a table")(
      "timeout,t", po::value<int>()->default_value(30), "seconds to wait for each answer");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::vector<std::string>>(), "");
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("command", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(e.what());
  }
  if (vm.count("help")) {
    std::cout << "usage: serctl [options] COMMAND...\n" << options << serctl::command_help();
    return serctl::kExitOk;
  }
  serctl::RunOptions run;
  std::string error;
  if (!cfg::parse_control_address(vm["socket"].as<std::string>(), &run.address, &error))
    return usage_error("-s: " + error);
  int seconds = vm["timeout"].as<int>();
  if (seconds < 1 || seconds > 3600) return usage_error("-t: expected 1 to 3600 seconds");
  run.timeout = std::chrono::seconds(seconds);
  run.json = vm.count("json") > 0;
  std::vector<std::string> words;
  if (vm.count("command")) words = vm["command"].as<std::vector<std::string>>();
  auto command = serctl::parse_command(words, &error);
  if (!command) return usage_error(error);
  return serctl::run_command(*command, run, std::cout, std::cerr);
}
