// `distlab monitor` and `distlab node ID`: the seed's question 4 as real processes
// over UDP, compatible with the seed's own monitor.py and node.py.
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <charconv>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "cli/heartbeat/text.h"
#include "cli/html_report.h"
#include "cli/output.h"
#include "cli/real/keys.h"
#include "distlab/algo/detect/heartbeat.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/harness/heartbeat/scenario.h"
#include "distlab/runtime/udp/cluster.h"
#include "distlab/runtime/udp/udp_node.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/jsonl_writer.h"

namespace distlab::cli {
namespace {

// A real process's seed draws its random choices; the network's timing is its own.
constexpr const char* kRealSeedHelp =
    "Seed of this process's random draws, recorded in its trace (default: drawn and printed); "
    "real timing is not replayed";

using detect::Heartbeat;

struct MonitorCommandOptions {
  std::string bind = "127.0.0.1:5000";
  std::string timeout = "10s";
  std::string check_every = "1s";
  std::string detector = "fixed";
  double threshold = 8.0;
  std::int64_t window = 1000;
  std::string min_stddev = "500ms";
  std::string acceptable_pause = "0s";
  std::string first_interval = "5s";
  std::string duration;  // empty: until Ctrl+C
  std::int64_t max_nodes = static_cast<std::int64_t>(udp::kDefaultMaxSenders);
  CommonOptions common;
  KeyOptions keys;
};

struct NodeCommandOptions {
  std::string id;
  std::string monitor = "127.0.0.1:5000";
  std::string interval = "5s";
  std::string jitter = "1s";
  bool text = false;
  std::string duration;
  CommonOptions common;
  KeyOptions keys;
};

// This process's CPU time so far, in user space and in the kernel.
struct CpuTime {
  double user_s = 0;
  double system_s = 0;
};
CpuTime cpu_time() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {static_cast<double>(usage.ru_utime.tv_sec) + static_cast<double>(usage.ru_utime.tv_usec) / 1e6,
          static_cast<double>(usage.ru_stime.tv_sec) + static_cast<double>(usage.ru_stime.tv_usec) / 1e6};
}

// The monitor's story as it happens; heartbeat lines only without --quiet, and
// nothing converted for them when they are not printed.
class MonitorSink : public EventSink {
 public:
  MonitorSink(MonitorNarrator& narrator, bool per_heartbeat, bool narrate, trace::JsonlWriter* writer,
              trace::Recorder* recorder)
      : narrator_(narrator), per_heartbeat_(per_heartbeat), narrate_(narrate), writer_(writer), recorder_(recorder) {}
  void on_event(const Event& e) override {
    if (writer_ != nullptr) writer_->on_event(e);
    if ((writer_ != nullptr || recorder_ != nullptr) && e.kind == EventKind::recv) {
      nodes_.insert(e.peer);  // only the trace's header needs them
    }
    if (narrate_ && (e.kind != EventKind::recv || per_heartbeat_)) {
      narrator_.narrate(trace::to_record(e));
      std::fflush(stdout);
    }
    // Last: the recorder may take the event's note (Event::spare_data).
    if (recorder_ != nullptr) recorder_->on_event(e);
  }
  const std::set<NodeId>& nodes() const { return nodes_; }

 private:
  MonitorNarrator& narrator_;
  bool per_heartbeat_;
  bool narrate_;
  trace::JsonlWriter* writer_;
  trace::Recorder* recorder_;
  std::set<NodeId> nodes_;  // every node heard from, for the trace header
};

// Runs the host's loop until Ctrl+C, SIGTERM or the duration; returns whether a signal ended it.
bool run_loop(udp::Host& host, const std::string& duration, const std::function<void()>& stop) {
  bool signalled = false;
  host.on_interrupt([&] {
    signalled = true;
    stop();
    host.stop();
  });
  if (!duration.empty()) {
    const Nanos d = parse_duration_option("--duration", duration);
    host.at(host.now() + d, [&] {
      stop();
      host.stop();
    });
  }
  host.run();
  return signalled;
}

// The most node ids --max-nodes allows (about 300 bytes of state each with a key).
constexpr std::int64_t kMaxMonitorNodes = 10'000'000;

// The datagrams rejected, by reason: {"forged": 1000, ...}; reasons with none left out.
nlohmann::ordered_json rejected_json(const udp::UdpCounters& c) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (std::size_t i = 1; i < udp::kDecodeErrors; ++i) {
    if (c.rejected[i] == 0) continue;
    out[std::string(udp::reason_id(static_cast<udp::DecodeError>(i)))] = c.rejected[i];
  }
  return out;
}

