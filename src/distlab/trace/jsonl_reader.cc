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
#include "distlab/trace/binary_trace.h"
#include "distlab/trace/causality.h"

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

// Splits a stream into lines, reading it a block at a time: a line longer than the
// limit is reported once the limit is passed, so no more than the limit and a block
// are ever held, however long the line.
class LineSplitter {
 public:
  enum class Result { line, too_long, end };

  LineSplitter(std::istream& in, std::size_t limit) : in_(in), limit_(limit), block_(kReadBlockBytes) {}

  // The next line, without its '\n', in `line`.
  Result next(std::string& line) {
    line.clear();
    bool any = false;  // a last line without '\n' is still a line
    while (true) {
      if (pos_ == end_ && !refill()) return any ? Result::line : Result::end;
      any = true;
      const char* begin = block_.data() + pos_;
      const auto* newline = static_cast<const char*>(std::memchr(begin, '\n', end_ - pos_));
      const std::size_t take = newline != nullptr ? static_cast<std::size_t>(newline - begin) : end_ - pos_;
      if (line.size() + take > limit_) return Result::too_long;
      line.append(begin, take);
      pos_ += take;
      if (newline != nullptr) {
        ++pos_;
        return Result::line;
      }
    }
  }

 private:
  bool refill() {
    if (!in_) return false;
    in_.read(block_.data(), static_cast<std::streamsize>(block_.size()));
    pos_ = 0;
    end_ = static_cast<std::size_t>(in_.gcount());
    return end_ > 0;
  }

  std::istream& in_;
  std::size_t limit_;
  std::vector<char> block_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
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

// Builds the JSON value of one line from nlohmann's (iterative) SAX parser, within
// the reader's bounds: nesting depth, keys per object, and no key twice in an object.
// Keys are appended without the ordered map's linear search, so an object is built
// in time linear in its size (duplicates are found by sorting its keys once).
class BoundedBuilder {
 public:
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  explicit BoundedBuilder(const ReadLimits& limits) : limits_(limits) {}

  json& result() { return root_; }
  const std::string& problem() const { return problem_; }

  bool null() { return add(nullptr); }
  bool boolean(bool b) { return add(b); }
  bool number_integer(json::number_integer_t v) { return add(v); }
  bool number_unsigned(json::number_unsigned_t v) { return add(v); }
  bool number_float(json::number_float_t v, const string_t& /*text*/) { return add(v); }
  bool string(string_t& s) { return add(std::move(s)); }
  bool binary(binary_t& b) { return add(json::binary(std::move(b))); }
  bool start_object(std::size_t /*elements*/) { return open(json::object()); }
  bool start_array(std::size_t /*elements*/) { return open(json::array()); }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool key(string_t& k) {
    auto& members = static_cast<json::object_t::Container&>(stack_.back()->get_ref<json::object_t&>());
    if (members.size() >= limits_.object_keys) {
      return stop(fmt::format("an object has more than {} keys", limits_.object_keys));
    }
    members.emplace_back(std::move(k), nullptr);
    slot_ = &members.back().second;
    return true;
  }
  bool end_object() {
    const auto& members = stack_.back()->get_ref<const json::object_t&>();
    if (members.size() > 1) {
      std::vector<std::string_view> keys;
      keys.reserve(members.size());
      for (const auto& member : members) keys.emplace_back(member.first);
      std::sort(keys.begin(), keys.end());
      const auto twice = std::adjacent_find(keys.begin(), keys.end());
      if (twice != keys.end()) return stop(fmt::format("key \"{}\" appears twice in an object", *twice));
    }
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*token*/, const nlohmann::detail::exception&) {
    return stop("not valid JSON");
  }

