// Stopping a long loop cleanly on SIGINT, SIGTERM or SIGHUP (a closed terminal).
//
// While an InterruptGuard lives, those signals do not end the process: the last one is
// recorded, and the loop that made the guard asks `InterruptGuard::signal()` at each
// step, stops, and reports what it finished. The previous handlers come back when the
// guard goes. One guard at a time.
//
//   InterruptGuard guard;
//   while (more() && InterruptGuard::signal() == 0) step();
//   if (const int s = InterruptGuard::signal()) return 128 + s;
#pragma once

#include <array>
#include <atomic>
#include <csignal>

namespace distlab {

class InterruptGuard {
 public:
  InterruptGuard() {
    received_.store(0);
    struct sigaction action {};
    action.sa_handler = [](int signal) { received_.store(signal); };
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &action, &old_[i]);
  }
  ~InterruptGuard() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &old_[i], nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // The last of the signals received while a guard lived, or 0.
  static int signal() { return received_.load(); }

 private:
  static_assert(std::atomic<int>::is_always_lock_free, "set from a signal handler");
  static constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGHUP};
  static inline std::atomic<int> received_{0};
  std::array<struct sigaction, kSignals.size()> old_{};
};

}  // namespace distlab
