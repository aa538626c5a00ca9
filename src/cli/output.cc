#include "cli/output.h"

#include <fmt/format.h>

namespace distlab::cli {
namespace {

std::string_view check_name(std::string_view name, Lang lang) {
  if (lang == Lang::en) {
    if (name == "clock_condition") return "clock condition";
    if (name == "vector_clocks") return "vector clocks";
    return name;
  }
  if (name == "causality") return "causalidade";
  if (name == "clock_condition") return "condição do relógio";
  if (name == "vector_clocks") return "relógios vetoriais";
  return name;
}

std::string_view status_word(trace::CheckStatus status, Lang lang) {
  switch (status) {
    case trace::CheckStatus::pass: return lang == Lang::pt ? "ok" : "pass";
    case trace::CheckStatus::fail: return lang == Lang::pt ? "FALHOU" : "FAIL";
    case trace::CheckStatus::skipped: return lang == Lang::pt ? "não verificado" : "skipped";
  }
  return "?";
}

}  // namespace

void print_checks(const std::vector<trace::CheckResult>& checks, Lang lang) {
  const std::string_view title = lang == Lang::pt ? "Verificação" : "Check";
  for (const auto& check : checks) {
    // The checkers explain themselves in English; in Portuguese only a failure's
    // explanation is shown, since it names the events at fault.
    const bool explain = lang == Lang::en || check.status != trace::CheckStatus::pass;
    fmt::print("{} {}: {}{}\n", title, check_name(check.name, lang), status_word(check.status, lang),
               explain ? fmt::format(" ({})", check.detail) : "");
  }
}

nlohmann::ordered_json checks_json(const std::vector<trace::CheckResult>& checks) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& check : checks) out[check.name] = to_string(check.status);
  return out;
}

void print_replay(const CommonOptions& common, std::uint64_t seed, std::span<const std::string> args) {
  const std::string command = replay_command(args, seed);
  if (common.lang == Lang::pt) {
    fmt::print("Semente {}. Para repetir: {}\n", seed, command);
  } else {
    fmt::print("Seed {}. Replay: {}\n", seed, command);
  }
}

}  // namespace distlab::cli
