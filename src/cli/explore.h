// `distlab explore ALGO`: every schedule of an algorithm's nodes within bounds
// (harness/explore/explorer.h), with the shortest counterexample as a trace and a
// schedule that replays it (`--replay`).
//
// An algorithm takes part with `static void add_explore(const cli::CommandSite&)` in its
// descriptor, defined beside its command: its own options, and a model built from them
// (algo/<name>/explore.h), handed to run_explore below.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/recording.h"
#include "distlab/algo/registry.h"
#include "distlab/harness/explore/explorer.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {

struct ExploreOptions {
  std::int64_t nodes = 3;
  std::string latency = "uniform:1ms:10ms";
  bool no_fifo = false;
  bool reduce = false;
  std::uint32_t crashes = 0;
  std::uint32_t recoveries = 0;
  std::uint32_t losses = 0;
  std::uint32_t duplicates = 0;
  std::optional<std::uint32_t> depth;
  std::uint64_t max_states = 10'000'000;
  std::string time_limit;  // empty: none
  std::string until;       // simulated time horizon; empty: none (an algorithm may set a default)
  std::string max_memory = "4GiB";
  std::string replay;         // a schedule, inline
  std::string schedule_path;  // a schedule, in a file
  std::string trace_path;
  std::string html_path;
  bool json = false;
  bool timing = false;
  unsigned jobs = 0;   // 0: every core
  unsigned draws = 1;  // an algorithm may set its own default before add_explore_options
};

// `distlab explore`, the parent of each algorithm's `explore ALGO`.
CLI::App* add_explore_command(CLI::App& app);
// The options every `explore ALGO` takes; `nodes_help` for --nodes.
void add_explore_options(CLI::App& cmd, ExploreOptions& o, const std::string& nodes_help);
// Validated; throws InputError.
explore::Settings explore_settings(const ExploreOptions& o);
// Nodes 1..n, after checking n against [lo, hi]; throws InputError.
std::vector<NodeId> explore_ids(const ExploreOptions& o, std::int64_t lo, std::int64_t hi);
// The schedule of --replay or --schedule FILE; nullopt when neither was given.
std::optional<std::vector<explore::Wanted>> explore_schedule(const ExploreOptions& o);

// What run_explore prints, apart from the algorithm.
struct ExploreOutcome {
  std::string_view algorithm;
  std::size_t nodes = 0;
  explore::Settings settings;
  explore::Result result;
  std::vector<trace::CheckResult> checks;  // of the counterexample's trace
};
// Ends a counterexample's trace with its ViolationNote, on the lane of the last of
// `steps` (the one that broke the property), at its time.
void note_violation(EventSink& sink, std::span<const explore::Step> steps, const explore::Violation& v);
void print_explore_settings(std::string_view algorithm, std::size_t nodes, const explore::Settings& s);
int report_explore(const ExploreOutcome& outcome, const ExploreOptions& o, const Invocation& invocation);
// A replayed schedule: its steps, the state's verdict at the end and the trace's checks.
int report_replay(const std::vector<explore::Step>& steps, const std::optional<explore::Violation>& verdict,
                  const std::vector<trace::CheckResult>& checks, const ExploreOptions& o);

class ExploreProgressLine : public explore::Progress {
 public:
  ExploreProgressLine() : line_("explore", std::chrono::milliseconds(0)) {}
  void on_progress(const explore::Result& so_far) override;

 private:
  ProgressLine line_;
};

// Explores `model` with the options (or replays --replay/--schedule), writes the
// counterexample's trace and diagram when asked, and reports; the exit code.
template <class Model>
int run_explore(std::string_view algorithm, const Invocation& invocation, const ExploreOptions& o,
                Model model) {
  const explore::Settings settings = explore_settings(o);
  const std::optional<std::vector<explore::Wanted>> schedule = explore_schedule(o);
  const trace::Header header{
      .algorithm = std::string(algorithm), .mode = "sim", .seed = 0, .nodes = model.ids};
  const std::size_t nodes = model.ids.size();
  explore::Explorer<Model> explorer(std::move(model), settings);
  if (schedule) {
    SimRecording recording(header, o.trace_path, o.html_path);
    std::optional<explore::Violation> verdict;
    std::size_t at = 0;
    const std::vector<explore::Step> steps =
        explorer.replay(*schedule, &recording.sink(), &verdict, nullptr, &at);
    if (verdict) note_violation(recording.sink(), std::span(steps).first(at), *verdict);
    const auto checks = algorithms::check_trace(recording.recorder().trace());
    recording.commit();
    return report_replay(steps, verdict, checks, o);
  }
  if (!o.json) print_explore_settings(algorithm, nodes, settings);
  ExploreOutcome outcome{.algorithm = algorithm, .nodes = nodes, .settings = settings};
  {
    ExploreProgressLine progress;
    outcome.result = explorer.run(&progress);
  }
  if (outcome.result.violation) {  // its trace, judged by the trace checkers too
    SimRecording recording(header, o.trace_path, o.html_path);
    explorer.replay(outcome.result.choices, &recording.sink());
    note_violation(recording.sink(), outcome.result.path, *outcome.result.violation);
    outcome.checks = algorithms::check_trace(recording.recorder().trace());
    recording.commit();
  }
  return report_explore(outcome, o, invocation);
}

// `distlab explore NAME`: an algorithm's subcommand of `explore` (what its descriptor's
// add_explore does). `defaults` are the explore options before the user's flags (an
// algorithm's own --nodes, --crashes, --until, --draws defaults); `add_options` adds its
// own flags into an AlgoOptions; `run` builds its model from both and calls run_explore.
//
//   add_explore_algorithm<BullyOptions>(site, "bully", "Bully election: ...", {}, "Number of nodes, 2 to 6
//   (default 3)",
//       [](CLI::App& cmd, BullyOptions& b) { add_bully_options(cmd, b); },
//       [](const ExploreOptions& e, const BullyOptions& b, const Invocation& inv) { return run_explore(...);
//       });
template <class AlgoOptions, class AddOptions, class Run>
void add_explore_algorithm(const CommandSite& site, std::string_view name, const std::string& about,
                           ExploreOptions defaults, const std::string& nodes_help, AddOptions add_options,
                           Run run) {
  struct Both {
    ExploreOptions explore;
    AlgoOptions algo;
  };
  auto o = std::make_shared<Both>(Both{std::move(defaults), {}});
  CLI::App* cmd = site.parent.add_subcommand(std::string(name), wrapped(about));
  add_explore_options(*cmd, o->explore, nodes_help);
  add_options(*cmd, o->algo);
  Action& action = site.action;
  const Invocation& invocation = site.invocation;
  cmd->callback([o, &action, &invocation, run] {
    action = [o, &invocation, run] { return run(o->explore, o->algo, invocation); };
  });
}

}  // namespace distlab::cli
