// "Did you mean": the known word nearest a misspelt one (a flag, a command).
//
//   closest("--node", {"--nodes", "--seed"})  // "--nodes"
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace distlab::cli {

// The number of single-character insertions, deletions, substitutions and swaps of
// neighbours that turn `a` into `b` (optimal string alignment: a typo's distance).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest `word`, when it is near enough to be a slip: at most a third
// of the word's letters off (at least one), or `word` a prefix of it ("--rou" for
// "--rounds"). Ties go to the first candidate.
std::optional<std::string> closest(std::string_view word, std::span<const std::string> candidates);

}  // namespace distlab::cli
