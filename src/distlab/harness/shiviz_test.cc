// The ShiViz export, checked by a small re-implementation of what ShiViz itself does
// with a log file (DistributedClocks/shiviz): how it reads an uploaded file, splits
// executions and matches events, and which vector clocks it accepts. The checker
// rejects bad clocks too (the tests at the end), so its passes mean something.
#include "distlab/trace/shiviz.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "distlab/harness/bully/scenario.h"
#include "distlab/harness/lamport/scenario.h"
#include "distlab/core/error.h"
#include "distlab/trace/jsonl_reader.h"
#include "distlab/trace/jsonl_writer.h"
#include "distlab/trace/internal/test_records.h"

namespace distlab::trace {
namespace {

// ---------------------------------------------------------------------------------
// ShiViz, re-implemented for the tests. Each step names the file of ShiViz it
// follows; an error carries ShiViz's own message. Checks of ours, stricter than
// ShiViz (which would silently lose a run or a line), say so.
namespace shiviz {

struct Event {
  std::string host;
  std::vector<std::pair<std::string, std::int64_t>> clock;  // zero entries removed
  std::string text;
  std::int64_t own = 0;
};

struct Execution {
  std::string label;
  std::vector<Event> events;
};

struct Log {
  std::vector<Execution> executions;
  std::string error;  // empty: ShiViz accepts the file
};

struct Rejected : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// js/shiviz.js, the default parser when an uploaded file's first line is blank.
const std::string kDefaultParser = R"((?<event>.*)\n(?<host>\S*) (?<clock>{.*}))";

std::string trim(std::string_view s) {
  const auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// js/util/regexp.js, NamedRegExp: every '(' that does not open "(?=", "(?!", "(?<"
// or "(?:" becomes "(?:" (escaped ones too, as there); each "(?<name>" becomes a
// plain group, its name noted in order; flags "g" and "m".
struct NamedRegex {
  std::regex re;
  std::vector<std::string> names;
  int group(const std::string& name) const {
    auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin()) + 1;
  }
};

NamedRegex named_regex(const std::string& source) {
  NamedRegex out;
  std::string re;
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] != '(') {
      re += source[i];
      continue;
    }
    if (source.compare(i, 3, "(?<") == 0) {
      const std::size_t close = source.find('>', i + 3);
      const std::string name = close == std::string::npos ? "" : source.substr(i + 3, close - i - 3);
      const bool word = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      });
      if (word) {
        if (out.group(name) > 0) {
          throw Rejected(
              "The regular expression you entered was invalid. There are multiple capture groups named " +
              name);
        }
        out.names.push_back(name);
        re += '(';
        i = close;
        continue;
      }
    }
    const bool special = source.compare(i, 2, "(?") == 0 && i + 2 < source.size() &&
                         std::string_view("=!<:").find(source[i + 2]) != std::string_view::npos;
    re += special ? "(" : "(?:";
  }
  try {
    out.re = std::regex(re, std::regex::ECMAScript | std::regex::multiline);
  } catch (const std::regex_error&) {
    throw Rejected("The following regular expression entered was invalid. " + re);
  }
  return out;
}

// js/model/vectorTimestamp.js: the host must have an entry; zero entries go.
Event make_event(const std::string& host, const std::string& clock_text, const std::string& text,
                 std::size_t line) {
  nlohmann::ordered_json clock;
  try {
    clock = nlohmann::ordered_json::parse(clock_text);
  } catch (const nlohmann::json::exception&) {
    throw Rejected(fmt::format("An error occured while trying to parse the vector timestamp on line {}: {}",
                               line + 1, clock_text));
  }
  // Stricter than JSON.parse: an object of non-negative integers.
  if (!clock.is_object()) throw Rejected(fmt::format("line {}: the vector timestamp is not an object", line));
  Event e{host, {}, text, 0};
  bool has_own = false;
  for (const auto& [key, value] : clock.items()) {
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
      throw Rejected(fmt::format("line {}: clock value for \"{}\" is not a count", line, key));
    }
    const auto count = value.get<std::int64_t>();
    if (key == host) {
      has_own = true;
      e.own = count;
    }
    if (count != 0) e.clock.emplace_back(key, count);
  }
  if (!has_own) throw Rejected("Local host \"" + host + "\" is missing from timestamp: " + clock_text);
  return e;
}

