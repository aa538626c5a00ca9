#include "distlab/trace/shiviz.h"

#include <fmt/format.h>

#include <ostream>
#include <set>

#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/trace/causality.h"

namespace distlab::trace {
namespace {

// ShiViz matches with JavaScript regular expressions, where '.' stops at \n, \r,
// U+2028 and U+2029: an event's text must hold none of them, or the event would be
// cut short (or its next line taken for another event).
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string json_text(const nlohmann::ordered_json& data) {
  return data.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// "type msg", leaving out what the record does not have.
std::string message(const Record& r) { return r.type.empty() ? r.msg : fmt::format("{} {}", r.type, r.msg); }

// What the delimiter line calls a run; ShiViz keys executions by it, so it is unique.
std::string run_label(const ShivizRun& run, std::set<std::string>& taken) {
  const Header& h = run.trace->header;
  const std::string base = one_line(fmt::format("{}: {} {}, seed {}", run.name, h.algorithm, h.mode, h.seed));
  std::string label = base;
  for (int n = 2; !taken.insert(label).second; ++n) label = fmt::format("{} #{}", base, n);
  return label;
}

std::string run_name(const ShivizRun& run) {
  return run.trace->source.empty() ? run.name : run.trace->source;
}

// The vector time of every event, every event counted: exactly ShiViz's clocks.
VectorTime vector_time(const ShivizRun& run, const CausalGraph& graph) {
  if (auto cycle = graph.cycle()) {
    throw InputError(fmt::format("{}: cannot export: happens-before has a cycle through {}", run_name(run),
                                 describe(run.trace->events[*cycle])));
  }
  std::optional<VectorTime> vt = VectorTime::build(graph);
  if (!vt) {
    throw InputError(
        fmt::format("{}: too large to export: {} events x {} nodes is more than {} clock entries",
                    run_name(run), graph.size(), graph.node_count(), VectorTime::kMaxCells));
  }
  return std::move(*vt);
}

}  // namespace

std::string shiviz_host(NodeId node) { return fmt::format("n{}", node); }

std::string shiviz_event_text(const Record& r) {
  std::string what;
  switch (r.kind) {
    case EventKind::send:
      what = fmt::format("send {} to {}", message(r), shiviz_host(r.peer));
      if (!r.data.is_null()) what += " " + json_text(r.data);
      break;
    case EventKind::recv: what = fmt::format("recv {} from {}", message(r), shiviz_host(r.peer)); break;
    case EventKind::drop:
      what = fmt::format("drop {} to {} ({})", message(r), shiviz_host(r.peer), r.label);
      break;
    case EventKind::local: what = r.label.empty() ? "local" : "local " + r.label; break;
    case EventKind::timer: what = "timer " + r.label; break;
    case EventKind::state: what = "state " + json_text(r.data); break;
    case EventKind::crash:
    case EventKind::recover: what = std::string(to_string(r.kind)); break;
  }
  std::string when = "t=" + format_duration(r.t);
  if (r.lamport) when += fmt::format(" lamport={}", *r.lamport);
  return one_line(fmt::format("{} [{}]", what, when));
}

ShivizStats write_shiviz(std::ostream& out, std::span<const ShivizRun> runs) {
  ShivizStats stats;
  std::set<std::string> labels;
  std::set<NodeId> hosts;
  // How ShiViz reads an uploaded file: line 1 the parser, line 2 the delimiter, the
  // rest the log (trimmed, so the blank line only separates).
  out << kShivizParser << '\n' << kShivizDelimiter << "\n\n";
  std::string line;
  for (const ShivizRun& run : runs) {
    const Trace& trace = *run.trace;
    // ShiViz skips an execution with no text in silence: say so instead.
    if (trace.events.empty()) throw InputError(fmt::format("{}: no events to export", run_name(run)));
    const CausalGraph graph(trace);
    const VectorTime vt = vector_time(run, graph);
    const std::vector<NodeId>& nodes = trace.header.nodes;
    std::vector<std::string> names;
    names.reserve(nodes.size());
    for (NodeId node : nodes) names.push_back(shiviz_host(node));

    out << "=== " << run_label(run, labels) << " ===\n";
    for (std::size_t i = 0; i < trace.events.size(); ++i) {
      const Record& r = trace.events[i];
      line = shiviz_host(r.node);
      line += " {";
      bool first = true;
      for (std::size_t k = 0; k < nodes.size(); ++k) {
        const std::uint32_t count = vt.at(i, k);
        if (count == 0) continue;  // a host not in this event's past: no entry
        line += fmt::format("{}\"{}\":{}", first ? "" : ",", names[k], count);
        first = false;
      }
      line += "} ";
      line += shiviz_event_text(r);
      line += '\n';
      out << line;
      hosts.insert(r.node);
    }
    out << '\n';
    ++stats.runs;
    stats.events += trace.events.size();
  }
  stats.hosts = hosts.size();
  return stats;
}

}  // namespace distlab::trace
