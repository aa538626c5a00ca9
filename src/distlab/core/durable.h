// Durable state: the part of a node that survives a crash, as if on stable storage.
//
// A node type that has a `Durable` type, `durable()` and `restore()` keeps that part
// across a crash: the simulator hands it to the node it rebuilds on recovery, and a
// real process (distlab run --state) writes it to a file after each handler and
// reads it back on restart when the node can also turn it into JSON and back.
// Everything else a node holds is volatile and is lost in a crash.
//
//   struct Durable { LamportClock clock; };
//   Durable durable() const { return {clock_}; }
//   void restore(const Durable& d) { clock_ = d.clock; }
#pragma once

#include <concepts>
#include <nlohmann/json.hpp>
#include <optional>

namespace distlab {

// Two concepts, because they are two ideas, a capability and a refinement of it:
//  - HasDurableState: which part of a node survives a crash. Enough wherever the old
//    node object is still at hand when the node restarts (the simulator, scripted
//    tests, Stepper::restart): the fresh node is given old.durable().
//  - PersistsDurableState: that part also has a JSON form. A real process restarts as
//    a new process with no old node to copy from, so it needs the state written to a
//    file and read back; only then does `distlab run --state` apply.
// A node can have the first without the second: Snapshot<BankNode> keeps its balance
// across a crash in the simulator but has no file form. Requiring JSON of every node
// with durable state would make simulation-only state pay for a file format it
// never uses; inferring durable state from the JSON functions would lose that case.
template <class A>
concept HasDurableState = requires(const A& a, A& b) {
  typename A::Durable;
  { a.durable() } -> std::convertible_to<typename A::Durable>;
  b.restore(a.durable());
};

// Durable state a real process can keep in a file between its lives.
template <class A>
concept PersistsDurableState =
    HasDurableState<A> && requires(const typename A::Durable& d, const nlohmann::ordered_json& j) {
      { A::durable_to_json(d) } -> std::convertible_to<nlohmann::ordered_json>;
      { A::durable_from_json(j) } -> std::convertible_to<std::optional<typename A::Durable>>;
    };

}  // namespace distlab
