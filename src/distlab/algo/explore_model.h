// What an algorithm's exploration model reports (harness/explore/explorer.h): a state
// that breaks one of its properties, named as its trace checker names it.
//
//   template <class View>
//   std::optional<explore::Violation> safety(const View& v) const {
//     if (leaders(v) > 1) return explore::Violation{"single_leader", "nodes 2 and 3 both lead"};
//     return std::nullopt;
//   }
//
// A View is the explorer's state: size(), id(i), up(i), node(i), now(), faults(),
// crashes(), in_flight().
#pragma once

#include <string>
#include <string_view>

namespace distlab::explore {

struct Violation {
  std::string_view check;  // a check id of the algorithm's descriptor (kCheckNames)
  std::string detail;      // what is wrong, one line
};

}  // namespace distlab::explore
