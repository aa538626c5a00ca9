#include "cli/suggest.h"

#include <algorithm>
#include <vector>

namespace distlab::cli {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // d[i][j]: the distance from a[0, i) to b[0, j), in three rows (two back, for swaps).
  const std::size_t w = b.size() + 1;
  std::vector<std::size_t> d(3 * w);
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[(i % 3) * w + j]; };
  for (std::size_t i = 0; i <= a.size(); ++i) {
    for (std::size_t j = 0; j <= b.size(); ++j) {
      if (i == 0 || j == 0) {
        at(i, j) = i + j;
        continue;
      }
      std::size_t best = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) best = std::min(best, at(i - 2, j - 2) + 1);
      at(i, j) = best;
    }
  }
  return at(a.size(), b.size());
}

std::optional<std::string> closest(std::string_view word, std::span<const std::string> candidates) {
  // Letters only: "--" is common to every flag and says nothing.
  const std::string_view letters = word.substr(std::min(word.find_first_not_of('-'), word.size()));
  if (letters.empty()) return std::nullopt;
  const std::size_t bound = std::max<std::size_t>(1, letters.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = bound + 1;
  for (const std::string& c : candidates) {
    if (c == word) continue;
    const std::size_t d = c.starts_with(word) && letters.size() >= 2 ? 0 : edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace distlab::cli
