#include "cli/options.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <random>

#include "distlab/core/error.h"

namespace distlab::cli {
namespace {

std::uint64_t parse_seed(const std::string& text) {
  std::uint64_t seed = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw InputError(fmt::format("--seed {}: expected an integer from 0 to {}", text, UINT64_MAX));
  }
  return seed;
}

}  // namespace

void add_seed_option(CLI::App& cmd, std::optional<std::uint64_t>& seed, const std::string& help) {
  cmd.add_option_function<std::string>(
         "--seed", [&seed](const std::string& text) { seed = parse_seed(text); }, help)
      ->type_name("N");
}

void add_lang_option(CLI::App& cmd, Lang& lang) {
  cmd.add_option_function<std::string>(
         "--lang", [&lang](const std::string& text) { lang = text == "pt" ? Lang::pt : Lang::en; },
         "Narrative language: en (default), or pt for the seed's Portuguese sentences")
      ->check(CLI::Validator(
          [](const std::string& text) {
            return text == "en" || text == "pt" ? std::string()
                                                : fmt::format("'{}': expected en or pt", text);
          },
          "", "lang"))
      ->type_name("en|pt");
}

void add_html_option(CLI::App& cmd, std::string& path) {
  cmd.add_option("--html", path,
                 "Draw the run as a space-time diagram in a self-contained HTML page (written as --trace is)")
      ->type_name("FILE.html");
}

void add_bug_option(CLI::App& cmd, std::string& bug, std::span<const algorithms::Bug> bugs) {
  std::string names;
  std::string help = "Run with a classic mistake on purpose, to watch the checks catch it:";
  for (const algorithms::Bug& b : bugs) {
    names += fmt::format("{}{}", names.empty() ? "" : ", ", b.name);
    help += fmt::format("\n  {}: {}", b.name, b.summary);
  }
  cmd.add_option("--bug", bug, help)
      ->type_name("NAME")
      ->check(CLI::Validator(
          [bugs, names](const std::string& name) {
            return algorithms::find_bug(bugs, name) != nullptr
                       ? std::string()
                       : fmt::format("unknown bug '{}'; this algorithm's bugs are: {}", name, names);
          },
          "", "bug"));
}

std::string bug_description(std::span<const algorithms::Bug> bugs, std::string_view name) {
  const algorithms::Bug* bug = algorithms::find_bug(bugs, name);
  return bug == nullptr ? std::string() : fmt::format("{} ({})", bug->name, bug->summary);
}

void add_common_options(CLI::App& cmd, CommonOptions& o) {
  add_seed_option(cmd, o.seed, "Root seed; the same seed replays the run exactly (default: drawn and printed)");
  cmd.add_option("--trace", o.trace_path,
                 "Write the run's JSONL trace (v1) to FILE, in place only when complete; a FIFO or device is "
                 "written directly; another user's symlink in a sticky directory such as /tmp is refused")
      ->type_name("FILE");
  cmd.add_flag("--json", o.json, "Print one JSON summary object instead of the narrative");
  add_lang_option(cmd, o.lang);
  cmd.add_flag("--quiet", o.quiet, "Print only the summary");
  cmd.add_flag(
      "--timestamps", o.timestamps,
      "Start each line of the narrative with the time of the event it tells, in seconds since the run "
      "began");
}

void add_trace_format_option(CLI::App& cmd, trace::TraceFormat& format) {
  cmd.add_option_function<std::string>(
         "--trace-format",
         [&format](const std::string& text) {
           format = text == "binary" ? trace::TraceFormat::binary : trace::TraceFormat::jsonl;
         },
         "How --trace writes: jsonl (default), the trace contract's JSON Lines; or binary, about a sixth of "
         "the size and far cheaper to write for a large run. Every command that reads traces takes either; "
         "'distlab trace convert' turns a binary trace into the JSONL one, byte for byte")
      ->check(CLI::Validator(
          [](const std::string& text) {
            return text == "jsonl" || text == "binary" ? std::string()
                                                       : fmt::format("'{}': expected jsonl or binary", text);
          },
          "", "trace-format"))
      ->type_name("jsonl|binary")
      ->needs(cmd.get_option("--trace"));
}

void add_fault_options(CLI::App& cmd, FaultOptions& o, bool with_recover) {
  const std::string group = "Network and faults";
  cmd.add_option("--latency", o.latency, "Message latency: const:5ms | uniform:1ms:20ms | exp:10ms | normal:10ms:3ms")
      ->type_name("SPEC")->group(group);
  cmd.add_option("--loss", o.loss, "Probability that a message is lost (0..1)")->type_name("P")->group(group);
  cmd.add_option("--dup", o.dup, "Probability that a message is delivered twice (0..1)")->type_name("P")->group(group);
  cmd.add_flag("--no-fifo", o.no_fifo, "Let messages on one link overtake each other")->group(group);
  cmd.add_option("--crash", o.crash, "Crash node ID at TIME (repeatable)")->type_name("ID@TIME")->group(group);
  if (with_recover) {
    cmd.add_option("--recover", o.recover, "Restart node ID at TIME (repeatable)")->type_name("ID@TIME")->group(group);
  }
  cmd.add_option("--pause", o.pause, "Freeze node ID from TIME for DURATION (repeatable)")
      ->type_name("ID@TIME+DURATION")->group(group);
  cmd.add_option("--partition", o.partition,
                 "Cut links between groups: 1,2/3,4@1s..5s (two-way) or 1,2>3@1s.. (one-way; open end)")
      ->type_name("GROUPS@T1..T2")->group(group);
  cmd.add_option("--faults", o.faults, "Add N random crash-and-recover faults drawn from the seed")
      ->type_name("N")->group(group);
  cmd.add_option("--until", o.until, "End of simulated time (a run estimated above 100,000,000 events is refused)")->type_name("TIME")->group(group);
}

void require_nonempty_values(CLI::App& app) {
  static const CLI::Validator nonempty(
      [](const std::string& value) { return value.empty() ? std::string("the value must not be empty") : std::string(); },
      "", "NONEMPTY");
  for (CLI::Option* option : app.get_options()) {
    if (option->get_type_size() > 0) option->check(nonempty);  // every option that takes a value; not flags
  }
  for (CLI::App* sub : app.get_subcommands({})) require_nonempty_values(*sub);
}

std::vector<std::string> subcommand_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::App* sub : command.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

std::vector<std::string> long_option_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

std::uint64_t resolve_seed(const CommonOptions& options) {
  if (options.seed) return *options.seed;
  std::random_device device;  // the CLI edge: a fresh seed, printed so the run can be replayed
  return (std::uint64_t{device()} << 32 | device()) % 1'000'000'000'000ULL;
}

std::string shell_word(std::string_view a) {
  if (!a.empty() && a.find_first_of(" \t\"'\\$`*?;&|<>()#~") == std::string_view::npos) return std::string(a);
  std::string out = "'";
  for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

namespace {
std::string& program_name() {
  static std::string name = "distlab";
  return name;
}
}  // namespace

void set_program_name(std::string_view argv0) {
  program_name() = argv0.empty() ? "distlab" : std::string(argv0);
}

std::string program_word() { return shell_word(program_name()); }

std::string replay_command(std::span<const std::string> args, std::uint64_t seed) {
  std::string out = program_word();
  bool has_seed = false;
  for (const std::string& a : args) {
    if (a == "--seed" || a.rfind("--seed=", 0) == 0) has_seed = true;
    out += ' ';
    out += shell_word(a);
  }
  if (!has_seed) out += fmt::format(" --seed {}", seed);
  return out;
}

}  // namespace distlab::cli
