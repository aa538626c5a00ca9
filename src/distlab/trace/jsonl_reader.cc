#include "distlab/trace/jsonl_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include "distlab/core/error.h"

namespace distlab::trace {
namespace {

using json = nlohmann::ordered_json;

class LineReader {
 public:
  LineReader(const std::string& name, std::size_t line) : name_(name), line_(line) {}

  [[noreturn]] void fail(std::string_view why) const {
    throw InputError(fmt::format("{}:{}: {}", name_, line_, why));
  }

  const json& field(const json& object, const char* key) const {
    auto it = object.find(key);
    if (it == object.end()) fail(fmt::format("missing field \"{}\"", key));
    return *it;
  }

  std::int64_t integer(const json& value, const char* key, std::int64_t min) const {
    if (!value.is_number_integer()) fail(fmt::format("field \"{}\" must be an integer", key));
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      fail(fmt::format("field \"{}\" is too large", key));
    }
    const auto v = value.get<std::int64_t>();
    if (v < min) fail(fmt::format("field \"{}\" must be at least {}, got {}", key, min, v));
    return v;
  }

  std::int64_t integer_field(const json& object, const char* key, std::int64_t min) const {
    return integer(field(object, key), key, min);
  }

  NodeId node_id(const json& object, const char* key) const {
    const std::int64_t v = integer_field(object, key, 0);
    if (v > UINT32_MAX) fail(fmt::format("field \"{}\" is not a node id: {}", key, v));
    return static_cast<NodeId>(v);
  }

  std::string string_field(const json& object, const char* key) const {
    const json& value = field(object, key);
    if (!value.is_string()) fail(fmt::format("field \"{}\" must be a string", key));
    return value.get<std::string>();
  }

 private:
  const std::string& name_;
  std::size_t line_;
};

std::optional<EventKind> parse_kind(std::string_view s) {
  for (auto kind : {EventKind::local, EventKind::send, EventKind::recv, EventKind::drop,
                    EventKind::timer, EventKind::crash, EventKind::recover, EventKind::state}) {
    if (to_string(kind) == s) return kind;
  }
  return std::nullopt;
}

bool known_reason(std::string_view s) {
  for (auto r : {DropReason::loss, DropReason::partition, DropReason::crashed, DropReason::malformed,
                 DropReason::auth}) {
    if (to_string(r) == s) return true;
  }
  return false;
}

json parse_json(const LineReader& at, const std::string& text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) at.fail("not valid JSON");
  if (!value.is_object()) at.fail("expected a JSON object");
  return value;
}

Header parse_header(const LineReader& at, const std::string& text) {
  const json h = parse_json(at, text);
  if (!h.contains("format") || h["format"] != kTraceFormat) {
    at.fail(fmt::format("not a distlab trace (the first line must have \"format\":\"{}\")", kTraceFormat));
  }
  const std::int64_t version = at.integer_field(h, "version", 0);
  if (version != kTraceVersion) {
    at.fail(fmt::format("unsupported trace version {} (this distlab reads version {})", version,
                        kTraceVersion));
  }
  Header header;
  header.algorithm = at.string_field(h, "algorithm");
  header.mode = at.string_field(h, "mode");
  if (header.mode != "sim" && header.mode != "real") at.fail("field \"mode\" must be \"sim\" or \"real\"");
  const json& seed = at.field(h, "seed");
  if (!seed.is_number_integer() || (!seed.is_number_unsigned() && seed.get<std::int64_t>() < 0)) {
    at.fail("field \"seed\" must be a non-negative integer");
  }
  header.seed = seed.get<std::uint64_t>();
  const json& nodes = at.field(h, "nodes");
  if (!nodes.is_array() || nodes.empty()) at.fail("field \"nodes\" must be a non-empty array of node ids");
  for (const json& n : nodes) {
    if (!n.is_number_integer() || n.get<std::int64_t>() < 0 || n.get<std::int64_t>() > UINT32_MAX) {
      at.fail("field \"nodes\" must hold node ids (non-negative integers)");
    }
    header.nodes.push_back(n.get<NodeId>());
  }
  std::sort(header.nodes.begin(), header.nodes.end());
  if (std::adjacent_find(header.nodes.begin(), header.nodes.end()) != header.nodes.end()) {
    at.fail("field \"nodes\" lists a node twice");
  }
  if (at.string_field(h, "time_unit") != "ns") at.fail("field \"time_unit\" must be \"ns\"");
  return header;
}

