#pragma once
// The service manager's readiness protocol (sd_notify(3), systemd.service(5) Type=notify):
// ser says when it is ready, reloading and stopping. Without NOTIFY_SOCKET in the environment
// (not started by systemd) each call does nothing.
namespace core {

class SystemdNotify {
 public:
  // READY=1: every socket is bound and the workers run. Also ends a reload (with STATUS=).
  static void ready(const char* status = nullptr);
  // RELOADING=1 with MONOTONIC_USEC= (systemd 253's Type=notify-reload wants the timestamp;
  // earlier versions ignore it). ready() must follow once the reload is done, failed or not.
  static void reloading();
  // STOPPING=1: the stop has begun.
  static void stopping();
  // STATUS=: one line `systemctl status` shows.
  static void status(const char* text);
};

// One reload as systemd sees it: RELOADING=1 when made, READY=1 when gone, whatever the
// reload's outcome (a failed one leaves ser serving what it served).
class SystemdReloading {
 public:
  SystemdReloading() { SystemdNotify::reloading(); }
  ~SystemdReloading() { SystemdNotify::ready(); }
  SystemdReloading(const SystemdReloading&) = delete;
  SystemdReloading& operator=(const SystemdReloading&) = delete;
};

}  // namespace core
