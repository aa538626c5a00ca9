// The Lamport clock scenario as the registry sees it (algo/registry.h).
#pragma once

#include <array>
#include <string_view>
#include <tuple>
#include <vector>

#include "distlab/algo/bug.h"
#include "distlab/algo/demo_scene.h"
#include "distlab/algo/lamport/lamport.h"
#include "distlab/algo/wire_types.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/diagram.h"

namespace distlab::cli {
struct CommandSite;
struct SweepSubject;
}

namespace distlab::lamport {

struct Descriptor {
  static constexpr std::string_view kName = "lamport";
  static constexpr std::string_view kTitle = "Lamport and vector clocks";  // in distlab --help
  // distlab demo: the seed whose rounds are the ones in the assignment's transcript
  // of question 1 (2->1, 3->1, 3->2, 3->2, 2->1); the golden test compares the
  // Portuguese output with that transcript line by line.
  static constexpr algorithms::DemoScene kDemo{.en = "Question 1: Lamport clocks",
                                               .pt = "Questão 1 – Clocks e Sincronização de Tempo",
                                               .args = "--seed 2379",
                                               .paced = true};
  using Node = LamportNode;
  static constexpr WireRange kWire = wire_types::kLamport;
  // Every message type a node of this algorithm decodes from the wire.
  using WireMessages = std::tuple<AppMessage>;
  // A few of each, for the codec tests (one vector per WireMessages entry).
  static std::tuple<std::vector<AppMessage>> wire_examples() {
    VectorClock vc(3);
    vc.set(1, 4);
    vc.set(3, 2);
    vc.set(77'777'777, 9);
    return {{AppMessage{.lamport = 7, .vc = std::nullopt}, AppMessage{.lamport = 12, .vc = vc}}};
  }
  static std::vector<trace::MessageFamily> message_families() {
    return {{.name = "app", .title = "application messages", .colour = "#0072B2", .types = {"app"}}};
  }
  // The clock condition and vector clocks are generic checks (trace/checks.h).
  static std::vector<trace::LaneSpan> lane_spans() { return {}; }
  // It writes no notes: its labels are the clocks.
  static trace::DiagramOverlay diagram_overlay() { return {}; }
  static constexpr std::array<trace::Checker, 0> kCheckers{};
  static constexpr std::array<trace::CheckName, 0> kCheckNames{};
  // Its gallery of classic mistakes (--bug NAME), in the order of lamport::Bug.
  static constexpr std::array<algorithms::Bug, 2> kBugs{{
      {"receive-no-max", "a receive ticks its own clock and forgets the max with the message's stamp"},
      {"vector-no-merge",
       "a receive ticks its own vector entry and does not merge the message's vector (with --vector)"},
  }};

  // Its commands, defined with the CLI (cli/lamport/command.cc and real.cc): the
  // simulated `distlab lamport`, and `run lamport` and `launch lamport`.
  static void add_command(const cli::CommandSite& site);
  static void add_run(const cli::CommandSite& site);
  static void add_launch(const cli::CommandSite& site);
  // `distlab explore lamport` (cli/explore.h), with the model of algo/lamport/explore.h.
  static void add_explore(const cli::CommandSite& site);
  // Its part in `distlab sweep` (cli/sweep.h): how a seed draws its command's flags,
  // and how those flags run and are judged in memory; defined beside its command.
  static cli::SweepSubject sweep_subject();
};

}  // namespace distlab::lamport