int run_monitor(const MonitorCommandOptions& o) {
  const udp::Address bind = udp::parse_address(o.bind);
  detect::MonitorOptions options;
  options.check_every_ns = parse_duration_option("--check-every", o.check_every);
  options.fixed.timeout_ns = parse_duration_option("--timeout", o.timeout);
  if (o.detector != "fixed" && o.detector != "phi") {
    throw InputError(fmt::format("--detector must be fixed or phi, got '{}'", o.detector));
  }
  options.detector = o.detector == "phi" ? detect::DetectorKind::phi : detect::DetectorKind::fixed;
  options.phi.threshold = o.threshold;
  options.phi.window = phi_window(o.window);
  options.phi.min_stddev_ns = parse_duration_option("--min-stddev", o.min_stddev);
  options.phi.acceptable_pause_ns = parse_duration_option("--acceptable-pause", o.acceptable_pause);
  options.phi.first_interval_ns = parse_duration_option("--first-interval", o.first_interval);
  validate(options);
  if (!o.duration.empty()) parse_duration_option("--duration", o.duration);
  if (o.max_nodes < 1 || o.max_nodes > kMaxMonitorNodes) {
    throw InputError(fmt::format("--max-nodes must be between 1 and {}, got {}", kMaxMonitorNodes, o.max_nodes));
  }
  const std::uint64_t seed = resolve_seed(o.common);
  const Lang lang = o.common.lang;
  // The monitor sends nothing: it opens frames but keeps no epoch.
  std::optional<udp::Sealing> sealing =
      make_sealing(o.keys, "", std::string(udp::kDefaultClusterName), 0, "", false);

  std::optional<trace::JsonlWriter> writer;
  if (!o.common.trace_path.empty()) writer.emplace(o.common.trace_path);
  DiagramRecording diagram(o.common.html_path, {});  // the header, like the trace's, is known only at the end
  MonitorNarrator narrator(lang, !o.common.quiet, false, o.common.timestamps);
  MonitorSink sink(narrator, !o.common.quiet, !o.common.json, writer ? &*writer : nullptr, diagram.sink());

  using Node = udp::UdpNode<detect::Monitor>;
  Node::Options node_options;
  node_options.self = 0;
  node_options.bind = bind;
  node_options.nodes = {0};
  node_options.seed = seed;
  node_options.sink = &sink;
  node_options.max_senders = static_cast<std::size_t>(o.max_nodes);
  node_options.sealing = sealing;
  node_options.text_decoder = [](std::span<const std::byte> d) -> std::optional<std::pair<NodeId, Heartbeat>> {
    if (auto id = udp::parse_text_heartbeat(d)) return std::pair{*id, Heartbeat{}};
    return std::nullopt;
  };
  Node node(detect::Monitor(options), node_options);
  prctl(PR_SET_NAME, "distlab-monitor");  // tells it apart in top and perf
  const auto wall_start = std::chrono::steady_clock::now();
  const CpuTime cpu_start = cpu_time();
  node.start();
  run_loop(node.host(), o.duration, [&] { node.stop(); });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const CpuTime cpu_end = cpu_time();
  const double user = cpu_end.user_s - cpu_start.user_s;
  const double system = cpu_end.system_s - cpu_start.system_s;

  std::vector<NodeId> nodes{0};
  nodes.insert(nodes.end(), sink.nodes().begin(), sink.nodes().end());
  const trace::Header header{.algorithm = "heartbeat", .mode = "real", .seed = seed, .nodes = nodes};
  std::optional<OutputFile> page = diagram.stage(header);  // in place only after the trace
  if (writer) writer->commit(header);
  if (page) page->publish();
  const udp::UdpCounters c = node.counters();
  if (o.common.json) {
    nlohmann::ordered_json out;
    out["algorithm"] = "heartbeat";
    out["mode"] = "monitor";
    out["seed"] = seed;
    out["nodes"] = node.algo().tracked();
    out["received"] = c.received;
    out["heartbeats"] = node.algo().heartbeats();
    out["malformed"] = c.malformed;
    out["wakeups"] = c.wakeups;
    out["batches"] = c.batches;
    out["wall_s"] = wall;
    out["cpu_s"] = user + system;
    out["user_s"] = user;
    out["system_s"] = system;
    const auto too_many = c.rejected[static_cast<std::size_t>(udp::DecodeError::too_many_senders)];
    if (sealing || too_many > 0) out["rejected"] = rejected_json(c);
    out["checks"] = nlohmann::ordered_json::object();
    fmt::print("{}\n", out.dump());
  } else {
    const bool pt = lang == Lang::pt;
    const std::size_t heartbeats = node.algo().heartbeats(), nodes = node.algo().tracked(),
                      malformed = c.malformed;
    if (pt) {
      fmt::print("Recebido{} {} de {}; {} ignorado{}.\n", heartbeats == 1 ? "" : "s",
                 counted(heartbeats, "heartbeat", "heartbeats"), counted(nodes, "nó", "nós"),
                 counted(malformed, "datagrama malformado", "datagramas malformados"),
                 malformed == 1 ? "" : "s");
    } else {
      fmt::print("Received {} from {}; {} ignored.\n", trace::quantity(heartbeats, "heartbeat"),
                 trace::quantity(nodes, "node"), trace::quantity(malformed, "malformed datagram"));
    }
  }
  return kExitOk;
}

