// `distlab demo`: the seed assignment's scenarios, one after another.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "cli/lamport_command.h"

namespace distlab::cli {
namespace {

// The seed whose rounds are the ones in the assignment's transcript of question 1:
// 2->1, 3->1, 3->2, 3->2, 2->1. The golden test compares the Portuguese output with
// that transcript line by line.
constexpr std::uint64_t kLamportDemoSeed = 2379;

struct DemoOptions {
  Lang lang = Lang::en;
  std::string pace;
};

void title(const DemoOptions& o, std::string_view en, std::string_view pt, std::string_view command) {
  fmt::print("== {} ==\n", o.lang == Lang::pt ? pt : en);
  fmt::print("   ({})\n\n", command);
}

int run_demo(const DemoOptions& o) {
  int worst = 0;
  {
    LamportOptions lamport;
    lamport.common.seed = kLamportDemoSeed;
    lamport.common.lang = o.lang;
    lamport.pace = o.pace;
    std::vector<std::string> args{"lamport", "--seed", std::to_string(kLamportDemoSeed)};
    if (o.lang == Lang::pt) {
      args.push_back("--lang");
      args.push_back("pt");
    }
    title(o, "Question 1: Lamport clocks", "Questão 1 – Clocks e Sincronização de Tempo",
          "distlab " + fmt::format("{}", fmt::join(args, " ")));
    worst = std::max(worst, run_lamport(lamport, args));
  }
  return worst;
}

}  // namespace

void add_demo_command(CLI::App& app, Action& run) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand("demo", "Run the seed assignment's scenarios, one after another");
  add_lang_option(*cmd, options->lang);
  cmd->add_option("--pace", options->pace, "Wait this long (wall clock) between rounds, e.g. 1s")
      ->type_name("DURATION");
  cmd->callback([options, &run] { run = [options] { return run_demo(*options); }; });
}

}  // namespace distlab::cli
