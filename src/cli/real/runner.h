// `distlab run`'s part of a real node: what it prints and the diagram it draws. The
// node itself runs in the harness (harness/real/real_node.h).
//
//   return run_real(lamport_plan(scenario), run);
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "cli/html_report.h"
#include "cli/options.h"
#include "distlab/harness/real/real_node.h"

namespace distlab::cli {

struct RealRun : harness::RealNode {
  std::string html_path;  // this process's diagram; empty: none
  Lang lang = Lang::en;
  bool quiet = false;
};

using harness::kIncarnationShift;

template <class Algo>
int run_real(const Plan<Algo>& plan, const RealRun& r) {
  DiagramRecording diagram(r.html_path, harness::real_header(r, plan.ids));
  const bool pt = r.lang == Lang::pt;
  std::optional<OutputFile> page;  // the diagram, in place only after the trace
  harness::RealHooks hooks{.observer = diagram.sink(), .before_commit = [&] { page = diagram.stage(); }};
  if (!r.quiet) {
    hooks.on_listening = [&](const udp::Address& address) {
      fmt::print(fmt::runtime(pt ? "Nó {} ({}) escutando em {}{}.\n" : "Node {} ({}) listening on {}{}.\n"), r.self,
                 r.algorithm, udp::to_string(address),
                 r.incarnation > 0
                     ? fmt::format(fmt::runtime(pt ? ", reiniciado ({})" : ", restarted ({})"), r.incarnation)
                     : "");
      std::fflush(stdout);
    };
  }
  const harness::RealOutcome out = harness::run_real_node(plan, r, hooks);
  if (out.orphaned) return kExitRuntime;
  if (page) page->publish();
  const udp::UdpCounters& c = out.counters;
  if (!r.quiet) {
    fmt::print(fmt::runtime(pt ? "Nó {}: {} mensagens enviadas, {} recebidas, {} datagramas malformados ignorados{}.\n"
                               : "Node {}: {} messages sent, {} received, {} malformed datagrams ignored{}.\n"),
               r.self, c.sent, c.delivered, c.malformed,
               out.interrupted ? (pt ? " (interrompido)" : " (interrupted)") : "");
  }
  return kExitOk;
}

}  // namespace distlab::cli
