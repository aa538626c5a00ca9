// The monitor's story, as the seed's monitor told it: one sentence per heartbeat,
// failure and redirect, in English or in the seed's Portuguese. Shared by the
// simulated `distlab heartbeat` and the real `distlab monitor`.
//
//   MonitorNarrator narrator(Lang::pt, /*per_heartbeat=*/true, /*show_faults=*/false,
//                            /*timestamps=*/false);
//   narrator.narrate(record);   // "Recebido heartbeat de Node 13"
#pragma once

#include <set>

#include "cli/options.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {

class MonitorNarrator {
 public:
  // per_heartbeat: a line per heartbeat received (--quiet turns it off).
  // show_faults: also tell the crashes and recoveries, with their time: simulated
  // ones, or with `real` the processes killed and restarted (launch --kill).
  // timestamps: each line starts with its event's time (--timestamps).
  MonitorNarrator(Lang lang, bool per_heartbeat, bool show_faults, bool timestamps, bool real = false)
      : lang_(lang),
        per_heartbeat_(per_heartbeat),
        show_faults_(show_faults),
        timestamps_(timestamps),
        real_(real) {}

  void narrate(const trace::Record& r);

  // The sentences, for the real monitor's own lines.
  std::string waiting() const;

 private:
  Lang lang_;
  bool per_heartbeat_;
  bool show_faults_;
  bool timestamps_;
  bool real_;
  std::set<NodeId> suspected_;
};

}  // namespace distlab::cli
