#include "core/net/worker.h"

#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/base/log.h"

namespace core::net {
namespace {
thread_local Worker* t_current = nullptr;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

Worker::Worker(int index, size_t pkg_budget)
    : index_(index),
      pool_("pkg" + std::to_string(index), pkg_budget, PoolSharing::kOwnerThread),
      scratch_(pool_) {}

Worker::~Worker() {
  join();
  scratch_.release();
  if (wake_event_ != nullptr) event_free(wake_event_);
  if (base_ != nullptr) event_base_free(base_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

bool Worker::init() {
  base_ = event_base_new();
  if (base_ == nullptr) {
    LOG_ERR("worker %d: cannot create an event base", index_);
    return false;
  }
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    LOG_ERR("worker %d: eventfd failed", index_);
    return false;
  }
  wake_event_ = event_new(base_, wake_fd_, EV_READ | EV_PERSIST, &Worker::on_wake, this);
  return wake_event_ != nullptr && event_add(wake_event_, nullptr) == 0;
}

void Worker::start() {
  thread_ = std::thread([this] {
    t_current = this;
    char name[16];
    std::snprintf(name, sizeof(name), "ser-w%d", index_);
    pthread_setname_np(pthread_self(), name);  // visible in top -H, gdb, perf
    event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY);
    release_wakes();
    run_posted();  // tasks posted while stopping (e.g. frees) still run
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
    }
    run_posted();
    release_wakes();
    t_current = nullptr;
  });
}

bool Worker::post(Task task) {
  return push(Item{nullptr, nullptr, std::move(task)});
}

bool Worker::post(void (*fn)(void*), void* arg) {
  return push(Item{fn, arg, {}});
}

bool Worker::push(Item item) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return false;
    bool was_empty = queue_.empty();
    queue_.push_back(std::move(item));
    if (!was_empty) return true;  // a wake-up is already pending (or held by its poster)
  }
  Worker* poster = t_current;
  if (poster != nullptr && poster != this && poster->turn_end_) {
    if (poster->held_wakes_.empty()) poster->turn_end_();
    poster->held_wakes_.push_back(this);  // once per turn: the queue is not empty until it runs
    return true;
  }
  wake();
  return true;
}

void Worker::wake() {
  uint64_t one = 1;
  ssize_t n = ::write(wake_fd_, &one, sizeof(one));
  (void)n;  // EAGAIN means the counter is already non-zero: the loop will wake anyway
}

void Worker::release_wakes() {
  for (Worker* w : held_wakes_) w->wake();
  held_wakes_.clear();
}

void Worker::stop_loop() {
  event_base_loopexit(base_, nullptr);
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

Worker* Worker::current() {
  return t_current;
}

void Worker::on_wake(evutil_socket_t fd, short /*what*/, void* arg) {
  uint64_t count;
  ssize_t n = ::read(fd, &count, sizeof(count));
  (void)n;
  static_cast<Worker*>(arg)->run_posted();
}

void Worker::run_posted() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_.swap(queue_);
  }
  for (Item& item : running_) {
    if (item.fn != nullptr) {
      item.fn(item.arg);
    } else {
      item.task();
    }
  }
  running_.clear();  // keeps the capacity: no allocation for the queue vector itself
}

Timer::Timer(event_base* base, std::function<void()> callback)
    : event_(base != nullptr ? event_new(base, -1, 0, &Timer::on_fire, this) : nullptr),
      callback_(std::move(callback)) {}

Timer::~Timer() {
  if (event_ != nullptr) event_free(event_);
}

void Timer::arm(std::chrono::milliseconds timeout) {
  timeval tv = to_timeval(timeout);
  event_add(event_, &tv);
}

void Timer::fire() {
  if (event_ != nullptr) event_active(event_, EV_TIMEOUT, 0);
}

void Timer::cancel() {
  event_del(event_);
}

bool Timer::armed() const {
  return event_pending(event_, EV_TIMEOUT, nullptr) != 0;
}

IoEvent::IoEvent(event_base* base, int fd, event_callback_fn callback, void* arg)
    : event_(event_new(base, fd, EV_PERSIST, callback, arg)) {}

// libevent fixes an event's interest when it is assigned: a change is a delete, a re-assign
// with the same fd and callback, and an add (one epoll_ctl for the change when the loop runs).
void IoEvent::watch(short what) {
  if (event_ == nullptr || what == what_) return;
  event_base* base = event_get_base(event_);
  evutil_socket_t fd = event_get_fd(event_);
  event_callback_fn callback = event_get_callback(event_);
  void* arg = event_get_callback_arg(event_);
  event_del(event_);  // also drops a pending activation: made again below
  event_assign(event_, base, fd, static_cast<short>(what | EV_PERSIST), callback, arg);
  what_ = what;
  if (what != 0) event_add(event_, nullptr);
  if (activated_ != 0) event_active(event_, activated_, 0);
}

void IoEvent::activate(short what) {
  if (event_ == nullptr) return;
  activated_ = static_cast<short>(activated_ | what);
  event_active(event_, what, 0);
}

void IoEvent::stop() {
  activated_ = 0;
  what_ = 0;
  if (event_ != nullptr) event_del(event_);
}

IoEvent::~IoEvent() {
  if (event_ != nullptr) event_free(event_);
}

void Timer::on_fire(evutil_socket_t, short, void* arg) {
  auto* t = static_cast<Timer*>(arg);
  t->callback_();
}

}  // namespace core::net
