#include "distlab/trace/diagram.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <utility>
#include <vector>

#include "distlab/core/assert.h"
#include "distlab/core/duration.h"
#include "distlab/trace/internal/diagram_assets.h"
#include "distlab/trace/internal/diagram_layout.h"
#include "distlab/trace/internal/diagram_svg.h"

namespace distlab::trace {

namespace {

using draw::escaped;
using draw::time_text;

// One run's diagram, in three parts: its head (heading, summary, verdicts, notes and
// legend), its stage (tools and drawing, with the state table beside it) and what the
// overlays write below it. A page puts them in one section, or, comparing runs, the
// heads side by side above the stages, one under the other.
struct SectionParts {
  std::string head, stage, after;
};

class Section {
 public:
  Section(internal::DiagramLayout layout, const DiagramHints& hints, const DiagramOptions& options,
          int section)
      : hints_(hints), options_(options), id_(fmt::format("d{}", section)), layout_(std::move(layout)) {}

  // `link`: the name the drawings compared share (their views move together); empty
  // for a drawing of its own. `heading_tag`: "h2", or "h3" under a comparison's heading.
  DiagramSummary build(SectionParts& parts, std::string_view heading, std::string_view heading_tag = "h2",
                       std::string_view link = {}) {
    std::string svg;
    drawn_ = internal::draw_svg(svg, layout_, hints_, id_, link);
    write_head(parts.head, heading, heading_tag);
    write_stage(parts.stage, svg, link.empty() ? std::string_view{} : heading);
    write_after(parts.after);
    DiagramSummary s{.events = layout_.events, .drawn = layout_.placed.size(), .arrows = drawn_.arrows,
                     .lanes = layout_.lanes.nodes.size(), .thinned = !layout_.rest.empty()};
    for (const std::size_t n : drawn_.overlays) s.overlay_shapes += n;
    return s;
  }

 private:
  void write_head(std::string& out, std::string_view heading, std::string_view tag) {
    const Header& h = layout_.trace.header;
    fmt::format_to(std::back_inserter(out), "<{0}>{1}</{0}>\n", tag, escaped(heading));
    fmt::format_to(std::back_inserter(out),
                   "<p class=\"summary\">{} run of <b>{}</b>, seed {}, {} nodes: {} events, {} drawn, {} messages "
                   "drawn.</p>\n",
                   h.mode == "real" ? "Real" : "Simulated", escaped(h.algorithm), h.seed, h.nodes.size(),
                   layout_.events, layout_.placed.size(), drawn_.arrows);
    write_verdicts(out);
    write_notes(out);
    write_legend(out);
  }

  // `which`: the run's name, above its drawing when runs are compared.
  void write_stage(std::string& out, const std::string& svg, std::string_view which) {
    fmt::format_to(
        std::back_inserter(out),
        "<div class=\"tools\" data-for=\"{}\">{}<button data-act=\"fit\">Fit</button><button "
        "data-act=\"one\">1:1</button><button data-act=\"in\">+</button><button "
        "data-act=\"out\">−</button> <input type=\"search\" class=\"find\" placeholder=\"message id, "
        "e.g. 3.5\" aria-label=\"Find a message by its id\"> <output class=\"found\"></output> "
        "<output class=\"causal\"></output> "
        "<span>Drag to pan, wheel to zoom, hover for details, click an event for what happened before and "
        "after it. Time runs right; idle stretches are shortened.</span>"
        "<div class=\"steps\"><label>Step through <input type=\"range\" class=\"cursor\" min=\"0\" "
        "max=\"{}\" value=\"0\" aria-label=\"Step through the events\"></label> <output class=\"at\">before "
        "the first event</output> <span>(← → step event by event, Home and End)</span></div>{}</div>\n"
        "<div class=\"stage\"><div class=\"view\">",
        id_, which.empty() ? std::string() : fmt::format("<b class=\"which\">{}</b> ", escaped(which)),
        layout_.placed.size(), node_toggles());
    out += svg;
    out += "</div>";
    write_state_table(out);
    out += "</div>\n";
  }

  // The overlays' tables, marked with the drawing they belong to (a message id in
  // them finds the message in that drawing).
  void write_after(std::string& out) {
    std::string after;
    const DiagramView view = layout_.view();
    for (const DiagramOverlay& overlay : hints_.overlays) {
      if (overlay.after) overlay.after(view, after);
    }
    if (after.empty()) return;
    fmt::format_to(std::back_inserter(out), "<div class=\"after\" data-for=\"{}\">\n{}</div>\n", id_, after);
  }

