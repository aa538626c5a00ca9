#include "distlab/clock/vector_clock.h"

#include <fmt/format.h>

#include <algorithm>

namespace distlab {
namespace {

auto find_entry(std::vector<VectorClock::Entry>& entries, NodeId node) {
  return std::lower_bound(entries.begin(), entries.end(), node,
                          [](const VectorClock::Entry& e, NodeId n) { return e.first < n; });
}

}  // namespace

VectorClock::Counter VectorClock::get(NodeId node) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), node,
                             [](const Entry& e, NodeId n) { return e.first < n; });
  return it != entries_.end() && it->first == node ? it->second : 0;
}

void VectorClock::set(NodeId node, Counter value) {
  auto it = find_entry(entries_, node);
  const bool present = it != entries_.end() && it->first == node;
  if (value == 0) {
    if (present) entries_.erase(it);
  } else if (present) {
    it->second = value;
  } else {
    entries_.insert(it, Entry{node, value});
  }
}

VectorClock::Counter VectorClock::tick() {
  auto it = find_entry(entries_, owner_);
  if (it != entries_.end() && it->first == owner_) return ++it->second;
  entries_.insert(it, Entry{owner_, 1});
  return 1;
}

VectorClock VectorClock::send() {
  tick();
  return *this;
}

void VectorClock::merge(const VectorClock& other) {
  // Both sides are sorted by node id: one linear pass.
  std::vector<Entry> merged;
  merged.reserve(entries_.size() + other.entries_.size());
  auto a = entries_.begin();
  auto b = other.entries_.begin();
  while (a != entries_.end() || b != other.entries_.end()) {
    if (b == other.entries_.end() || (a != entries_.end() && a->first < b->first)) {
      merged.push_back(*a++);
    } else if (a == entries_.end() || b->first < a->first) {
      merged.push_back(*b++);
    } else {
      merged.emplace_back(a->first, std::max(a->second, b->second));
      ++a;
      ++b;
    }
  }
  entries_ = std::move(merged);
}

void VectorClock::receive(const VectorClock& stamp) {
  merge(stamp);
  tick();
}

Order compare(const VectorClock& a, const VectorClock& b) {
  bool a_less = false;  // some counter of a is below b's
  bool b_less = false;
  auto x = a.entries().begin();
  auto y = b.entries().begin();
  const auto x_end = a.entries().end();
  const auto y_end = b.entries().end();
  while (x != x_end || y != y_end) {
    if (y == y_end || (x != x_end && x->first < y->first)) {
      b_less = true;  // b has 0 where a is positive
      ++x;
    } else if (x == x_end || y->first < x->first) {
      a_less = true;
      ++y;
    } else {
      if (x->second < y->second) a_less = true;
      if (y->second < x->second) b_less = true;
      ++x;
      ++y;
    }
    if (a_less && b_less) return Order::concurrent;
  }
  if (a_less) return Order::before;
  if (b_less) return Order::after;
  return Order::equal;
}

std::string to_string(const VectorClock& clock) {
  std::string out = "{";
  for (const auto& [node, counter] : clock.entries()) {
    if (out.size() > 1) out += ", ";
    fmt::format_to(std::back_inserter(out), "{}:{}", node, counter);
  }
  out += '}';
  return out;
}

}  // namespace distlab