// js/model/parser.js, ExecutionParser: every match of the parser is one event.
Execution parse_execution(const std::string& text, const std::string& label, const NamedRegex& parser) {
  Execution ex{label, {}};
  const int host = parser.group("host");
  const int clock = parser.group("clock");
  const int event = parser.group("event");
  std::size_t matched_lines = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), parser.re), end; it != end; ++it) {
    const std::smatch& m = *it;
    const auto at = static_cast<std::size_t>(m.position(0));
    const std::size_t line =
        static_cast<std::size_t>(std::count(text.begin(), text.begin() + m.position(0), '\n')) + 1;
    ex.events.push_back(make_event(m[host].str(), m[clock].str(), m[event].str(), line));
    // Ours: each event is one whole line.
    const std::size_t stop = at + static_cast<std::size_t>(m.length(0));
    if ((at != 0 && text[at - 1] != '\n') || (stop != text.size() && text[stop] != '\n')) {
      throw Rejected(fmt::format("execution {}: line {} is not matched whole", label, line));
    }
    ++matched_lines;
  }
  if (ex.events.empty()) {
    throw Rejected("The parser RegExp you entered does not capture any events for the execution " + label);
  }
  // Ours: no line of the execution is left out (ShiViz would skip it in silence).
  std::size_t lines = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines += trim(line).empty() ? 0 : 1;
  if (lines != matched_lines) {
    throw Rejected(
        fmt::format("execution {}: {} lines, but the parser matches {}", label, lines, matched_lines));
  }
  return ex;
}

// js/model/modelGraph.js: per host, own times 1, 2, 3...; entries only for hosts of
// the execution and within their event counts; then the communication edges those
// clocks imply, and (stepThroughAndVerify) each clock equal to the one the edges give.
void check_clocks(const Execution& ex) {
  std::vector<std::string> hosts;
  std::map<std::string, std::vector<const Event*>> by_host;
  for (const Event& e : ex.events) {
    if (!by_host.count(e.host)) hosts.push_back(e.host);
    by_host[e.host].push_back(&e);
  }
  for (auto& [host, events] : by_host) {
    std::stable_sort(events.begin(), events.end(),
                     [](const Event* a, const Event* b) { return a->own < b->own; });
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (events[i]->own == static_cast<std::int64_t>(i) + 1) continue;
      if (i == 0) {
        throw Rejected(
            fmt::format("Logical clock values for each host must start at 1. The clock value for the "
                        "first event for host \"{}\" is {}.",
                        host, events[i]->own));
      }
      throw Rejected(
          fmt::format("Clock values for a host must increase monotonically by 1. The clock for host "
                      "\"{}\" goes from {} to {}: {}",
                      host, events[i - 1]->own, events[i]->own, events[i]->text));
    }
  }
  // initParentChild
  std::map<const Event*, std::map<std::string, const Event*>> parent;  // per host, the latest
  for (const std::string& host : hosts) {
    std::map<std::string, std::int64_t> latest;
    for (const Event* node : by_host[host]) {
      latest[host] = node->own;
      std::vector<const Event*> candidates;
      for (const auto& [other, time] : node->clock) {
        auto it = latest.find(other);
        if (it != latest.end() && it->second >= time) continue;
        latest[other] = time;
        if (!by_host.count(other)) {
          throw Rejected(
              fmt::format("The following event's vector clock contains an entry for an unrecognized "
                          "host \"{}\": {}",
                          other, node->text));
        }
        if (time < 1 || time > static_cast<std::int64_t>(by_host[other].size())) {
          throw Rejected(
              fmt::format("The following event's vector clock contains an invalid clock value {} for "
                          "host \"{}\": {}",
                          time, other, node->text));
        }
        candidates.push_back(by_host[other][static_cast<std::size_t>(time - 1)]);
      }
      std::map<std::string, const Event*> connections;
      for (const Event* c : candidates) connections[fmt::format("{}:{}", c->host, c->own)] = c;
      for (const Event* c : candidates) {
        for (const auto& [other, time] : c->clock) {
          if (other != c->host) connections.erase(fmt::format("{}:{}", other, time));
        }
      }
      for (const auto& [id, c] : connections) {
        const Event*& p = parent[node][c->host];
        if (p == nullptr || c->own > p->own) p = c;
      }
    }
  }
  // stepThroughAndVerify: a topological order, then each clock rebuilt from its
  // predecessors (the previous event on the host and the parents).
  std::map<const Event*, std::vector<const Event*>> successors;
  std::map<const Event*, int> indegree;
  for (const auto& [host, events] : by_host) {
    for (std::size_t i = 0; i + 1 < events.size(); ++i) {
      successors[events[i]].push_back(events[i + 1]);
      ++indegree[events[i + 1]];
    }
  }
  for (const auto& [child, parents] : parent) {
    for (const auto& [host, p] : parents) {
      successors[p].push_back(child);
      ++indegree[child];
    }
  }
  std::vector<const Event*> ready;
  for (const Event& e : ex.events) {
    if (indegree[&e] == 0) ready.push_back(&e);
  }
  std::map<const Event*, std::map<std::string, std::int64_t>> rebuilt;
  for (const Event& e : ex.events) rebuilt[&e][e.host] = e.own;
  std::size_t visited = 0;
  while (!ready.empty()) {
    const Event* e = ready.back();
    ready.pop_back();
    ++visited;
    for (const Event* s : successors[e]) {
      for (const auto& [h, t] : rebuilt[e]) rebuilt[s][h] = std::max(rebuilt[s][h], t);
      if (--indegree[s] == 0) ready.push_back(s);
    }
    const std::map<std::string, std::int64_t> given(e->clock.begin(), e->clock.end());
    if (rebuilt[e] != given) {
      throw Rejected(
          fmt::format("The following event has an impermissible vector clock: {} {}; we think it "
                      "should be: {}",
                      e->host, e->text, nlohmann::json(rebuilt[e]).dump()));
    }
  }
  if (visited != ex.events.size()) throw Rejected("An error occured. The log is intransitive.");
}

