#pragma once
// A worker thread with its own libevent event_base (DESIGN.md principle 2). Other threads hand
// it work with post(): a mutex-protected queue and an eventfd that wakes the loop. Everything a
// worker owns (connections, its pkg pool, its scratch buffer) is touched only by its thread.
#include <event2/event.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/base/byte_buffer.h"
#include "core/base/pool.h"

namespace core::net {

using Task = std::function<void()>;

class Worker {
 public:
  Worker(int index, size_t pkg_budget);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Creates the event base and the wake event; false (with a log line) on failure.
  bool init();
  // Starts the thread running the loop until stop_loop().
  void start();
  // Thread-safe: runs `task` on this worker's thread, soon. False once the worker has stopped.
  bool post(Task task);
  // The allocation-free form for the data path: runs fn(arg) on this worker. When it returns
  // false (the worker has stopped) fn will never run and the caller still owns arg.
  bool post(void (*fn)(void*), void* arg);
  // Posts made on this worker's thread to other workers hold their wake-up (the eventfd write
  // that ends the other's epoll_wait) until release_wakes(): what one turn of this loop hands
  // over (the responses of one UDP batch) costs the other worker one wake-up, not one each.
  // `turn_end` is called when a turn holds its first wake-up; it must see that this worker
  // calls release_wakes() before its loop waits again. Set before start().
  void hold_wakes(std::function<void()> turn_end) { turn_end_ = std::move(turn_end); }
  void release_wakes();
  // Ends the loop; call on the worker's thread (or post it).
  void stop_loop();
  void join();

  event_base* base() const { return base_; }
  int index() const { return index_; }
  Pool& pool() { return pool_; }
  // A buffer reused by every read on this worker (no per-read allocation).
  ByteBuffer& scratch() { return scratch_; }
  bool is_current() const { return current() == this; }
  // The worker whose thread is calling, or null.
  static Worker* current();

 private:
  static void on_wake(evutil_socket_t fd, short what, void* arg);
  void run_posted();
  struct Item {
    void (*fn)(void*) = nullptr;
    void* arg = nullptr;
    Task task;
  };
  bool push(Item item);
  void wake();

  int index_;
  Pool pool_;
  ByteBuffer scratch_;
  event_base* base_ = nullptr;
  event* wake_event_ = nullptr;
  int wake_fd_ = -1;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Item> queue_;
  std::vector<Item> running_;
  bool stopped_ = false;
  std::function<void()> turn_end_;
  std::vector<Worker*> held_wakes_;  // this thread's posts whose wake-up waits (hold_wakes)
};

// A one-shot timer on a worker's event base; re-armable, or fired now; not valid() without a
// base. Not thread-safe: use on its worker.
class Timer {
 public:
  Timer(event_base* base, std::function<void()> callback);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  void arm(std::chrono::milliseconds timeout);
  // Runs the callback once from the loop, after the callbacks running now (several fire() calls
  // before it runs make one run).
  void fire();
  void cancel();
  bool armed() const;
  bool valid() const { return event_ != nullptr; }

 private:
  static void on_fire(evutil_socket_t, short, void* arg);
  event* event_;
  std::function<void()> callback_;
};

// The read and write interest of an fd in one persistent event, freed with its owner (the
// Timer pattern for I/O): one libevent event per connection, not one per direction, since
// 10,000 idle connections hold 10,000 of them. Not thread-safe: use on its worker.
class IoEvent {
 public:
  IoEvent(event_base* base, int fd, event_callback_fn callback, void* arg);
  ~IoEvent();
  IoEvent(const IoEvent&) = delete;
  IoEvent& operator=(const IoEvent&) = delete;
  bool valid() const { return event_ != nullptr; }
  // Watches the fd for `what`: EV_READ, EV_WRITE, both, or 0 for neither.
  void watch(short what);
  short watching() const { return what_; }
  // Runs the callback from the event loop as if the fd had become ready for `what`; a watch()
  // before the loop gets there keeps it.
  void activate(short what);
  // The callback calls this first: the activation it runs for is consumed.
  void fired() { activated_ = 0; }
  // Neither watched nor activated any more (the owner closes).
  void stop();

 private:
  event* event_;
  short what_ = 0;
  short activated_ = 0;
};

timeval to_timeval(std::chrono::milliseconds ms);

}  // namespace core::net
