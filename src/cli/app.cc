#include "cli/app.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "distlab/algo/registry.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/real/keys.h"
#include "cli/explore.h"
#include "cli/sweep.h"
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

}  // namespace

int run_cli(const std::vector<std::string>& args) { return run_cli(args, args); }

int run_cli(const std::vector<std::string>& args, const std::vector<std::string>& shown) {
  const Invocation invocation{shown};
  CLI::App app{description(), "distlab"};
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
  add_render_command(app, run);
  add_sweep_command(app, run);
  CLI::App* explore_cmd = add_explore_command(app);
  algorithms::for_each([&]<class D>() {
    if constexpr (requires { &D::add_explore; }) D::add_explore({*explore_cmd, run, invocation});
  });
  require_nonempty_values(app);

  // CLI11 would only say "a subcommand is required": name the unknown one.
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  if (!args.empty() && !args[0].starts_with('-') && std::find(names.begin(), names.end(), args[0]) == names.end()) {
    print_error(fmt::format("unknown command '{}' (commands: {}; see distlab --help)", args[0], fmt::join(names, ", ")));
    return kExitUsage;
  }
  try {
    try {
      std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them backwards
      app.parse(reversed);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) return app.exit(e);  // --help
      print_error(fmt::format("{} (see distlab --help)", e.what()));
      return kExitUsage;
    }
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
