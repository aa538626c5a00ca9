// Options every command shares, registered in one place.
//
// CommonOptions: --seed, --trace, --json, --lang, --quiet. The network and fault
// options of DESIGN.md that every simulated command takes (--latency, --loss, ...)
// fill a harness::FaultOptions, which harness/faults.h validates and turns into a
// network model and fault plan; the scenarios (harness/) are the CLI's to use, so
// their names are visible here unqualified.
//
//   add_common_options(*cmd, common);
//   add_fault_options(*cmd, faults);
//   SimSetup setup = build_sim_setup(faults, ids, seed, {.latency = ..., .horizon_ns = ...});
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "distlab/algo/bug.h"
#include "distlab/core/types.h"
#include "distlab/harness/faults.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {

using namespace harness;  // the scenarios, plans and fault specs the commands run

enum class Lang { en, pt };

struct CommonOptions {
  std::optional<std::uint64_t> seed;  // set by the --seed option (validated as a u64)
  std::string trace_path;  // empty: no trace
  trace::TraceFormat trace_format = trace::TraceFormat::jsonl;  // --trace-format, on simulated runs
  std::string html_path;   // empty: no space-time diagram (--html, on the commands that run algorithms)
  bool json = false;
  Lang lang = Lang::en;
  bool quiet = false;
  bool timestamps = false;  // --timestamps: each narrative line starts with its event's time
};

void add_common_options(CLI::App& cmd, CommonOptions& options);
void add_lang_option(CLI::App& cmd, Lang& lang);
// --trace-format jsonl|binary, on the commands that simulate (a real run's traces are
// written live, line by line, and stay JSONL).
void add_trace_format_option(CLI::App& cmd, trace::TraceFormat& format);
// --html FILE: the run's space-time diagram, on the commands that run an algorithm.
void add_html_option(CLI::App& cmd, std::string& path);
// --bug NAME: run the algorithm with one of its classic mistakes (its descriptor's
// kBugs), named with their summaries in the help; an unknown name is refused in one
// line that lists the valid ones.
void add_bug_option(CLI::App& cmd, std::string& bug, std::span<const algorithms::Bug> bugs);
// "receive-no-max (Lamport receive forgets the max: ...)" for the report; empty for no bug.
std::string bug_description(std::span<const algorithms::Bug> bugs, std::string_view name);
void add_seed_option(CLI::App& cmd, std::optional<std::uint64_t>& seed, const std::string& help);
// `with_recover` false: the command defines its own --recover (bully's takes a bare
// TIME as well as ID@TIME) and files ID@TIME values into options.recover itself.
void add_fault_options(CLI::App& cmd, FaultOptions& options, bool with_recover = true);

// Every option of `app` and its subcommands that takes a value refuses an empty one
// ("--nodes ''": exit 2 naming the option) instead of reading it as a default.
void require_nonempty_values(CLI::App& app);

// The words a command takes, for guesses at misspellings and for shell completion:
// its subcommands' names, and its options' long names with their dashes ("--seed").
std::vector<std::string> subcommand_names(const CLI::App& command);
std::vector<std::string> long_option_names(const CLI::App& command);

// The seed to run with: --seed, or a fresh one from the OS (then printed by the command).
std::uint64_t resolve_seed(const CommonOptions& options);

// The program as it was invoked (argv[0]: "build/distlab", "distlab"), which the
// replay lines start with so that they paste back as they are; "distlab" until set.
void set_program_name(std::string_view argv0);
std::string program_word();

// The command line that replays this run exactly: the given arguments, plus --seed.
std::string replay_command(std::span<const std::string> args, std::uint64_t seed);
// `word` as a POSIX shell reads it back: as is when plain, else single-quoted.
std::string shell_word(std::string_view word);

}  // namespace distlab::cli
