#include "distlab/runtime/sim/spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "distlab/core/duration.h"
#include "distlab/core/error.h"

namespace distlab::sim {

void spec_error(std::string_view option, std::string_view value, std::string_view why) {
  throw InputError(fmt::format("{} {}: {}", option, value, why));
}

std::vector<std::string_view> split_spec(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

NodeId parse_node(std::string_view option, std::string_view value, std::string_view text,
                  std::span<const NodeId> ids) {
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    spec_error(option, value, fmt::format("'{}' is not a node id", text));
  }
  if (!std::binary_search(ids.begin(), ids.end(), id)) {
    spec_error(option, value, fmt::format("no node {} (nodes are {}..{})", id, ids.front(), ids.back()));
  }
  return static_cast<NodeId>(id);
}

Nanos parse_time(std::string_view option, std::string_view value, std::string_view text) {
  try {
    return parse_duration(text);
  } catch (const InputError& e) {
    spec_error(option, value, e.what());
  }
}

// "ID@TIME" in `text`, which is `value` or a part of it (errors quote all of `value`).
std::pair<NodeId, Nanos> parse_node_at(std::string_view option, std::string_view value, std::string_view text,
                                       std::span<const NodeId> ids) {
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos) spec_error(option, value, "expected ID@TIME, e.g. 2@1.5s");
  return {parse_node(option, value, text.substr(0, at), ids), parse_time(option, value, text.substr(at + 1))};
}

std::vector<NodeId> parse_group(std::string_view option, std::string_view value, std::string_view text,
                                std::span<const NodeId> ids) {
  std::vector<NodeId> group;
  for (std::string_view part : split_spec(text, ',')) group.push_back(parse_node(option, value, part, ids));
  std::sort(group.begin(), group.end());
  if (std::adjacent_find(group.begin(), group.end()) != group.end()) {
    spec_error(option, value, "a node is listed twice");
  }
  return group;
}

}  // namespace distlab::sim