Record parse_record(const LineReader& at, const std::string& text, const Header& header) {
  const json e = parse_json(at, text);
  Record r;
  r.t = at.integer_field(e, "t", 0);
  r.node = at.node_id(e, "node");
  if (!std::binary_search(header.nodes.begin(), header.nodes.end(), r.node)) {
    at.fail(fmt::format("node {} is not listed in the header", r.node));
  }
  const std::string kind = at.string_field(e, "kind");
  const auto parsed = parse_kind(kind);
  if (!parsed) at.fail(fmt::format("unknown event kind \"{}\"", kind));
  r.kind = *parsed;
  switch (r.kind) {
    case EventKind::send:
    case EventKind::drop:
    case EventKind::recv:
      r.msg = at.string_field(e, "msg");
      if (r.msg.empty()) at.fail("field \"msg\" must not be empty");
      r.peer = at.node_id(e, r.kind == EventKind::recv ? "from" : "to");
      if (!std::binary_search(header.nodes.begin(), header.nodes.end(), r.peer)) {
        at.fail(fmt::format("node {} is not listed in the header", r.peer));
      }
      r.type = at.string_field(e, "type");
      if (r.kind == EventKind::drop) {
        r.label = at.string_field(e, "reason");
        if (!known_reason(r.label)) at.fail(fmt::format("unknown drop reason \"{}\"", r.label));
      }
      if (r.kind == EventKind::send && e.contains("body")) r.data = e["body"];
      break;
    case EventKind::local:
      if (e.contains("label")) r.label = at.string_field(e, "label");
      break;
    case EventKind::timer: {
      const json& tag = at.field(e, "tag");
      if (tag.is_string()) {
        r.label = tag.get<std::string>();
      } else if (tag.is_number_integer()) {
        r.label = tag.dump();
      } else {
        at.fail("field \"tag\" must be a string or an integer");
      }
      break;
    }
    case EventKind::state:
      r.data = at.field(e, "data");
      if (!r.data.is_object()) at.fail("field \"data\" must be an object");
      break;
    case EventKind::crash:
    case EventKind::recover: break;
  }
  if (e.contains("lamport")) r.lamport = at.integer_field(e, "lamport", 0);
  if (e.contains("vc")) {
    const json& vc = e["vc"];
    if (!vc.is_object()) at.fail("field \"vc\" must be an object of node id to counter");
    VectorClock clock;
    for (const auto& [key, value] : vc.items()) {
      NodeId id = 0;
      auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
      if (ec != std::errc() || end != key.data() + key.size()) {
        at.fail(fmt::format("vc key \"{}\" is not a node id", key));
      }
      clock.set(id, static_cast<VectorClock::Counter>(at.integer(value, "vc", 0)));
    }
    r.vc = std::move(clock);
  }
  return r;
}

}  // namespace

Trace read_trace(std::istream& in, const std::string& name) {
  Trace trace;
  trace.source = name;
  std::string text;
  std::size_t line = 0;
  bool have_header = false;
  std::map<NodeId, Nanos> last_t;  // per node: time never goes back
  while (std::getline(in, text)) {
    ++line;
    const LineReader at(name, line);
    if (text.size() > kMaxLineBytes) at.fail(fmt::format("line longer than {} bytes", kMaxLineBytes));
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) {
      if (!have_header) continue;
      at.fail("empty line");
    }
    if (!have_header) {
      trace.header = parse_header(at, text);
      have_header = true;
      continue;
    }
    Record r = parse_record(at, text, trace.header);
    r.line = line;
    auto [it, inserted] = last_t.try_emplace(r.node, r.t);
    if (!inserted) {
      if (r.t < it->second) {
        at.fail(fmt::format("time goes back at node {} ({} after {})", r.node, r.t, it->second));
      }
      it->second = r.t;
    }
    trace.events.push_back(std::move(r));
  }
  if (in.bad()) throw InputError(fmt::format("{}: read error", name));
  if (!have_header) throw InputError(fmt::format("{}: empty trace (no header line)", name));
  return trace;
}

Trace read_trace_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("cannot open trace '{}': {}", path, std::strerror(errno)));
  return read_trace(in, path);
}

}  // namespace distlab::trace
