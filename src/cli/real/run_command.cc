#include "cli/real/run_command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>

#include "distlab/algo/registry.h"
#include "distlab/core/durable.h"
#include "distlab/core/error.h"
#include "distlab/harness/real/start.h"
#include "distlab/runtime/udp/cluster.h"

namespace distlab::cli {
namespace {

// Every process of a run must draw the same scenario, so `run` does not draw a
// fresh seed the way the simulated commands do.
constexpr std::uint64_t kDefaultRunSeed = 1;

}  // namespace

void add_run_options(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("--id", o.id, "This process's node id (in the cluster file)")->required()->type_name("N");
  cmd.add_option("--cluster", o.cluster, "The cluster file (TOML): node ids and their host:port")
      ->required()
      ->type_name("FILE");
  add_seed_option(cmd, o.seed, "The run's seed; give every process of the run the same one (default 1)");
  auto* start_at =
      cmd.add_option("--start-at", o.start_at_ms,
                     "The run's time zero, in Unix milliseconds, shared by all its processes (default: now)")
          ->type_name("UNIX_MS");
  cmd.add_flag("--wait-start", o.wait_start,
               "Once listening, write \"listening\" on standard input (a socket) and read time zero (Unix "
               "milliseconds) from it: how launch starts its processes together")
      ->excludes(start_at);
  cmd.add_option("--duration", o.duration, "Stop after this long from time zero (default: the scenario's)")
      ->type_name("DURATION");
  cmd.add_option("--trace", o.trace, "Write this process's JSONL trace (v1) to FILE")->type_name("FILE");
  cmd.add_flag("--live-trace", o.live_trace,
               "Write --trace in place as events happen, not into place at the end: a process killed with SIGKILL "
               "leaves every event it had (launch uses it in its own folder)");
  add_html_option(cmd, o.html);
  std::vector<std::string_view> durable;  // the algorithms whose nodes keep state across a restart
  algorithms::for_each([&]<class D>() {
    if constexpr (requires { typename D::Node; }) {
      if constexpr (PersistsDurableState<typename D::Node>) durable.push_back(D::kName);
    }
  });
  cmd.add_option("--state", o.state,
                 fmt::format("Keep the node's durable state in FILE, for a restart ({})", fmt::join(durable, ", ")))
      ->type_name("FILE");
  cmd.add_option("--incarnation", o.incarnation,
                 "0 for a first start; K for the K-th restart, which reloads --state and recovers")
      ->type_name("K");
  cmd.add_option("--parent", o.parent, "Exit when process PID, the parent (a launcher), does")->type_name("PID");
  add_lang_option(cmd, o.lang);
  cmd.add_flag("--quiet", o.quiet, "Print nothing but errors");
  add_key_options(cmd, o.keys, {.epoch = true, .allow_text = false});
}

Prepared prepare(const RunOptions& o, const std::string& algorithm, bool monitor) {
  if (o.incarnation < 0 || o.incarnation >= (std::int64_t{1} << (64 - kIncarnationShift))) {
    throw InputError(fmt::format("--incarnation must be between 0 and {}, got {}",
                                 (std::int64_t{1} << (64 - kIncarnationShift)) - 1, o.incarnation));
  }
  if (o.id < 0 || o.id > std::numeric_limits<NodeId>::max()) {
    throw InputError(fmt::format("--id {}: not a node id", o.id));
  }
  if (o.start_at_ms < 0) throw InputError(fmt::format("--start-at must be a Unix time in milliseconds, got {}", o.start_at_ms));
  Prepared p;
  p.real.algorithm = algorithm;
  p.real.cluster = udp::read_cluster_file(o.cluster);
  p.real.self = static_cast<NodeId>(o.id);
  if (p.real.cluster.find(p.real.self) == nullptr) {
    throw InputError(fmt::format("--id {}: no such node in {} (nodes are {})", o.id, o.cluster,
                                 fmt::join(p.real.cluster.ids(), ",")));
  }
  p.real.seed = o.seed.value_or(kDefaultRunSeed);
  const auto steady_now = std::chrono::steady_clock::now();
  p.real.epoch = steady_now;
  if (o.start_at_ms > 0) p.real.epoch = harness::steady_time_of(o.start_at_ms);
  if (o.wait_start) p.real.epoch_once_bound = [] { return harness::await_time_zero(STDIN_FILENO); };
  p.real.incarnation = static_cast<std::uint64_t>(o.incarnation);
  if (!o.duration.empty()) {
    p.real.duration_ns = parse_duration_option("--duration", o.duration);
    if (p.real.duration_ns <= 0) throw InputError("--duration must be longer than 0");
  }
  p.real.trace_path = o.trace;
  p.real.live_trace = o.live_trace;
  if (o.live_trace && o.trace.empty()) throw InputError("--live-trace needs --trace FILE");
  p.real.html_path = o.html;
  p.real.state_path = o.state;
  if (o.incarnation > 0 && !o.state.empty() && !std::ifstream(o.state, std::ios::binary)) {
    // A restart without its state would start fresh and break what the node promised
    // before it died. (The launcher creates each node's state file, empty, before the
    // node's first start, so a node killed before it ever settled still has one.)
    throw InputError(fmt::format("--state {}: a restart (--incarnation {}) cannot read its state: {}", o.state,
                                 o.incarnation, std::strerror(errno)));
  }
  p.real.sealing = make_sealing(o.keys, p.real.cluster.key_file, p.real.cluster.name, p.real.self, o.state, true);
  if (o.parent < 0) throw InputError(fmt::format("--parent {}: not a process id", o.parent));
  p.real.parent = o.parent;
  p.real.lang = o.lang;
  p.real.quiet = o.quiet;
  const auto size = static_cast<std::int64_t>(p.real.cluster.nodes.size());
  p.nodes = monitor ? size - 1 : size;
  return p;
}

CLI::App* add_run_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Run one node as a real process over UDP (one per node of a cluster file)");
  cmd->require_subcommand(1);
  return cmd;
}

}  // namespace distlab::cli
