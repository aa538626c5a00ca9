// Output pieces every command prints the same way: check results, the JSON "checks"
// object, and the replay line with the seed.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cli/options.h"
#include "distlab/core/types.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {

// "distlab: LINE" on stderr, stdout flushed first. Never throws when stderr cannot be
// written (a full disk, /dev/full, a closed pipe): the exit code still tells.
void print_error(std::string_view line) noexcept;

// "Check causality: pass (15 events, 5 messages)", one line per property, in `lang`.
void print_checks(const std::vector<trace::CheckResult>& checks, Lang lang);

// {"causality":"pass","clock_condition":"pass"}
nlohmann::ordered_json checks_json(const std::vector<trace::CheckResult>& checks);
// Sets out["checks"] and, when a check failed, out["failures"]: each failed check's
// reason, as the narrative gives it.
void add_checks_json(nlohmann::ordered_json& out, const std::vector<trace::CheckResult>& checks);

// A JSON value written as Python prints it, as the seed's programs show states:
// {'vida': 63, 'itens': ['arco', 'poção']}; integer-like object keys stay bare: {2: []}.
std::string python_repr(const nlohmann::ordered_json& value);

// "1 nó", "3 nós": a count with its noun in the singular or plural given, for the
// Portuguese lines (English ones use trace::quantity, which makes the plural).
std::string counted(std::size_t n, std::string_view one, std::string_view many);

// `text` with spaces turned into line breaks so that no line is longer than `columns`
// (a word longer than that stays whole), for help texts.
std::string wrapped(std::string text, std::size_t columns = 90);

// For the --help of the commands that read traces: the reader's bounds.
std::string trace_bounds_help();

// Narrative text (one or more lines, each ending in a newline) as printed: with a time,
// each line that is not blank starts with it, in seconds to the microsecond
// ("   1.275657s  Node 3 started an election."); without, the text as it is.
std::string narrative_text(std::string_view text, std::optional<Nanos> t);
// Prints narrative_text(text, t).
void print_narrative(std::string_view text, std::optional<Nanos> t);

// The run's network faults (its header's "network") told in the narrative as the run
// reaches them: each narrator calls `before(t)` ahead of telling an event at time t,
// and `finish()` after the last, which tells a heal within the run's last event.
//
//   NetworkNarrator network(trace, lang, timestamps);
//   for (const Record& r : trace.events) { network.before(r.t); narrator.narrate(r); }
//   network.finish();
class NetworkNarrator {
 public:
  NetworkNarrator(const trace::Trace& trace, Lang lang, bool timestamps);
  void before(Nanos t);
  void finish();
  // The lines it tells over the whole run, for tests.
  static std::string lines(const trace::Trace& trace, Lang lang);

 private:
  struct Moment {
    Nanos t;
    std::size_t fault;  // index in the header's network faults
    bool heals;
  };
  std::string line(const Moment& m) const;

  const trace::Trace& trace_;
  Lang lang_;
  bool timestamps_;
  std::vector<Moment> moments_;  // by time, heals first at one instant
  std::vector<Nanos> lost_at_;   // the times of messages lost to a network fault, sorted
  std::size_t next_ = 0;
  Nanos end_ = 0;
};

// "Seed 42. Replay: distlab lamport --seed 42"
void print_replay(const CommonOptions& common, std::uint64_t seed, std::span<const std::string> args);

}  // namespace distlab::cli
