#include "cli/heartbeat/text.h"

#include <fmt/format.h>

#include "cli/output.h"
#include "distlab/algo/detect/notes.h"
#include "distlab/core/duration.h"

namespace distlab::cli {

std::string MonitorNarrator::waiting() const {
  return lang_ == Lang::pt ? "Aguardando Heartbeats..." : "Waiting for heartbeats...";
}

void MonitorNarrator::narrate(const trace::Record& r) {
  const bool pt = lang_ == Lang::pt;
  const std::optional<Nanos> t = timestamps_ ? std::optional<Nanos>(r.t) : std::nullopt;
  // The sentence for the chosen language, checked at run time (tests cover both).
  const auto say = [&t](const char* form, auto&&... args) {
    print_narrative(fmt::format(fmt::runtime(form), std::forward<decltype(args)>(args)...), t);
  };
  switch (r.kind) {
    case EventKind::recv:
      if (per_heartbeat_ && r.type == "heartbeat") {
        say(pt ? "Recebido heartbeat de Node {}\n" : "Received heartbeat from node {}\n", r.peer);
      }
      return;
    case EventKind::crash:
    case EventKind::recover: {
      if (!show_faults_) return;
      // [real][recover][pt]: a simulated fault, or a process launch killed or restarted.
      static constexpr const char* kFaults[2][2][2] = {
          {{"[{}] node {} crashed (simulated)\n", "[{}] nó {} caiu (simulado)\n"},
           {"[{}] node {} restarted (simulated)\n", "[{}] nó {} voltou (simulado)\n"}},
          {{"[{}] node {}'s process killed (SIGKILL)\n", "[{}] processo do nó {} encerrado (SIGKILL)\n"},
           {"[{}] node {}'s process restarted\n", "[{}] processo do nó {} reiniciado\n"}}};
      say(kFaults[real_ ? 1 : 0][r.kind == EventKind::recover ? 1 : 0][pt ? 1 : 0],
          format_duration_rounded(r.t), r.node);
      return;
    }
    case EventKind::state: break;
    default: return;
  }
  const auto& d = r.data;
  const auto note = detect::MonitorNote::from_json(d);
  if (detect::DetectorNote::from_json(d)) {
    print_narrative(waiting() + "\n", t);
  } else if (!note || (!note->node && note->kind != detect::MonitorNote::Kind::redirect)) {
    return;
  } else if (note->kind == detect::MonitorNote::Kind::suspect) {
    const NodeId n = *note->node;
    suspected_.insert(n);
    // The seed's sentences, its spelling included ("No" for "Nó" in the first).
    say(pt ? "No {0} falhou! Nenhum heartbeat recebido.\nO servidor do nó {0} foi interrompido.\n"
                  : "Node {0} failed! No heartbeat received.\nThe server of node {0} was stopped.\n",
               n);
  } else if (note->kind == detect::MonitorNote::Kind::trust) {
    const NodeId n = *note->node;
    if (suspected_.erase(n) > 0) {
      say(pt ? "Nó {} voltou: heartbeat recebido de novo.\n" : "Node {} is back: heartbeat received again.\n", n);
    }
  } else {
    if (!note->node) {
      say(pt ? "Crítico: nenhum nó disponível para redirecionamento.\n\n"
                    : "Critical: no node available for redirection.\n\n");
    } else {
      say(pt ? "Pedidos de compra redirecionados para o nó {}.\n\n" : "Purchase orders redirected to node {}.\n\n",
                 *note->node);
    }
  }
}

}  // namespace distlab::cli
