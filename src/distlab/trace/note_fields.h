// Reading the fields of algorithms' trace notes (state events' data), whichever
// algorithm wrote them: a damaged or foreign note is read as far as it goes. And an
// object to write a note into, key by key.
//
//   const std::optional<NodeId> leader = note_node_id(data["leader"]);
//   const Nanos timeout = note_nanos(data["monitor"], "timeout_ns");
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "distlab/core/types.h"

namespace distlab::trace {

// A node id: a non-negative integer that fits NodeId (a parsed trace's ids are
// unsigned; a note built in memory may hold a signed one); nullopt for anything else.
inline std::optional<NodeId> note_node_id(const nlohmann::ordered_json& value) {
  if (!value.is_number_integer()) return std::nullopt;
  const auto id = value.get<std::int64_t>();
  if (id < 0 || id > std::numeric_limits<NodeId>::max()) return std::nullopt;
  return static_cast<NodeId>(id);
}

// An empty object with room for `keys` members: a note filled key by key does not
// regrow (nodes write notes at every start, election and change of leader, and an
// initializer list builds each pair as a JSON array first).
inline nlohmann::ordered_json note_object(std::size_t keys) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out.get_ref<nlohmann::ordered_json::object_t&>().reserve(keys);
  return out;
}

// A duration in nanoseconds at `key` of an object; 0 when absent or not an integer.
inline Nanos note_nanos(const nlohmann::ordered_json& object, const char* key) {
  if (!object.is_object()) return 0;
  const auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<Nanos>() : 0;
}

}  // namespace distlab::trace
