#include "distlab/algo/bully/notes.h"

#include <gtest/gtest.h>

#include "distlab/algo/bully/descriptor.h"
#include "distlab/trace/internal/test_records.h"

namespace distlab::bully {
namespace {

using trace::testing::note;
using trace::testing::occurrences;

std::string render(std::vector<trace::Record> events) {
  trace::Trace t;
  t.header.nodes = {0, 1, 2, 3};
  t.events = std::move(events);
  trace::DiagramPage page("test", {trace::MessageFamilies(Descriptor::message_families()), Descriptor::lane_spans(),
                                   {Descriptor::diagram_overlay()}});
  page.add(t, "run");
  return page.html();
}

TEST(BullyNotesTest, TheirJsonIsTheTracesForm) {
  EXPECT_EQ((ElectionNote{ElectionNote::Kind::start, "leader_timeout"}.to_json().dump()),
            R"({"election":"start","reason":"leader_timeout"})");
  EXPECT_EQ((ElectionNote{ElectionNote::Kind::won, {}}.to_json().dump()), R"({"election":"won"})");
  EXPECT_EQ(LeaderNote{5}.to_json().dump(), R"({"leader":5})");
  const auto start = ElectionNote::from_json(ElectionNote{ElectionNote::Kind::start, "asked"}.to_json());
  ASSERT_TRUE(start.has_value());
  EXPECT_EQ(start->kind, ElectionNote::Kind::start);
  EXPECT_EQ(start->reason, "asked");
  EXPECT_EQ(LeaderNote::from_json(LeaderNote{5}.to_json())->leader, 5u);
}

TEST(BullyNotesTest, TheConfigNoteHoldsTheTimeouts) {
  const ConfigNote c{.heartbeat_ns = 1, .leader_timeout_ns = 2, .leader_timeout_max_ns = 3, .answer_timeout_ns = 4,
                     .coordinator_timeout_ns = 5, .ack_timeout_ns = 6};
  EXPECT_EQ(c.to_json().dump(),
            R"({"bully":{"heartbeat_ns":1,"leader_timeout_ns":2,"leader_timeout_max_ns":3,"answer_timeout_ns":4,)"
            R"("coordinator_timeout_ns":5,"ack_timeout_ns":6}})");
  const auto back = ConfigNote::from_json(c.to_json());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->leader_timeout_max_ns, 3);
  EXPECT_EQ(back->ack_timeout_ns, 6);
  EXPECT_EQ(ConfigNote::from_json({{"bully", {{"answer_timeout_ns", "x"}}}})->answer_timeout_ns, 0);
  EXPECT_FALSE(ConfigNote::from_json({{"bully", 3}}).has_value());
}

TEST(BullyNotesTest, OtherAndDamagedNotesAreReadAsFarAsTheyGo) {
  EXPECT_EQ(ElectionNote::from_json({{"election", "later"}})->kind, ElectionNote::Kind::other);
  EXPECT_EQ(ElectionNote::from_json({{"election", "start"}, {"reason", 3}})->reason, "");
  EXPECT_FALSE(ElectionNote::from_json({{"leader", 3}}).has_value());
  EXPECT_FALSE(ElectionNote::from_json(42).has_value());
  EXPECT_FALSE(LeaderNote::from_json({{"leader", "y"}})->leader.has_value());
  EXPECT_FALSE(LeaderNote::from_json({{"leader", -1}})->leader.has_value());
  EXPECT_FALSE(LeaderNote::from_json({{"leader", 1ULL << 40}})->leader.has_value());
  EXPECT_FALSE(LeaderNote::from_json({{"election", "won"}}).has_value());
}

TEST(BullyOverlayTest, LeadersAreStarredAndElectionsLabelled) {
  const std::string html = render({
      note(3, 0, LeaderNote{3}.to_json()),
      note(1, 1, LeaderNote{3}.to_json()),
      note(2, 2, ElectionNote{ElectionNote::Kind::start, "asked"}.to_json()),
      note(2, 3, ElectionNote{ElectionNote::Kind::won, {}}.to_json()),
      note(1, 4, {{"leader", "y"}}),
  });
  EXPECT_EQ(occurrences(html, "<use href=\"#star\""), 2u);  // node 3's own declaration, and the legend
  EXPECT_NE(html.find("</svg>declares itself leader</span>"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<symbol id=\"star\""), 1u);
  EXPECT_EQ(occurrences(html, ">leader 3</text>"), 2u);
  EXPECT_EQ(occurrences(html, ">election</text>"), 1u);  // the start, not the win
  EXPECT_EQ(occurrences(html, ">leader ?</text>"), 1u);
}

}  // namespace
}  // namespace distlab::bully
