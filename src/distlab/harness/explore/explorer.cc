#include "distlab/harness/explore/explorer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>

#include "distlab/core/error.h"

namespace distlab::explore {

namespace {

constexpr std::size_t kMaxScheduleSteps = 1'000'000;

std::string_view kind_word(ChoiceKind kind) {
  return kind == ChoiceKind::duplicate ? "dup" : to_string(kind);
}

std::optional<std::uint64_t> whole(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<NodeId> node_id(std::string_view text) {
  const auto v = whole(text);
  if (!v || *v > UINT32_MAX) return std::nullopt;
  return static_cast<NodeId>(*v);
}

std::optional<MsgId> msg_id(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto sender = node_id(text.substr(0, dot));
  const auto seq = whole(text.substr(dot + 1));
  if (!sender || !seq) return std::nullopt;
  return MsgId{*sender, *seq};
}

Wanted parse_step(std::string_view token);

// A step, with the random stream it drew from after '#' when not the first.
Wanted parse_token(std::string_view token) {
  const auto hash = token.rfind('#');
  if (hash == std::string_view::npos) return parse_step(token);
  const auto draw = whole(token.substr(hash + 1));
  if (!draw || *draw == 0 || *draw >= kMaxDraws) {
    throw InputError(fmt::format("schedule: bad step '{}': after '#' comes a random stream from 1 to {}",
                                 token.substr(0, 80), kMaxDraws - 1));
  }
  Wanted w = parse_step(token.substr(0, hash));
  w.draw = static_cast<std::uint32_t>(*draw);
  return w;
}

Wanted parse_step(std::string_view token) {
  const auto bad = [&](std::string_view why) {
    return InputError(
        fmt::format("schedule: bad step '{}': {} (steps look like deliver:3.7, fire:3:leader_timeout, "
                    "crash:2, recover:2, lose:3.7, dup:3.7)",
                    token.substr(0, 80), why));
  };
  const auto colon = token.find(':');
  if (colon == std::string_view::npos) throw bad("no ':'");
  const std::string_view word = token.substr(0, colon);
  const std::string_view rest = token.substr(colon + 1);
  for (ChoiceKind kind : {ChoiceKind::deliver, ChoiceKind::lose, ChoiceKind::duplicate}) {
    if (word != kind_word(kind)) continue;
    const auto id = msg_id(rest);
    if (!id) throw bad("expected a message id SENDER.SEQ");
    return Wanted{.kind = kind, .msg = *id};
  }
  for (ChoiceKind kind : {ChoiceKind::crash, ChoiceKind::recover}) {
    if (word != kind_word(kind)) continue;
    const auto id = node_id(rest);
    if (!id) throw bad("expected a node id");
    return Wanted{.kind = kind, .node = *id};
  }
  if (word == kind_word(ChoiceKind::fire)) {
    const auto second = rest.find(':');
    const auto id = node_id(rest.substr(0, second));
    if (second == std::string_view::npos || !id || second + 1 == rest.size())
      throw bad("expected NODE:TIMER");
    return Wanted{.kind = ChoiceKind::fire, .node = *id, .timer = std::string(rest.substr(second + 1))};
  }
  throw bad("unknown step kind");
}

}  // namespace

// A step's token without its random stream.
static std::string step_token(const Wanted& w);

std::string_view to_string(ChoiceKind kind) {
  switch (kind) {
    case ChoiceKind::deliver: return "deliver";
    case ChoiceKind::fire: return "fire";
    case ChoiceKind::crash: return "crash";
    case ChoiceKind::recover: return "recover";
    case ChoiceKind::lose: return "lose";
    case ChoiceKind::duplicate: return "duplicate";
  }
  return "?";
}

std::string_view to_string(Stop stop) {
  switch (stop) {
    case Stop::complete: return "complete";
    case Stop::depth: return "depth";
    case Stop::states: return "states";
    case Stop::time: return "time";
    case Stop::memory: return "memory";
    case Stop::violation: return "violation";
  }
  return "?";
}

std::string Step::token() const {
  return explore::token(Wanted{.kind = kind, .node = node, .msg = msg, .timer = what, .draw = draw});
}

std::string token(const Wanted& w) {
  std::string out = step_token(w);
  if (w.draw != 0) out += fmt::format("#{}", w.draw);
  return out;
}

static std::string step_token(const Wanted& w) {
  switch (w.kind) {
    case ChoiceKind::deliver:
    case ChoiceKind::lose:
    case ChoiceKind::duplicate: return fmt::format("{}:{}.{}", kind_word(w.kind), w.msg.sender, w.msg.seq);
    case ChoiceKind::fire: return fmt::format("fire:{}:{}", w.node, w.timer);
    case ChoiceKind::crash:
    case ChoiceKind::recover: return fmt::format("{}:{}", kind_word(w.kind), w.node);
  }
  return "?";
}

std::vector<Wanted> parse_schedule(std::string_view text) {
  std::vector<Wanted> out;
  std::size_t i = 0;
  const auto separator = [](char c) { return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (i < text.size()) {
    while (i < text.size() && separator(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !separator(text[j])) ++j;
    if (j > i) {
      if (out.size() == kMaxScheduleSteps) {
        throw InputError(fmt::format("schedule: more than {} steps", kMaxScheduleSteps));
      }
      out.push_back(parse_token(text.substr(i, j - i)));
    }
    i = j;
  }
  return out;
}

void throw_bad_draw(std::size_t n, const Wanted& w, unsigned draws) {
  throw InputError(fmt::format("schedule: step {} ({}) draws from random stream {}, but --draws is {}", n + 1,
                               token(w), w.draw, draws));
}

void throw_impossible_step(std::size_t n, const Wanted& w, const std::vector<std::string>& possible) {
  constexpr std::size_t kShown = 12;
  std::vector<std::string> shown(possible.begin(), possible.begin() + std::min(possible.size(), kShown));
  if (possible.size() > kShown) shown.push_back(fmt::format("and {} more", possible.size() - kShown));
  throw InputError(
      fmt::format("schedule: step {} ({}) is not possible here; possible: {}", n + 1, token(w),
                  possible.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(shown, ", "))));
}

double Result::collision_probability() const {
  const double n = static_cast<double>(distinct);
  return n * n / 36893488147419103232.0;  // 2^65
}

std::uint64_t internal::hash_bytes(std::span<const std::byte> bytes) {
  StateHasher h(bytes.size(), StateHasher::Kind::seed);
  std::uint64_t word = 0;
  std::size_t filled = 0;
  for (std::byte b : bytes) {
    word = word << 8 | static_cast<std::uint8_t>(b);
    if (++filled == 8) {
      h.add(word);
      word = 0;
      filled = 0;
    }
  }
  if (filled > 0) h.add(word);
  return h.value();
}

}  // namespace distlab::explore
