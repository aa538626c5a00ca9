// The diagrams in a real browser: headless Chromium (Debian's `chromium`, which
// `make test` installs) loads the demo's report page and the page's own self-check
// reports, per diagram, the events and arrows the browser holds and how many labels
// overlap as laid out with real fonts. The expected counts come from the traces.
// A screenshot of each page is saved under <build>/artifacts/ to look at.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "distlab/algo/bully/checker.h"
#include "distlab/algo/registry.h"
#include "distlab/trace/causality.h"
#include "distlab/trace/jsonl_reader.h"
#include "process.h"

namespace distlab::testing {
namespace {

namespace fs = std::filesystem;

// A browser start, page load and script run take about a second; sanitizer builds
// make only distlab slower, not the browser.
constexpr std::chrono::seconds kBrowserDeadline{60};

std::string chromium_path() {
  if (const char* env = std::getenv("DISTLAB_CHROMIUM"); env != nullptr && *env != '\0') return env;
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (fs::exists(candidate)) return candidate;
  }
  return {};
}

struct Counts {
  std::size_t events = 0;
  std::size_t arrows = 0;   // messages with their send in the trace, delivered or dropped
  std::size_t dropped = 0;
  std::size_t message_events = 0;                // sends, receipts and drops
  std::map<std::string, std::size_t> arrows_of;  // by message type
  std::map<std::string, std::size_t> events_of;  // sends, receipts and drops by message type
  std::map<std::string, std::size_t> arrows_by_id;  // by message id
  std::map<std::string, std::size_t> events_by_id;
};

Counts expected_counts(const std::string& trace_path) {
  const trace::Trace t = trace::read_trace_file(trace_path);
  std::set<std::string> sent;
  for (const trace::Record& r : t.events) {
    if (r.kind == EventKind::send) sent.insert(r.msg);
  }
  Counts c;
  c.events = t.events.size();
  for (const trace::Record& r : t.events) {
    if ((r.kind == EventKind::recv || r.kind == EventKind::drop) && sent.contains(r.msg)) {
      ++c.arrows;
      ++c.arrows_of[r.type];
      ++c.arrows_by_id[r.msg];
      c.dropped += r.kind == EventKind::drop ? 1 : 0;
    }
    if (r.kind == EventKind::send || r.kind == EventKind::recv || r.kind == EventKind::drop) {
      ++c.message_events;
      ++c.events_of[r.type];
      ++c.events_by_id[r.msg];
    }
  }
  return c;
}

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = chromium_path();
    if (chromium_.empty()) GTEST_SKIP() << "chromium is not installed (make test installs it: apt-get install chromium)";
    dir_ = fs::temp_directory_path() / ("distlab-browser-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }

  int distlab(std::vector<std::string> args, const std::string& name, int expected = 0) {
    args.insert(args.begin(), DISTLAB_BINARY);
    Process p(args, dir_ / name);
    const int code = p.wait(std::chrono::seconds(120));
    EXPECT_EQ(code, expected) << p.err();
    return code;
  }

  // Chromium's flags for a run in a container, as root, with its own profile.
  std::vector<std::string> browser(const std::string& name) const {
    return {chromium_, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--hide-scrollbars", "--user-data-dir=" + (dir_ / ("profile-" + name)).string()};
  }

  // The page's self-check, as the browser ran it.
  nlohmann::json self_check(const fs::path& page) {
    std::vector<std::string> args = browser("check");
    args.insert(args.end(), {"--virtual-time-budget=5000", "--dump-dom", "file://" + page.string() + "#selfcheck"});
    Process p(args, dir_ / "dom");
    EXPECT_EQ(p.wait(kBrowserDeadline), 0) << p.err();
    const std::string dom = p.out();
    const std::string open = "<pre id=\"selfcheck\">";
    const auto begin = dom.find(open);
    if (begin == std::string::npos) {
      ADD_FAILURE() << "the page's script did not run: no self-check in the DOM (" << dom.size() << " bytes)";
      return nlohmann::json::array();
    }
    const auto end = dom.find("</pre>", begin);
    return nlohmann::json::parse(dom.substr(begin + open.size(), end - begin - open.size()));
  }

  void screenshot(const fs::path& page, const std::string& name, const std::string& size) {
    const fs::path artifacts = fs::path(DISTLAB_ARTIFACT_DIR);
    fs::create_directories(artifacts);
    const fs::path png = artifacts / (name + ".png");
    fs::remove(png);
    std::vector<std::string> args = browser("shot");
    args.insert(args.end(), {"--window-size=" + size, "--screenshot=" + png.string(), "file://" + page.string()});
    Process p(args, dir_ / "shot");
    EXPECT_EQ(p.wait(kBrowserDeadline), 0) << p.err();
    ASSERT_TRUE(fs::exists(png)) << p.err();
    EXPECT_GT(fs::file_size(png), 20'000u) << "a screenshot of four diagrams is not blank";
  }

  std::string chromium_;
  fs::path dir_;
};

// The demo's scenarios, as `distlab demo` runs them.
const std::vector<std::vector<std::string>> kDemoRuns = {
    {"lamport", "--seed", "2379"}, {"snapshot", "--seed", "6"}, {"bully", "--seed", "214"}, {"heartbeat", "--seed", "1"},
    {"ricart", "--seed", "1"}};

TEST_F(Browser, TheDemoPageHoldsEveryEventAndMessageWithNoLabelOverlapping) {
  const fs::path page = dir_ / "demo.html";
  ASSERT_EQ(distlab({"demo", "--html", page.string()}, "demo"), 0);
  std::vector<Counts> expected;
  for (std::size_t i = 0; i < kDemoRuns.size(); ++i) {
    std::vector<std::string> args = kDemoRuns[i];
    const std::string trace = (dir_ / (args[0] + ".jsonl")).string();
    args.insert(args.end(), {"--quiet", "--trace", trace});
    ASSERT_EQ(distlab(args, args[0]), 0);
    expected.push_back(expected_counts(trace));
  }
  const nlohmann::json report = self_check(page);
  ASSERT_EQ(report.size(), kDemoRuns.size()) << report.dump();
  for (std::size_t i = 0; i < kDemoRuns.size(); ++i) {
    const std::string& name = kDemoRuns[i][0];
    EXPECT_EQ(report[i]["events"], expected[i].events) << name;
    EXPECT_EQ(report[i]["arrows"], expected[i].arrows) << name;
    EXPECT_EQ(report[i]["dropped"], expected[i].dropped) << name;
    EXPECT_EQ(report[i]["overlaps"], 0) << name << ": labels overlap in the browser";
  }
  EXPECT_EQ(report[0]["labels"], expected[0].events) << "every Lamport event is labelled with its time";
  EXPECT_GT(report[2]["dropped"].get<int>(), 0) << "the bully scenario drops messages to the crashed leader";
  // Unticking a family in the legend hides its arrows and their events, and only those:
  // every message is in one family, and Bully's heartbeats are its ALIVE messages.
  for (std::size_t i = 0; i < kDemoRuns.size(); ++i) {
    std::size_t arrows = 0, events = 0;
    for (const auto& [family, hidden] : report[i]["hidden"].items()) {
      EXPECT_GT(hidden["arrows"].get<std::size_t>(), 0u) << kDemoRuns[i][0] << " " << family;
      arrows += hidden["arrows"].get<std::size_t>();
      events += hidden["events"].get<std::size_t>();
    }
    EXPECT_EQ(arrows, expected[i].arrows) << kDemoRuns[i][0];
    EXPECT_EQ(events, expected[i].message_events) << kDemoRuns[i][0];
  }
  EXPECT_EQ(report[2]["hidden"]["heartbeat"]["arrows"], expected[2].arrows_of["alive"]);
  EXPECT_EQ(report[2]["hidden"]["heartbeat"]["events"], expected[2].events_of["alive"]);
  EXPECT_GT(expected[2].arrows_of["alive"], 0u);
  // A message id in the search box keeps exactly that message's arrows and events in
  // view (the trace's sends, receipts and drops of that id) and fades the rest; an
  // empty box brings every arrow back.
  for (std::size_t i = 0; i < kDemoRuns.size(); ++i) {
    const nlohmann::json& found = report[i]["found"];
    const std::string id = found["msg"];
    ASSERT_FALSE(id.empty()) << kDemoRuns[i][0];
    EXPECT_EQ(found["arrows"], expected[i].arrows_by_id[id]) << kDemoRuns[i][0] << " " << id;
    EXPECT_EQ(found["events"], expected[i].events_by_id[id]) << kDemoRuns[i][0] << " " << id;
    EXPECT_GE(expected[i].events_by_id[id], 2u);
    EXPECT_EQ(found["after"], expected[i].arrows) << kDemoRuns[i][0];
  }
  // A message id in the snapshot's table of channel states, clicked, is searched for.
  const nlohmann::json& link = report[1]["found"]["link"];
  ASSERT_TRUE(link.is_object()) << "the demo's snapshot records messages in flight: " << report[1].dump();
  EXPECT_EQ(link["box"], link["msg"]);
  EXPECT_EQ(link["arrows"], expected[1].arrows_by_id[link["msg"]]);
  EXPECT_GT(link["arrows"].get<std::size_t>(), 0u);
  // Step through: the arrow key moves the cursor to the next event of the trace, End
  // to the last; the table then shows each node's final state.
  std::vector<trace::Trace> traces;
  for (std::size_t i = 0; i < kDemoRuns.size(); ++i) {
    traces.push_back(trace::read_trace_file((dir_ / (kDemoRuns[i][0] + ".jsonl")).string()));
    const nlohmann::json& step = report[i]["step"];
    EXPECT_EQ(step["first"], 0) << kDemoRuns[i][0];
    EXPECT_EQ(step["second"], 1) << kDemoRuns[i][0];
    EXPECT_EQ(step["last"], expected[i].events - 1) << kDemoRuns[i][0];
    EXPECT_EQ(step["cursor"], expected[i].events) << kDemoRuns[i][0];
    ASSERT_EQ(step["state"].size(), traces[i].header.nodes.size()) << kDemoRuns[i][0];
  }
  // Lamport: each node's clock at the end is the Lamport time of its last event.
  const trace::Trace& lamport = traces[0];
  for (std::size_t k = 0; k < lamport.header.nodes.size(); ++k) {
    std::string last;
    for (const trace::Record& r : lamport.events) {
      if (r.node == lamport.header.nodes[k] && r.lamport) last = std::to_string(*r.lamport);
    }
    EXPECT_EQ(report[0]["step"]["state"][k]["lamport"], last) << "n" << lamport.header.nodes[k];
  }
  // Bully: at the end every live node follows the leader the checker found agreed on,
  // which leads.
  const bully::ElectionAnalysis election = bully::analyze_election(traces[2]);
  ASSERT_TRUE(election.agreed_leader.has_value());
  for (std::size_t k = 0; k < traces[2].header.nodes.size(); ++k) {
    const NodeId node = traces[2].header.nodes[k];
    if (!election.final_beliefs.contains(node)) continue;  // down at the end
    EXPECT_EQ(report[2]["step"]["state"][k]["f:leader"],
              node == *election.agreed_leader ? std::string("leads")
                                              : "follows n" + std::to_string(*election.agreed_leader))
        << "n" << node;
  }
  // Unticking the first node hides exactly its events and the arrows from or to it
  // (a message's send and its receipt or drop), and ticking it again shows them.
  for (std::size_t i = 0; i < kDemoRuns.size(); ++i) {
    const trace::Trace& t = traces[i];
    const NodeId first = t.header.nodes.front();
    std::map<std::string, NodeId> sender;
    for (const trace::Record& r : t.events) {
      if (r.kind == EventKind::send) sender[r.msg] = r.node;
    }
    std::size_t events = 0, arrows = 0;
    for (const trace::Record& r : t.events) {
      events += r.node == first ? 1 : 0;
      const auto s = sender.find(r.msg);
      if ((r.kind == EventKind::recv || r.kind == EventKind::drop) && s != sender.end()) {
        arrows += r.node == first || s->second == first ? 1 : 0;
      }
    }
    const nlohmann::json& hidden = report[i]["node_hidden"];
    EXPECT_EQ(hidden["events"], events) << kDemoRuns[i][0];
    EXPECT_EQ(hidden["arrows"], arrows) << kDemoRuns[i][0];
    EXPECT_EQ(hidden["after"], true) << kDemoRuns[i][0];
  }
  // The story: the overview above each diagram ticks every crash and recovery, every
  // election begun and every suspicion, and the first view holds faults where the run
  // has them (all of the story when the run fits).
  for (std::size_t i = 0; i < kDemoRuns.size(); ++i) {
    const nlohmann::json& story = report[i]["story"];
    const auto events = story["events"].get<std::vector<std::size_t>>();
    EXPECT_EQ(story["ticks"], events.size() + story["network"].get<std::size_t>()) << kDemoRuns[i][0];
    EXPECT_EQ(story["network"], 0) << "the demo's runs have no network fault";
    std::size_t faults = 0;
    for (std::size_t e = 0; e < traces[i].events.size(); ++e) {
      const trace::Record& r = traces[i].events[e];
      const bool told =
          r.kind == EventKind::crash || r.kind == EventKind::recover ||
          (r.kind == EventKind::state &&
           (r.data.contains("suspect") || (r.data.contains("election") && r.data["election"] == "start")));
      if (!told) continue;
      faults += r.kind == EventKind::crash || r.kind == EventKind::recover ? 1 : 0;
      EXPECT_TRUE(std::binary_search(events.begin(), events.end(), e)) << kDemoRuns[i][0] << " event " << e;
    }
    const auto first = story["first_view"].get<std::vector<std::size_t>>();
    if (faults > 0) {
      EXPECT_TRUE(std::any_of(first.begin(), first.end(),
                              [&](std::size_t e) {
                                return traces[i].events[e].kind == EventKind::crash ||
                                       traces[i].events[e].kind == EventKind::recover;
                              }))
          << kDemoRuns[i][0] << ": no fault in the first view";
    }
  }
  EXPECT_GT(report[2]["story"]["events"].size(), 3u) << "Bully's elections, crash and recovery";
  EXPECT_EQ(report[1]["story"]["first_view"], report[1]["story"]["events"]) << "the snapshot run fits whole";
  EXPECT_FALSE(report[1]["story"]["events"].empty()) << "the snapshot's start";
  screenshot(page, "demo", "1400,3200");
}

// The README's picture (docs/images/bully.png) is this program's drawing of the run
// its caption names, as Chromium shows the page's first screen: the test takes the
// screenshot again and requires the committed one to match it (the same size, under 1%
// of pixels differing by more than a little, for anti-aliasing). After a change to the
// diagrams, DISTLAB_UPDATE_GOLDEN=1 refreshes it.
TEST_F(Browser, TheReadmesPictureIsWhatTheProgramDrawsNow) {
  const fs::path page = dir_ / "bully.html";
  ASSERT_EQ(distlab({"bully", "--seed", "214", "--quiet", "--html", page.string()}, "bully"), 0);
  screenshot(page, "readme", "1400,900");
  const fs::path taken = fs::path(DISTLAB_ARTIFACT_DIR) / "readme.png";
  const fs::path committed = fs::path(DISTLAB_SOURCE_DIR) / "docs" / "images" / "bully.png";
  if (const char* update = std::getenv("DISTLAB_UPDATE_GOLDEN");
      update != nullptr && std::string(update) == "1") {
    fs::create_directories(committed.parent_path());
    fs::copy_file(taken, committed, fs::copy_options::overwrite_existing);
  }
  ASSERT_TRUE(fs::exists(committed)) << committed;
  // Both pictures in one page: its script counts the pixels that differ.
  const fs::path compare = dir_ / "compare.html";
  std::ofstream(compare) << R"(<!doctype html><pre id="selfcheck"></pre><script>
const load = (src) => new Promise((ok) => { const i = new Image(); i.onload = () => ok(i); i.src = src; });
Promise.all([load(')" << taken.string()
                         << R"('), load(')" << committed.string() << R"(')]).then(([a, b]) => {
  const pixels = (img) => { const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
    const g = c.getContext('2d'); g.drawImage(img, 0, 0); return g.getImageData(0, 0, img.width, img.height).data; };
  const out = { width: [a.width, b.width], height: [a.height, b.height], differing: 0 };
  if (a.width === b.width && a.height === b.height) {
    const p = pixels(a), q = pixels(b);
    for (let i = 0; i < p.length; i += 4) {
      if (Math.abs(p[i] - q[i]) > 24 || Math.abs(p[i + 1] - q[i + 1]) > 24 || Math.abs(p[i + 2] - q[i + 2]) > 24) ++out.differing;
    }
  }
  document.getElementById('selfcheck').textContent = JSON.stringify(out);
});
</script>)";
  std::vector<std::string> args = browser("compare");
  args.insert(args.end(), {"--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom",
                           "file://" + compare.string()});
  Process p(args, dir_ / "compare");
  ASSERT_EQ(p.wait(kBrowserDeadline), 0) << p.err();
  const std::string dom = p.out();
  const std::string open = "<pre id=\"selfcheck\">";
  const auto begin = dom.find(open);
  ASSERT_NE(begin, std::string::npos) << dom.substr(0, 500);
  const nlohmann::json r =
      nlohmann::json::parse(dom.substr(begin + open.size(), dom.find("</pre>", begin) - begin - open.size()));
  const std::string refresh =
      "; docs/images/bully.png is not what the program draws now: DISTLAB_UPDATE_GOLDEN=1 "
      "tests/distlab_browser_tests --gtest_filter='*ReadmesPicture*' refreshes it";
  ASSERT_EQ(r["width"][0], r["width"][1]) << r.dump() << refresh;
  ASSERT_EQ(r["height"][0], r["height"][1]) << r.dump() << refresh;
  const double total = r["width"][0].get<double>() * r["height"][0].get<double>();
  EXPECT_LT(r["differing"].get<double>(), 0.01 * total) << r.dump() << refresh;
}

TEST_F(Browser, VectorTimesAndAThinnedRunOpenToo) {
  const fs::path vector_trace = dir_ / "v.jsonl";
  ASSERT_EQ(distlab({"lamport", "--seed", "5", "--vector", "--nodes", "4", "--rounds", "8", "--quiet", "--trace",
                     vector_trace.string()},
                    "vector"),
            0);
  const fs::path long_trace = dir_ / "h.jsonl";
  ASSERT_EQ(distlab({"heartbeat", "--seed", "1", "--quiet", "--trace", long_trace.string()}, "heartbeat"), 0);
  const fs::path page = dir_ / "page.html";
  ASSERT_EQ(distlab({"render", vector_trace.string(), long_trace.string(), "--max-events", "120", "-o",
                     page.string()},
                    "render"),
            0);
  const nlohmann::json report = self_check(page);
  ASSERT_EQ(report.size(), 2u) << report.dump();
  const Counts vector = expected_counts(vector_trace.string());
  EXPECT_EQ(report[0]["events"], vector.events);
  EXPECT_EQ(report[0]["labels"], 2 * vector.events) << "a Lamport and a vector time on every event";
  EXPECT_EQ(report[0]["overlaps"], 0);
  EXPECT_EQ(report[1]["events"], 120) << "the thinned run draws only --max-events in detail";
  EXPECT_EQ(report[1]["overlaps"], 0);
  screenshot(page, "vector-and-thinned", "1400,1200");
}

// The events in `e`'s causal past (ancestors) and future (descendants), by the trace's
// own order at each node and its messages, as the checkers compute happens-before.
std::pair<std::size_t, std::size_t> causal_counts(const trace::Trace& t, std::size_t e) {
  const trace::CausalGraph g(t);
  std::vector<std::vector<std::size_t>> after(g.size());
  for (std::size_t i = 0; i < g.size(); ++i) {
    for (const std::size_t p : {g.prev_on_node(i), g.send_of(i)}) {
      if (p != trace::CausalGraph::kNone) after[p].push_back(i);
    }
  }
  auto reach = [&](auto&& steps) {
    std::set<std::size_t> seen;
    std::vector<std::size_t> todo{e};
    while (!todo.empty()) {
      const std::size_t i = todo.back();
      todo.pop_back();
      for (const std::size_t j : steps(i)) {
        if (j != trace::CausalGraph::kNone && seen.insert(j).second) todo.push_back(j);
      }
    }
    return seen.size();
  };
  const std::size_t past = reach([&](std::size_t i) { return std::vector{g.prev_on_node(i), g.send_of(i)}; });
  const std::size_t future = reach([&](std::size_t i) { return after[i]; });
  return {past, future};
}

// The seed's snapshot rule (seed 6) records a wrong channel state: the page lists every
// check as the checkers judged it, marks exactly the events the failing one names, and
// its button takes the view to them. Clicking an event highlights its causal past and
// future, as counted from the trace here; a second click clears them.
TEST_F(Browser, AFailedCheckIsMarkedAndAClickedEventShowsItsCausalPastAndFuture) {
  const fs::path trace_path = dir_ / "s.jsonl";
  const fs::path page = dir_ / "s.html";
  ASSERT_EQ(distlab({"snapshot", "--rule", "seed", "--seed", "6", "--quiet", "--trace", trace_path.string(),
                     "--html", page.string()},
                    "snapshot", 1),
            1);
  const trace::Trace t = trace::read_trace_file(trace_path.string());
  const std::vector<trace::CheckResult> checks = algorithms::check_trace(t);
  const nlohmann::json report = self_check(page);
  ASSERT_EQ(report.size(), 1u) << report.dump();
  const nlohmann::json& verdicts = report[0]["verdicts"];
  ASSERT_EQ(verdicts.size(), checks.size()) << verdicts.dump();
  std::size_t failed = 0;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    EXPECT_EQ(verdicts[i]["status"], std::string(trace::to_string(checks[i].status))) << checks[i].name;
    if (checks[i].status != trace::CheckStatus::fail) continue;
    ++failed;
    EXPECT_EQ(verdicts[i]["check"], checks[i].name);
    ASSERT_FALSE(checks[i].events.empty()) << checks[i].name;
    EXPECT_EQ(verdicts[i]["events"].get<std::vector<std::size_t>>(), checks[i].events) << checks[i].name;
    EXPECT_EQ(verdicts[i]["in_view"], true) << checks[i].name << ": the button took the view elsewhere";
    EXPECT_GE(verdicts[i]["arrows"].get<int>(), 1) << "the wrongly recorded message's arrow is marked";
  }
  EXPECT_EQ(failed, 1u) << "the seed's rule gets the channel states wrong, and only them";

  const nlohmann::json& causal = report[0]["causal"];
  const auto [past, future] = causal_counts(t, causal["event"].get<std::size_t>());
  EXPECT_EQ(causal["past"], past);
  EXPECT_EQ(causal["future"], future);
  EXPECT_GT(past, 0u);
  EXPECT_GT(future, 0u);
  EXPECT_EQ(causal["opaque"], past + future + 1) << "the rest is dimmed";
  EXPECT_EQ(causal["cleared"], true);
  screenshot(page, "snapshot-failed-check", "1400,900");
}

// Two runs of one scenario compared (the seed's Bully with its partition, and the
// plain one): each drawn in full, on the same lanes; both open on the same stretch of
// time, and zooming one zooms the other to the same box.
TEST_F(Browser, RunsComparedOpenTogetherAndZoomTogether) {
  const fs::path a = dir_ / "a.jsonl";
  const fs::path b = dir_ / "b.jsonl";
  ASSERT_EQ(distlab({"bully", "--seed", "214", "--partition", "1,2,3/4,5@1.5s..2.5s", "--quiet", "--trace",
                     a.string()},
                    "a"),
            0);
  ASSERT_EQ(distlab({"bully", "--seed", "3", "--quiet", "--trace", b.string()}, "b"), 0);
  const fs::path page = dir_ / "c.html";
  ASSERT_EQ(distlab({"render", a.string(), b.string(), "--compare", "-o", page.string()}, "render"), 0);
  const nlohmann::json report = self_check(page);
  ASSERT_EQ(report.size(), 2u) << report.dump();
  const fs::path traces[] = {a, b};
  for (std::size_t i = 0; i < 2; ++i) {
    const Counts expected = expected_counts(traces[i].string());
    EXPECT_EQ(report[i]["events"], expected.events);
    EXPECT_EQ(report[i]["arrows"], expected.arrows);
    EXPECT_EQ(report[i]["overlaps"], 0);
    EXPECT_EQ(report[i]["lanes"], (std::vector<std::string>{"n1", "n2", "n3", "n4", "n5"}));
    const nlohmann::json& c = report[i]["compared"];
    ASSERT_EQ(c["link"], "c1") << c.dump();
    EXPECT_EQ(c["open_view"], report[0]["compared"]["open_view"]) << "both open on one box";
    ASSERT_EQ(c["others"].size(), 1u) << c.dump();
    const nlohmann::json& zoomed = c["zoomed"];
    const nlohmann::json& other = c["others"][0];
    EXPECT_LT(zoomed["w"].get<double>(), c["open_view"]["w"].get<double>()) << "the wheel zoomed in";
    EXPECT_DOUBLE_EQ(other["x"].get<double>(), zoomed["x"].get<double>());
    EXPECT_DOUBLE_EQ(other["w"].get<double>(), zoomed["w"].get<double>());
    EXPECT_DOUBLE_EQ(other["y"].get<double>(), zoomed["y"].get<double>());
    EXPECT_FALSE(report[i]["story"]["first_view"].empty()) << "each run's story is in the view both open on";
  }
  screenshot(page, "bully-compared", "1400,1400");
}

}  // namespace
}  // namespace distlab::testing
