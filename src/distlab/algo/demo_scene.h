// One scene of `distlab demo`, as each algorithm's descriptor gives it (kDemo): the
// algorithm's simulated command run with fixed arguments, under a heading. The demo
// plays the registered algorithms' scenes in registry order.
#pragma once

#include <string_view>

namespace distlab::algorithms {

struct DemoScene {
  std::string_view en;    // the heading, in English
  std::string_view pt;    // and in Portuguese (--lang pt)
  std::string_view args;  // after the command's name, separated by spaces
  bool paced = false;     // the command takes demo's --pace (a wall-clock wait between rounds)
};

}  // namespace distlab::algorithms
