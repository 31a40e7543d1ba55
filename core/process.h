#pragma once
// Process-level chores of a daemon: pid file, privilege drop, detaching, signals.
#include <functional>
#include <string>

namespace core {

// Writes our pid to `path` ("" = none). False (with `error`) when it cannot.
bool write_pid_file(const std::string& path, std::string* error);
void remove_pid_file(const std::string& path);
// "" when `user` and `group` ("" = keep) name existing accounts, else what does not exist
// ("user 'ser' does not exist"): drop_privileges() refuses the same.
std::string missing_account(const std::string& user, const std::string& group);
// setgid/setuid to group/user by name ("" = keep). Must run after binding privileged ports.
bool drop_privileges(const std::string& user, const std::string& group, std::string* error);
// Fork into the background (SER's default without -D). Only before any thread starts.
bool detach(bool keep_stderr, std::string* error);
// Blocks SIGTERM, SIGINT and SIGHUP in this thread (and the threads it starts later) and
// ignores SIGPIPE; wait_for_stop_signal() then waits for one of the first two, calling
// `every_second` (if given) once a second meanwhile and `on_hangup` (if given) at each SIGHUP
// (a reload, as every daemon does; systemd's ExecReload sends it).
void block_signals();
int wait_for_stop_signal(const std::function<void()>& every_second = {},
                         const std::function<void()>& on_hangup = {});

}  // namespace core
