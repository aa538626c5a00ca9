// The registry's promises that no compiler checks: every message an algorithm sends
// has a family in the diagram, and every check has a name in both languages.
#include "distlab/algo/registry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>

namespace distlab {
namespace {

TEST(RegistryTest, EveryWireMessageIsDrawnInAFamilyOfItsAlgorithm) {
  algorithms::for_each([]<class D>() {
    const std::vector<trace::MessageFamily> families = D::message_families();
    const auto drawn = [&](std::string_view type) {
      return std::any_of(families.begin(), families.end(), [&](const trace::MessageFamily& f) {
        return std::find(f.types.begin(), f.types.end(), type) != f.types.end();
      });
    };
    std::apply(
        [&](const auto&... examples) {
          auto each = [&](const auto& messages) {
            for (const auto& m : messages) EXPECT_TRUE(drawn(trace_type(m))) << D::kName << ": " << trace_type(m);
          };
          (each(examples), ...);
        },
        D::wire_examples());
  });
  // And the gathered families put each type where its algorithm said.
  const trace::DiagramHints hints = algorithms::diagram_hints();
  EXPECT_EQ(hints.families.of("coordinator").name, "election");
  EXPECT_EQ(hints.families.of("request").name, "mutex");
  EXPECT_EQ(hints.families.of("no such type").name, "other");
}

TEST(RegistryTest, FamiliesAndSpansHaveCssSafeNames) {
  const auto css_safe = [](std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
  };
  const trace::DiagramHints hints = algorithms::diagram_hints();
  for (const trace::MessageFamily& f : hints.families.all()) EXPECT_TRUE(css_safe(f.name)) << f.name;
  for (const trace::LaneSpan& s : hints.spans) {
    EXPECT_TRUE(css_safe(s.name)) << s.name;
    EXPECT_TRUE(css_safe(s.group)) << s.group;
  }
}

TEST(RegistryTest, CheckNamesAreUniqueAndSayItInBothLanguages) {
  std::set<std::string> ids;
  for (const trace::CheckName& n : trace::kGenericCheckNames) ids.insert(std::string(n.id));
  algorithms::for_each([&]<class D>() {
    for (const trace::CheckName& n : D::kCheckNames) {
      EXPECT_TRUE(ids.insert(std::string(n.id)).second) << D::kName << " names " << n.id << " again";
      EXPECT_FALSE(n.en.empty()) << n.id;
      EXPECT_FALSE(n.pt.empty()) << n.id;
      EXPECT_EQ(algorithms::check_name(n.id), &n);
    }
    // An algorithm with checkers names what they judge.
    EXPECT_EQ(D::kCheckers.empty(), D::kCheckNames.empty()) << D::kName;
  });
  EXPECT_EQ(algorithms::check_name("no_such_check"), nullptr);
}

TEST(RegistryTest, BugNamesAreUniqueKebabCaseAndSummarized) {
  algorithms::for_each([]<class D>() {
    std::set<std::string_view> seen;
    for (const algorithms::Bug& bug : D::kBugs) {
      EXPECT_TRUE(algorithms::is_kebab_case(bug.name)) << D::kName << ": '" << bug.name << "'";
      EXPECT_TRUE(seen.insert(bug.name).second) << D::kName << ": '" << bug.name << "' twice";
      EXPECT_FALSE(bug.summary.empty()) << D::kName << ": " << bug.name;
    }
  });
  EXPECT_TRUE(algorithms::is_kebab_case("reply-in-cs"));
  EXPECT_FALSE(algorithms::is_kebab_case("Reply-in-cs"));
  EXPECT_FALSE(algorithms::is_kebab_case("reply--in"));
  EXPECT_FALSE(algorithms::is_kebab_case("-reply"));
  EXPECT_FALSE(algorithms::is_kebab_case("reply_in_cs"));
  EXPECT_FALSE(algorithms::is_kebab_case(""));
}

TEST(RegistryTest, NamesAreTheCommandsNames) {
  const auto names = algorithms::names();
  EXPECT_EQ(std::vector<std::string_view>(names.begin(), names.end()),
            (std::vector<std::string_view>{"lamport", "snapshot", "bully", "heartbeat", "ricart"}));
}

}  // namespace
}  // namespace distlab
