// The parts of the diagrams' interface that the algorithms' overlays use without
// drawing anything (the escaping and naming helpers, the message families, an
// event's mark): in
// distlab::trace, so a program that reads traces needs no diagram code
// (the diagrams themselves are distlab::diagram).
#include <fmt/format.h>

#include <algorithm>

#include "distlab/core/assert.h"
#include "distlab/core/duration.h"
#include "distlab/trace/diagram.h"

namespace distlab::trace {

namespace draw {

void escape_to(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\n': out += "&#10;"; break;
      default: out += c;
    }
  }
}

std::string escaped(std::string_view text) {
  std::string out;
  escape_to(out, text);
  return out;
}

std::string node_name(NodeId id) { return fmt::format("n{}", id); }

std::string time_text(Nanos t) { return t == 0 ? "0" : format_duration_rounded(t, 4); }

std::string clipped(std::string text, std::size_t max_chars) {
  if (text.size() > max_chars) text = text.substr(0, max_chars) + "…";
  return text;
}

}  // namespace draw

// Drawn grey: a type no family lists.
const MessageFamily kOtherFamily{.name = "other", .title = "other messages", .colour = "#999"};

MessageFamilies::MessageFamilies(std::span<const MessageFamily> families) {
  for (const MessageFamily& f : families) {
    DISTLAB_ASSERT(f.name != kOtherFamily.name, "\"other\" is the family of types no family lists");
    for (std::size_t i = 0; i < f.types.size(); ++i) shapes_.emplace_back(f.types[i], i % kTypeShapes);
    auto same = std::find_if(families_.begin(), families_.end(), [&](const MessageFamily& g) { return g.name == f.name; });
    if (same == families_.end()) {
      families_.push_back(f);
      continue;
    }
    DISTLAB_ASSERT(same->title == f.title && same->colour == f.colour && same->dashes == f.dashes &&
                       same->width == f.width && same->head_size == f.head_size,
                   "two algorithms draw a message family of one name differently");
    same->types.insert(same->types.end(), f.types.begin(), f.types.end());
  }
  for (const MessageFamily& f : families_) {
    for (const std::string_view type : f.types) {
      DISTLAB_ASSERT(&of(type) == &f, "a message type belongs to one family at most");
    }
  }
  families_.push_back(kOtherFamily);
}

std::size_t MessageFamilies::shape_of(std::string_view type) const {
  for (const auto& [t, shape] : shapes_) {
    if (t == type) return shape;
  }
  return 0;
}

const MessageFamily& MessageFamilies::of(std::string_view type) const {
  for (const MessageFamily& f : families_) {
    if (std::find(f.types.begin(), f.types.end(), type) != f.types.end()) return f;
  }
  return families_.back();
}

EventMark mark_of(const Record& r, const DiagramHints& hints) {
  if (r.kind == EventKind::crash) return {.label = "crash", .story = draw::node_name(r.node) + " crashes"};
  if (r.kind == EventKind::recover)
    return {.label = "recover", .story = draw::node_name(r.node) + " recovers"};
  if (r.kind != EventKind::state || !r.data.is_object()) return {};
  for (const DiagramOverlay& overlay : hints.overlays) {
    if (!overlay.mark) continue;
    if (auto mark = overlay.mark(r)) return std::move(*mark);
  }
  return {};
}

}  // namespace distlab::trace
