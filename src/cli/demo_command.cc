// `distlab demo`: the seed assignment's scenarios, one after another.
#include <fmt/format.h>

#include <stdlib.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fmt/ranges.h>
#include <memory>

#include "cli/commands.h"
#include "distlab/algo/registry.h"
#include "cli/app.h"
#include "cli/html_report.h"
#include "cli/options.h"
#include "distlab/core/atomic_file.h"
#include "distlab/core/error.h"
#include "distlab/trace/diagram.h"
#include "distlab/trace/jsonl_reader.h"

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

constexpr std::string_view kDefaultReport = "distlab-demo.html";

struct DemoOptions {
  Lang lang = Lang::en;
  std::string pace;
  std::string html = std::string(kDefaultReport);
  bool no_html = false;
};

// The traces of the demo's runs, kept in a temporary directory for the report page.
class DemoTraces {
 public:
  explicit DemoTraces(bool wanted) {
    if (!wanted) return;
    std::string dir = (std::filesystem::temp_directory_path() / "distlab-demo.XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) throw RuntimeFailure(fmt::format("cannot create {}", dir));
    dir_ = dir;
  }
  ~DemoTraces() {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  DemoTraces(const DemoTraces&) = delete;
  DemoTraces& operator=(const DemoTraces&) = delete;

  // Where the scenario's trace goes; empty when no report is made.
  std::string path_for(std::string_view name) {
    if (dir_.empty()) return {};
    paths_.push_back(fmt::format("{}/{}.jsonl", dir_, name));
    return paths_.back();
  }
  const std::vector<std::string>& paths() const { return paths_; }

 private:
  std::string dir_;
  std::vector<std::string> paths_;
};

// One scenario: its title, the command it runs, then the command's own output.
int scenario(const DemoOptions& o, DemoTraces& traces, std::string_view en, std::string_view pt,
             std::vector<std::string> args) {
  if (o.lang == Lang::pt) args.insert(args.end(), {"--lang", "pt"});
  if (!o.pace.empty() && args[0] == "lamport") args.insert(args.end(), {"--pace", o.pace});
  fmt::print("== {} ==\n", o.lang == Lang::pt ? pt : en);
  fmt::print("   (distlab {})\n\n", fmt::join(args, " "));
  std::fflush(stdout);
  // The report's trace is not part of the command shown: the run is the same without it.
  const std::vector<std::string> shown = args;
  const std::string trace = traces.path_for(args[0]);
  if (!trace.empty()) args.insert(args.end(), {"--trace", trace});
  return run_cli(args, shown);
}

// One page with the four runs' diagrams.
void write_report(const DemoOptions& o, const DemoTraces& traces) {
  static constexpr std::array<std::string_view, 4> kTitles = {
      "Question 1: Lamport clocks", "Question 2: Chandy-Lamport global snapshot", "Question 3: Bully leader election",
      "Question 4: failure detection with heartbeats"};
  trace::DiagramPage page("distlab demo: the four seed scenarios", algorithms::diagram_hints());
  for (std::size_t i = 0; i < traces.paths().size() && i < kTitles.size(); ++i) {
    if (!std::filesystem::exists(traces.paths()[i])) continue;  // the run failed; it said why
    const trace::Trace t = trace::read_trace_file(traces.paths()[i]);
    page.add(t, fmt::format("{} ({})", kTitles[i], run_heading(t.header)));
  }
  write_file_atomically(o.html, page.html());
  fmt::print(fmt::runtime(o.lang == Lang::pt ? "\nOs quatro cenários, desenhados: {} (abra no navegador).\n"
                                             : "\nThe four runs, drawn as space-time diagrams: {} (open it in a browser).\n"),
             o.html);
}

int run_demo(const DemoOptions& o) {
  if (!o.no_html) check_creatable(o.html);
  DemoTraces traces(!o.no_html);
  const int codes[] = {
      scenario(o, traces, "Question 1: Lamport clocks", "Questão 1 – Clocks e Sincronização de Tempo",
               {"lamport", "--seed", std::to_string(kLamportDemoSeed)}),
      (fmt::print("\n"),
       scenario(o, traces, "Question 2: Chandy-Lamport global snapshot", "Questão 2 – Estado Global e Captura de Estado",
                {"snapshot", "--seed", std::to_string(kSnapshotDemoSeed)})),
      (fmt::print("\n"), scenario(o, traces, "Question 3: Bully leader election", "Questão 3 – Algoritmos de Eleição - Bully",
                                  {"bully", "--seed", std::to_string(kBullyDemoSeed)})),
      // --quiet drops the hundred "heartbeat received" lines; failures and redirects stay.
      (fmt::print("\n"), scenario(o, traces, "Question 4: failure detection with heartbeats",
                                  "Questão 4 – Detecção de Falhas em Sistemas Distribuídos",
                                  {"heartbeat", "--seed", std::to_string(kHeartbeatDemoSeed), "--quiet"})),
  };
  if (!o.no_html) write_report(o, traces);
  return *std::max_element(std::begin(codes), std::end(codes));
}

}  // namespace

void add_demo_command(CLI::App& app, Action& run) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand("demo", "Run the seed assignment's scenarios, one after another");
  add_lang_option(*cmd, options->lang);
  cmd->add_option("--pace", options->pace, "Wait this long (wall clock) between Lamport rounds, e.g. 1s")
      ->type_name("DURATION");
  cmd->add_option("--html", options->html, "Write the four runs' space-time diagrams to this page")
      ->capture_default_str()
      ->type_name("FILE.html");
  cmd->add_flag("--no-html", options->no_html, "Write no diagrams");
  cmd->callback([options, &run] { run = [options] { return run_demo(*options); }; });
}

}  // namespace distlab::cli
