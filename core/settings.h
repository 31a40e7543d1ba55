#pragma once
// The runtime settings of the workers and the proxy, filled from the configuration model:
// ser.cfg's defaults (cfg::CoreParams, CONFIG.md) are the only defaults a running server uses.
#include "cfg/config_model.h"
#include "core/net/net.h"
#include "core/proxy/proxy_types.h"

namespace core {

core::net::NetSettings net_settings(const cfg::Config& config);
core::proxy::ProxySettings proxy_settings(const cfg::Config& config);

}  // namespace core
