// How a command reports a run it holds the trace of, simulated or real: the
// narrative, the summary and the checks, in the chosen language or as JSON.
//
//   return report_lamport(recorder.trace(), options, {.lang = Lang::pt, .seed = 7, .replay = "..."});
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/options.h"
#include "distlab/core/types.h"
#include "distlab/trace/checks.h"

namespace distlab::cli {

struct ReportSettings {
  Lang lang = Lang::en;
  bool quiet = false;   // only the summary
  bool json = false;    // one JSON object instead
  std::uint64_t seed = 0;
  std::string replay;   // the command that replays the run; empty for real runs
  bool timestamps = false;  // each narrative line starts with its event's time
  Nanos pace_ns = 0;        // wall-clock wait between rounds of the narrative (lamport)
  // The bug the run was made with on purpose (bug_description), printed before the
  // replay line so that a screenshot is not mistaken for the correct algorithm.
  std::string bug;
  // Checks made outside the trace (a launch's: did every process run?), reported
  // after the trace's own.
  std::vector<trace::CheckResult> extra_checks;
};

// The trace's checks, then the settings' extra ones.
std::vector<trace::CheckResult> run_checks(const trace::Trace& trace, const ReportSettings& settings);

// The settings of a command's common options.
ReportSettings report_settings(const CommonOptions& common, std::uint64_t seed, std::string replay);

// "Seed 42. Replay: distlab lamport --seed 42", or nothing when there is no replay;
// before it, "Bug on purpose: NAME (summary)" when the run has one.
void print_replay_line(const ReportSettings& settings);

}  // namespace distlab::cli
