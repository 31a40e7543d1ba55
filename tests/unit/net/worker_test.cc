#include "core/net/worker.h"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace core::net {
namespace {

TEST(WorkerTest, PostedTasksRunOnTheWorkerThreadInOrder) {
  Worker w(0, 0);
  ASSERT_TRUE(w.init());
  w.start();
  std::vector<int> order;
  std::promise<void> done;
  for (int i = 0; i < 100; ++i) {
    w.post([&, i] {
      EXPECT_TRUE(w.is_current());
      order.push_back(i);
      if (i == 99) done.set_value();
    });
  }
  ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  w.post([&] { w.stop_loop(); });
  w.join();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  EXPECT_FALSE(w.is_current());
}

TEST(WorkerTest, PostsFromManyThreadsAllRun) {
  Worker w(1, 0);
  ASSERT_TRUE(w.init());
  w.start();
  std::atomic<int> ran{0};
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t)
    posters.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) w.post([&] { ran.fetch_add(1); });
    });
  for (auto& t : posters) t.join();
  std::promise<void> done;
  w.post([&] { done.set_value(); });
  ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(ran.load(), 4000);
  w.post([&] { w.stop_loop(); });
  w.join();
  EXPECT_FALSE(w.post([] {}));  // a stopped worker refuses work instead of losing it silently
}

TEST(WorkerTest, RawPostRunsAndAStoppedWorkerHandsTheArgumentBack) {
  Worker w(3, 0);
  ASSERT_TRUE(w.init());
  w.start();
  std::promise<int> got;
  int value = 7;
  auto fn = [](void* arg) { (*static_cast<std::promise<int>**>(arg))->set_value(42); };
  std::promise<int>* target = &got;
  ASSERT_TRUE(w.post(fn, &target));
  auto f = got.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(f.get(), 42);
  w.post([&] { w.stop_loop(); });
  w.join();
  EXPECT_FALSE(w.post([](void* arg) { ++*static_cast<int*>(arg); }, &value));
  EXPECT_EQ(value, 7);
}

TEST(WorkerTest, TimerFiresOnceAndCanBeCancelled) {
  Worker w(2, 0);
  ASSERT_TRUE(w.init());
  std::promise<void> fired;
  int fired_count = 0;
  int cancelled_count = 0;
  Timer t(w.base(), [&] {
    ++fired_count;
    fired.set_value();
  });
  Timer c(w.base(), [&] { ++cancelled_count; });
  w.post([&] {
    t.arm(std::chrono::milliseconds(10));
    c.arm(std::chrono::milliseconds(20));
    EXPECT_TRUE(c.armed());
    c.cancel();
    EXPECT_FALSE(c.armed());
  });
  w.start();
  ASSERT_EQ(fired.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  std::promise<void> later;
  Timer after(w.base(), [&] { later.set_value(); });
  w.post([&] { after.arm(std::chrono::milliseconds(40)); });
  ASSERT_EQ(later.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  w.post([&] { w.stop_loop(); });
  w.join();
  EXPECT_EQ(fired_count, 1);
  EXPECT_EQ(cancelled_count, 0);
}

// One event carries a connection's read and write interest (one libevent event per
// connection): what it is told to watch is what its callback hears about, and an activation
// made before the interest changes still runs.
struct IoProbe {
  short seen = 0;
  int calls = 0;
  IoEvent* event = nullptr;
  static void on_io(evutil_socket_t, short what, void* arg) {
    auto* p = static_cast<IoProbe*>(arg);
    p->event->fired();
    p->seen = static_cast<short>(p->seen | what);
    ++p->calls;
  }
  short run(event_base* base) {
    seen = 0;
    event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    return seen;
  }
};

TEST(IoEventTest, OneEventWatchesReadsWritesBothOrNeither) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  event_base* base = event_base_new();
  IoProbe probe;
  {
    IoEvent ev(base, fds[0], &IoProbe::on_io, &probe);
    probe.event = &ev;
    ASSERT_TRUE(ev.valid());
    EXPECT_EQ(probe.run(base), 0);  // watches nothing yet
    ev.watch(EV_WRITE);
    EXPECT_EQ(probe.run(base), EV_WRITE);
    ev.watch(EV_READ);
    EXPECT_EQ(probe.run(base), 0);  // nothing to read
    ASSERT_EQ(::write(fds[1], "x", 1), 1);
    EXPECT_EQ(probe.run(base), EV_READ);
    ev.watch(EV_READ | EV_WRITE);
    EXPECT_EQ(probe.run(base), EV_READ | EV_WRITE);
    ev.watch(0);
    EXPECT_EQ(probe.run(base), 0);
    ev.activate(EV_READ);
    ev.watch(EV_WRITE);  // the activation survives the change
    EXPECT_EQ(probe.run(base) & EV_READ, EV_READ);
    ev.stop();
    ev.activate(EV_READ);
    ev.stop();  // closed: neither watched nor activated
    EXPECT_EQ(probe.run(base), 0);
  }
  event_base_free(base);
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace core::net

namespace core::net {
namespace {

// Worker A hands B several tasks in one turn of its loop: B is woken once, when A's turn ends
// (A's turn_end callback is told once and A releases the wake-up), and B runs every task.
TEST(WorkerTest, PostsFromAWorkerHoldingWakesReachTheOtherWhenItsTurnEnds) {
  Worker a(5, 0), b(6, 0);
  ASSERT_TRUE(a.init());
  ASSERT_TRUE(b.init());
  int turn_ends = 0;  // a's thread only
  a.hold_wakes([&] { ++turn_ends; });
  a.start();
  b.start();
  std::atomic<int> ran{0};
  std::atomic<bool> ran_before_release{false};
  std::promise<int> told;
  a.post([&] {
    for (int i = 0; i < 5; ++i) b.post([&] { ran.fetch_add(1); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ran_before_release = ran.load() > 0;  // b was not woken while a's turn went on
    told.set_value(turn_ends);
    a.release_wakes();
  });
  auto f = told.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(f.get(), 1);
  EXPECT_FALSE(ran_before_release.load());
  for (int i = 0; i < 500 && ran.load() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(ran.load(), 5);
  a.post([&] { a.stop_loop(); });
  b.post([&] { b.stop_loop(); });
  a.join();
  b.join();
}

// A thread that is no worker (the control plane, a test) wakes the worker at once.
TEST(WorkerTest, APostFromAThreadThatIsNoWorkerWakesAtOnce) {
  Worker a(7, 0);
  ASSERT_TRUE(a.init());
  a.hold_wakes([] {});
  a.start();
  std::promise<void> done;
  a.post([&] { done.set_value(); });
  EXPECT_EQ(done.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  a.post([&] { a.stop_loop(); });
  a.join();
}

}  // namespace
}  // namespace core::net
