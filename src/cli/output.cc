#include "cli/output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "cli/real/launch_command.h"
#include "cli/report.h"
#include "distlab/algo/registry.h"
#include "distlab/trace/jsonl_reader.h"

namespace distlab::cli {

void print_error(std::string_view line) noexcept {
  std::fflush(stdout);
  std::string text = "distlab: ";
  text.append(line);
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
  std::clearerr(stderr);
}

std::string trace_bounds_help() {
  return wrapped(fmt::format("Traces are read within bounds, or refused with exit 2: lines of at most {} MiB, "
                             "nesting of at most {} levels, at most {} keys per object and {} events.",
                             trace::kMaxLineBytes >> 20, trace::kMaxDepth, trace::kMaxObjectKeys,
                             trace::kMaxTraceEvents));
}

namespace {

// Property names as people read them (each algorithm names its own checks in its
// descriptor); the JSON keeps the identifiers.
std::string_view check_name(std::string_view id, Lang lang) {
  const trace::CheckName* name = id == kProcessesCheck.id ? &kProcessesCheck : algorithms::check_name(id);
  if (name == nullptr) return id;
  return lang == Lang::pt ? name->pt : name->en;
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
    // The checkers explain themselves in English, in either language: what a pass
    // covered is as worth reading as what a failure names.
    fmt::print("{} {}: {}{}\n", title, check_name(check.name, lang), status_word(check.status, lang),
               check.detail.empty() ? "" : fmt::format(" ({})", check.detail));
  }
}

std::string counted(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string wrapped(std::string text, std::size_t columns) {
  std::size_t line = 0;  // where the current line starts
  while (text.size() - line > columns) {
    const std::size_t space = text.rfind(' ', line + columns);
    const std::size_t at = space == std::string::npos || space < line ? text.find(' ', line + columns) : space;
    if (at == std::string::npos) break;
    text[at] = '\n';
    line = at + 1;
  }
  return text;
}

std::vector<trace::CheckResult> run_checks(const trace::Trace& trace, const ReportSettings& settings) {
  std::vector<trace::CheckResult> checks = algorithms::check_trace(trace);
  checks.insert(checks.end(), settings.extra_checks.begin(), settings.extra_checks.end());
  return checks;
}

nlohmann::ordered_json checks_json(const std::vector<trace::CheckResult>& checks) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& check : checks) out[check.name] = to_string(check.status);
  return out;
}

void add_checks_json(nlohmann::ordered_json& out, const std::vector<trace::CheckResult>& checks) {
  out["checks"] = checks_json(checks);
  if (trace::all_passed(checks)) return;
  auto& failures = out["failures"] = nlohmann::ordered_json::object();
  for (const auto& check : checks) {
    if (check.status == trace::CheckStatus::fail) failures[check.name] = check.detail;
  }
}

std::string python_repr(const nlohmann::ordered_json& value) {
  auto quote = [](const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("\\'") : c == '\\' ? std::string("\\\\") : std::string(1, c);
    return out + "'";
  };
  if (value.is_string()) return quote(value.get<std::string>());
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  if (value.is_null()) return "None";
  if (value.is_array()) {
    std::string out = "[";
    for (const auto& v : value) out += (out.size() > 1 ? ", " : "") + python_repr(v);
    return out + "]";
  }
  if (value.is_object()) {
    std::string out = "{";
    for (const auto& [key, v] : value.items()) {
      const bool number = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
      out += (out.size() > 1 ? ", " : "") + (number ? key : quote(key)) + ": " + python_repr(v);
    }
    return out + "}";
  }
  return value.dump();
}

std::string narrative_text(std::string_view text, std::optional<Nanos> t) {
  if (!t) return std::string(text);
  const std::string stamp = fmt::format("{:>4}.{:06}s  ", *t / kSecond, *t % kSecond / kMicrosecond);
  std::string out;
  std::size_t from = 0;
  while (from < text.size()) {
    const std::size_t end = std::min(text.find('\n', from), text.size());
    if (end > from) out += stamp;
    out += text.substr(from, end - from);
    if (end < text.size()) out += '\n';
    from = end + 1;
  }
  return out;
}

