// simgrid_storm: the "storm" workload on SimGrid's S4U, a peer to compare distlab's
// simulator with on the same work.
//
// N nodes, each an actor with its own mailbox on its own host, in one empty zone under
// the constant network model (every message takes the same simulated time). K tokens
// circulate: token i starts at node i % N, which sends it to a uniformly random other
// node. Each delivery is a Lamport receive, then the receiver forwards the token,
// stamped with a Lamport send, to a random other node. The run has a budget of M sends
// (the K first ones included) and every send is delivered: exactly M deliveries.
// This is src/bench/storm.h's StormNode, with the same numbering (nodes 1..N) and
// per-node random streams, so for one seed each node picks the same destinations in
// the same order as under `distlab bench storm`. Prints one JSON line.
//
//   simgrid_storm --nodes 1000 --tokens 1000 --messages 2000000 --seed 1
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Mailbox.hpp>
#include <simgrid/s4u/NetZone.hpp>
#include <simgrid/version.h>
#include <cstdio>
#include <xbt/log.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "distlab/clock/lamport_clock.h"
#include "distlab/core/assert.h"
#include "distlab/core/random.h"

namespace {

namespace s4u = simgrid::s4u;
using distlab::LamportClock;
using distlab::NodeId;
using distlab::Rng;

// Bounds on the command line. Each node is a SimGrid actor with its own stack, so the
// node count is what memory limits first; beyond a bound the run is refused.
constexpr std::int64_t kNodesMax = 100'000;
constexpr std::int64_t kTokensMax = 10'000'000;
constexpr std::int64_t kMessagesMax = std::int64_t{1} << 40;

// distlab numbers the nodes of a run from 1; node index i here is node id kFirstNode + i.
constexpr NodeId kFirstNode = 1;

// The simulated size of a token: one Lamport timestamp. The constant model ignores it.
constexpr std::uint64_t kTokenSizeBytes = sizeof(LamportClock::Time);

struct StormOptions {
  std::int64_t nodes = 0;
  std::int64_t tokens = 0;
  std::int64_t messages = 0;
  std::uint64_t seed = 1;
};

// A token travels as its timestamp packed in the pointer-sized payload: nothing is
// allocated per message, so no detached comm owns memory that SimGrid must free.
void* pack_stamp(LamportClock::Time stamp) {
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>(stamp));
}
LamportClock::Time unpack_stamp(void* payload) {
  return static_cast<LamportClock::Time>(reinterpret_cast<std::uintptr_t>(payload));
}

class Storm {
 public:
  Storm(const StormOptions& options, std::vector<s4u::Mailbox*> mailboxes)
      : options_(options), mailboxes_(std::move(mailboxes)), sends_left_(options.messages) {
    nodes_.reserve(mailboxes_.size());
    for (NodeId index = 0; index < mailboxes_.size(); ++index) {
      const std::uint64_t stream = distlab::kStreamNodeBase + kFirstNode + index;
      nodes_.push_back(Node{LamportClock{}, Rng(distlab::derive_seed(options.seed, stream))});
    }
  }

  std::int64_t deliveries() const { return deliveries_; }

  // The body of node index `self`'s actor: send its initial tokens, then receive and
  // forward until the run's M-th delivery, whose receiver ends the run.
  void run_node(NodeId self) {
    for (std::int64_t token = self; token < options_.tokens; token += options_.nodes) {
      send_token(self);
    }
    s4u::Mailbox* inbox = mailboxes_[self];
    for (;;) {
      void* payload = inbox->get<void>();
      on_token(self, unpack_stamp(payload));
      if (deliveries_ == options_.messages) {
        // The budget is spent and this was the last token in flight. Every other node
        // waits in a receive that nothing will match: end them, or SimGrid reports a
        // deadlock. Their receives are cancelled; no message is lost or leaked.
        DISTLAB_ASSERT(sends_left_ == 0);
        s4u::Actor::kill_all();
        return;
      }
      send_token(self);
    }
  }

 private:
  struct Node {
    LamportClock clock;
    Rng rng;
  };

  void on_token(NodeId self, LamportClock::Time stamp) {
    DISTLAB_ASSERT(deliveries_ < options_.messages, "a delivery after the run's last");
    nodes_[self].clock.receive(stamp);
    ++deliveries_;
  }

  // A Lamport send to a uniformly random node other than `self`, while the budget lasts.
  void send_token(NodeId self) {
    if (sends_left_ == 0) return;
    --sends_left_;
    Node& node = nodes_[self];
    auto to = static_cast<NodeId>(node.rng.uniform(mailboxes_.size() - 1));
    if (to >= self) ++to;  // skip self: uniform over the N-1 others
    DISTLAB_ASSERT(to != self && to < mailboxes_.size(), "a node does not message itself");
    mailboxes_[to]->put_init(pack_stamp(node.clock.send()), kTokenSizeBytes)->detach();
  }

  StormOptions options_;
  std::vector<s4u::Mailbox*> mailboxes_;
  std::vector<Node> nodes_;
  // Shared by all nodes: they run one at a time, in SimGrid's single simulation thread.
  std::int64_t sends_left_;
  std::int64_t deliveries_ = 0;
};

