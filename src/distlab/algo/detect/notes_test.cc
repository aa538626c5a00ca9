#include "distlab/algo/detect/notes.h"

#include <gtest/gtest.h>

#include "distlab/algo/detect/descriptor.h"
#include "distlab/trace/internal/test_records.h"

namespace distlab::detect {
namespace {

using Kind = MonitorNote::Kind;
using trace::testing::note;

TEST(MonitorNotesTest, TheirJsonIsTheTracesForm) {
  EXPECT_EQ((MonitorNote{Kind::suspect, 2}.to_json().dump()), R"({"suspect":2})");
  EXPECT_EQ((MonitorNote{Kind::trust, 3}.to_json().dump()), R"({"trust":3})");
  EXPECT_EQ((MonitorNote{Kind::redirect, 1}.to_json().dump()), R"({"redirect_to":1})");
  EXPECT_EQ((MonitorNote{Kind::redirect, std::nullopt}.to_json().dump()), R"({"redirect_to":null})");
  for (const MonitorNote& n : {MonitorNote{Kind::suspect, 2}, MonitorNote{Kind::redirect, std::nullopt}}) {
    const auto back = MonitorNote::from_json(n.to_json());
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->kind, n.kind);
    EXPECT_EQ(back->node, n.node);
  }
}

TEST(MonitorNotesTest, TheDetectorNoteHoldsItsSettings) {
  EXPECT_EQ((DetectorNote{.check_every_ns = 5, .timeout_ns = 7}.to_json().dump()),
            R"({"monitor":{"check_every_ns":5,"detector":"fixed","timeout_ns":7}})");
  const DetectorNote phi{.detector = "phi", .check_every_ns = 5, .threshold = 8.5, .window = 100, .min_stddev_ns = 9,
                         .acceptable_pause_ns = 3};
  EXPECT_EQ(phi.to_json().dump(),
            R"({"monitor":{"check_every_ns":5,"detector":"phi","threshold":8.5,"window":100,"min_stddev_ns":9,)"
            R"("acceptable_pause_ns":3}})");
  const auto back = DetectorNote::from_json(phi.to_json());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->detector, "phi");
  EXPECT_EQ(back->threshold, 8.5);
  EXPECT_EQ(back->window, 100u);
  EXPECT_EQ(back->acceptable_pause_ns, 3);
  EXPECT_EQ(DetectorNote::from_json({{"monitor", nlohmann::ordered_json::object()}})->detector, "fixed");
  EXPECT_FALSE(DetectorNote::from_json({{"suspect", 2}}).has_value());
}

TEST(MonitorNotesTest, DamagedNotesNameNoNode) {
  EXPECT_FALSE(MonitorNote::from_json({{"suspect", -1}})->node.has_value());
  EXPECT_FALSE(MonitorNote::from_json({{"trust", nullptr}})->node.has_value());
  EXPECT_EQ(MonitorNote::from_json({{"redirect_to", "x"}})->kind, Kind::redirect);
  EXPECT_FALSE(MonitorNote::from_json({{"monitor", {{"detector", "fixed"}}}}).has_value());
  EXPECT_FALSE(MonitorNote::from_json(nullptr).has_value());
}

TEST(MonitorOverlayTest, NotesAreLabelledAndSuspicionsShaded) {
  trace::Trace t;
  t.header.nodes = {0, 1, 2};
  t.events = {note(0, 1, MonitorNote{Kind::suspect, 2}.to_json()), note(0, 2, MonitorNote{Kind::redirect, 1}.to_json()),
              note(0, 3, MonitorNote{Kind::trust, 2}.to_json()), note(0, 4, MonitorNote{Kind::redirect, std::nullopt}.to_json()),
              note(0, 5, {{"suspect", -1}})};
  trace::DiagramPage page("test", {trace::MessageFamilies(Descriptor::message_families()), Descriptor::lane_spans(),
                                   {Descriptor::diagram_overlay()}});
  page.add(t, "run");
  const std::string html = page.html();
  for (const char* label : {">suspect n2</text>", ">→ n1</text>", ">trust n2</text>", ">→ none</text>", ">suspect n0</text>"}) {
    EXPECT_NE(html.find(label), std::string::npos) << label;
  }
  EXPECT_NE(html.find("n2 suspected from t = 1ns to t = 3ns"), std::string::npos);
}

}  // namespace
}  // namespace distlab::detect