// js/shiviz.js (the file input's handler), then js/model/parser.js (LogParser).
Log read(const std::string& file) {
  Log log;
  try {
    const std::size_t first = file.find('\n');
    const std::size_t second = first == std::string::npos ? first : file.find('\n', first + 1);
    if (second == std::string::npos) throw Rejected("no parser and delimiter lines");
    const std::string parser_line = file.substr(0, first);
    const std::string delimiter_text = trim(file.substr(first + 1, second - first - 1));
    const std::string text = trim(file.substr(second + 1));
    const std::string parser_text = trim(trim(parser_line).empty() ? kDefaultParser : parser_line);

    const NamedRegex parser = named_regex(parser_text);
    for (const char* name : {"clock", "host", "event"}) {
      if (parser.group(name) < 0) {
        throw Rejected("The parser RegExp you entered does not have the necessary named capture groups.");
      }
    }
    if (delimiter_text.empty()) {
      log.executions.push_back(parse_execution(text, "", parser));
    } else {
      const NamedRegex delimiter = named_regex(delimiter_text);
      const int trace = delimiter.group("trace");
      std::vector<std::string> labels{""};
      std::vector<std::string> chunks;
      std::size_t from = 0;
      for (std::sregex_iterator it(text.begin(), text.end(), delimiter.re), end; it != end; ++it) {
        chunks.push_back(text.substr(from, static_cast<std::size_t>(it->position(0)) - from));
        from = static_cast<std::size_t>(it->position(0) + it->length(0));
        labels.push_back(trace > 0 ? (*it)[trace].str() : "undefined");
      }
      chunks.push_back(text.substr(from));
      std::set<std::string> seen;
      for (std::size_t i = 0; i < chunks.size(); ++i) {
        if (trim(chunks[i]).empty()) continue;
        // Ours: ShiViz keys executions by label, so a repeated one loses a run.
        if (!seen.insert(labels[i]).second)
          throw Rejected("two executions are labelled \"" + labels[i] + "\"");
        log.executions.push_back(parse_execution(chunks[i], labels[i], parser));
      }
    }
    for (const Execution& ex : log.executions) check_clocks(ex);
  } catch (const Rejected& e) {
    log.error = e.what();
  }
  return log;
}

}  // namespace shiviz

