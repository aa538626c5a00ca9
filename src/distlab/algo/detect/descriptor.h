// Heartbeat failure detection as the registry sees it (algo/registry.h).
#pragma once

#include <array>
#include <string_view>
#include <tuple>
#include <vector>

#include "distlab/algo/bug.h"
#include "distlab/algo/demo_scene.h"
#include "distlab/algo/detect/checker.h"
#include "distlab/algo/detect/heartbeat.h"
#include "distlab/algo/detect/notes.h"
#include "distlab/algo/wire_types.h"
#include "distlab/trace/diagram.h"

namespace distlab::cli {
struct CommandSite;
struct SweepSubject;
}

namespace distlab::detect {

struct Descriptor {
  static constexpr std::string_view kName = "heartbeat";
  static constexpr std::string_view kTitle = "heartbeat failure detection";  // in distlab --help
  // distlab demo: --quiet drops the hundred "heartbeat received" lines; failures and
  // redirects stay.
  static constexpr algorithms::DemoScene kDemo{.en = "Question 4: failure detection with heartbeats",
                                               .pt = "Questão 4 – Detecção de Falhas em Sistemas Distribuídos",
                                               .args = "--seed 1 --quiet"};
  using Node = HeartbeatNode;
  static constexpr WireRange kWire = wire_types::kHeartbeat;
  using WireMessages = std::tuple<Heartbeat>;
  static std::tuple<std::vector<Heartbeat>> wire_examples() {
    return {{Heartbeat{1}, Heartbeat{1ULL << 40}}};
  }
  static std::vector<trace::MessageFamily> message_families() {
    return {{.name = "heartbeat",
             .title = "heartbeats",
             .colour = "#009E73",
             .dashes = "2 3",
             .types = {"heartbeat"}}};
  }
  // The monitor's suspicion of a node shades that node's lane, until it trusts it again.
  static std::vector<trace::LaneSpan> lane_spans() {
    return {{.name = "suspect",
             .group = "suspicions",
             .opens_key = "suspect",
             .closes_key = "trust",
             .what = "suspected",
             .legend = "suspected by the monitor",
             .fill = "#F0E442",
             .opacity = ".45"}};
  }
  // What else diagrams draw of its notes (trace/diagram_overlay.h).
  static trace::DiagramOverlay diagram_overlay() { return detect::diagram_overlay(); }
  static constexpr std::array<trace::Checker, 1> kCheckers{&check};
  // Its checks' names, as the narrative prints them.
  static constexpr std::array<trace::CheckName, 3> kCheckNames{{
      {"detector_completeness", "detector completeness", "completude do detector"},
      {"detector_accuracy", "detector accuracy", "exatidão do detector"},
      {"failover", "failover", "redirecionamento"},
  }};
  // Its gallery of classic mistakes (--bug NAME), in the order of detect::Bug.
  static constexpr std::array<algorithms::Bug, 1> kBugs{{
      {"silence-from-check",
       "the monitor counts a node's silence from its own last check instead of the node's "
       "last heartbeat, so a crashed node is never suspected"},
  }};

  // Its commands, defined with the CLI (cli/heartbeat/command.cc and real.cc): the
  // simulated `distlab heartbeat` (with `monitor` and `node`, its single real processes), and `run heartbeat`
  // and `launch heartbeat`.
  static void add_command(const cli::CommandSite& site);
  static void add_run(const cli::CommandSite& site);
  static void add_launch(const cli::CommandSite& site);
  // `distlab explore heartbeat` (cli/explore.h), with the model of algo/detect/explore.h.
  static void add_explore(const cli::CommandSite& site);
  // Its part in `distlab sweep` (cli/sweep.h): how a seed draws its command's flags,
  // and how those flags run and are judged in memory; defined beside its command.
  static cli::SweepSubject sweep_subject();
};

}  // namespace distlab::detect