void print_narrative(std::string_view text, std::optional<Nanos> t) {
  fmt::print("{}", narrative_text(text, t));
}

NetworkNarrator::NetworkNarrator(const trace::Trace& trace, Lang lang, bool timestamps)
    : trace_(trace), lang_(lang), timestamps_(timestamps) {
  const auto& faults = trace.header.network;
  for (std::size_t i = 0; i < faults.size(); ++i) {
    moments_.push_back({faults[i].from_ns, i, false});
    if (faults[i].to_ns) moments_.push_back({*faults[i].to_ns, i, true});
  }
  std::stable_sort(moments_.begin(), moments_.end(), [](const Moment& a, const Moment& b) {
    return std::pair(a.t, !a.heals) < std::pair(b.t, !b.heals);
  });
  for (const trace::Record& r : trace.events) {
    end_ = std::max(end_, r.t);
    if (!moments_.empty() && r.kind == EventKind::drop && r.label == "partition") lost_at_.push_back(r.t);
  }
  std::sort(lost_at_.begin(), lost_at_.end());
}

std::string NetworkNarrator::line(const Moment& m) const {
  const trace::NetworkFault& f = trace_.header.network[m.fault];
  const std::string sides = trace::network_sides(f);
  const bool pt = lang_ == Lang::pt;
  if (!m.heals) {
    if (f.one_way) {
      return fmt::format(
          fmt::runtime(pt ? "Corte de mão única na rede: mensagens {} se perdem; as respostas passam.\n"
                          : "The network cuts one way: messages {} are lost; replies pass.\n"),
          sides);
    }
    return fmt::format(fmt::runtime(pt ? "A rede se divide: {}; mensagens entre os lados se perdem.\n"
                                       : "The network splits: {}; messages across are lost.\n"),
                       sides);
  }
  // The messages the fault cost, told when it heals.
  const auto lost = static_cast<std::size_t>(std::lower_bound(lost_at_.begin(), lost_at_.end(), m.t) -
                                             std::lower_bound(lost_at_.begin(), lost_at_.end(), f.from_ns));
  const std::string cost = pt ? counted(lost, "mensagem perdida", "mensagens perdidas")
                              : trace::quantity(lost, "message") + " lost";
  if (f.one_way) {
    return fmt::format(
        fmt::runtime(pt ? "O corte de mão única {} termina ({}).\n" : "The one-way cut {} heals ({}).\n"),
        sides, cost);
  }
  return fmt::format(fmt::runtime(pt ? "A rede se recompõe: {} voltam a se falar ({}).\n"
                                     : "The network heals: {} talk again ({}).\n"),
                     sides, cost);
}

void NetworkNarrator::before(Nanos t) {
  for (; next_ < moments_.size() && moments_[next_].t <= t; ++next_) {
    print_narrative(line(moments_[next_]),
                    timestamps_ ? std::optional<Nanos>(moments_[next_].t) : std::nullopt);
  }
}

void NetworkNarrator::finish() { before(end_); }

std::string NetworkNarrator::lines(const trace::Trace& trace, Lang lang) {
  const NetworkNarrator n(trace, lang, false);
  std::string out;
  for (const Moment& m : n.moments_) {
    if (m.t <= n.end_) out += n.line(m);
  }
  return out;
}

ReportSettings report_settings(const CommonOptions& common, std::uint64_t seed, std::string replay) {
  return {.lang = common.lang,
          .quiet = common.quiet,
          .json = common.json,
          .seed = seed,
          .replay = std::move(replay),
          .timestamps = common.timestamps};
}

void print_replay_line(const ReportSettings& s) {
  if (!s.bug.empty())
    fmt::print("{}: {}\n", s.lang == Lang::pt ? "Erro proposital" : "Bug on purpose", s.bug);
  if (s.replay.empty()) return;
  if (s.lang == Lang::pt) {
    fmt::print("Semente {}. Para repetir: {}\n", s.seed, s.replay);
  } else {
    fmt::print("Seed {}. Replay: {}\n", s.seed, s.replay);
  }
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
