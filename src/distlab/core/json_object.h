// Building a large JSON object in order without a walk per key. nlohmann's
// ordered_json finds a key by comparing it with every key before it, so an object
// built with operator[] costs n²/2 string comparisons: a snapshot of a 300-node
// complete topology lists 89,700 channels, and listing them that way took longer than
// the run.
//
//   nlohmann::ordered_json out = nlohmann::ordered_json::object();
//   for (const auto& [node, counter] : entries) append_key(out, std::to_string(node), counter);
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "distlab/core/assert.h"

namespace distlab {

// Adds `key` at the end of `object`, which must not hold it yet (the caller's keys are
// distinct: a map's, or sorted ones it has compared with the last).
inline void append_key(nlohmann::ordered_json& object, std::string key, nlohmann::ordered_json value) {
  DISTLAB_ASSERT(object.is_object(), "append_key needs an object");
  auto& map = object.get_ref<nlohmann::ordered_json::object_t&>();
  // The vector beneath the map: push without the map's search for the key.
  static_cast<nlohmann::ordered_json::object_t::Container&>(map).emplace_back(std::move(key), std::move(value));
}

}  // namespace distlab
