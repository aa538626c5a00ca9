// How two logical timestamps relate: the answer of `compare` for both clock types.
#pragma once

#include <string_view>

namespace distlab {

enum class Order { before, after, concurrent, equal };

constexpr std::string_view to_string(Order order) {
  switch (order) {
    case Order::before: return "before";
    case Order::after: return "after";
    case Order::concurrent: return "concurrent";
    case Order::equal: return "equal";
  }
  return "?";
}

}  // namespace distlab
