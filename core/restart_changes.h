#pragma once
// What a reload cannot apply: parameters whose running value is built into objects that live
// as long as the process (listen sockets, worker threads, pools, the control and metrics
// sockets, the user it runs as, the network settings each worker copied at start). A reload
// reports each one that differs ("not applied until restart") instead of ignoring it.
// Everything else a reload applies: the route script, every TLS domain parameter and file,
// tls_config, tls_reload_on_change and log_level.
#include <string>
#include <vector>

#include "cfg/config_model.h"

namespace core {

// One entry per parameter of `next` that differs from `running` and needs a restart, as
// "children: 4 -> 8" or "listen: + tls:127.0.0.1:5071" (lists name what was added and
// removed), in a fixed order.
std::vector<std::string> restart_only_changes(const cfg::Config& running, const cfg::Config& next);

}  // namespace core
