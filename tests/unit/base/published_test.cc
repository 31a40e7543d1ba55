// Published: a reader sees a new version from its next get() after publish(), keeps the one it
// holds until then, and an old version is freed once no reader holds it.
#include "core/base/published.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace core {
namespace {

TEST(PublishedTest, AReaderSeesTheNewVersionAtItsNextGet) {
  Published<std::string> p(std::make_shared<const std::string>("one"));
  Published<std::string>::Reader reader;
  const std::string* first = reader.get(p);
  EXPECT_EQ(*first, "one");
  p.publish(std::make_shared<const std::string>("two"));
  EXPECT_EQ(*first, "one");  // still alive: the reader holds it until its next get()
  EXPECT_EQ(*reader.get(p), "two");
  EXPECT_EQ(p.generation(), 1u);
}

TEST(PublishedTest, TheOldVersionIsFreedWhenTheLastReaderMovesOn) {
  auto one = std::make_shared<const std::string>("one");
  std::weak_ptr<const std::string> watch = one;
  Published<std::string> p(std::move(one));
  Published<std::string>::Reader a, b;
  a.get(p);
  b.get(p);
  p.publish(std::make_shared<const std::string>("two"));
  a.get(p);
  EXPECT_FALSE(watch.expired());  // b has not moved on yet
  b.get(p);
  EXPECT_TRUE(watch.expired());
}

TEST(PublishedTest, ANullVersionIsPublishedAsNull) {
  Published<std::string> p(std::make_shared<const std::string>("one"));
  Published<std::string>::Reader reader;
  reader.get(p);
  p.publish(nullptr);
  EXPECT_EQ(reader.get(p), nullptr);
  EXPECT_EQ(p.get(), nullptr);
}

// Readers on other threads while versions are published: each reader only ever sees whole
// versions (the value matches its own generation), and none is freed under a reader (ASan).
TEST(PublishedTest, ReadersOnOtherThreadsSeeWholeVersions) {
  struct Version {
    int a;
    int b;  // always a * 2
  };
  Published<Version> p(std::make_shared<const Version>(Version{0, 0}));
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      Published<Version>::Reader reader;
      int last = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const Version* v = reader.get(p);
        if (v->b != v->a * 2 || v->a < last) bad.fetch_add(1);
        last = v->a;
      }
    });
  }
  for (int i = 1; i <= 2000; ++i) p.publish(std::make_shared<const Version>(Version{i, i * 2}));
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(p.generation(), 2000u);
}

}  // namespace
}  // namespace core