  // A tick box per lane, up to kStateTableMaxLanes: unticked, the node's events and
  // every message to or from it are hidden.
  std::string node_toggles() const {
    const auto& nodes = layout_.lanes.nodes;
    if (nodes.size() < 2 || nodes.size() > kStateTableMaxLanes) return {};
    std::string out = "<div class=\"nodes\">Nodes:";
    for (std::size_t lane = 0; lane < nodes.size(); ++lane) {
      fmt::format_to(std::back_inserter(out),
                     " <label><input type=\"checkbox\" checked data-lane=\"{}\">{}</label>", lane,
                     draw::node_name(nodes[lane]));
    }
    return out + "</div>";
  }

  // Beside the drawing, each node's state at the step-through cursor: up or crashed,
  // its clocks, and the fields its algorithm's overlay tells (the page fills it in).
  void write_state_table(std::string& out) {
    if (layout_.lanes.nodes.size() > kStateTableMaxLanes) return;
    fmt::format_to(std::back_inserter(out),
                   "<table class=\"state\" data-for=\"{}\"><thead><tr><th>node</th><th>status</th>", id_);
    std::vector<std::string> columns{"up"};
    if (drawn_.lamport) {
      out += "<th>Lamport</th>";
      columns.emplace_back("lamport");
    }
    if (drawn_.vector) {
      out += "<th>vector</th>";
      columns.emplace_back("vector");
    }
    for (const std::string& field : drawn_.state_fields) {
      fmt::format_to(std::back_inserter(out), "<th>{}</th>", escaped(field));
      columns.push_back("f:" + field);
    }
    out += "</tr></thead><tbody>";
    for (const NodeId node : layout_.lanes.nodes) {
      fmt::format_to(std::back_inserter(out), "<tr><td>{}</td>", draw::node_name(node));
      for (const std::string& c : columns)
        fmt::format_to(std::back_inserter(out), "<td data-f=\"{}\"></td>", escaped(c));
      out += "</tr>";
    }
    out += "</tbody></table>";
  }

  // The checkers' verdicts: pass, fail or skipped, with their reasons. A failure's
  // button takes the view to the events it names, which the drawing marks.
  void write_verdicts(std::string& out) {
    if (options_.checks.empty()) return;
    fmt::format_to(std::back_inserter(out), "<ul class=\"verdicts\" data-for=\"{}\">", id_);
    for (const CheckResult& c : options_.checks) {
      static constexpr std::string_view kMark[] = {"✓", "✗", "–"};
      const std::string title = hints_.check_title ? hints_.check_title(c.name) : c.name;
      fmt::format_to(std::back_inserter(out), "<li class=\"{}\"><b>{} {}: {}</b> — {}", to_string(c.status),
                     kMark[static_cast<int>(c.status)], escaped(title), to_string(c.status),
                     escaped(c.detail));
      if (c.status == CheckStatus::fail && !c.events.empty()) {
        std::size_t shown = 0;
        for (const std::size_t e : c.events) {
          // Placed in trace order: ascending records.
          shown += std::ranges::binary_search(layout_.placed, e, {}, &PlacedEvent::record) ? 1 : 0;
        }
        if (shown > 0) {
          fmt::format_to(std::back_inserter(out),
                         " <button class=\"goto\" data-check=\"{}\">show {}</button>", escaped(c.name),
                         shown == 1 ? std::string("its event") : fmt::format("its {} events", shown));
        }
        if (shown < c.events.size()) {
          fmt::format_to(std::back_inserter(out),
                         " <i>({} of the events it names {} outside the drawing)</i>",
                         c.events.size() - shown, c.events.size() - shown == 1 ? "is" : "are");
        }
      }
      out += "</li>";
    }
    out += "</ul>\n";
  }

