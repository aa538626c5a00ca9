// `distlab bench bully-failover`: how long real processes take to agree on a new
// leader after the leader is killed with SIGKILL, over many launches, against the
// bar of the election timeout plus three round trips.
//
// Each run launches N bully processes on loopback (seed = the run's number), kills
// the highest (the leader) at --kill-at, and reads from the merged trace when every
// survivor followed the new leader. The round trip is measured here too: a UDP
// echo between two threads over loopback, the median of many.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/bully/command.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/real/launch_command.h"
#include "distlab/algo/bully/checker.h"
#include "distlab/algo/registry.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/harness/bully/scenario.h"
#include "distlab/harness/lamport/scenario.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/merge.h"

namespace distlab::cli {
namespace {

struct FailoverBenchOptions {
  std::int64_t nodes = 5;
  std::int64_t runs = 20;
  std::string kill_at = "1s";
  bool json = false;
  BullyOptions bully;
};

// The median round trip of a datagram between two threads over loopback.
Nanos loopback_round_trip() {
  constexpr int kTrips = 2000;
  auto bound_socket = [] {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw RuntimeFailure("cannot open a UDP socket on 127.0.0.1 to measure the round trip");
    }
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return std::pair{fd, a};
  };
  const auto [ping, ping_address] = bound_socket();
  const auto [pong, pong_address] = bound_socket();
  std::thread echo([pong = pong, ping_address = ping_address] {
    char byte = 0;
    for (int i = 0; i < kTrips; ++i) {
      if (::recv(pong, &byte, 1, 0) != 1) return;
      ::sendto(pong, &byte, 1, 0, reinterpret_cast<const sockaddr*>(&ping_address), sizeof ping_address);
    }
  });
  timeval wait{.tv_sec = 1, .tv_usec = 0};
  ::setsockopt(ping, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  std::vector<Nanos> trips;
  for (int i = 0; i < kTrips; ++i) {
    char byte = 1;
    const auto start = std::chrono::steady_clock::now();
    ::sendto(ping, &byte, 1, 0, reinterpret_cast<const sockaddr*>(&pong_address), sizeof pong_address);
    if (::recv(ping, &byte, 1, 0) != 1) break;
    trips.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
                        .count());
  }
  ::shutdown(pong, SHUT_RDWR);
  ::close(pong);  // ends the echo thread if a datagram was lost
  echo.join();
  ::close(ping);
  if (trips.empty()) throw RuntimeFailure("the loopback round trip could not be measured");
  std::sort(trips.begin(), trips.end());
  return trips[trips.size() / 2];
}

// The nearest-rank percentile p (0..100) of sorted values.
Nanos percentile(const std::vector<Nanos>& sorted, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

struct Run {
  std::uint64_t seed = 0;
  std::optional<Nanos> latency;  // unset: the survivors never agreed
  NodeId leader = 0;
  bool checks_pass = false;
  std::string problem;
};

Run measure(const FailoverBenchOptions& o, std::uint64_t seed, Nanos kill_at) {
  const auto leader = static_cast<NodeId>(o.nodes);
  LaunchSpec spec{.algorithm = "bully",
                  .ids = node_ids(static_cast<std::uint32_t>(o.nodes)),
                  .algo_args = bully_args(o.bully),
                  .faults = {{PlannedFault::Kind::kill, leader, kill_at}},
                  .duration_ns = kill_at + 1500 * kMillisecond,
                  .seed = seed,
                  .process_args = {"--lang", "en"}};
  const LaunchResult result = launch(spec);
  if (result.interrupted) throw RuntimeFailure("interrupted");
  const trace::Header header{.algorithm = "bully", .mode = "real", .seed = seed, .nodes = spec.ids};
  const trace::Trace merged = trace::merge_traces(header, result.parts);
  Run run{.seed = seed};
  std::vector<trace::CheckResult> checks = algorithms::check_trace(merged);
  checks.push_back(processes_check(result));
  run.checks_pass = trace::all_passed(checks);
  for (const trace::CheckResult& c : checks) {
    if (c.status == trace::CheckStatus::fail) run.problem = fmt::format("{}: {}", c.name, c.detail);
  }
  for (const bully::Failover& f : bully::analyze_election(merged).failovers) {
    if (f.cause == "crash" && f.node == leader && f.agreed_ns) {
      run.latency = *f.agreed_ns - f.at_ns;
      run.leader = f.leader;
    }
  }
  return run;
}

int run_failover_bench(const FailoverBenchOptions& o) {
  require_at_least("--nodes", o.nodes, 2, "an election needs someone to elect");
  require_at_least("--runs", o.runs, 1);
  if (o.nodes > 100) throw InputError(fmt::format("--nodes is at most 100 here, got {}", o.nodes));
  if (o.runs > 1000) throw InputError(fmt::format("--runs is at most 1000, got {}", o.runs));
  if (o.bully.no_heartbeat) throw InputError("--no-heartbeat: without heartbeats nobody notices the leader die");
  const Nanos kill_at = parse_duration_option("--kill-at", o.kill_at);
  const BullyScenario settings = bully_scenario(o.bully, 1, o.nodes);  // validates the timings
  if (kill_at <= 0) throw InputError("--kill-at must be after the start");

  const Nanos rtt = loopback_round_trip();
  // The longest a follower waits for a dead leader (the leader timeout, spread up to
  // 1.5x), then the wait for answers before winning: the election timeout.
  const Nanos leader_timeout_max = settings.options.leader_timeout_max_ns();
  const Nanos election_timeout = leader_timeout_max + settings.options.answer_timeout_ns;
  const Nanos bar = election_timeout + 3 * rtt;
  if (!o.json) {
    fmt::print("{} runs of {} bully processes on 127.0.0.1; the leader ({}) is killed (SIGKILL) at {}.\n", o.runs,
               o.nodes, o.nodes, format_duration(kill_at));
    fmt::print("Bar: election timeout {} (leader timeout at most {}, 1.5 x {}, + answer timeout {}) + 3 round trips "
               "of {} = {}.\n",
               format_duration(election_timeout), format_duration(leader_timeout_max),
               format_duration(settings.options.leader_timeout_ns),
               format_duration(settings.options.answer_timeout_ns), format_duration_rounded(rtt),
               format_duration_rounded(bar));
    std::fflush(stdout);
  }
  std::vector<Run> runs;
  ProgressLine progress("bench bully-failover", std::chrono::milliseconds(0));
  for (std::int64_t i = 1; i <= o.runs; ++i) {
    progress.show(fmt::format("run {} of {}", i, o.runs));
    runs.push_back(measure(o, static_cast<std::uint64_t>(i), kill_at));
    progress.clear();
    const Run& r = runs.back();
    if (o.json) continue;
    if (r.latency) {
      fmt::print("run {:>3} (seed {}): every survivor followed {} {} after the kill{}\n", i, r.seed, r.leader,
                 format_duration_rounded(*r.latency), r.checks_pass ? "" : "; a check failed: " + r.problem);
    } else {
      fmt::print("run {:>3} (seed {}): the survivors never agreed; {}\n", i, r.seed, r.problem);
    }
    std::fflush(stdout);
  }
  std::vector<Nanos> latencies;
  std::size_t failed = 0;
  for (const Run& r : runs) {
    if (r.latency) latencies.push_back(*r.latency);
    failed += r.latency && r.checks_pass ? 0 : 1;
  }
  std::sort(latencies.begin(), latencies.end());
  const std::size_t over = static_cast<std::size_t>(
      std::count_if(latencies.begin(), latencies.end(), [&](Nanos l) { return l > bar; }));
  if (o.json) {
    nlohmann::ordered_json out;
    out["algorithm"] = "bully";
    out["seed"] = 1;  // runs use seeds 1..runs
    out["nodes"] = o.nodes;
    out["runs"] = o.runs;
    out["round_trip_ns"] = rtt;
    out["bar_ns"] = bar;
    out["latencies_ns"] = latencies;
    if (!latencies.empty()) {
      out["p50_ns"] = percentile(latencies, 50);
      out["p99_ns"] = percentile(latencies, 99);
    }
    out["over_bar"] = over;
    out["failed"] = failed;
    out["checks"] = {{"runs_pass", failed == 0 ? "pass" : "fail"}, {"within_bar", over == 0 ? "pass" : "fail"}};
    fmt::print("{}\n", out.dump());
  } else if (!latencies.empty()) {
    fmt::print("Failover over {} runs: p50 {}, p99 {} (min {}, max {}); bar {}: {} of {} within{}.\n",
               latencies.size(), format_duration_rounded(percentile(latencies, 50)),
               format_duration_rounded(percentile(latencies, 99)), format_duration_rounded(latencies.front()),
               format_duration_rounded(latencies.back()), format_duration_rounded(bar), latencies.size() - over,
               latencies.size(), failed > 0 ? fmt::format("; {} runs failed", failed) : "");
  }
  return failed == 0 && over == 0 ? kExitOk : kExitViolation;
}

}  // namespace

void add_failover_bench(CLI::App& bench, Action& run) {
  auto o = std::make_shared<FailoverBenchOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "bully-failover", "Kill a real bully leader many times; time until every survivor follows the new one");
  cmd->add_option("--nodes", o->nodes, "Processes per run (default 5)")->type_name("N");
  cmd->add_option("--runs", o->runs, "Launches to measure (default 20)")->type_name("N");
  cmd->add_option("--kill-at", o->kill_at, "When the leader is killed in each run (default 1s)")->type_name("TIME");
  cmd->add_flag("--json", o->json, "One JSON object");
  add_bully_options(*cmd, o->bully);
  cmd->callback([o, &run] { run = [o] { return run_failover_bench(*o); }; });
}

}  // namespace distlab::cli
