// `distlab demo`: the seed assignment's scenarios, one after another.
#include <fmt/format.h>

#include <algorithm>
#include <fmt/ranges.h>
#include <memory>

#include "cli/commands.h"
#include "cli/app.h"
#include "cli/options.h"

namespace distlab::cli {
namespace {

// The seed whose rounds are the ones in the assignment's transcript of question 1:
// 2->1, 3->1, 3->2, 3->2, 2->1. The golden test compares the Portuguese output with
// that transcript line by line.
constexpr std::uint64_t kLamportDemoSeed = 2379;
// A seed whose snapshot holds 'Ataque' on channel 3->1 and 'Vida baixa. Use a poção!'
// on 3->2: the two channel states of the assignment's output that were right.
constexpr std::uint64_t kSnapshotDemoSeed = 6;
// A seed where node 3 starts the first election and, after 5 fails, node 3 alone
// notices and starts the next, as in the assignment's run.
constexpr std::uint64_t kBullyDemoSeed = 214;
constexpr std::uint64_t kHeartbeatDemoSeed = 1;

struct DemoOptions {
  Lang lang = Lang::en;
  std::string pace;
};

// One scenario: its title, the command it runs, then the command's own output.
int scenario(const DemoOptions& o, std::string_view en, std::string_view pt, std::vector<std::string> args) {
  if (o.lang == Lang::pt) args.insert(args.end(), {"--lang", "pt"});
  if (!o.pace.empty() && args[0] == "lamport") args.insert(args.end(), {"--pace", o.pace});
  fmt::print("== {} ==\n", o.lang == Lang::pt ? pt : en);
  fmt::print("   (distlab {})\n\n", fmt::join(args, " "));
  std::fflush(stdout);
  return run_cli(args);
}

int run_demo(const DemoOptions& o) {
  const int codes[] = {
      scenario(o, "Question 1: Lamport clocks", "Questão 1 – Clocks e Sincronização de Tempo",
               {"lamport", "--seed", std::to_string(kLamportDemoSeed)}),
      (fmt::print("\n"),
       scenario(o, "Question 2: Chandy-Lamport global snapshot", "Questão 2 – Estado Global e Captura de Estado",
                {"snapshot", "--seed", std::to_string(kSnapshotDemoSeed)})),
      (fmt::print("\n"), scenario(o, "Question 3: Bully leader election", "Questão 3 – Algoritmos de Eleição - Bully",
                                  {"bully", "--seed", std::to_string(kBullyDemoSeed)})),
      // --quiet drops the hundred "heartbeat received" lines; failures and redirects stay.
      (fmt::print("\n"), scenario(o, "Question 4: failure detection with heartbeats",
                                  "Questão 4 – Detecção de Falhas em Sistemas Distribuídos",
                                  {"heartbeat", "--seed", std::to_string(kHeartbeatDemoSeed), "--quiet"})),
  };
  return *std::max_element(std::begin(codes), std::end(codes));
}

}  // namespace

void add_demo_command(CLI::App& app, Action& run) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand("demo", "Run the seed assignment's scenarios, one after another");
  add_lang_option(*cmd, options->lang);
  cmd->add_option("--pace", options->pace, "Wait this long (wall clock) between Lamport rounds, e.g. 1s")
      ->type_name("DURATION");
  cmd->callback([options, &run] { run = [options] { return run_demo(*options); }; });
}

}  // namespace distlab::cli
