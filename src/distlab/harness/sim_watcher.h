// How a command watches the simulations it runs (a progress line), without the
// simulator: harness::simulate() reports to the thread's watcher (plan.h).
#pragma once

#include <cstdint>

#include "distlab/core/types.h"

namespace distlab::harness {

// Told how a long simulation advances, for a command's progress line: every 2^16
// events, the simulated time, the run's end (kNanosMax: none) and the events so far.
// Set for the calling thread by WatchSimulations; it only looks, so a run is the
// same watched or not.
class SimWatcher {
 public:
  virtual ~SimWatcher() = default;
  virtual void advanced(Nanos now, Nanos until, std::uint64_t events) = 0;
};

inline thread_local SimWatcher* current_sim_watcher = nullptr;

// While it lives, simulate() on this thread reports to `watcher` (null: to none).
class WatchSimulations {
 public:
  explicit WatchSimulations(SimWatcher* watcher) : previous_(current_sim_watcher) {
    current_sim_watcher = watcher;
  }
  ~WatchSimulations() { current_sim_watcher = previous_; }
  WatchSimulations(const WatchSimulations&) = delete;
  WatchSimulations& operator=(const WatchSimulations&) = delete;

 private:
  SimWatcher* previous_;
};

}  // namespace distlab::harness
