// Failure detectors: given when heartbeats arrived, is a node suspected now?
//
// Two kinds, both plain values driven by the caller's clock (sans-I/O):
// - FixedTimeout: suspect after `timeout` without a heartbeat (the seed's rule).
// - PhiAccrual (Hayashibara et al., 2004): keep a sliding window of inter-arrival
//   times; phi(t) = -log10(P(the next heartbeat comes later than t)), under a normal
//   law with the window's mean plus an acceptable pause, and its standard deviation
//   but no less than a minimum. Suspect while phi exceeds the threshold. phi adapts:
//   a regular sender is suspected sooner than a jittery one.
//
// A suspected node that sends again is trusted again; the caller decides what a
// transition means (the monitor traces it and redirects orders).
//
//   PhiAccrual d(options);
//   d.heartbeat(now_ns);
//   if (d.suspect(later_ns)) ...
#pragma once

#include <cstdint>
#include <vector>

#include "distlab/core/types.h"

namespace distlab::detect {

class FixedTimeout {
 public:
  struct Options {
    Nanos timeout_ns = 10 * kSecond;  // the seed's TIMEOUT
  };

  explicit FixedTimeout(const Options& options) : options_(options) {}
  void heartbeat(Nanos now_ns) { last_ns_ = now_ns; }
  bool suspect(Nanos now_ns) const { return now_ns - last_ns_ > options_.timeout_ns; }
  Nanos last_heartbeat_ns() const { return last_ns_; }

 private:
  Options options_;
  Nanos last_ns_ = 0;
};

class PhiAccrual {
 public:
  // Defaults for the seed's heartbeat of 5 s +- 1 s; see docs/cli.md ("Detectors").
  struct Options {
    double threshold = 8.0;                  // Akka's: P(late) < 1e-8 before suspecting
    std::uint32_t window = 1000;             // samples kept, as Akka
    Nanos min_stddev_ns = 500 * kMillisecond;  // a tenth of the interval (Akka: 100 ms at 1 s)
    Nanos acceptable_pause_ns = 0;           // no GC pauses to forgive in these networks
    Nanos first_interval_ns = 5 * kSecond;   // assumed before two heartbeats are seen
  };

  explicit PhiAccrual(const Options& options) : options_(options) {}

  void heartbeat(Nanos now_ns);
  double phi(Nanos now_ns) const;
  bool suspect(Nanos now_ns) const { return phi(now_ns) > options_.threshold; }
  Nanos last_heartbeat_ns() const { return last_ns_; }

  double mean_ns() const;
  double stddev_ns() const;
  std::size_t samples() const { return count_; }

 private:
  void add(double interval_ns);

  Options options_;
  Nanos last_ns_ = 0;
  bool seen_ = false;
  // Ring buffer of inter-arrival times, in microseconds (4 bytes each: a window of
  // 1,000 is 4 KB per monitored node), and running sums over it.
  // Exact integer sums, so that millions of updates do not drift.
  __extension__ using Uint128 = unsigned __int128;
  std::vector<std::uint32_t> ring_us_;
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  std::uint64_t sum_us_ = 0;
  Uint128 sum_sq_us_ = 0;
};

// The normal law's upper tail, P(X > x) for X ~ N(mean, stddev), computed with erfc
// so that it stays accurate far out in the tail where phi is decided.
double normal_upper_tail(double x, double mean, double stddev);

}  // namespace distlab::detect
