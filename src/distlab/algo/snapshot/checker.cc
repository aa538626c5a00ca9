#include "distlab/algo/snapshot/checker.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "distlab/algo/snapshot/notes.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"

namespace distlab::snapshot {

using trace::CheckResult;
using trace::CausalGraph;
using trace::CheckStatus;
using trace::Record;
using trace::Trace;

namespace {

using json = nlohmann::ordered_json;

// The properties the checker judges, as its results name them.
constexpr std::string_view kComplete = "snapshot_complete";
constexpr std::string_view kChannels = "snapshot_channels";
constexpr std::string_view kConsistent = "consistent_cut";
constexpr std::string_view kMoney = "money_conserved";

[[noreturn]] void bad(const Trace& trace, const Record& r, std::string_view why) {
  throw InputError(fmt::format("{}:{}: {}", trace.source.empty() ? "trace" : trace.source, r.line, why));
}

SnapshotView& view_of(SnapshotRun& run, std::map<std::string, std::size_t>& index, const std::string& id) {
  auto [it, inserted] = index.try_emplace(id, run.snapshots.size());
  if (inserted) run.snapshots.push_back(SnapshotView{.id = id});
  return run.snapshots[it->second];
}

// The app messages on one channel: (send index, recv index or kNone).
struct Flight {
  std::size_t send;
  std::size_t recv;
};

}  // namespace

SnapshotRun collect_snapshots(const Trace& trace) {
  SnapshotRun run;
  std::map<std::string, std::size_t> index;
  std::int64_t money = 0;
  bool bank = false;
  std::vector<std::size_t> sends;  // indexed by id below, only when there are snapshots
  for (std::size_t i = 0; i < trace.events.size(); ++i) {
    const Record& r = trace.events[i];
    if (r.kind == EventKind::send) {
      sends.push_back(i);
      if (r.type == "marker") ++run.markers;
      continue;
    }
    if (r.kind != EventKind::state) continue;
    const json& d = r.data;
    std::string problem;
    if (auto channels = ChannelsNote::from_json(d, &problem)) {
      if (!problem.empty()) bad(trace, r, problem);
      auto& list = run.in_channels[r.node];
      list.insert(list.end(), channels->in.begin(), channels->in.end());
      std::sort(list.begin(), list.end());
    }
    if (const auto b = BankNote::from_json(d, &problem)) {
      if (!problem.empty()) bad(trace, r, problem);
      money += b->initial_balance;
      bank = true;
    }
    auto note = SnapshotNote::from_json(d, &problem);
    if (!note) continue;
    if (!problem.empty()) bad(trace, r, problem);
    SnapshotView& view = view_of(run, index, note->id);
    if (note->initiated) view.initiator = r.node;
    if (note->recorded) {
      if (view.states.contains(r.node)) bad(trace, r, fmt::format("node {} records snapshot {} twice", r.node, view.id));
      view.states[r.node] = SnapshotNodeState{std::move(*note->recorded), i};
    }
    if (note->channel) {
      SnapshotChannel channel;
      channel.from = note->channel->from;
      channel.to = r.node;
      channel.event = i;
      channel.incomplete = note->channel->incomplete;
      channel.messages = std::move(*note->channel->messages);
      view.channels.push_back(std::move(channel));
    }
  }
  for (SnapshotView& view : run.snapshots) {
    std::sort(view.channels.begin(), view.channels.end(), [](const SnapshotChannel& a, const SnapshotChannel& b) {
      return std::pair(a.to, a.from) < std::pair(b.to, b.from);
    });
  }
  if (bank) run.initial_money = money;
  if (!run.snapshots.empty()) {
    for (std::size_t i : sends) run.sends.emplace(trace.events[i].msg, i);
  }
  return run;
}

SnapshotVerdict verify_snapshot(const Trace& trace, const CausalGraph& graph, const SnapshotRun& run,
                                const SnapshotView& s) {
  SnapshotVerdict v;
  const auto& events = trace.events;
  auto problem = [&v](std::string_view check, std::string text, std::vector<std::size_t> named = {}) {
    v.problems.push_back({check, std::move(text), std::move(named)});
  };

  // Completeness, against the channels each node announced at start.
  for (NodeId node : trace.header.nodes) {
    if (!s.states.contains(node)) {
      v.complete = false;
      problem(kComplete, fmt::format("snapshot {}: node {} never recorded its state", s.id, node));
    }
  }
  for (const auto& [node, ins] : run.in_channels) {
    for (NodeId from : ins) {
      // Channels are sorted by (to, from).
      auto it = std::lower_bound(s.channels.begin(), s.channels.end(), std::pair(node, from),
                                 [](const SnapshotChannel& c, std::pair<NodeId, NodeId> key) {
                                   return std::pair(c.to, c.from) < key;
                                 });
      if (it == s.channels.end() || it->to != node || it->from != from || it->incomplete) {
        v.complete = false;
        std::vector<std::size_t> named;
        if (it != s.channels.end() && it->to == node && it->from == from) named.push_back(it->event);
        problem(kComplete,
                fmt::format("snapshot {}: channel {}->{} was never closed by a marker", s.id, from, node),
                named);
      }
    }
  }

  // Ground truth per channel: the app messages sent on it, with their receive.
  std::map<std::pair<NodeId, NodeId>, std::vector<Flight>> flights;
  std::map<std::string, std::size_t> first_recv;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Record& r = events[i];
    if (r.kind == EventKind::recv && r.type != "marker") first_recv.try_emplace(r.msg, i);
  }
  // A message's send and its first receipt, where the trace has them.
  auto name_message = [&](const std::string& id, std::vector<std::size_t>& named) {
    if (auto send = run.sends.find(id); send != run.sends.end()) named.push_back(send->second);
    if (auto recv = first_recv.find(id); recv != first_recv.end()) named.push_back(recv->second);
  };
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Record& r = events[i];
    if (r.kind != EventKind::send || r.type == "marker") continue;
    auto recv = first_recv.find(r.msg);
    flights[{r.node, r.peer}].push_back({i, recv == first_recv.end() ? CausalGraph::kNone : recv->second});
  }
  auto recorded_at = [&](NodeId node) -> std::optional<std::uint32_t> {
    auto it = s.states.find(node);
    if (it == s.states.end()) return std::nullopt;
    return graph.position(it->second.event);
  };

  // Consistency: nothing received inside the cut was sent outside it.
  for (const auto& [link, list] : flights) {
    const auto from_cut = recorded_at(link.first);
    const auto to_cut = recorded_at(link.second);
    if (!from_cut || !to_cut) continue;
    for (const Flight& f : list) {
      if (f.recv == CausalGraph::kNone) continue;
      if (graph.position(f.recv) < *to_cut && graph.position(f.send) > *from_cut) {
        v.consistent = false;
        problem(kConsistent,
                fmt::format("snapshot {}: {} is received inside the cut but sent outside it: {}", s.id,
                            describe(events[f.recv]), describe(events[f.send])),
                {f.send, f.recv, s.states.at(link.first).event, s.states.at(link.second).event});
      }
    }
  }

  // Exact channel states.
  for (const SnapshotChannel& c : s.channels) {
    const auto from_cut = recorded_at(c.from);
    const auto to_cut = recorded_at(c.to);
    if (c.incomplete || !from_cut || !to_cut) continue;
    std::vector<std::pair<std::uint32_t, std::string>> truth;  // (receive position, id)
    auto it = flights.find({c.from, c.to});
    if (it != flights.end()) {
      for (const Flight& f : it->second) {
        if (graph.position(f.send) < *from_cut && f.recv != CausalGraph::kNone &&
            graph.position(f.recv) > *to_cut) {
          truth.emplace_back(graph.position(f.recv), events[f.send].msg);
        }
      }
    }
    std::sort(truth.begin(), truth.end());
    std::vector<std::string> want;
    for (auto& t : truth) want.push_back(std::move(t.second));
    if (want != c.messages) {
      v.channels_exact = false;
      // Named: the channel's note, the cut at both ends, and the send and receive of
      // every message recorded wrongly or missing.
      std::vector<std::size_t> named{c.event, s.states.at(c.from).event, s.states.at(c.to).event};
      for (const std::string& id : want) {
        if (std::find(c.messages.begin(), c.messages.end(), id) == c.messages.end()) name_message(id, named);
      }
      for (const std::string& id : c.messages) {
        if (std::find(want.begin(), want.end(), id) == want.end()) name_message(id, named);
      }
      problem(
          kChannels,
          fmt::format("snapshot {}: channel {}->{} recorded [{}] at {}, but the messages in flight across "
                      "the cut were [{}]",
                      s.id, c.from, c.to, fmt::join(c.messages, ", "), describe(events[c.event]),
                      fmt::join(want, ", ")),
          std::move(named));
    }
  }

  // Money.
  if (run.initial_money) {
    bool all_balances = true;
    for (const auto& [node, st] : s.states) {
      if (st.state.contains("balance") && st.state["balance"].is_number_integer()) {
        v.recorded_balances += st.state["balance"].get<std::int64_t>();
      } else {
        all_balances = false;
      }
    }
    for (const SnapshotChannel& c : s.channels) {
      for (const std::string& id : c.messages) {
        auto send = run.sends.find(id);
        if (send == run.sends.end()) {
          throw InputError(fmt::format("{}:{}: snapshot {} records message \"{}\", which is never sent",
                                       trace.source.empty() ? "trace" : trace.source, events[c.event].line, s.id, id));
        }
        const json& body = events[send->second].data;
        if (body.is_object() && body.contains("amount") && body["amount"].is_number_integer()) {
          v.in_channels += body["amount"].get<std::int64_t>();
        }
      }
    }
    if (all_balances && v.complete) {
      v.money_conserved = v.recorded_balances + v.in_channels == *run.initial_money;
      if (!*v.money_conserved) {
        std::vector<std::size_t> named;
        for (const auto& [node, st] : s.states) named.push_back(st.event);
        for (const SnapshotChannel& c : s.channels) named.push_back(c.event);
        problem(kMoney,
                fmt::format("snapshot {}: balances {} + in channels {} = {}, but the initial total is {}",
                            s.id, v.recorded_balances, v.in_channels, v.recorded_balances + v.in_channels,
                            *run.initial_money),
                std::move(named));
      }
    }
  }
  return v;
}