 private:
  template <class V>
  json* place(V&& value) {
    if (stack_.empty()) {
      root_ = json(std::forward<V>(value));
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      auto& items = parent.get_ref<json::array_t&>();
      items.emplace_back(std::forward<V>(value));
      return &items.back();
    }
    *slot_ = json(std::forward<V>(value));
    return slot_;
  }
  template <class V>
  bool add(V&& value) {
    place(std::forward<V>(value));
    return true;
  }
  bool open(json&& container) {
    if (stack_.size() >= limits_.depth) return stop(fmt::format("nested deeper than {} levels", limits_.depth));
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool stop(std::string why) {
    if (problem_.empty()) problem_ = std::move(why);
    return false;
  }

  const ReadLimits& limits_;
  json root_;
  std::vector<json*> stack_;  // the open arrays and objects, innermost last
  json* slot_ = nullptr;      // the value of the key just read
  std::string problem_;
};

json parse_json(const LineReader& at, const std::string& text, const ReadLimits& limits) {
  BoundedBuilder builder(limits);
  if (!json::sax_parse(text, &builder)) at.fail(builder.problem().empty() ? "not valid JSON" : builder.problem());
  json& value = builder.result();
  if (!value.is_object()) at.fail("expected a JSON object");
  return std::move(value);
}

// The header's optional "network": the network faults the run applied.
std::vector<NetworkFault> parse_network(const LineReader& at, const json& list,
                                        const std::vector<NodeId>& nodes) {
  const std::string bad =
      "field \"network\" must be an array of {\"cut\": \"partition\" or \"one-way\", "
      "\"groups\": [[node ids]...], \"from_ns\": N, \"to_ns\": N (optional)}";
  if (!list.is_array() || list.size() > kMaxNetworkFaults) {
    at.fail(list.is_array() ? fmt::format("field \"network\" lists more than {} faults", kMaxNetworkFaults)
                            : bad);
  }
  std::vector<NetworkFault> out;
  for (const json& j : list) {
    if (!j.is_object() || !j.contains("cut") || !j.contains("groups") || !j.contains("from_ns")) at.fail(bad);
    NetworkFault f;
    const json& cut = j["cut"];
    if (cut != "partition" && cut != "one-way") at.fail(bad);
    f.one_way = cut == "one-way";
    const json& groups = j["groups"];
    if (!groups.is_array() || groups.size() < 2 || groups.size() > nodes.size() ||
        (f.one_way && groups.size() != 2)) {
      at.fail(bad);
    }
    for (const json& g : groups) {
      if (!g.is_array() || g.empty() || g.size() > nodes.size()) at.fail(bad);
      std::vector<NodeId> group;
      for (const json& n : g) {
        if (!n.is_number_integer() || n.get<std::int64_t>() < 0 || n.get<std::int64_t>() > UINT32_MAX ||
            !std::binary_search(nodes.begin(), nodes.end(), n.get<NodeId>())) {
          at.fail("field \"network\" names a node the header does not list");
        }
        group.push_back(n.get<NodeId>());
      }
      std::sort(group.begin(), group.end());
      f.groups.push_back(std::move(group));
    }
    auto time = [&](const char* key) {
      const json& t = j[key];
      if (!t.is_number_integer() || t.get<std::int64_t>() < 0) at.fail(bad);
      return t.get<Nanos>();
    };
    f.from_ns = time("from_ns");
    if (j.contains("to_ns")) {
      f.to_ns = time("to_ns");
      if (*f.to_ns < f.from_ns) at.fail("field \"network\" has a fault that ends before it begins");
    }
    out.push_back(std::move(f));
  }
  return out;
}

Header parse_header(const LineReader& at, const std::string& text, const ReadLimits& limits) {
  const json h = parse_json(at, text, limits);
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
  if (h.contains("network")) header.network = parse_network(at, h["network"], header.nodes);
  return header;
}

Record parse_record(const LineReader& at, const std::string& text, const Header& header,
                    const ReadLimits& limits) {
  const json e = parse_json(at, text, limits);
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
    std::vector<VectorClock::Entry> entries;
    entries.reserve(vc.size());
    for (const auto& [key, value] : vc.items()) {
      NodeId id = 0;
      auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
      if (ec != std::errc() || end != key.data() + key.size()) {
        at.fail(fmt::format("vc key \"{}\" is not a node id", key));
      }
      entries.emplace_back(id, static_cast<VectorClock::Counter>(at.integer(value, "vc", 0)));
    }
    // Set in node order: each set appends, so a clock of any size is built in n log n.
    std::sort(entries.begin(), entries.end());
    VectorClock clock;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (i > 0 && entries[i].first == entries[i - 1].first) {
        at.fail(fmt::format("field \"vc\" names node {} twice", entries[i].first));
      }
      clock.set(entries[i].first, entries[i].second);
    }
    r.vc = std::move(clock);
  }
  return r;
}

