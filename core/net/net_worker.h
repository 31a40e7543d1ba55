#pragma once
// One worker's share of a Net (internal to core/net): the worker thread, the stream
// connections it owns by id, the bytes their partial messages hold, and the connections
// closed but not yet freed. Everything here is touched only on the worker's thread.
#include <atomic>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/net/net.h"
#include "core/net/udp_receive_batch.h"
#include "core/net/udp_send_batch.h"
#include "core/net/worker.h"

namespace core::net {

class Connection;
struct NetContext;

struct NetWorker {
  NetWorker(NetContext& net, int index);
  ~NetWorker();
  NetWorker(const NetWorker&) = delete;
  NetWorker& operator=(const NetWorker&) = delete;

  // The event base and the reap trigger exist (Worker::init succeeded).
  bool ready() const {
    return worker.base() != nullptr && reap_trigger_.valid() && flush_trigger_.valid();
  }
  int index() const { return worker.index(); }
  // A connection made on this worker: registered here, in the table and counted live.
  void add(Connection* conn);
  Connection* find(uint64_t id) const;
  // A connection closed: out of the tables, its slot and reservation given back, freed later
  // from the loop (never from inside its own callbacks).
  void connection_gone(Connection* conn);
  // Room for `extra` more bytes of `needy`'s partial message in the worker's read share (half
  // of its pool); closes the connections holding larger ones to make it. False: `needy` holds
  // the largest and must close.
  bool make_read_room(const Connection& needy, size_t extra);
  // `conn` queued output outside a read of its own: it is flushed once the callbacks running
  // now have finished (a batch of UDP datagrams, the posted sends), with everything else they
  // queued for it.
  void defer_flush(Connection* conn);
  // Something this turn queued (a connection's output, udp_out's turn: UdpEndpoint::send)
  // must leave when the callbacks running now have finished: flush_deferred() runs then, once.
  void schedule_flush();
  // Writes what this turn queued: the connections' output and udp_out's datagrams.
  void flush_deferred();
  void flush_udp();
  // Stop: each connection closes once its pending writes are flushed, or when `flush` has
  // passed; then the loop ends.
  void begin_shutdown(std::chrono::milliseconds flush);
  WorkerSnapshot snapshot(bool with_list) const;

  NetContext& net;
  Worker worker;
  std::unordered_map<uint64_t, Connection*> conns;
  // Datagrams this worker read (how the peers' hash spreads them shows here): the only count of
  // them, summed by Net::stats() (no atomic shared by the workers per datagram). Any thread reads.
  std::atomic<uint64_t> udp_received{0};
  // Datagrams this worker handed to the handler: its own and those other workers handed it by
  // their Call-ID (UdpEndpoint::owner_of). Any thread reads.
  std::atomic<uint64_t> udp_handled{0};
  size_t read_held = 0;  // pool bytes of its connections' partial messages (make_read_room)
  bool stopping = false;
  UdpSendBatch udp_out;                   // see UdpEndpoint::send
  UdpReceiveBatch udp_in{worker.pool()};  // see UdpEndpoint::readable

 private:
  // Frees the connections closed since the last call.
  void reap();
  void close_all();

  std::vector<Connection*> graveyard_;
  Timer reap_trigger_;
  std::vector<Connection*> to_flush_;  // defer_flush(); a closed one is nulled
  Timer flush_trigger_;
  bool flush_scheduled_ = false;
  std::unique_ptr<Timer> shutdown_timer_;
};

}  // namespace core::net
