// `distlab bench storm --nodes N --tokens K --messages M`: the simulator's speed on
// the storm workload (src/bench/storm.h): K tokens among N nodes, each delivery
// a Lamport receive and a forward to a random other node, constant latency, until M
// deliveries. Prints deliveries per second, wall time and peak resident memory.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "bench/storm.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "distlab/core/error.h"
#include "distlab/runtime/sim/simulator.h"
#include "distlab/trace/binary_trace.h"
#include "distlab/trace/jsonl_writer.h"

namespace distlab::cli {
namespace {

struct StormOptions {
  std::int64_t nodes = 16;
  std::optional<std::int64_t> tokens;  // unset: as many as nodes
  std::int64_t messages = 10'000'000;
  std::uint64_t seed = 1;
  std::string trace;
  trace::TraceFormat trace_format = trace::TraceFormat::jsonl;
  bool json = false;
};

// Peak resident memory of this program so far, in bytes: VmHWM, which starts afresh
// at exec (getrusage's ru_maxrss keeps the launching process's peak across exec).
std::uint64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6)) * 1024;  // "VmHWM:  5432 kB"
  }
  return 0;
}

// Resident memory now, in bytes (from /proc/self/statm).
std::uint64_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0;
  std::uint64_t resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

int run_storm(const StormOptions& o) {
  require_at_least("--nodes", o.nodes, 2, "a token needs somewhere to go");
  if (o.nodes > 10'000'000) throw InputError(fmt::format("--nodes is at most 10000000, got {}", o.nodes));
  const std::int64_t tokens = o.tokens.value_or(o.nodes);
  require_at_least("--tokens", tokens, 1);
  require_at_least("--messages", o.messages, tokens, "every token is delivered at least once");
  // Nothing is kept per delivery, but a run must end: about a minute at 17 million/s
  // (and, with --trace, about 90 GB of trace).
  constexpr std::int64_t kMaxMessages = 1'000'000'000;
  if (o.messages > kMaxMessages) {
    throw InputError(fmt::format("--messages {}: more than the bound of 1,000,000,000 deliveries", o.messages));
  }

  storm::Run run{.shape = {.first = 1,
                           .nodes = static_cast<std::uint32_t>(o.nodes),
                           .tokens = static_cast<std::uint64_t>(tokens)},
                 .budget = {.sends_left = static_cast<std::uint64_t>(o.messages)}};
  const storm::Shape& shape = run.shape;
  const storm::Budget& budget = run.budget;
  std::optional<trace::JsonlWriter> writer;
  std::optional<trace::BinaryTraceWriter> binary;
  if (!o.trace.empty()) {
    std::vector<NodeId> ids(shape.nodes);
    for (std::uint32_t i = 0; i < shape.nodes; ++i) ids[i] = shape.first + i;
    const trace::Header header{.algorithm = "storm", .mode = "sim", .seed = o.seed, .nodes = ids};
    if (o.trace_format == trace::TraceFormat::binary) {
      binary.emplace(o.trace, header);
    } else {
      writer.emplace(o.trace, header);
    }
  }

  const std::uint64_t rss_before = rss_bytes();
  const auto start = std::chrono::steady_clock::now();
  sim::SimConfig config{.seed = o.seed, .first_id = shape.first, .node_count = shape.nodes};
  config.network.defaults.latency = sim::Latency::constant(1 * kMillisecond);
  config.sink = writer ? static_cast<EventSink*>(&*writer) : binary ? &*binary : nullptr;
  sim::Simulator<storm::StormNode> simulator(config, [&](NodeId id) { return storm::StormNode(id, run); });
  const std::uint64_t rss_built = rss_bytes();
  ProgressLine progress("bench storm");
  if (!progress.enabled()) {
    simulator.run();
  } else {  // a check every 2^20 events, only on a terminal
    while (simulator.step()) {
      if (simulator.stats().events % (std::uint64_t{1} << 20) == 0 && progress.due()) {
        progress.show(
            fmt::format("{} of {} deliveries, {} deliveries/s", compact_count(budget.delivered),
                        compact_count(o.messages),
                        compact_count(static_cast<double>(budget.delivered) / progress.elapsed_seconds())));
      }
    }
    progress.clear();
  }
  if (writer) writer->commit();
  if (binary) binary->commit();
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::uint64_t delivered = budget.delivered;
  if (delivered != static_cast<std::uint64_t>(o.messages)) {
    throw RuntimeFailure(fmt::format("the storm delivered {} messages, not {}", delivered, o.messages));
  }
  const double per_s = static_cast<double>(delivered) / wall_s;
  const std::uint64_t peak = peak_rss_bytes();
  const double per_node = static_cast<double>(rss_built - std::min(rss_built, rss_before)) /
                          static_cast<double>(shape.nodes);
  if (o.json) {
    nlohmann::ordered_json out;
    out["algorithm"] = "storm";
    out["seed"] = o.seed;
    out["nodes"] = o.nodes;
    out["tokens"] = tokens;
    out["messages"] = o.messages;
    out["deliveries"] = delivered;
    out["wall_s"] = wall_s;
    out["deliveries_per_s"] = per_s;
    out["peak_rss_bytes"] = peak;
    out["bytes_per_node"] = per_node;
    out["traced"] = !o.trace.empty();
    if (!o.trace.empty())
      out["trace_format"] = o.trace_format == trace::TraceFormat::binary ? "binary" : "jsonl";
    out["checks"] = nlohmann::ordered_json::object();
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("storm: {} nodes, {} tokens, {} deliveries{} in {:.3f} s: {:.0f} deliveries/s; peak resident "
               "memory {:.1f} MiB ({:.0f} bytes per node built)\n",
               o.nodes, tokens, delivered, o.trace.empty() ? "" : " (traced)", wall_s, per_s,
               static_cast<double>(peak) / (1024.0 * 1024.0), per_node);
  }
  return kExitOk;
}

}  // namespace

void add_storm_bench(CLI::App& bench, Action& run) {
  auto o = std::make_shared<StormOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "storm", "The simulator's speed: K tokens among N nodes, each delivery a Lamport receive and a forward");
  cmd->add_option("--nodes", o->nodes, "Nodes (default 16)")->type_name("N");
  cmd->add_option("--tokens", o->tokens, "Tokens circulating (default: as many as nodes)")->type_name("K");
  cmd->add_option("--messages", o->messages, "Deliveries in all (default 10000000, at most 1000000000)")->type_name("M");
  cmd->add_option("--seed", o->seed, "Seed (default 1)")->type_name("N");
  cmd->add_option("--trace", o->trace, "Trace the run to FILE, to measure tracing's cost")->type_name("FILE");
  add_trace_format_option(*cmd, o->trace_format);
  cmd->add_flag("--json", o->json, "One JSON object");
  cmd->callback([o, &run] { run = [o] { return run_storm(*o); }; });
}

}  // namespace distlab::cli