// ---------------------------------------------------------------------------------

std::string export_text(std::span<const ShivizRun> runs) {
  std::ostringstream out;
  write_shiviz(out, runs);
  return out.str();
}

std::string export_text(const Trace& trace, const std::string& name = "run.jsonl") {
  const ShivizRun run{name, &trace};
  return export_text(std::span(&run, 1));
}

using testing::ev;

Trace hand_trace(std::string mode, std::vector<Record> events, std::vector<NodeId> nodes = {1, 2}) {
  return Trace{Header{.algorithm = "lamport", .mode = std::move(mode), .seed = 1, .nodes = std::move(nodes)},
               std::move(events), "", false};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A simulated Lamport run, as `distlab lamport` makes it.
Trace lamport_run(const harness::LamportScenario& s) {
  Recorder recorder({.algorithm = "lamport", .mode = "sim", .seed = s.seed, .nodes = node_ids(s.nodes)});
  harness::run_lamport_scenario(s, recorder);
  return recorder.trace();
}

std::string replay(const harness::LamportScenario& s) {
  return fmt::format("distlab lamport --seed {} --nodes {} --rounds {} --mode {} --loss {} --dup {}{}",
                     s.seed, s.nodes, s.rounds, s.random_mode ? "random" : "rounds", s.faults.loss,
                     s.faults.dup, s.faults.no_fifo ? " --no-fifo" : "");
}

// --- The export itself ---

TEST(ShivizExport, EventTextsAreOneReadableLine) {
  Record send = ev(1, 12'000'000, EventKind::send, "1.2", 3);
  send.type = "prepare";
  send.lamport = 4;
  EXPECT_EQ(shiviz_event_text(send), "send prepare 1.2 to n3 [t=12ms lamport=4]");
  send.data = {{"amount", 5}};
  EXPECT_EQ(shiviz_event_text(send), R"(send prepare 1.2 to n3 {"amount":5} [t=12ms lamport=4])");
  EXPECT_EQ(shiviz_event_text(ev(2, 1'500'000'000, EventKind::recv, "1.2", 1)),
            "recv app 1.2 from n1 [t=1.5s]");
  Record drop = ev(1, 0, EventKind::drop, "1.3", 2);
  drop.label = "loss";
  EXPECT_EQ(shiviz_event_text(drop), "drop app 1.3 to n2 (loss) [t=0s]");
  Record state = ev(5, 7, EventKind::state);
  state.data = {{"leader", 5}};
  EXPECT_EQ(shiviz_event_text(state), R"(state {"leader":5} [t=7ns])");
  EXPECT_EQ(shiviz_event_text(ev(1, 0, EventKind::crash)), "crash [t=0s]");
  EXPECT_EQ(shiviz_event_text(ev(1, 0, EventKind::recover)), "recover [t=0s]");
  Record timer = ev(1, 0, EventKind::timer);
  timer.label = "heartbeat";
  EXPECT_EQ(shiviz_event_text(timer), "timer heartbeat [t=0s]");
  // Line breaks, as JavaScript's '.' sees them, never reach the file.
  Record local = ev(1, 0, EventKind::local);
  local.label = "two\nlines\r and \u2028 more";
  EXPECT_EQ(shiviz_event_text(local), R"(local two\nlines\r and \u2028 more [t=0s])");
}

TEST(ShivizExport, TheFileSetsParserAndDelimiterThenNamesEachRun) {
  const Trace t = hand_trace("sim", {ev(1, 0, EventKind::local)});
  const auto lines = lines_of(export_text(t, "l.jsonl"));
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(lines[0], R"((?<host>\S+) (?<clock>\{[^}]*\}) (?<event>.*))");
  EXPECT_EQ(lines[1], R"(^=== (?<trace>.*) ===$)");
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[3], "=== l.jsonl: lamport sim, seed 1 ===");
  EXPECT_EQ(lines[4], R"(n1 {"n1":1} local [t=0s])");
}

TEST(ShivizExport, ClocksCountEveryEventAndReceivesMergeTheirSend) {
  const Trace t =
      hand_trace("sim",
                 {ev(1, 0, EventKind::local), ev(1, 1, EventKind::send, "1.1", 2), ev(2, 2, EventKind::timer),
                  ev(2, 3, EventKind::recv, "1.1", 1), ev(2, 4, EventKind::send, "2.1", 1),
                  ev(2, 5, EventKind::drop, "2.1", 1), ev(1, 6, EventKind::crash)},
                 {1, 2, 3});
  const auto lines = lines_of(export_text(t));
  ASSERT_EQ(lines.size(), 12u);  // 3 header lines, the delimiter, 7 events, a blank line
  // The host and its clock, up to the clock's '}'.
  auto clock = [&](std::size_t i) { return lines[i].substr(0, lines[i].find('}') + 1); };
  EXPECT_EQ(clock(4), R"(n1 {"n1":1})");
  EXPECT_EQ(clock(5), R"(n1 {"n1":2})");
  EXPECT_EQ(clock(6), R"(n2 {"n2":1})");
  EXPECT_EQ(clock(7), R"(n2 {"n1":2,"n2":2})");
  EXPECT_EQ(clock(8), R"(n2 {"n1":2,"n2":3})");  // the send that is lost
  EXPECT_EQ(clock(9), R"(n2 {"n1":2,"n2":4})");  // its drop
  EXPECT_EQ(clock(10), R"(n1 {"n1":3})");        // the lost message brings nothing
  EXPECT_EQ(lines[11], "");
  // Node 3 has no events: no entry anywhere.
  EXPECT_EQ(export_text(t).find("n3"), std::string::npos);
  const auto log = shiviz::read(export_text(t));
  EXPECT_EQ(log.error, "");
}

TEST(ShivizExport, AReceiveFromOutsideARealTraceIsALocalStep) {
  // One process's trace of a real run: node 2 receives from node 1, whose events it
  // does not hold. Its clock names node 2 only, since n1 is not a host of the log.
  const Trace t = hand_trace("real", {ev(2, 10, EventKind::local), ev(2, 20, EventKind::recv, "1.1", 1)});
  const std::string text = export_text(t);
  EXPECT_NE(text.find(R"(n2 {"n2":2} recv app 1.1 from n1)"), std::string::npos) << text;
  const auto log = shiviz::read(text);
  EXPECT_EQ(log.error, "");
}

TEST(ShivizExport, AReceiveListedBeforeItsSendStillMergesIt) {
  // The file order of a real trace need not be causal; happens-before decides.
  const Trace t =
      hand_trace("real", {ev(2, 10, EventKind::recv, "1.1", 1), ev(1, 20, EventKind::send, "1.1", 2)});
  const std::string text = export_text(t);
  EXPECT_NE(text.find(R"(n2 {"n1":1,"n2":1} recv)"), std::string::npos) << text;
  EXPECT_EQ(shiviz::read(text).error, "");
}

TEST(ShivizExport, TracesItCannotShowAreInputErrors) {
  EXPECT_THROW(export_text(hand_trace("sim", {})), InputError);
  // A simulated trace sees every send: a receive of nothing is a broken trace.
  EXPECT_THROW(export_text(hand_trace("sim", {ev(2, 10, EventKind::recv, "1.1", 1)})), InputError);
  EXPECT_THROW(export_text(hand_trace(
                   "sim", {ev(1, 1, EventKind::send, "1.1", 2), ev(1, 2, EventKind::send, "1.1", 2)})),
               InputError);
}

TEST(ShivizExport, RunsWithOneNameGetDistinctLabels) {
  const Trace t = hand_trace("sim", {ev(1, 0, EventKind::local)});
  const std::vector<ShivizRun> runs{{"a.jsonl", &t}, {"a.jsonl", &t}};
  const auto log = shiviz::read(export_text(runs));
  ASSERT_EQ(log.error, "");
  ASSERT_EQ(log.executions.size(), 2u);
  EXPECT_EQ(log.executions[0].label, "a.jsonl: lamport sim, seed 1");
  EXPECT_EQ(log.executions[1].label, "a.jsonl: lamport sim, seed 1 #2");
}

// --- Exports of real runs, read and checked as ShiViz would ---

TEST(ShivizExport, SimulatedLamportRunsAreAccepted) {
  for (std::uint64_t seed : {1, 2, 3, 4}) {
    harness::LamportScenario s{.seed = seed, .nodes = 4, .rounds = 12, .random_mode = seed % 2 == 0};
    s.faults.loss = 0.2;
    s.faults.dup = 0.2;
    s.faults.no_fifo = true;
    const Trace t = lamport_run(s);
    const auto log = shiviz::read(export_text(t, "l.jsonl"));
    ASSERT_EQ(log.error, "") << replay(s);
    ASSERT_EQ(log.executions.size(), 1u) << replay(s);
    EXPECT_EQ(log.executions[0].label, fmt::format("l.jsonl: lamport sim, seed {}", seed));
    EXPECT_EQ(log.executions[0].events.size(), t.events.size()) << replay(s);
  }
}

TEST(ShivizExport, ABullyRunWithCrashesAndStatesIsAccepted) {
  const harness::BullyScenario s{.seed = 2, .nodes = 5};
  Recorder recorder({.algorithm = "bully", .mode = "sim", .seed = s.seed, .nodes = node_ids(s.nodes)});
  harness::run_bully_scenario(s, &recorder);
  const Trace& t = recorder.trace();
  const std::string text = export_text(t, "b.jsonl");
  EXPECT_NE(text.find(" crash [t="), std::string::npos);
  EXPECT_NE(text.find(R"( state {"leader":)"), std::string::npos);
  const auto log = shiviz::read(text);
  ASSERT_EQ(log.error, "") << "distlab bully --seed 2";
  EXPECT_EQ(log.executions.at(0).events.size(), t.events.size());
}

TEST(ShivizExport, SeveralRunsAreSeveralExecutions) {
  const Trace a = lamport_run({.seed = 7});
  const Trace b = lamport_run({.seed = 8, .nodes = 5});
  const std::vector<ShivizRun> runs{{"sim.jsonl", &a}, {"other.jsonl", &b}};
  const auto log = shiviz::read(export_text(runs));
  ASSERT_EQ(log.error, "");
  ASSERT_EQ(log.executions.size(), 2u);
  EXPECT_EQ(log.executions[0].label, "sim.jsonl: lamport sim, seed 7");
  EXPECT_EQ(log.executions[1].label, "other.jsonl: lamport sim, seed 8");
  EXPECT_EQ(log.executions[0].events.size(), a.events.size());
  EXPECT_EQ(log.executions[1].events.size(), b.events.size());
}

TEST(ShivizExport, ATraceReadFromAFileExportsLikeTheLiveOne) {
  const Trace live = lamport_run({.seed = 5, .vector = true});
  std::ostringstream jsonl;
  write_trace(jsonl, live);
  std::istringstream in(jsonl.str());
  const Trace read = read_trace(in, "l.jsonl");
  EXPECT_EQ(export_text(read, "l.jsonl"), export_text(live, "l.jsonl"));
}

RC_GTEST_PROP(ShivizProperty, RandomLamportRunsExportToLogsShivizAccepts, ()) {
  harness::LamportScenario s;
  s.seed = *rc::gen::arbitrary<std::uint64_t>();
  s.nodes = *rc::gen::inRange<std::uint32_t>(2, 7);
  s.rounds = *rc::gen::inRange<std::uint32_t>(1, 15);
  s.random_mode = *rc::gen::arbitrary<bool>();
  s.faults.loss = *rc::gen::element(0.0, 0.3);
  s.faults.dup = *rc::gen::element(0.0, 0.2);
  s.faults.no_fifo = *rc::gen::arbitrary<bool>();
  RC_LOG() << "replay: " << replay(s) << "\n";
  const Trace t = lamport_run(s);
  const auto log = shiviz::read(export_text(t));
  RC_LOG() << log.error << "\n";
  RC_ASSERT(log.error.empty());
  RC_ASSERT(log.executions.size() == 1u);
  RC_ASSERT(log.executions[0].events.size() == t.events.size());
}

// --- The checker rejects what ShiViz rejects ---

std::string log_of(const std::vector<std::string>& events) {
  std::string text = fmt::format("{}\n{}\n\n=== test ===\n", kShivizParser, kShivizDelimiter);
  for (const std::string& e : events) text += e + "\n";
  return text;
}

TEST(ShivizChecker, AcceptsAGoodHandWrittenLog) {
  const auto log =
      shiviz::read(log_of({R"(a {"a":1} send)", R"(b {"b":1} local)", R"(b {"a":1,"b":2} recv)"}));
  EXPECT_EQ(log.error, "");
  ASSERT_EQ(log.executions.size(), 1u);
  EXPECT_EQ(log.executions[0].events.size(), 3u);
}

TEST(ShivizChecker, RejectsAnOwnEntryThatSkips) {
  EXPECT_NE(
      shiviz::read(log_of({R"(a {"a":1} x)", R"(a {"a":3} y)"})).error.find("increase monotonically by 1"),
      std::string::npos);
}

TEST(ShivizChecker, RejectsAnOwnEntryThatDoesNotStartAtOne) {
  EXPECT_NE(shiviz::read(log_of({R"(a {"a":2} x)"})).error.find("must start at 1"), std::string::npos);
  EXPECT_NE(shiviz::read(log_of({R"(a {"a":0} x)"})).error.find("must start at 1"), std::string::npos);
}

TEST(ShivizChecker, RejectsAnEntryForAnUnknownHost) {
  EXPECT_NE(shiviz::read(log_of({R"(a {"a":1,"ghost":1} x)"})).error.find("unrecognized host \"ghost\""),
            std::string::npos);
}

TEST(ShivizChecker, RejectsAnEntryBeyondTheHostsEvents) {
  EXPECT_NE(
      shiviz::read(log_of({R"(a {"a":1} x)", R"(b {"a":2,"b":1} y)"})).error.find("invalid clock value 2"),
      std::string::npos);
}

TEST(ShivizChecker, RejectsAClockWithoutItsOwnHost) {
  EXPECT_NE(shiviz::read(log_of({R"(a {"b":1} x)", R"(b {"b":1} y)"})).error.find("missing from timestamp"),
            std::string::npos);
}

TEST(ShivizChecker, RejectsAClockThatIsNotJson) {
  EXPECT_NE(shiviz::read(log_of({R"(a {"a":1,} x)"})).error.find("parse the vector timestamp"),
            std::string::npos);
}

TEST(ShivizChecker, RejectsAReceiveThatForgetsWhatItsSendKnew) {
  // c hears from b, which had heard from a: c's clock must name a too.
  const auto log = shiviz::read(log_of({R"(a {"a":1} send)", R"(b {"a":1,"b":1} recv)",
                                        R"(b {"a":1,"b":2} send)", R"(c {"b":2,"c":1} recv)"}));
  EXPECT_NE(log.error.find("impermissible vector clock"), std::string::npos) << log.error;
}

TEST(ShivizChecker, RejectsAParserWithoutTheNamedGroups) {
  const std::string text = "(?<host>\\S+) (?<clock>\\{[^}]*\\}) (?<text>.*)\n\na {\"a\":1} x\n";
  EXPECT_NE(shiviz::read(text).error.find("necessary named capture groups"), std::string::npos);
}

TEST(ShivizChecker, RejectsLinesTheParserMisses) {
  EXPECT_NE(shiviz::read(log_of({R"(a {"a":1} x)", "no clock here"})).error.find("the parser matches 1"),
            std::string::npos);
}

TEST(ShivizChecker, RejectsTwoExecutionsWithOneLabel) {
  const std::string text = log_of({R"(a {"a":1} x)"}) + "=== test ===\n" + R"(a {"a":1} x)" + "\n";
  EXPECT_NE(shiviz::read(text).error.find("two executions"), std::string::npos);
}

TEST(ShivizChecker, RejectsAnExportWithOneClockBroken) {
  // A real export, one own entry bumped: the checker notices.
  const std::string good = export_text(lamport_run({.seed = 3}));
  ASSERT_EQ(shiviz::read(good).error, "");
  const std::string from = R"(n1 {"n1":2,)";
  const std::size_t at = good.find(from);
  ASSERT_NE(at, std::string::npos) << good;
  std::string bad = good;
  bad.replace(at, from.size(), R"(n1 {"n1":7,)");
  EXPECT_NE(shiviz::read(bad).error, "");
}

}  // namespace
}  // namespace distlab::trace
