// Every algorithm distlab knows, registered once.
//
// Each algorithm's folder has a Descriptor: its name, message types and their wire
// range (algo/wire_types.h), examples for the codec tests, how the diagram draws its
// messages and notes, and its checkers. Everything that works on "every algorithm" (check,
// render, export, sweep, the codec tests, the fuzzer) walks this list instead of naming the
// algorithms, so adding one is its folder, one line below, and a build list entry.
//
//   algorithms::for_each([]<class D>() { fmt::print("{}\n", D::kName); });
//   const auto results = algorithms::check_trace(trace);
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "distlab/algo/bully/descriptor.h"
#include "distlab/algo/detect/descriptor.h"
#include "distlab/algo/lamport/descriptor.h"
#include "distlab/algo/ricart/descriptor.h"
#include "distlab/algo/snapshot/descriptor.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/diagram.h"

namespace distlab::algorithms {

// What a descriptor must give (see docs/adding-an-algorithm.md); checked for each
// registered one, so a missing member is named here rather than deep in a template.
template <class D>
concept AlgorithmDescriptor = requires {
  { D::kName } -> std::convertible_to<std::string_view>;
  { D::kTitle } -> std::convertible_to<std::string_view>;
  { D::kDemo } -> std::convertible_to<DemoScene>;
  { D::kWire } -> std::convertible_to<WireRange>;
  typename D::WireMessages;
  D::wire_examples();
  { D::message_families() } -> std::convertible_to<std::vector<trace::MessageFamily>>;
  { D::lane_spans() } -> std::convertible_to<std::vector<trace::LaneSpan>>;
  { D::diagram_overlay() } -> std::convertible_to<trace::DiagramOverlay>;
  D::kCheckers.size();
  D::kCheckNames.size();
  D::kBugs.size();  // its gallery of classic mistakes (algo/bug.h), may be empty
  &D::add_command;
  &D::add_run;
  &D::add_launch;
  &D::sweep_subject;
};

template <AlgorithmDescriptor... Descriptors>
struct List {
  static constexpr std::size_t kSize = sizeof...(Descriptors);
  template <class F>
  static constexpr void for_each(F&& f) {
    (f.template operator()<Descriptors>(), ...);
  }
};

// ---- the registry: one line per algorithm ----
using Registered = List<lamport::Descriptor, snapshot::Descriptor, bully::Descriptor, detect::Descriptor,
                        ricart::Descriptor>;

// Calls `f.template operator()<D>()` for each registered descriptor D, in the order above.
template <class F>
constexpr void for_each(F&& f) {
  Registered::for_each(std::forward<F>(f));
}

// The registered algorithms' names.
constexpr std::array<std::string_view, Registered::kSize> names() {
  std::array<std::string_view, Registered::kSize> out{};
  std::size_t i = 0;
  for_each([&]<class D>() { out[i++] = D::kName; });
  return out;
}

// Every check's name, generic ones first, then each algorithm's, in registry order.
std::vector<const trace::CheckName*> check_names();

// Every algorithm's checkers, in registry order.
std::vector<trace::Checker> checkers();

// The generic checks and every algorithm's checkers (each judges only what its
// algorithm's annotations say, so this is safe on any trace).
std::vector<trace::CheckResult> check_trace(const trace::Trace& trace);

// Throws InputError (one line, naming the trace's line) when an algorithm's annotations
// in `trace` are malformed: what `check` refuses with exit 2, so render, merge and
// export refuse the same traces. An algorithm takes part with an optional member
// `static void validate(const trace::Trace&)`.
void validate_annotations(const trace::Trace& trace);

// The name of a check, generic or any algorithm's, as people read it; nullptr for
// an unknown one.
const trace::CheckName* check_name(std::string_view id);

// How diagrams draw every algorithm's messages, lane spans and notes (its overlay).
trace::DiagramHints diagram_hints();

namespace internal {
constexpr bool names_unique_and_ranges_disjoint() {
  std::array<std::string_view, Registered::kSize> seen_names{};
  std::array<WireRange, Registered::kSize> seen_ranges{};
  std::size_t n = 0;
  bool ok = true;
  for_each([&]<class D>() {
    for (std::size_t i = 0; i < n; ++i) {
      ok = ok && seen_names[i] != D::kName && !seen_ranges[i].overlaps(D::kWire);
    }
    ok = ok && D::kWire.count > 0;
    seen_names[n] = D::kName;
    seen_ranges[n] = D::kWire;
    ++n;
  });
  return ok;
}
static_assert(names_unique_and_ranges_disjoint(),
              "two registered algorithms share a name or a wire range (algo/wire_types.h)");
}  // namespace internal

}  // namespace distlab::algorithms
