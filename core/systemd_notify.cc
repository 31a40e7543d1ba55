#include "core/systemd_notify.h"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <ctime>
#include <string>

#include "core/base/log.h"

namespace core {

namespace {

// sd_notify leaves NOTIFY_SOCKET in the environment (unset_environment = 0): each call below
// needs it, and the children ser starts are threads, not processes that could misuse it.
void send(const std::string& state) {
  int rc = sd_notify(0, state.c_str());
  if (rc < 0) LOG_WARN("sd_notify(%s) failed: error %d", state.c_str(), -rc);
}

}  // namespace

void SystemdNotify::ready(const char* status) {
  send(status != nullptr ? std::string("READY=1\nSTATUS=") + status : std::string("READY=1"));
}

void SystemdNotify::reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t usec =
      static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void SystemdNotify::stopping() {
  send("STOPPING=1");
}

void SystemdNotify::status(const char* text) {
  send(std::string("STATUS=") + text);
}

}  // namespace core
