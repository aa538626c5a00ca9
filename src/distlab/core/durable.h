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