constexpr std::string_view kUsage =
    "usage: simgrid_storm --nodes N --tokens K --messages M [--seed S]";

std::optional<std::int64_t> parse_count(std::string_view text, std::int64_t lo, std::int64_t hi) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < lo || value > hi) {
    return std::nullopt;
  }
  return value;
}

// The options, or one line on stderr and nullopt.
std::optional<StormOptions> parse_options(int argc, char** argv) {
  StormOptions options;
  struct Flag {
    std::string_view name;
    std::int64_t* value;
    std::int64_t lo;
    std::int64_t hi;
  };
  std::int64_t seed = 1;
  const Flag flags[] = {{"--nodes", &options.nodes, 2, kNodesMax},
                        {"--tokens", &options.tokens, 1, kTokensMax},
                        {"--messages", &options.messages, 1, kMessagesMax},
                        {"--seed", &seed, 0, INT64_MAX}};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const Flag* flag = nullptr;
    for (const Flag& f : flags) {
      if (arg == f.name) flag = &f;
    }
    if (flag == nullptr) {
      std::fprintf(stderr, "simgrid_storm: unknown argument '%s'; %s\n", argv[i], kUsage.data());
      return std::nullopt;
    }
    if (i + 1 == argc) {
      std::fprintf(stderr, "simgrid_storm: %s needs a value; %s\n", argv[i], kUsage.data());
      return std::nullopt;
    }
    const auto value = parse_count(argv[++i], flag->lo, flag->hi);
    if (!value) {
      std::fprintf(stderr, "simgrid_storm: %s must be an integer in [%lld, %lld], not '%s'\n",
                   flag->name.data(), static_cast<long long>(flag->lo),
                   static_cast<long long>(flag->hi), argv[i]);
      return std::nullopt;
    }
    *flag->value = *value;
  }
  if (options.nodes == 0 || options.tokens == 0 || options.messages == 0) {
    std::fprintf(stderr, "simgrid_storm: --nodes, --tokens and --messages are required; %s\n",
                 kUsage.data());
    return std::nullopt;
  }
  if (options.messages < options.tokens) {
    std::fprintf(stderr,
                 "simgrid_storm: --messages must be at least --tokens (%lld): every token is "
                 "delivered at least once\n",
                 static_cast<long long>(options.tokens));
    return std::nullopt;
  }
  options.seed = static_cast<std::uint64_t>(seed);
  return options;
}

// Peak resident memory of this program, in KiB: VmHWM, which starts afresh at exec
// (getrusage's ru_maxrss keeps the launching process's peak across exec).
long peak_rss_kib() {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, status) != nullptr) {
    if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
  }
  std::fclose(status);
  return kib;
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<StormOptions> options = parse_options(argc, argv);
  if (!options) return 2;

  // Silence SimGrid before it says anything (configuration changes log at INFO).
  xbt_log_control_set("root.thresh:critical");

  std::int64_t deliveries = 0;
  double wall_s = 0;
  {
    const auto start = std::chrono::steady_clock::now();
    s4u::Engine engine("simgrid_storm");
    s4u::Engine::set_config("network/model:Constant");

    // Under the constant model a message never asks for a route, so an empty zone
    // (no routing at all) is enough and costs nothing per host pair.
    s4u::NetZone* zone = s4u::create_empty_zone("storm");
    std::vector<s4u::Mailbox*> mailboxes;
    std::vector<s4u::Host*> hosts;
    mailboxes.reserve(static_cast<std::size_t>(options->nodes));
    hosts.reserve(static_cast<std::size_t>(options->nodes));
    for (std::int64_t index = 0; index < options->nodes; ++index) {
      const std::string name = "node-" + std::to_string(kFirstNode + index);
      hosts.push_back(zone->create_host(name, 1e9)->seal());
      mailboxes.push_back(s4u::Mailbox::by_name(name));
    }
    zone->seal();

    Storm storm(*options, std::move(mailboxes));
    for (NodeId index = 0; index < hosts.size(); ++index) {
      s4u::Actor::create(hosts[index]->get_name(), hosts[index],
                         [&storm, index] { storm.run_node(index); });
    }
    engine.run();
    wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    deliveries = storm.deliveries();
  }
  DISTLAB_ASSERT(deliveries == options->messages, "the run stops at exactly M deliveries");

  std::printf(
      "{\"peer\":\"simgrid\",\"version\":\"%d.%d\",\"nodes\":%lld,\"tokens\":%lld,"
      "\"messages\":%lld,\"deliveries\":%lld,\"wall_s\":%.6f,\"deliveries_per_s\":%.0f,"
      "\"peak_rss_kib\":%ld}\n",
      SIMGRID_VERSION_MAJOR, SIMGRID_VERSION_MINOR, static_cast<long long>(options->nodes),
      static_cast<long long>(options->tokens), static_cast<long long>(options->messages),
      static_cast<long long>(deliveries), wall_s, static_cast<double>(deliveries) / wall_s,
      peak_rss_kib());
  return 0;
}
