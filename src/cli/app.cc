#include "cli/app.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "cli/commands.h"
#include "cli/explore.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/real/keys.h"
#include "cli/suggest.h"
#include "cli/sweep.h"
#include "cli/version.h"
#include "distlab/algo/registry.h"
#include "distlab/core/error.h"

namespace distlab::cli {

namespace {

// "distlab: Lamport and vector clocks, ... and Ricart-Agrawala mutual exclusion, in a
// deterministic simulator and as real processes.", from the registry, in lines that
// fit a terminal.
std::string description() {
  std::vector<std::string_view> titles;
  algorithms::for_each([&]<class D>() { titles.push_back(D::kTitle); });
  std::string text = "distlab: ";
  for (std::size_t i = 0; i < titles.size(); ++i) {
    text += titles[i];
    text += i + 2 < titles.size() ? ", " : i + 1 < titles.size() ? " and " : "";
  }
  return wrapped(text + ", in a deterministic simulator and as real processes.");
}

// The command the words named, as deep as parsing got: the program, `bully`, or
// `launch bully`.
const CLI::App& named_command(const CLI::App& app) {
  const CLI::App* at = &app;
  for (;;) {
    const std::vector<const CLI::App*> used =
        at->get_subcommands([](const CLI::App* sub) { return sub->parsed(); });
    if (used.empty()) return *at;
    at = used.front();
  }
}

// "launch bully": the names from the program down to `command`; empty for the program.
std::string command_path(const CLI::App& app, const CLI::App& command) {
  std::string path;
  for (const CLI::App* at = &command; at != &app && at != nullptr; at = at->get_parent()) {
    path = path.empty() ? at->get_name() : at->get_name() + " " + path;
  }
  return path;
}

// A parse error, said for the command it concerns, with a guess at a misspelt flag
// or subcommand: "bully: unknown option --node (did you mean --nodes?)".
std::string parse_error_line(const CLI::App& app, const CLI::ParseError& e) {
  const CLI::App& command = named_command(app);
  const std::string path = command_path(app, command);
  const std::vector<std::string> extras = command.remaining();
  const std::vector<std::string> subs = subcommand_names(command);
  std::string what = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    const std::vector<std::string> flags = long_option_names(command);
    what = fmt::format("unexpected {}", fmt::join(extras, " "));
    for (const std::string& word : extras) {
      const bool flag = word.starts_with('-');
      const std::string bare = word.substr(0, word.find('='));
      if (const auto guess = closest(flag ? bare : word, flag ? flags : subs)) {
        what = fmt::format("unknown {} {} (did you mean {}?)", flag ? "option" : "command", bare, *guess);
        break;
      }
      if (flag) {
        what = fmt::format("unknown option {}", bare);
        break;
      }
    }
  }
  // A command that takes a subcommand, given a word that names none.
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && command.get_require_subcommand_min() > 0 &&
      !extras.empty()) {
    const std::string& word = extras.front();
    const auto guess = closest(word, subs);
    what = guess ? fmt::format("unknown command '{}' (did you mean {}?)", word, *guess)
                 : fmt::format("unknown command '{}' (commands: {})", word, fmt::join(subs, ", "));
  }
  if (path.empty()) return fmt::format("{} (see distlab --help)", what);
  return fmt::format("{}: {} (see distlab {} --help)", path, what, path);
}

}  // namespace

int run_cli(const std::vector<std::string>& args) { return run_cli(args, args); }

int run_cli(const std::vector<std::string>& args, const std::vector<std::string>& shown) {
  const Invocation invocation{shown};
  CLI::App app{description(), "distlab"};
  app.set_version_flag("--version", std::string(version_text()),
                       "Print the version and the git revision it was built from, and exit");
  app.require_subcommand(1);
  app.fallthrough(false);
  Action run;
  add_demo_command(app, run);
  algorithms::for_each([&]<class D>() { D::add_command({app, run, invocation}); });
  add_bench_command(app, run);
  add_check_command(app, run);
  CLI::App* run_cmd = add_run_command(app);
  algorithms::for_each([&]<class D>() { D::add_run({*run_cmd, run, invocation}); });
  add_keygen_command(app, run);
  CLI::App* launch_cmd = add_launch_command(app);
  algorithms::for_each([&]<class D>() { D::add_launch({*launch_cmd, run, invocation}); });
  add_merge_command(app, run);
  add_export_command(app, run);
  add_trace_command(app, run);
  add_render_command(app, run);
  add_sweep_command(app, run);
  CLI::App* explore_cmd = add_explore_command(app);
  algorithms::for_each([&]<class D>() {
    if constexpr (requires { &D::add_explore; }) D::add_explore({*explore_cmd, run, invocation});
  });
  add_completion_command(app, run);
  require_nonempty_values(app);

  // CLI11 would only say "a subcommand is required": name the unknown one.
  const std::vector<std::string> names = subcommand_names(app);
  if (!args.empty() && !args[0].starts_with('-') && std::find(names.begin(), names.end(), args[0]) == names.end()) {
    const auto guess = closest(args[0], names);
    print_error(
        guess ? fmt::format("unknown command '{}' (did you mean {}? see distlab --help)", args[0], *guess)
              : fmt::format("unknown command '{}' (commands: {}; see distlab --help)", args[0],
                            fmt::join(names, ", ")));
    return kExitUsage;
  }
  try {
    try {
      std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them backwards
      app.parse(reversed);
    } catch (const CLI::ParseError& e) {
      if (dynamic_cast<const CLI::CallForVersion*>(&e) != nullptr) {
        fmt::print("distlab {}\n", version_text());
        return kExitOk;
      }
      if (e.get_exit_code() == 0) return app.exit(e);  // --help
      print_error(parse_error_line(app, e));
      return kExitUsage;
    }
    // A simulation that takes a couple of seconds shows a progress line on a terminal.
    const SimulationProgress progress(command_path(app, named_command(app)));
    return run();
  } catch (const Error& e) {
    print_error(e.what());
    return e.exit_code();
  } catch (const std::system_error& e) {  // fmt::print could not write (a full disk, a closed pipe)
    print_error(e.what());
    return kExitRuntime;
  }
}

int finish_output(int code) noexcept {
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return code;
  const int error = errno;
  print_error(fmt::format("cannot write the output: {}", std::strerror(error)));
  return code == kExitOk ? kExitRuntime : code;
}

}  // namespace distlab::cli
