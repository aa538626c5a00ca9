// Reading the values of fault options, the way they are printed back (to_string):
// "--crash 3@1s", "--partition 1,2/3@1s..5s", "--latency uniform:1ms:20ms". Every
// error is one InputError naming the option and its whole value:
//
//   parse_node_at("--crash", "9@1s", "9@1s", ids)   // "--crash 9@1s: no node 9 (nodes are 1..5)"
#pragma once

#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "distlab/core/types.h"

namespace distlab::sim {

// Throws InputError "OPTION VALUE: WHY".
[[noreturn]] void spec_error(std::string_view option, std::string_view value, std::string_view why);

std::vector<std::string_view> split_spec(std::string_view s, char sep);

// `text` is `value` or a part of it (errors quote all of `value`); `ids` sorted.
NodeId parse_node(std::string_view option, std::string_view value, std::string_view text,
                  std::span<const NodeId> ids);
Nanos parse_time(std::string_view option, std::string_view value, std::string_view text);
// "ID@TIME".
std::pair<NodeId, Nanos> parse_node_at(std::string_view option, std::string_view value, std::string_view text,
                                       std::span<const NodeId> ids);
// "ID,ID,...": sorted, no node twice.
std::vector<NodeId> parse_group(std::string_view option, std::string_view value, std::string_view text,
                                std::span<const NodeId> ids);

}  // namespace distlab::sim
