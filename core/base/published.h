#pragma once
// An immutable object a reload replaces while worker threads use it (DESIGN.md principle 4):
// the compiled route script, the TLS domain set. The control thread publishes a new version;
// each reader thread keeps its own Reader, which costs one relaxed load per use and takes the
// mutex and a reference only when the generation moved. So a message pays neither a lock nor
// an atomic reference-count bump, and a version stays alive while a reader still holds it (a
// worker picks the new one up at its next message, between messages, never during one).
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>

namespace core {

template <typename T>
class Published {
 public:
  explicit Published(std::shared_ptr<const T> initial = nullptr) : current_(std::move(initial)) {}
  Published(const Published&) = delete;
  Published& operator=(const Published&) = delete;

  // Any thread. Readers see `next` from their next get(); the old version is freed when the
  // last reader has moved on.
  void publish(std::shared_ptr<const T> next) {
    std::shared_ptr<const T> old;
    {
      std::lock_guard<std::mutex> lock(mu_);
      old = std::exchange(current_, std::move(next));
      generation_.store(generation_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    // `old` is released here, outside the lock (its destructor may be long: SSL_CTX_free).
  }

  // Any thread; takes the mutex. For readers without a Reader (the control thread).
  std::shared_ptr<const T> get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }

  // Times publish() was called.
  uint64_t generation() const { return generation_.load(std::memory_order_relaxed); }

  // One reader thread's cached version. Not thread-safe: one per thread (per worker).
  class Reader {
   public:
    // The version in effect. The pointer stays valid until this reader's next get().
    const T* get(const Published& from) {
      // Relaxed is enough: a changed generation sends us to the mutex, whose acquire orders
      // the read of current_ after the publisher's write.
      if (from.generation() != seen_ || !valid_) refresh(from);
      return held_.get();
    }
    // Drops the reference (a worker leaving, a test).
    void reset() {
      held_.reset();
      valid_ = false;
    }

   private:
    void refresh(const Published& from) {
      std::lock_guard<std::mutex> lock(from.mu_);
      held_ = from.current_;
      seen_ = from.generation_.load(std::memory_order_relaxed);
      valid_ = true;
    }

    std::shared_ptr<const T> held_;
    uint64_t seen_ = 0;
    bool valid_ = false;
  };

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const T> current_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace core
