#include "distlab/algo/detect/detector.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace distlab::detect {

double normal_upper_tail(double x, double mean, double stddev) {
  return 0.5 * std::erfc((x - mean) / (stddev * std::sqrt(2.0)));
}

void PhiAccrual::heartbeat(Nanos now_ns) {
  if (seen_) add(static_cast<double>(std::max<Nanos>(now_ns - last_ns_, 0)));
  seen_ = true;
  last_ns_ = now_ns;
}

void PhiAccrual::add(double interval_ns) {
  // Microseconds in 32 bits: intervals up to 71 minutes; longer ones are clamped.
  const double us = std::min(interval_ns / 1e3, static_cast<double>(std::numeric_limits<std::uint32_t>::max()));
  const auto sample = static_cast<std::uint32_t>(us);
  const std::size_t capacity = std::max<std::uint32_t>(options_.window, 1);
  if (ring_us_.size() < capacity) {
    ring_us_.push_back(sample);
    ++count_;
  } else {
    const std::uint64_t old = ring_us_[next_];
    sum_us_ -= old;
    sum_sq_us_ -= Uint128{old} * old;
    ring_us_[next_] = sample;
    next_ = (next_ + 1) % capacity;
  }
  sum_us_ += sample;
  sum_sq_us_ += Uint128{sample} * sample;
}

double PhiAccrual::mean_ns() const {
  if (count_ == 0) return static_cast<double>(options_.first_interval_ns);
  return static_cast<double>(sum_us_) * 1e3 / static_cast<double>(count_);
}

double PhiAccrual::stddev_ns() const {
  if (count_ < 2) return static_cast<double>(options_.first_interval_ns) / 4;
  // n * sum(x^2) - sum(x)^2, exactly, then scaled: variance = that / n^2.
  const auto n = static_cast<Uint128>(count_);
  const Uint128 spread = n * sum_sq_us_ - Uint128{sum_us_} * sum_us_;
  const double variance_us = static_cast<double>(spread) / (static_cast<double>(count_) * static_cast<double>(count_));
  return std::sqrt(variance_us) * 1e3;
}

double PhiAccrual::phi(Nanos now_ns) const {
  if (!seen_) return 0.0;
  const double elapsed = static_cast<double>(now_ns - last_ns_);
  const double mean = mean_ns() + static_cast<double>(options_.acceptable_pause_ns);
  const double stddev = std::max(stddev_ns(), static_cast<double>(options_.min_stddev_ns));
  const double p = normal_upper_tail(elapsed, mean, stddev);
  // P underflows to 0 far in the tail: phi is then "infinitely" suspicious.
  return p <= std::numeric_limits<double>::min() ? std::numeric_limits<double>::infinity() : -std::log10(p);
}

}  // namespace distlab::detect