NodeId parse_node_id(const std::string& text) {
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id == 0 || id > UINT32_MAX) {
    throw InputError(fmt::format("node id '{}' is not a positive integer (1 to {})", text, UINT32_MAX));
  }
  return static_cast<NodeId>(id);
}

// Prints "Heartbeat enviado" for every heartbeat the node sends, and passes every
// event on to --trace and --html.
class NodeSink : public EventSink {
 public:
  NodeSink(Lang lang, bool print, EventSink* next) : lang_(lang), print_(print), next_(next) {}
  void on_event(const Event& e) override {
    if (next_ != nullptr) next_->on_event(e);
    if (!print_ || e.kind != EventKind::send) return;
    fmt::print("{}\n", lang_ == Lang::pt ? "Heartbeat enviado" : "Heartbeat sent");
    std::fflush(stdout);
  }

 private:
  Lang lang_;
  bool print_;
  EventSink* next_;
};

int run_node(const NodeCommandOptions& o) {
  const NodeId id = parse_node_id(o.id);
  const udp::Address monitor = udp::parse_address(o.monitor);
  detect::SenderOptions options;
  options.monitor = 0;
  options.interval_ns = parse_duration_option("--interval", o.interval);
  options.jitter_ns = parse_duration_option("--jitter", o.jitter);
  if (options.interval_ns <= 0) throw InputError("--interval must be longer than 0");
  if (options.jitter_ns >= options.interval_ns) throw InputError("--jitter must be below --interval");
  if (!o.duration.empty()) parse_duration_option("--duration", o.duration);
  if (o.text && !o.keys.allow_text && !key_file_in_effect(o.keys, "").empty()) {
    throw InputError("--text sends the seed's plain text, which a key cannot authenticate: add --allow-text to send it anyway");
  }
  const std::uint64_t seed = resolve_seed(o.common);
  const Lang lang = o.common.lang;
  const bool pt = lang == Lang::pt;
  std::optional<udp::Sealing> sealing =
      make_sealing(o.keys, "", std::string(udp::kDefaultClusterName), id, "", !o.text);

  const trace::Header header{.algorithm = "heartbeat", .mode = "real", .seed = seed, .nodes = {0, id}};
  std::optional<trace::JsonlWriter> writer;
  if (!o.common.trace_path.empty()) writer.emplace(o.common.trace_path, header);
  DiagramRecording diagram(o.common.html_path, header);
  trace::FanOut recording;
  recording.add(writer ? &*writer : nullptr);
  recording.add(diagram.sink());
  NodeSink sink(lang, !o.common.quiet && !o.common.json, &recording);
  using Node = udp::UdpNode<detect::HeartbeatSender>;
  Node::Options node_options;
  node_options.self = id;
  node_options.bind = udp::Address{monitor.host.find(':') != std::string::npos ? "::" : "0.0.0.0", 0};
  node_options.peers = {{0, monitor}};
  node_options.nodes = {0, id};
  node_options.seed = seed;
  node_options.sink = &sink;
  node_options.sealing = sealing;
  if (o.text) node_options.text_encoder = [id](const Heartbeat&) { return udp::text_heartbeat(id); };
  Node node(detect::HeartbeatSender(id, options), node_options);
  if (!o.common.quiet && !o.common.json) {
    fmt::print(fmt::runtime(pt ? "Nó {} enviando heartbeats para {} a cada {} ± {}{}.\n"
                               : "Node {} sending heartbeats to {} every {} ± {}{}.\n"),
               id, udp::to_string(monitor), format_duration(options.interval_ns), format_duration(options.jitter_ns),
               o.text ? (pt ? " (texto do seed)" : " (the seed's text)") : "");
    std::fflush(stdout);
  }
  node.start();
  run_loop(node.host(), o.duration, [&] { node.stop(); });
  std::optional<OutputFile> page = diagram.stage();  // in place only after the trace
  if (writer) writer->commit();
  if (page) page->publish();
  if (!o.common.json) {
    fmt::print(fmt::runtime(pt ? "Nó {} encerrado após {}.\n" : "Node {} stopped after {}.\n"), id,
               trace::quantity(node.algo().sent(), "heartbeat"));
  } else {
    fmt::print("{}\n", nlohmann::ordered_json{{"algorithm", "heartbeat"}, {"mode", "node"}, {"seed", seed},
                                               {"nodes", 1}, {"node", id}, {"sent", node.algo().sent()},
                                               {"checks", nlohmann::ordered_json::object()}}
                           .dump());
  }
  return kExitOk;
}

}  // namespace