// A binary trace's lines, as LineSplitter gives a JSONL trace's.
class BinaryLines {
 public:
  BinaryLines(std::istream& in, const std::string& name, const ReadLimits& limits)
      : reader_(in, name, limits), limit_(limits.line_bytes) {}
  LineSplitter::Result next(std::string& line) {
    if (!header_given_) {
      header_given_ = true;
      line = reader_.header_line();
    } else if (!reader_.next_line(line)) {
      return LineSplitter::Result::end;
    }
    return line.size() > limit_ ? LineSplitter::Result::too_long : LineSplitter::Result::line;
  }

 private:
  BinaryTraceReader reader_;
  std::size_t limit_;
  bool header_given_ = false;
};

template <class Lines>
Trace read_lines(std::istream& in, Lines& lines, const std::string& name, const ReadLimits& limits) {
  Trace trace;
  trace.source = name;
  std::string text;
  std::size_t line = 0;
  bool have_header = false;
  std::map<NodeId, Nanos> last_t;  // per node: time never goes back
  while (true) {
    const LineSplitter::Result got = lines.next(text);
    if (got == LineSplitter::Result::end) break;
    ++line;
    const LineReader at(name, line);
    if (got == LineSplitter::Result::too_long) at.fail(fmt::format("line longer than {} bytes", limits.line_bytes));
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) {
      if (!have_header) continue;
      at.fail("empty line");
    }
    if (!have_header) {
      trace.header = parse_header(at, text, limits);
      have_header = true;
      continue;
    }
    if (trace.events.size() >= limits.events) at.fail(fmt::format("more than {} events", limits.events));
    Record r = parse_record(at, text, trace.header, limits);
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
  validate_trace(trace, limits);
  return trace;
}

}  // namespace

// A binary trace is read as the JSONL lines it stands for: the same checks, and its
// line numbers are those of its JSONL form.
Trace read_trace(std::istream& in, const std::string& name, const ReadLimits& limits) {
  if (starts_binary_trace(in)) {
    BinaryLines lines(in, name, limits);
    return read_lines(in, lines, name, limits);
  }
  LineSplitter lines(in, limits.line_bytes);
  return read_lines(in, lines, name, limits);
}

void validate_trace(const Trace& trace, const ReadLimits& limits) {
  if (trace.events.size() > limits.events) {
    throw InputError(fmt::format("{}: more than {} events", trace.source.empty() ? "trace" : trace.source, limits.events));
  }
  match_messages(trace);  // none sent twice, none received or dropped unsent, none received by another
}

class JsonLines::Splitter : public LineSplitter {
 public:
  using LineSplitter::LineSplitter;
};

JsonLines::JsonLines(std::istream& in, std::string name, const ReadLimits& limits)
    : in_(in), name_(std::move(name)), limits_(limits), lines_(std::make_unique<Splitter>(in, limits.line_bytes)) {}

JsonLines::~JsonLines() = default;

void JsonLines::fail(std::string_view why) const { LineReader(name_, line_).fail(why); }

std::optional<json> JsonLines::next() {
  std::string& text = text_;
  while (true) {
    const LineSplitter::Result got = lines_->next(text);
    if (got == LineSplitter::Result::end) {
      if (in_.bad()) throw InputError(fmt::format("{}: read error", name_));
      return std::nullopt;
    }
    ++line_;
    if (got == LineSplitter::Result::too_long) fail(fmt::format("line longer than {} bytes", limits_.line_bytes));
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    return parse_json(LineReader(name_, line_), text, limits_);
  }
}

Trace read_trace_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("cannot open trace '{}': {}", path, std::strerror(errno)));
  return read_trace(in, path);
}

}  // namespace distlab::trace
