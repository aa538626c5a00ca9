#include "distlab/algo/snapshot/notes.h"

#include "distlab/trace/note_fields.h"

namespace distlab::snapshot {

nlohmann::ordered_json SnapshotNote::to_json() const {
  nlohmann::ordered_json data{{kKey, id}};
  if (initiated) data["initiated"] = true;
  if (recorded) data["recorded"] = *recorded;
  if (channel) {
    data["channel"] = channel->from;
    data["messages"] = channel->messages.value_or(std::vector<std::string>{});
    if (channel->incomplete) data["incomplete"] = true;
    if (channel->end) data["end"] = true;
  }
  return data;
}

std::optional<SnapshotNote> SnapshotNote::from_json(const nlohmann::ordered_json& data, std::string* problem) {
  if (!data.is_object()) return std::nullopt;
  const auto id = data.find(kKey);
  if (id == data.end()) return std::nullopt;
  std::string first_problem;
  auto wrong = [&](const char* why) {
    if (first_problem.empty()) first_problem = why;
  };
  auto flag = [&](const char* key) {
    const auto it = data.find(key);
    return it != data.end() && it->is_boolean() && it->get<bool>();
  };
  SnapshotNote note;
  if (id->is_string()) {
    note.id = id->get<std::string>();
  } else {
    note.id = id->dump();
    wrong("\"snapshot\" must be a snapshot id string");
  }
  note.initiated = flag("initiated");
  if (const auto recorded = data.find("recorded"); recorded != data.end()) note.recorded = *recorded;
  if (const auto from = data.find("channel"); from != data.end()) {
    note.channel = Channel{};
    Channel& c = *note.channel;
    if (const auto id = trace::note_node_id(*from)) {
      c.from = *id;
    } else {
      if (from->is_number_integer()) c.from = from->get<NodeId>();
      wrong("\"channel\" must be a node id");
    }
    c.incomplete = flag("incomplete");
    c.end = flag("end");
    const auto messages = data.find("messages");
    if (messages == data.end() || !messages->is_array()) {
      wrong("a recorded channel needs \"messages\"");
    } else {
      c.messages.emplace();
      for (const auto& m : *messages) {
        if (!m.is_string()) wrong("\"messages\" must hold message ids");
        c.messages->push_back(m.is_string() ? m.get<std::string>() : m.dump());
      }
    }
  }
  if (problem) *problem = std::move(first_problem);
  return note;
}

nlohmann::ordered_json ChannelsNote::to_json() const { return {{kKey, {{"in", in}, {"out", out}}}}; }

std::optional<ChannelsNote> ChannelsNote::from_json(const nlohmann::ordered_json& data, std::string* problem) {
  if (!data.is_object()) return std::nullopt;
  const auto c = data.find(kKey);
  if (c == data.end()) return std::nullopt;
  std::string first_problem;
  ChannelsNote note;
  auto read = [&](const char* key, std::vector<NodeId>& into) {
    const auto list = c->is_object() ? c->find(key) : c->end();
    if (list == c->end() || !list->is_array()) return false;
    for (const auto& from : *list) {
      const auto id = trace::note_node_id(from);
      if (!id && first_problem.empty()) first_problem = "a channel's source must be a node id";
      if (id) into.push_back(*id);
    }
    return true;
  };
  if (!read("in", note.in)) first_problem = "\"channels\" needs an \"in\" list";
  read("out", note.out);
  if (problem) *problem = std::move(first_problem);
  return note;
}

nlohmann::ordered_json BankNote::to_json() const { return {{kKey, {{"initial_balance", initial_balance}}}}; }

std::optional<BankNote> BankNote::from_json(const nlohmann::ordered_json& data, std::string* problem) {
  if (!data.is_object()) return std::nullopt;
  const auto b = data.find(kKey);
  if (b == data.end()) return std::nullopt;
  BankNote note;
  const auto balance = b->is_object() ? b->find("initial_balance") : b->end();
  const bool ok = balance != b->end() && balance->is_number_integer();
  if (ok) note.initial_balance = balance->get<std::int64_t>();
  if (problem) *problem = ok ? "" : "\"bank\" needs an integer \"initial_balance\"";
  return note;
}

}  // namespace distlab::snapshot
