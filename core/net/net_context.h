#pragma once
// What every worker, connection and part of one Net shares (internal to core/net): the
// settings, the handler, shm, the counters and log throttles, the table of live connections,
// the admission of new ones and who hears how a watched connect ended.
#include <atomic>
#include <cstdint>

#include "core/base/log.h"
#include "core/base/pool.h"
#include "core/net/admission.h"
#include "core/net/connection_table.h"
#include "core/net/net.h"
#include "core/net/net_counters.h"
#include "core/net/net_log.h"

namespace core::net {

struct NetContext {
  NetContext(const NetSettings& s, MessageHandler& h, Pool& pool)
      : settings(s), handler(h), shm(pool), admission(settings, shm, counters) {}
  NetContext(const NetContext&) = delete;
  NetContext& operator=(const NetContext&) = delete;

  uint64_t new_connection_id() { return next_id.fetch_add(1, std::memory_order_relaxed); }
  void report_connect(uint64_t token, bool connected) {
    if (connect_observer != nullptr) connect_observer(connect_context, token, connected);
  }

  NetSettings settings;
  MessageHandler& handler;
  Pool& shm;
  NetCounters counters;
  NetLog log;
  // Datagrams and sends dropped for want of memory or size: one line a second.
  LogThrottle drop_log{1000, 1, "message dropped"};
  ConnectionTable table;
  Admission admission;
  ConnectObserver connect_observer = nullptr;  // set before start
  void* connect_context = nullptr;
  std::atomic<uint64_t> next_id{1};
};

// What a plain TCP connection holds of shm: its Connection and PlainSocket objects.
extern const size_t kPlainConnectionBytes;

}  // namespace core::net
