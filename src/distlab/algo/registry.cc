#include "distlab/algo/registry.h"

#include "distlab/algo/explore_model.h"

namespace distlab::algorithms {

std::vector<trace::Checker> checkers() {
  std::vector<trace::Checker> out;
  for_each([&]<class D>() { out.insert(out.end(), D::kCheckers.begin(), D::kCheckers.end()); });
  return out;
}

std::vector<trace::CheckResult> check_trace(const trace::Trace& trace) {
  return trace::check_trace(trace, checkers());
}

void validate_annotations(const trace::Trace& trace) {
  for_each([&]<class D>() {
    if constexpr (requires { D::validate(trace); }) D::validate(trace);
  });
}

std::vector<const trace::CheckName*> check_names() {
  std::vector<const trace::CheckName*> names;
  for (const trace::CheckName& n : trace::kGenericCheckNames) names.push_back(&n);
  for_each([&]<class D>() {
    for (const trace::CheckName& n : D::kCheckNames) names.push_back(&n);
  });
  return names;
}

const trace::CheckName* check_name(std::string_view id) {
  for (const trace::CheckName* n : check_names()) {
    if (n->id == id) return n;
  }
  return nullptr;
}

trace::DiagramHints diagram_hints() {
  std::vector<trace::MessageFamily> families;
  std::vector<trace::LaneSpan> spans;
  std::vector<trace::DiagramOverlay> overlays;
  // An exploration's counterexample ends with the property it breaks (algo/explore_model.h).
  trace::DiagramOverlay violations;
  violations.mark = [](const trace::Record& r) -> std::optional<trace::EventMark> {
    if (r.kind != EventKind::state) return std::nullopt;
    const auto note = explore::ViolationNote::from_json(r.data);
    if (!note) return std::nullopt;
    return trace::EventMark{.label = "VIOLATED: " + note->check, .story = "violates " + note->check};
  };
  overlays.push_back(std::move(violations));
  for_each([&]<class D>() {
    for (trace::MessageFamily& f : D::message_families()) families.push_back(std::move(f));
    for (const trace::LaneSpan& span : D::lane_spans()) spans.push_back(span);
    overlays.push_back(D::diagram_overlay());
  });
  auto check_title = [](std::string_view id) {
    const trace::CheckName* name = check_name(id);
    return std::string(name ? name->en : id);
  };
  return {trace::MessageFamilies(families), std::move(spans), std::move(overlays), check_title};
}

}  // namespace distlab::algorithms
