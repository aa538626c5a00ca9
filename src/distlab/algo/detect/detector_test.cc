#include "distlab/algo/detect/detector.h"

#include <gtest/gtest.h>

#include <vector>

#include <cmath>

#include "distlab/core/random.h"
#include "distlab/algo/detect/notes.h"
#include "distlab/algo/detect/descriptor.h"
#include "distlab/trace/internal/test_records.h"

namespace distlab::detect {
namespace {

TEST(FixedTimeoutTest, SuspectsOnlyAfterTheTimeout) {
  const FixedTimeout::Options o{.timeout_ns = 10 * kSecond};
  FixedTimeout d(o);
  d.heartbeat(5 * kSecond);
  EXPECT_FALSE(d.suspect(15 * kSecond));  // exactly the timeout: not yet
  EXPECT_TRUE(d.suspect(15 * kSecond + 1));
  d.heartbeat(16 * kSecond);
  EXPECT_FALSE(d.suspect(17 * kSecond));
}

TEST(NormalTailTest, MatchesKnownValues) {
  EXPECT_NEAR(normal_upper_tail(0, 0, 1), 0.5, 1e-12);
  EXPECT_NEAR(normal_upper_tail(1.959963984540054, 0, 1), 0.025, 1e-9);
  // Far in the tail where phi is decided: P(Z > 6) = 9.8659e-10.
  EXPECT_NEAR(normal_upper_tail(6, 0, 1) / 9.865876450376946e-10, 1.0, 1e-6);
}

PhiAccrual::Options phi_options() {
  PhiAccrual::Options o;
  o.threshold = 8;
  o.window = 100;
  o.min_stddev_ns = 100 * kMillisecond;
  o.acceptable_pause_ns = 0;
  o.first_interval_ns = 1 * kSecond;
  return o;
}

TEST(PhiAccrualTest, LearnsTheMeanAndSpreadOfItsWindow) {
  const auto o = phi_options();
  PhiAccrual d(o);
  Nanos t = 0;
  for (int i = 0; i < 50; ++i) {
    d.heartbeat(t);
    t += (i % 2 == 0) ? 900 * kMillisecond : 1100 * kMillisecond;  // mean 1 s, stddev 100 ms
  }
  EXPECT_EQ(d.samples(), 49u);
  EXPECT_NEAR(d.mean_ns(), 1e9, 5e6);
  EXPECT_NEAR(d.stddev_ns(), 1e8, 5e6);
}

// Options are held by value: a detector built from a temporary keeps working (it
// used to keep a pointer to it; AddressSanitizer caught the read after its end).
TEST(PhiAccrualTest, OptionsFromATemporaryAreKept) {
  PhiAccrual d({.threshold = 10, .min_stddev_ns = 100 * kMillisecond});
  FixedTimeout f({.timeout_ns = 3 * kSecond});
  std::vector<std::byte> clobber(4096, std::byte{0xff});  // reuse the stack the temporaries had
  Nanos t = 0;
  for (int i = 0; i < 20; ++i, t += kSecond) {
    d.heartbeat(t);
    f.heartbeat(t);
  }
  EXPECT_FALSE(d.suspect(t));
  EXPECT_TRUE(d.suspect(t + 60 * kSecond));
  EXPECT_FALSE(f.suspect(t + 2 * kSecond));
  EXPECT_TRUE(f.suspect(t + 4 * kSecond));
  EXPECT_EQ(clobber.size(), 4096u);
}

TEST(PhiAccrualTest, PhiGrowsWithSilenceAndCrossesTheThresholdWhereTheNormalLawSays) {
  const auto o = phi_options();
  PhiAccrual d(o);
  Nanos t = 0;
  for (int i = 0; i < 101; ++i) {
    d.heartbeat(t);
    t += (i % 2 == 0) ? 900 * kMillisecond : 1100 * kMillisecond;
  }
  const Nanos last = d.last_heartbeat_ns();
  double previous = -1;
  for (Nanos wait = 0; wait < 3 * kSecond; wait += 100 * kMillisecond) {
    const double phi = d.phi(last + wait);
    EXPECT_GE(phi, previous);
    previous = phi;
  }
  // phi = 8 means P(later) = 1e-8: z = 5.612 standard deviations past the mean.
  EXPECT_FALSE(d.suspect(last + 1'000'000'000 + 550'000'000));
  EXPECT_TRUE(d.suspect(last + 1'000'000'000 + 570'000'000));
  EXPECT_NEAR(d.phi(last + 1'000'000'000), -std::log10(0.5), 0.01);
}

TEST(PhiAccrualTest, TheMinimumSpreadAndThePauseMakeItMorePatient) {
  auto strict = phi_options();
  PhiAccrual a(strict);
  auto patient = phi_options();
  patient.min_stddev_ns = 500 * kMillisecond;
  patient.acceptable_pause_ns = 1 * kSecond;
  PhiAccrual b(patient);
  for (Nanos t = 0; t <= 20 * kSecond; t += kSecond) {  // perfectly regular: stddev 0
    a.heartbeat(t);
    b.heartbeat(t);
  }
  const Nanos silent = 20 * kSecond + 1700 * kMillisecond;
  EXPECT_TRUE(a.suspect(silent));   // 7 min-stddevs late
  EXPECT_FALSE(b.suspect(silent));  // within the pause
}

TEST(PhiAccrualTest, TheWindowForgetsOldIntervals) {
  auto o = phi_options();
  o.window = 10;
  PhiAccrual d(o);
  Nanos t = 0;
  for (int i = 0; i < 30; ++i) {
    d.heartbeat(t);
    t += 5 * kSecond;  // slow at first
  }
  for (int i = 0; i < 30; ++i) {
    d.heartbeat(t);
    t += 1 * kSecond;  // then fast: only the last 10 intervals count
  }
  EXPECT_EQ(d.samples(), 10u);
  EXPECT_NEAR(d.mean_ns(), 1e9, 1e6);
}

TEST(PhiAccrualTest, RunningSumsStayExactOverMillionsOfUpdates) {
  auto o = phi_options();
  o.window = 1000;
  PhiAccrual d(o);
  Rng rng(4);
  Nanos t = 0;
  for (int i = 0; i < 2'000'000; ++i) {
    d.heartbeat(t);
    t += rng.between(900'000'000, 1'100'000'000);
  }
  // Uniform over +-100 ms: stddev 57.7 ms.
  EXPECT_NEAR(d.mean_ns(), 1e9, 1e7);
  EXPECT_NEAR(d.stddev_ns(), 57.7e6, 5e6);
}

// ---- typed notes (notes.h) and the diagram overlay ----

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
