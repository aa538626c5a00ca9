// A classic mistake an algorithm can be run with on purpose (`--bug NAME`), so that a
// teacher can show its checkers catching it. Each descriptor lists its bugs as data
// (kBugs); the node's options hold the chosen one as an enum whose values follow
// kBugs in order after `none`, and the node checks it at the one place the mistake
// lives.
//
//   static constexpr std::array<algorithms::Bug, 1> kBugs{{{"reply-in-cs", "..."}}};
//   options.bug = algorithms::bug_named<ricart::Bug>(kBugs, "reply-in-cs");  // Bug::reply_in_cs
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace distlab::algorithms {

struct Bug {
  std::string_view name;     // short kebab-case, what `--bug` takes
  std::string_view summary;  // what it gets wrong, one sentence for the help and the report
};

// The bug called `name` in `bugs`, or nullptr (also for an empty name: no bug).
inline const Bug* find_bug(std::span<const Bug> bugs, std::string_view name) {
  for (const Bug& bug : bugs) {
    if (bug.name == name) return &bug;
  }
  return nullptr;
}

// The enum value of the bug called `name`: E::none for an empty or unknown name (the
// command refuses unknown names when it parses them), else the value at its place in
// `bugs` (the enum lists `none`, then the bugs in kBugs order).
template <class E>
E bug_named(std::span<const Bug> bugs, std::string_view name) {
  for (std::size_t i = 0; i < bugs.size(); ++i) {
    if (bugs[i].name == name) return static_cast<E>(i + 1);
  }
  return E{};
}

// Short kebab-case: lower-case letters and digits in words joined by single hyphens.
constexpr bool is_kebab_case(std::string_view name) {
  if (name.empty() || name.front() == '-' || name.back() == '-') return false;
  char previous = 0;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && previous != '-');
    if (!ok) return false;
    previous = c;
  }
  return true;
}

}  // namespace distlab::algorithms