  void write_notes(std::string& out) {
    auto note = [&out](const std::string& text) { fmt::format_to(std::back_inserter(out), "<p class=\"note\">{}</p>\n", text); };
    if (options_.from_ns > 0 || options_.to_ns < kNanosMax) {
      note(fmt::format("Only the events from t = {} to {} are drawn.", escaped(time_text(options_.from_ns)),
                       options_.to_ns == kNanosMax ? "the end" : "t = " + escaped(time_text(options_.to_ns))));
    }
    if (!layout_.rest.empty()) {
      note(fmt::format("This run has {} events, more than a browser draws comfortably: the first {} (to t = {}) are "
                       "drawn in detail, the other {} as counts per lane, on the right. Draw another stretch in detail "
                       "with <code>distlab render --from T --to T</code>, or more with <code>--max-events N</code>.",
                       layout_.events, layout_.detail.size(), escaped(time_text(layout_.trace.events[layout_.detail.back()].t)),
                       layout_.rest.size()));
    }
    if (layout_.lanes_capped > 0) {
      note(fmt::format("{} nodes have events; the first {} by id have lanes, and {} events of the others are not drawn.",
                       layout_.lanes_capped, kDiagramMaxLanes, layout_.off_lane));
    }
    if (!layout_.lanes.labelled) {
      note(fmt::format("With {} lanes, events carry no labels: hover for their details.", layout_.lanes.nodes.size()));
    }
    if (layout_.trace.messages_omitted) {
      note("This trace was recorded without its messages (a large run keeps only annotations and faults): no arrows "
           "are drawn.");
    }
  }

  void write_legend(std::string& out) {
    std::vector<const MessageFamily*> families;
    std::vector<std::pair<std::size_t, std::string_view>> types;  // sent, by shape
    for (const PlacedEvent& p : layout_.placed) {
      const Record& r = layout_.trace.events[p.record];
      if (r.kind != EventKind::send) continue;
      const MessageFamily* f = &hints_.families.of(r.type);
      if (std::find(families.begin(), families.end(), f) == families.end()) families.push_back(f);
      const std::pair<std::size_t, std::string_view> type{hints_.families.shape_of(r.type), r.type};
      if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
    }
    std::sort(types.begin(), types.end());
    std::sort(families.begin(), families.end(),
              [](const MessageFamily* a, const MessageFamily* b) { return a->name < b->name; });
    out += "<div class=\"legend\">";
    // Each family's entry is a toggle: unticked, its arrows and their events are hidden
    // (heartbeats that swamp an election, say).
    // A family with more than one type sent names each beside its arrowhead.
    for (const MessageFamily* f : families) {
      std::string kinds;
      std::size_t sent = 0;
      for (const auto& [shape, type] : types) sent += &hints_.families.of(type) == f ? 1 : 0;
      for (const auto& [shape, type] : types) {
        if (sent < 2 || &hints_.families.of(type) != f) continue;
        fmt::format_to(
            std::back_inserter(kinds),
            "<span class=\"type\"><svg width=\"22\" height=\"10\"><line class=\"msg {0}{1}\" x1=\"0\" "
            "y1=\"5\" x2=\"18\" y2=\"5\" style=\"stroke-dasharray:none\"/></svg>{2}</span>",
            f->name, shape > 0 ? fmt::format(" t{}", shape) : "", escaped(type));
      }
      fmt::format_to(std::back_inserter(out),
                     "<label class=\"family\" title=\"Show or hide these messages\"><input type=\"checkbox\" "
                     "checked data-for=\"{0}\" data-family=\"{1}\"><svg width=\"34\" height=\"10\"><line "
                     "class=\"msg {1}\" x1=\"2\" y1=\"5\" x2=\"28\" y2=\"5\"/></svg>{2}{3}</label>",
                     id_, f->name, f->title, kinds.empty() ? "" : ": " + kinds);
    }
    out += "<span><svg width=\"12\" height=\"10\"><circle cx=\"6\" cy=\"5\" r=\"3.5\" class=\"dot-send\"/></svg>send</span>"
           "<span><svg width=\"12\" height=\"10\"><circle cx=\"6\" cy=\"5\" r=\"3.5\" class=\"dot-recv\"/></svg>receive</span>";
    bool drop = false, crash = false, timer = false;
    std::vector<std::pair<std::string_view, std::string_view>> symbols;  // the overlays' marks: symbol, words
    for (const PlacedEvent& p : layout_.placed) {
      const EventKind k = layout_.trace.events[p.record].kind;
      drop |= k == EventKind::drop;
      crash |= k == EventKind::crash;
      timer |= k == EventKind::timer;
      if (p.symbol.empty() || std::find(symbols.begin(), symbols.end(), std::pair{p.symbol, p.symbol_legend}) != symbols.end()) continue;
      symbols.emplace_back(p.symbol, p.symbol_legend);
    }
    if (timer) out += "<span><svg width=\"12\" height=\"10\"><rect x=\"3\" y=\"2.5\" width=\"5\" height=\"5\" class=\"dot-timer\"/></svg>timer</span>";
    if (drop) out += "<span><svg width=\"12\" height=\"10\"><path d=\"M2,1l8,8m0,-8l-8,8\" class=\"dot-drop\"/></svg>dropped message</span>";
    if (crash) out += "<span><svg width=\"30\" height=\"10\"><line x1=\"0\" y1=\"5\" x2=\"8\" y2=\"5\" class=\"lane-line\"/><line x1=\"22\" y1=\"5\" x2=\"30\" y2=\"5\" class=\"lane-line\"/></svg>crashed (gap)</span>";
    for (const auto& [symbol, words] : symbols) {
      fmt::format_to(std::back_inserter(out),
                     "<span><svg width=\"14\" height=\"14\"><use href=\"#{}\" x=\"7\" y=\"7\"/></svg>{}</span>", symbol, words);
    }
    for (std::size_t k = 0; k < hints_.overlays.size(); ++k) {
      if (drawn_.overlays[k] > 0) out += hints_.overlays[k].legend;
    }
    // Network faults: their band and wall, by kind (the classes diagram_svg draws).
    auto fault_entry = [&out](std::string_view kind, std::string_view words) {
      fmt::format_to(
          std::back_inserter(out),
          "<span><svg width=\"28\" height=\"12\"><rect width=\"28\" height=\"12\" class=\"net {0}\"/>"
          "<line x1=\"0\" x2=\"28\" y1=\"6\" y2=\"6\" class=\"wall {0}\"/></svg>{1}</span>",
          kind, words);
    };
    if (drawn_.partitions > 0) fault_entry("partition", "partition (a wall between its sides)");
    if (drawn_.one_way_cuts > 0)
      fault_entry("oneway", "one-way cut (messages from the first side to the second are lost)");
    for (std::size_t k = 0; k < hints_.spans.size(); ++k) {
      if (drawn_.spans[k] == 0) continue;
      fmt::format_to(std::back_inserter(out),
                     "<span><svg width=\"20\" height=\"10\"><rect width=\"20\" height=\"10\" class=\"{}\"/></svg>{}</span>",
                     hints_.spans[k].name, hints_.spans[k].legend);
    }
    out += "</div>\n";
  }

