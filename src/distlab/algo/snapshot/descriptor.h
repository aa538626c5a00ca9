// Chandy-Lamport snapshots as the registry sees it (algo/registry.h).
#pragma once

#include <array>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include "distlab/algo/bug.h"
#include "distlab/algo/demo_scene.h"
#include "distlab/algo/snapshot/bank.h"
#include "distlab/algo/snapshot/checker.h"
#include "distlab/algo/snapshot/game.h"
#include "distlab/algo/snapshot/notes.h"
#include "distlab/algo/snapshot/snapshot.h"
#include "distlab/algo/wire_types.h"
#include "distlab/trace/diagram.h"

namespace distlab::cli {
struct CommandSite;
struct SweepSubject;
}

namespace distlab::snapshot {

struct Descriptor {
  static constexpr std::string_view kName = "snapshot";
  static constexpr std::string_view kTitle = "Chandy-Lamport snapshots";  // in distlab --help
  // distlab demo: a seed whose snapshot holds 'Ataque' on channel 3->1 and 'Vida
  // baixa. Use a poção!' on 3->2, the two channel states of the assignment's output
  // that were right.
  static constexpr algorithms::DemoScene kDemo{.en = "Question 2: Chandy-Lamport global snapshot",
                                               .pt = "Questão 2 – Estado Global e Captura de Estado",
                                               .args = "--seed 6"};
  static constexpr WireRange kWire = wire_types::kSnapshot;
  // The snapshot layer over each of its two applications (the seed's game, the bank).
  using GameWire = std::variant<GameMessage, Marker>;
  using BankWire = std::variant<Transfer, Marker>;
  using WireMessages = std::tuple<GameWire, BankWire>;
  static std::tuple<std::vector<GameWire>, std::vector<BankWire>> wire_examples() {
    return {{Marker{{2, 3}}, GameMessage{Move::potion}, GameMessage{Move::attack}},
            {Marker{{1, 1}}, Transfer{250}, Transfer{5}}};
  }
  static std::vector<trace::MessageFamily> message_families() {
    return {
        {.name = "app", .title = "application messages", .colour = "#0072B2", .types = {"move", "transfer"}},
        {.name = "marker",
         .title = "snapshot markers",
         .colour = "#D55E00",
         .dashes = "6 3",
         .types = {"marker"}}};
  }
  static std::vector<trace::LaneSpan> lane_spans() { return {}; }
  // What else diagrams draw of its notes (trace/diagram_overlay.h).
  static trace::DiagramOverlay diagram_overlay() { return snapshot::diagram_overlay(); }
  static constexpr std::array<trace::Checker, 1> kCheckers{&check};
  // Malformed snapshot annotations are an InputError, for every command that reads traces.
  static void validate(const trace::Trace& trace) { (void)collect_snapshots(trace); }
  // Its checks' names, as the narrative prints them.
  static constexpr std::array<trace::CheckName, 4> kCheckNames{{
      {"snapshot_complete", "snapshot complete", "snapshot completo"},
      {"snapshot_channels", "snapshot channel states", "estados dos canais do snapshot"},
      {"consistent_cut", "consistent cut", "corte consistente"},
      {"money_conserved", "money conserved", "dinheiro conservado"},
  }};
  // Its gallery of classic mistakes (--bug NAME), in the order of RecordingRule after
  // chandy_lamport (the correct rule plays `none`); --bug seed-rule is --rule seed.
  static constexpr std::array<algorithms::Bug, 1> kBugs{{
      {"seed-rule",
       "the assignment's recording rule: once recorded, a node keeps every later message of every "
       "channel, and markers close nothing"},
  }};

  // Its commands, defined with the CLI (cli/snapshot/command.cc and real.cc): the
  // simulated `distlab snapshot`, and `run snapshot` and `launch snapshot`.
  static void add_command(const cli::CommandSite& site);
  static void add_run(const cli::CommandSite& site);
  static void add_launch(const cli::CommandSite& site);
  // `distlab explore snapshot` (cli/explore.h), over the model of algo/snapshot/explore.h.
  static void add_explore(const cli::CommandSite& site);
  // Its part in `distlab sweep` (cli/sweep.h): how a seed draws its command's flags,
  // and how those flags run and are judged in memory; defined beside its command.
  static cli::SweepSubject sweep_subject();
};

}  // namespace distlab::snapshot