void add_monitor_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<MonitorCommandOptions>();
  CLI::App* cmd = app.add_subcommand("monitor", "A real heartbeat monitor over UDP (the seed's monitor.py)");
  cmd->add_option("--bind", o->bind, "Address to listen on (default 127.0.0.1:5000, the seed's)")
      ->type_name("HOST:PORT");
  cmd->add_option("--timeout", o->timeout, "Fixed detector: silence before suspecting (default 10s)")
      ->type_name("DURATION");
  cmd->add_option("--check-every", o->check_every, "How often to check (default 1s)")->type_name("DURATION");
  cmd->add_option("--detector", o->detector, "fixed (default) or phi")->type_name("fixed|phi");
  const std::string phi = "Phi accrual";
  cmd->add_option("--threshold", o->threshold, "Suspect when phi exceeds this (default 8)")->group(phi);
  cmd->add_option("--window", o->window, "Inter-arrival times kept per node (default 1000)")->group(phi);
  cmd->add_option("--min-stddev", o->min_stddev, "Lower bound on the spread (default 500ms)")
      ->type_name("DURATION")->group(phi);
  cmd->add_option("--acceptable-pause", o->acceptable_pause, "Silence forgiven on top (default 0s)")
      ->type_name("DURATION")->group(phi);
  cmd->add_option("--first-interval", o->first_interval, "Interval assumed before two heartbeats (default 5s)")
      ->type_name("DURATION")->group(phi);
  cmd->add_option("--duration", o->duration, "Stop after this long (default: until Ctrl+C)")->type_name("DURATION");
  cmd->add_option("--max-nodes", o->max_nodes,
                  fmt::format("Track at most N node ids; datagrams from further ids are dropped and counted "
                              "(default {}, at most {})",
                              udp::kDefaultMaxSenders, kMaxMonitorNodes))
      ->type_name("N");
  add_common_options(*cmd, o->common);
  cmd->get_option("--seed")->description(kRealSeedHelp);
  add_html_option(*cmd, o->common.html_path);
  add_key_options(*cmd, o->keys, {.epoch = false, .allow_text = true});
  cmd->callback([o, &run] { run = [o] { return run_monitor(*o); }; });
}

void add_node_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<NodeCommandOptions>();
  CLI::App* cmd = app.add_subcommand("node", "A real node sending heartbeats over UDP (the seed's node.py)");
  cmd->add_option("ID", o->id, "This node's id, a positive integer")->required();
  cmd->add_option("--monitor", o->monitor, "The monitor's address (default 127.0.0.1:5000)")->type_name("HOST:PORT");
  cmd->add_option("--interval", o->interval, "Heartbeat interval (default 5s)")->type_name("DURATION");
  cmd->add_option("--jitter", o->jitter, "Each interval varies by up to +-this (default 1s)")->type_name("DURATION");
  cmd->add_flag("--text", o->text, "Send the seed's plain text 'Heartbeat from Node ID', for the seed's monitor.py");
  cmd->add_option("--duration", o->duration, "Stop after this long (default: until Ctrl+C)")->type_name("DURATION");
  add_common_options(*cmd, o->common);
  cmd->get_option("--seed")->description(kRealSeedHelp);
  add_html_option(*cmd, o->common.html_path);
  add_key_options(*cmd, o->keys, {.epoch = true, .allow_text = true});
  cmd->callback([o, &run] { run = [o] { return run_node(*o); }; });
}

}  // namespace distlab::cli
