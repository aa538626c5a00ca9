// Ricart–Agrawala as `distlab explore` checks it (harness/explore/explorer.h). Its
// timers are free: every request and every exit may come at any moment.
//
// - mutual_exclusion: no two live nodes are inside the critical section at once.
// - requests_granted: where nothing is left to happen on a path without crashes or
//   losses (either blocks the algorithm by design), every node has entered as often
//   as it asked.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <vector>

#include "distlab/algo/explore_model.h"
#include "distlab/algo/ricart/ricart.h"

namespace distlab::ricart {

struct ExploreModel {
  using Node = RicartNode;
  std::vector<NodeId> ids;
  Options options;

  Node make(NodeId id) const { return RicartNode(id, options); }
  // Think and hold times are the workload's: a request may come, and a node may leave,
  // at any moment.
  bool free_timer(TimerTag) const { return true; }

  template <class View>
  std::optional<explore::Violation> safety(const View& v) const {
    std::optional<NodeId> inside;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v.up(i) || v.node(i).state() != RicartNode::State::held) continue;
      if (inside) {
        return explore::Violation{
            "mutual_exclusion",
            fmt::format("nodes {} and {} are both in the critical section", *inside, v.id(i))};
      }
      inside = v.id(i);
    }
    return std::nullopt;
  }

  template <class View>
  std::optional<explore::Violation> quiescent(const View& v) const {
    if (v.crashes() > 0 || v.losses() > 0) return std::nullopt;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v.node(i).entries() < options.requests) {
        return explore::Violation{"requests_granted",
                                  fmt::format("nothing is left to happen and node {} entered {} of {} times",
                                              v.id(i), v.node(i).entries(), options.requests)};
      }
    }
    return std::nullopt;
  }
};

}  // namespace distlab::ricart
