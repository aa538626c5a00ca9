// Crew: helper threads that live as long as the crew and run one job at a time, so
// that a search does not start and end threads for every batch (each start and end
// maps, protects and unmaps a stack: calls every other thread of the process pays for).
//
//   Crew crew(1);                                   // one helper
//   crew.start([&](std::size_t t) { work(t); });    // t = 1 .. size() on the helpers
//   work(0);                                        // the caller's own share
//   crew.wait();                                    // every helper is done with it
//
// A job must not throw (catch inside it and hand the error back).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace distlab::explore {

class Crew {
 public:
  explicit Crew(std::size_t helpers) {
    threads_.reserve(helpers);
    for (std::size_t t = 1; t <= helpers; ++t) threads_.emplace_back([this, t] { serve(t); });
  }
  Crew(const Crew&) = delete;
  Crew& operator=(const Crew&) = delete;
  ~Crew() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  std::size_t size() const { return threads_.size(); }

  // Every helper runs `job` once, with its number.
  void start(std::function<void(std::size_t)> job) {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      job_ = std::move(job);
      running_ = threads_.size();
      ++round_;
    }
    wake_.notify_all();
  }
  // Returns once every helper has finished the job started last.
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return running_ == 0; });
  }

 private:
  void serve(std::size_t t) {
    std::uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return quit_ || round_ != seen; });
        if (quit_) return;
        seen = round_;
      }
      job_(t);  // job_ changes only in start(), once every helper is done with it
      const std::lock_guard<std::mutex> lock(mutex_);
      if (--running_ == 0) done_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::function<void(std::size_t)> job_;
  std::uint64_t round_ = 0;
  std::size_t running_ = 0;
  bool quit_ = false;
  std::vector<std::thread> threads_;  // last: they start once the rest is set
};

}  // namespace distlab::explore