  const DiagramHints& hints_;
  const DiagramOptions& options_;
  std::string id_;
  internal::DiagramLayout layout_;
  internal::DiagramDrawn drawn_;
};

}  // namespace

DiagramSummary DiagramPage::add(const Trace& trace, std::string_view heading, const DiagramOptions& options) {
  DISTLAB_ASSERT(options.max_events > 0, "a diagram draws at least one event in detail");
  Section section(internal::lay_out(trace, hints_, options), hints_, options, ++sections_);
  SectionParts parts;
  const DiagramSummary summary = section.build(parts, heading);
  fmt::format_to(std::back_inserter(body_), "<section id=\"sd{}\">\n{}{}{}</section>\n", sections_,
                 parts.head, parts.stage, parts.after);
  return summary;
}

std::vector<DiagramSummary> DiagramPage::compare(std::span<const ComparedRun> runs,
                                                 std::string_view heading) {
  DISTLAB_ASSERT(runs.size() >= 2, "a comparison draws two runs or more");
  std::vector<internal::AlignedRun> aligned;
  for (const ComparedRun& run : runs) {
    DISTLAB_ASSERT(run.options.max_events > 0, "a diagram draws at least one event in detail");
    aligned.push_back({run.trace, run.options});
  }
  std::vector<internal::DiagramLayout> layouts = internal::lay_out_aligned(aligned, hints_);
  const std::string link = fmt::format("c{}", sections_ + 1);
  std::vector<SectionParts> parts(runs.size());
  std::vector<DiagramSummary> summaries;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    Section section(std::move(layouts[i]), hints_, runs[i].options, ++sections_);
    summaries.push_back(section.build(parts[i], runs[i].heading, "h3", link));
  }
  fmt::format_to(
      std::back_inserter(body_),
      "<section class=\"compare\" id=\"s{}\">\n<h2>{}</h2>\n<p class=\"how\">The runs share their lanes "
      "and one time line: an instant lies at the same place in each drawing, and panning or zooming one "
      "moves the others.</p>\n<div class=\"pair\">",
      link, escaped(heading));
  for (const SectionParts& p : parts)
    fmt::format_to(std::back_inserter(body_), "<div class=\"run\">\n{}</div>", p.head);
  body_ += "</div>\n";
  for (const SectionParts& p : parts) body_ += p.stage;
  body_ += "<div class=\"pair\">";
  for (const SectionParts& p : parts)
    fmt::format_to(std::back_inserter(body_), "<div class=\"run\">{}</div>", p.after);
  body_ += "</div>\n</section>\n";
  return summaries;
}

