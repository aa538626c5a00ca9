// Ricart-Agrawala mutual exclusion as the registry sees it (algo/registry.h).
#pragma once

#include <array>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "distlab/algo/bug.h"
#include "distlab/algo/demo_scene.h"
#include "distlab/algo/ricart/checker.h"
#include "distlab/algo/ricart/ricart.h"
#include "distlab/algo/wire_types.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/diagram.h"

namespace distlab::cli {
struct CommandSite;
struct SweepSubject;
}

namespace distlab::ricart {

struct Descriptor {
  static constexpr std::string_view kName = "ricart";
  static constexpr std::string_view kTitle = "Ricart-Agrawala mutual exclusion";  // in distlab --help
  // distlab demo, after the assignment's four: a seed where nodes 2 and 3 ask with
  // the same timestamp and the lower id goes first.
  static constexpr algorithms::DemoScene kDemo{.en = "And one more: Ricart-Agrawala mutual exclusion",
                                               .pt = "E mais um: exclusão mútua de Ricart-Agrawala",
                                               .args = "--seed 1"};
  using Node = RicartNode;
  static constexpr WireRange kWire = wire_types::kRicart;
  using WireMessages = std::tuple<Message>;
  static std::tuple<std::vector<Message>> wire_examples() {
    return {{Request{.ts = 1}, Request{.ts = std::int64_t{1} << 40}, Reply{.ts = 7, .request_ts = 3}}};
  }
  static std::vector<trace::MessageFamily> message_families() {
    return {{.name = "mutex",
             .title = "mutual exclusion (request, reply)",
             .colour = "#56B4E9",
             .dashes = "4 2",
             .types = {"request", "reply"}}};
  }
  // A node inside the critical section: its lane is shaded from enter to exit (or crash).
  static std::vector<trace::LaneSpan> lane_spans() {
    return {{.name = "inside",
             .group = "critical-sections",
             .opens_key = "mutex",
             .opens_value = "enter",
             .closes_key = "mutex",
             .closes_value = "exit",
             .crash_closes = true,
             .what = "inside the critical section",
             .legend = "inside the critical section",
             .fill = "#56B4E9",
             .opacity = ".35"}};
  }
  // Beyond its lane spans: each node's place in the protocol, for the step-through panel.
  static trace::DiagramOverlay diagram_overlay() {
    trace::DiagramOverlay o;
    o.state = [] {
      return [wanting = std::set<NodeId>()](const trace::Record& r,
                                            std::vector<trace::StateChange>& changes) mutable {
        // A crash releases what a node wanted or held.
        if (r.kind == EventKind::crash && wanting.erase(r.node) > 0)
          changes.push_back({r.node, "mutex", "released"});
        const auto note = r.kind == EventKind::state ? MutexNote::from_json(r.data) : std::nullopt;
        if (!note) return;
        if (note->kind == MutexNote::Kind::exit) {
          wanting.erase(r.node);
        } else {
          wanting.insert(r.node);
        }
        const std::string ts = note->ts ? " (ts " + std::to_string(*note->ts) + ")" : "";
        switch (note->kind) {
          case MutexNote::Kind::request: changes.push_back({r.node, "mutex", "wanted" + ts}); break;
          case MutexNote::Kind::enter: changes.push_back({r.node, "mutex", "held" + ts}); break;
          case MutexNote::Kind::exit: changes.push_back({r.node, "mutex", "released"}); break;
          case MutexNote::Kind::other: break;
        }
      };
    };
    return o;
  }
  static constexpr std::array<trace::Checker, 1> kCheckers{&check};
  static constexpr std::array<trace::CheckName, 3> kCheckNames{{
      {"mutual_exclusion", "mutual exclusion", "exclusão mútua"},
      {"requests_granted", "requests granted", "pedidos atendidos"},
      {"entry_order", "entry order", "ordem de entrada"},
  }};
  // Its gallery of classic mistakes (--bug NAME), in the order of ricart::Bug.
  static constexpr std::array<algorithms::Bug, 1> kBugs{{
      {"reply-in-cs",
       "a node inside the critical section replies to a request at once instead of deferring it "
       "until it leaves"},
  }};

  // Its commands, defined with the CLI (cli/ricart/command.cc): the simulated
  // `distlab ricart`, and `run ricart` and `launch ricart`.
  static void add_command(const cli::CommandSite& site);
  static void add_run(const cli::CommandSite& site);
  static void add_launch(const cli::CommandSite& site);
  // `distlab explore ricart` (cli/explore.h), with the model of algo/ricart/explore.h.
  static void add_explore(const cli::CommandSite& site);
  // Its part in `distlab sweep` (cli/sweep.h): how a seed draws its command's flags,
  // and how those flags run and are judged in memory; defined beside its command.
  static cli::SweepSubject sweep_subject();
};

}  // namespace distlab::ricart
