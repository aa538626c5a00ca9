// A network of namespaces for `distlab launch --netns`: each node gets a network
// namespace of its own, joined to the others by a veth pair on a bridge, and the
// simulator's --loss and --partition act on the real datagrams, by nftables rules in
// the bridge's namespace (loss: a random drop; duplication: a copy, made as the
// datagram leaves the bridge for its receiver; a partition: the links it cuts,
// a set that changes at the partition's start and end). The rules sit on the bridge
// and log each datagram they drop (NFLOG), so that the launch traces its drops as the
// simulator does.
//
// Nothing is made in the launcher's own namespace: the bridge lives in a namespace of
// its own too. Each namespace is held by a small process (unshare, then a shell that
// waits on a pipe only the launcher holds) and by the node's processes in it; none is
// named under /run/netns. So when the launcher ends, however it ends (SIGKILL
// included), the holders see the pipe close, the nodes see their parent go, and the
// kernel frees the namespaces with their links and rules: there is nothing to tear
// down, and nothing is left to clean.
//
//   NamespaceNetwork net(ids, {.loss = 0.1, .partitions = {...}});
//   spawn(net.enter(3) + {"distlab", "run", ...});   // node 3 runs in its namespace
//   net.advance(t);                                 // partitions that start or end by t
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "distlab/core/types.h"
#include "distlab/runtime/sim/network.h"

namespace distlab::harness {

struct NamespaceFaults {
  double loss = 0.0;  // probability that a datagram between two nodes is dropped
  double dup = 0.0;   // probability that one that passes is delivered twice
  std::vector<sim::Partition> partitions;
};

// A datagram the bridge dropped: message `seq` of node `from`, to node `to`.
struct LoggedDrop {
  NodeId from = 0;
  std::uint64_t seq = 0;
  NodeId to = 0;
  bool partition = false;  // else: loss
};

class DropLog;

// The datagrams the rules dropped, over every node.
struct NamespaceDrops {
  std::uint64_t loss = 0;
  std::uint64_t partition = 0;
  std::uint64_t duplicated = 0;  // not a drop: the datagrams --dup sent twice
};

class NamespaceNetwork {
 public:
  // Empty when this host can build one; else why not, in one line.
  // Not root: an InputError's words ("--netns needs root ..."); a missing program: a RuntimeFailure's.
  static std::string needs_root();
  static std::string missing_program();

  // Builds the namespaces, links and rules for `ids` (sorted). Throws InputError
  // without root, RuntimeFailure when a program is missing or a step fails.
  NamespaceNetwork(std::vector<NodeId> ids, NamespaceFaults faults);
  // Ends the holders: the namespaces go with the last process in them.
  ~NamespaceNetwork();
  NamespaceNetwork(const NamespaceNetwork&) = delete;
  NamespaceNetwork& operator=(const NamespaceNetwork&) = delete;

  // "10.77.0.3": node `id`'s address on the bridge.
  std::string address(NodeId id) const;
  static std::string address_of_index(std::size_t index);
  // The words that run a program in node `id`'s namespace: nsenter --net=... --.
  std::vector<std::string> enter(NodeId id) const;

  struct Change {
    const sim::Partition* partition;
    bool heals;  // the partition ends; else it starts
  };
  // Applies the partitions that start or end at or before `t` (since the run's time
  // zero) and were not applied yet; returns them in time order.
  std::vector<Change> advance(Nanos t);
  // When the next partition starts or ends; kNanosMax: none is left.
  Nanos next_change() const;

  // What the rules dropped so far (read from their counters).
  NamespaceDrops drops() const;
  // The drops logged since the last call (NFLOG), for the trace: distlab frames only,
  // at most a million between two calls (the counters count every drop).
  std::vector<LoggedDrop> take_logged();

 private:
  struct Holder {
    pid_t pid = 0;
    int pipe = -1;  // its stdin: closed, it ends
  };
  Holder hold(const std::string& then);  // `then`: what its shell runs once the namespace is made
  static void tell(const Holder& holder, const std::string& text);
  void release();  // ends the holders
  void set_cuts(Nanos t);

  std::vector<NodeId> ids_;
  NamespaceFaults faults_;
  Holder hub_;
  std::map<NodeId, Holder> nodes_;
  void logged(const std::string& prefix, std::span<const unsigned char> packet);

  std::vector<std::pair<std::size_t, std::size_t>> cut_;  // (sender, receiver) indexes in ids_ cut now
  std::unique_ptr<DropLog> log_;
  std::vector<LoggedDrop> logged_;
  std::vector<std::pair<Nanos, Change>> changes_;  // in time order
  std::size_t next_ = 0;
};

}  // namespace distlab::harness