// One result per snapshot property, each covering every snapshot in the trace.
void check(const Trace& trace, const trace::CausalGraph& graph, std::vector<CheckResult>& results) {
  if (!trace::has_note_key(trace, {SnapshotNote::kKey, ChannelsNote::kKey, BankNote::kKey})) return;  // none of its notes
  const SnapshotRun run = collect_snapshots(trace);
  if (run.snapshots.empty()) return;
  std::vector<SnapshotVerdict> verdicts;
  for (const SnapshotView& s : run.snapshots) verdicts.push_back(verify_snapshot(trace, graph, run, s));
  std::size_t channels = 0;
  for (const auto& [node, ins] : run.in_channels) channels += ins.size();
  const std::string n = trace::quantity(run.snapshots.size(), "snapshot");
  // A property fails with the first problem any snapshot has with it.
  auto add = [&](std::string_view check, std::string pass_detail) {
    CheckResult r{std::string(check), CheckStatus::pass, std::move(pass_detail)};
    for (const SnapshotVerdict& v : verdicts) {
      const auto p = std::find_if(v.problems.begin(), v.problems.end(),
                                  [&](const SnapshotVerdict::Problem& q) { return q.check == check; });
      if (p == v.problems.end()) continue;
      r.status = CheckStatus::fail;
      r.detail = p->text;
      r.events = p->events;
      break;
    }
    results.push_back(std::move(r));
  };
  add(kComplete, fmt::format("{}, each recorded by every node and closed on {}", n,
                             trace::quantity(channels, "channel")));
  add(kChannels, fmt::format("{}, every recorded channel exactly the messages in flight across the cut", n));
  add(kConsistent, fmt::format("{}, no message received inside a cut but sent outside it", n));
  if (run.initial_money)
    add(kMoney, fmt::format("{}, each finding the initial total of {}", n, *run.initial_money));
}

}  // namespace distlab::snapshot
