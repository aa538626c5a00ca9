// What an algorithm's exploration model reports (harness/explore/explorer.h): a state
// that breaks one of its properties, named as its trace checker names it.
//
//   template <class View>
//   std::optional<explore::Violation> safety(const View& v) const {
//     if (leaders(v) > 1) return explore::Violation{"single_leader", "nodes 2 and 3 both lead"};
//     return std::nullopt;
//   }
//
// A View is the explorer's state: size(), id(i), up(i), node(i), now(), faults(),
// crashes(), in_flight().
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace distlab::explore {

struct Violation {
  std::string_view check;  // a check id of the algorithm's descriptor (kCheckNames)
  std::string detail;      // what is wrong, one line
};

// The note a counterexample's trace ends with, on the lane of the step that broke the
// property: {"violation":{"check":C,"detail":D}}. Diagrams mark it (algo/registry.cc).
struct ViolationNote {
  static constexpr const char* kKey = "violation";
  std::string check;
  std::string detail;
  nlohmann::ordered_json to_json() const { return {{kKey, {{"check", check}, {"detail", detail}}}}; }
  static std::optional<ViolationNote> from_json(const nlohmann::ordered_json& data) {
    if (!data.is_object()) return std::nullopt;
    const auto it = data.find(kKey);
    if (it == data.end() || !it->is_object()) return std::nullopt;
    const auto check = it->find("check");
    const auto detail = it->find("detail");
    if (check == it->end() || !check->is_string()) return std::nullopt;
    return ViolationNote{check->get<std::string>(), detail != it->end() && detail->is_string()
                                                        ? detail->get<std::string>()
                                                        : std::string()};
  }
};

}  // namespace distlab::explore