std::string DiagramPage::html() const {
  std::string page;
  page.reserve(body_.size() + 16'384);
  std::string styles;
  std::string heads;
  std::string spans;
  std::string drawing_styles, page_styles, defs;
  for (const DiagramOverlay& overlay : hints_.overlays) {
    drawing_styles += overlay.drawing_style;
    page_styles += overlay.page_style;
    defs += overlay.defs;
  }
  for (const LaneSpan& span : hints_.spans) {
    fmt::format_to(std::back_inserter(spans), "rect.{} {{ fill: {}; fill-opacity: {}; }}\n", span.name, span.fill,
                   span.opacity);
  }
  for (const MessageFamily& f : hints_.families.all()) {
    fmt::format_to(std::back_inserter(styles), "line.msg.{0} {{ stroke: {1};{2}{3} marker-end: url(#ah-{0}); }}\n", f.name,
                   f.colour, f.dashes.empty() ? "" : fmt::format(" stroke-dasharray: {};", f.dashes),
                   f.width.empty() ? "" : fmt::format(" stroke-width: {};", f.width));
    fmt::format_to(std::back_inserter(styles),
                   "svg.hide-{0} line.msg.{0}, svg.hide-{0} [data-family=\"{0}\"] {{ display: none; }}\n",
                   f.name);
    fmt::format_to(std::back_inserter(heads),
                   "<marker id=\"ah-{0}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"{1}\" "
                   "markerHeight=\"{1}\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"{2}\"/></marker>\n",
                   f.name, f.head_size, f.colour);
    // The family's other types: an open triangle, a dot, a diamond, a bar.
    static constexpr std::array<std::string_view, MessageFamilies::kTypeShapes - 1> kShapes{
        R"(<path d="M1,1L9,5L1,9z" fill="#fff" stroke="{}" stroke-width="1.6"/>)",
        R"(<circle cx="5" cy="5" r="4" fill="{}"/>)", R"(<path d="M0,5L5,0L10,5L5,10z" fill="{}"/>)",
        R"(<path d="M5,0h4v10h-4z" fill="{}"/>)"};
    for (std::size_t shape = 1; shape < std::min(f.types.size(), MessageFamilies::kTypeShapes); ++shape) {
      fmt::format_to(std::back_inserter(styles), "line.msg.{0}.t{1} {{ marker-end: url(#ah-{0}-{1}); }}\n",
                     f.name, shape);
      fmt::format_to(
          std::back_inserter(heads),
          "<marker id=\"ah-{0}-{1}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"{2}\" "
          "markerHeight=\"{2}\" orient=\"auto\">{3}</marker>\n",
          f.name, shape, f.head_size, fmt::format(fmt::runtime(kShapes[shape - 1]), f.colour));
    }
  }
  fmt::format_to(std::back_inserter(page),
                 "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"generator\" content=\"distlab\">\n<title>{}</title>\n<style>{}{}{}{}{}{}{}{}</style>\n</head>\n<body>\n"
                 "<h1>{}</h1>\n{}{}{}{}\n",
                 escaped(title_), internal::kDiagramStyleHead, styles, internal::kDiagramStyleMiddle, drawing_styles,
                 spans, internal::kDiagramStyleTail, page_styles, internal::kDiagramStyleEnd, escaped(title_),
                 internal::kDiagramDefsHead, heads, defs, internal::kDiagramDefsTail);
  page += body_;
  fmt::format_to(std::back_inserter(page), "<div id=\"tip\" hidden></div>\n<script>{}</script>\n</body>\n</html>\n",
                 internal::kDiagramScript);
  return page;
}

}  // namespace distlab::trace
