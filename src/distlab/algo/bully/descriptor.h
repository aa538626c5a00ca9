// Bully election as the registry sees it (algo/registry.h).
#pragma once

#include <array>
#include <string_view>
#include <tuple>
#include <vector>

#include "distlab/algo/bug.h"
#include "distlab/algo/bully/bully.h"
#include "distlab/algo/bully/checker.h"
#include "distlab/algo/bully/notes.h"
#include "distlab/algo/demo_scene.h"
#include "distlab/algo/wire_types.h"
#include "distlab/trace/diagram.h"

namespace distlab::cli {
struct CommandSite;
struct SweepSubject;
}

namespace distlab::bully {

struct Descriptor {
  static constexpr std::string_view kName = "bully";
  static constexpr std::string_view kTitle = "Bully election";  // in distlab --help
  // distlab demo: a seed where node 3 starts the first election and, after 5 fails,
  // node 3 alone notices and starts the next, as in the assignment's run.
  static constexpr algorithms::DemoScene kDemo{.en = "Question 3: Bully leader election",
                                               .pt = "Questão 3 – Algoritmos de Eleição - Bully",
                                               .args = "--seed 214"};
  using Node = BullyNode;
  static constexpr WireRange kWire = wire_types::kBully;
  using WireMessages = std::tuple<Message>;
  static std::tuple<std::vector<Message>> wire_examples() {
    return {{Election{}, Answer{}, Coordinator{}, Ack{}, Alive{}}};
  }
  static std::vector<trace::MessageFamily> message_families() {
    return {{.name = "election",
             .title = "election messages",
             .colour = "#CC79A7",
             .width = "1.8",
             .head_size = 6,
             .types = {"election", "answer", "coordinator", "ack"}},
            // The leader's ALIVE is drawn as the heartbeat it is.
            {.name = "heartbeat",
             .title = "heartbeats",
             .colour = "#009E73",
             .dashes = "2 3",
             .types = {"alive"}}};
  }
  static std::vector<trace::LaneSpan> lane_spans() { return {}; }
  // What else diagrams draw of its notes (trace/diagram_overlay.h).
  static trace::DiagramOverlay diagram_overlay() { return bully::diagram_overlay(); }
  static constexpr std::array<trace::Checker, 1> kCheckers{&check};
  // Its checks' names, as the narrative prints them.
  static constexpr std::array<trace::CheckName, 2> kCheckNames{{
      {"leader_agreement", "leader agreement", "acordo sobre o líder"},
      {"single_leader", "single leader", "um só líder"},
  }};
  // Its gallery of classic mistakes (--bug NAME), in the order of bully::Bug.
  static constexpr std::array<algorithms::Bug, 2> kBugs{{
      {"crown-without-waiting",
       "a node that starts an election declares itself the winner at once, without "
       "waiting for a higher node's answer"},
      {"follow-lower",
       "a node follows a COORDINATOR from a lower id instead of bullying it with an election"},
  }};

  // Its commands, defined with the CLI (cli/bully/command.cc and real.cc): the
  // simulated `distlab bully`, and `run bully` and `launch bully`.
  static void add_command(const cli::CommandSite& site);
  static void add_run(const cli::CommandSite& site);
  static void add_launch(const cli::CommandSite& site);
  // `distlab explore bully` (cli/explore.h), with the model of algo/bully/explore.h.
  static void add_explore(const cli::CommandSite& site);
  // Its part in `distlab sweep` (cli/sweep.h): how a seed draws its command's flags,
  // and how those flags run and are judged in memory; defined beside its command.
  static cli::SweepSubject sweep_subject();
};

}  // namespace distlab::bully
