// Push gossip, an algorithm distlab does not ship, written against the installed
// library the way a user would: the node is sans-I/O (it sees only its Context),
// distlab's simulator runs eight of them over a lossy network with a crash and a
// recovery, the trace is written and read back, distlab's generic checks run with
// one checker of this program's own, and the run is drawn as an HTML diagram.
//
//   gossip OUT_DIR     # writes OUT_DIR/gossip.jsonl and OUT_DIR/gossip.html; exit 0 if every check passed
#include <cstdio>
#include <string>
#include <vector>

#include "distlab/core/atomic_file.h"
#include "distlab/core/context.h"
#include "distlab/runtime/sim/simulator.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/diagram.h"
#include "distlab/trace/jsonl_reader.h"
#include "distlab/trace/jsonl_writer.h"
#include "distlab/trace/trace.h"

namespace gossip {

using distlab::Context;
using distlab::Nanos;
using distlab::NodeId;
using distlab::TimerTag;

struct Rumor {};
std::string_view trace_type(const Rumor&) { return "rumor"; }

// Node 1 starts with a rumor; a node that knows it pushes it to a random other node
// every round, for a fixed number of rounds. A crash makes a node forget it.
class GossipNode {
 public:
  using Message = Rumor;
  enum : TimerTag { kRound };
  static constexpr std::size_t kTimerTags = 1;
  static std::string_view timer_name(TimerTag) { return "round"; }
  static constexpr int kRounds = 12;
  static constexpr Nanos kRoundNs = 10 * distlab::kMillisecond;

  void on_start(Context<Message>& ctx) {
    if (ctx.self() == 1) learn(ctx);
  }
  void on_message(Context<Message>& ctx, NodeId, const Message&) {
    if (!knows_) learn(ctx);
  }
  void on_timer(Context<Message>& ctx, TimerTag) { push(ctx); }
  void on_recover(Context<Message>&) {}  // a fresh node: it knows nothing

 private:
  void learn(Context<Message>& ctx) {
    knows_ = true;
    ctx.note({{"rumor", "learned"}});
    push(ctx);
  }
  void push(Context<Message>& ctx) {
    if (rounds_left_-- <= 0) return;
    const auto nodes = ctx.nodes();
    NodeId to = ctx.self();
    while (to == ctx.self()) to = nodes[ctx.random().uniform(nodes.size())];
    ctx.send(to, Rumor{});
    ctx.set_timer(kRoundNs, kRound);
  }

  bool knows_ = false;
  int rounds_left_ = kRounds;
};

// This program's own property: every node up at the end has learned the rumor
// since it last came up.
void check_spread(const distlab::trace::Trace& trace, const distlab::trace::CausalGraph&,
                  std::vector<distlab::trace::CheckResult>& results) {
  std::vector<bool> knows(trace.header.nodes.size() + 1, false);
  std::vector<bool> up(trace.header.nodes.size() + 1, true);
  bool any = false;
  for (const distlab::trace::Record& r : trace.events) {
    if (r.node >= knows.size()) continue;
    if (r.kind == distlab::EventKind::crash) up[r.node] = knows[r.node] = false;
    if (r.kind == distlab::EventKind::recover) up[r.node] = true;
    if (r.kind == distlab::EventKind::state && r.data.contains("rumor")) any = knows[r.node] = true;
  }
  if (!any) return;  // not a gossip trace
  distlab::trace::CheckResult result{"rumor_spread", distlab::trace::CheckStatus::pass, ""};
  std::string missing;
  for (NodeId id : trace.header.nodes) {
    if (up[id] && !knows[id]) missing += (missing.empty() ? "" : ", ") + std::to_string(id);
  }
  if (missing.empty()) {
    result.detail = "every node up at the end knows the rumor";
  } else {
    result.status = distlab::trace::CheckStatus::fail;
    result.detail = "nodes " + missing + " are up at the end but never heard the rumor";
  }
  results.push_back(result);
}

}  // namespace gossip

int main(int argc, char** argv) {
  using distlab::NodeId;
  namespace sim = distlab::sim;
  namespace trace = distlab::trace;
  if (argc != 2) {
    std::fprintf(stderr, "usage: gossip OUT_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  constexpr std::uint32_t kNodes = 8;
  std::vector<NodeId> ids;
  for (NodeId id = 1; id <= kNodes; ++id) ids.push_back(id);
  const trace::Header header{.algorithm = "gossip", .mode = "sim", .seed = 11, .nodes = ids};

  trace::Recorder recorder(header);
  trace::JsonlWriter writer(dir + "/gossip.jsonl", header);
  trace::FanOut sinks;
  sinks.add(&recorder);
  sinks.add(&writer);

  sim::SimConfig config{.seed = header.seed, .first_id = 1, .node_count = kNodes, .sink = &sinks};
  config.network.defaults.latency = sim::Latency::uniform(1 * distlab::kMillisecond, 4 * distlab::kMillisecond);
  config.network.defaults.loss = 0.1;
  config.faults.crash(3, 15 * distlab::kMillisecond);   // forgets the rumor...
  config.faults.recover(3, 40 * distlab::kMillisecond);  // ...and must hear it again
  sim::Simulator<gossip::GossipNode> simulator(config, [](NodeId) { return gossip::GossipNode(); });
  simulator.run();
  writer.commit();

  // The checks, on the trace read back from its file: distlab's generic ones and ours.
  const trace::Trace read = trace::read_trace_file(dir + "/gossip.jsonl");
  const trace::Checker ours[] = {&gossip::check_spread};
  bool ok = read.events.size() == recorder.trace().events.size();
  std::printf("gossip: %zu events, %llu messages sent, %llu lost\n", read.events.size(),
              static_cast<unsigned long long>(simulator.stats().sent),
              static_cast<unsigned long long>(simulator.stats().dropped_loss));
  bool spread_checked = false;
  for (const trace::CheckResult& r : trace::check_trace(read, ours)) {
    std::printf("check %s: %s (%s)\n", r.name.c_str(), std::string(trace::to_string(r.status)).c_str(),
                r.detail.c_str());
    ok = ok && r.status != trace::CheckStatus::fail;
    spread_checked = spread_checked || r.name == "rumor_spread";
  }
  ok = ok && spread_checked;

  // The diagram, with this algorithm's messages drawn in a family of their own.
  const std::vector<trace::MessageFamily> families{
      {.name = "rumor", .title = "rumors", .colour = "#009E73", .dashes = "3 2", .types = {"rumor"}}};
  trace::DiagramPage page("gossip, seed 11", {trace::MessageFamilies(families), {}});
  const trace::DiagramSummary drawn = page.add(read, "push gossip over a lossy network");
  distlab::write_file_atomically(dir + "/gossip.html", page.html());
  ok = ok && drawn.arrows > 0 && page.html().find("line.msg.rumor {") != std::string::npos;
  std::printf("diagram: %zu events, %zu arrows\n", drawn.drawn, drawn.arrows);
  std::puts(ok ? "consumer: gossip ok" : "consumer: gossip WRONG");
  return ok ? 0 : 1;
}
