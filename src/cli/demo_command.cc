// `distlab demo`: one scenario of each registered algorithm (its descriptor's kDemo),
// the seed assignment's four first, one after another.
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

// One algorithm's scene: its heading, the command it runs, then the command's own output.
int scene(const DemoOptions& o, DemoTraces& traces, std::string_view name, const algorithms::DemoScene& d) {
  std::vector<std::string> args{std::string(name)};
  for (std::string_view rest = d.args; !rest.empty();) {
    const std::size_t space = rest.find(' ');
    args.emplace_back(rest.substr(0, space));
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  if (o.lang == Lang::pt) args.insert(args.end(), {"--lang", "pt"});
  if (!o.pace.empty() && d.paced) args.insert(args.end(), {"--pace", o.pace});
  fmt::print("== {} ==\n", o.lang == Lang::pt ? d.pt : d.en);
  fmt::print("   ({} {})\n\n", program_word(), fmt::join(args, " "));
  std::fflush(stdout);
  // The report's trace is not part of the command shown: the run is the same without it.
  const std::vector<std::string> shown = args;
  const std::string trace = traces.path_for(name);
  if (!trace.empty()) args.insert(args.end(), {"--trace", trace});
  return run_cli(args, shown);
}

// One page with every run's diagram.
void write_report(const DemoOptions& o, const DemoTraces& traces, const std::vector<std::string_view>& headings) {
  trace::DiagramPage page("distlab demo: one run of each algorithm", algorithms::diagram_hints());
  for (std::size_t i = 0; i < traces.paths().size() && i < headings.size(); ++i) {
    if (!std::filesystem::exists(traces.paths()[i])) continue;  // the run failed; it said why
    const trace::Trace t = trace::read_trace_file(traces.paths()[i]);
    page.add(t, fmt::format("{} ({})", headings[i], run_heading(t.header)));
  }
  write_file_atomically(o.html, page.html());
  fmt::print(fmt::runtime(o.lang == Lang::pt ? "\nOs {} cenários, desenhados: {} (abra no navegador).\n"
                                             : "\nThe {} runs, drawn as space-time diagrams: {} (open it in a browser).\n"),
             headings.size(), o.html);
}

int run_demo(const DemoOptions& o) {
  // Options first: a bad one stops the demo before any scene runs or any page is written.
  if (!o.pace.empty()) parse_duration_option("--pace", o.pace);
  if (!o.no_html) check_creatable(o.html);
  DemoTraces traces(!o.no_html);
  int code = kExitOk;
  std::vector<std::string_view> headings;
  algorithms::for_each([&]<class D>() {
    if (!headings.empty()) fmt::print("\n");
    headings.push_back(D::kDemo.en);
    code = std::max(code, scene(o, traces, D::kName, D::kDemo));
  });
  if (!o.no_html) write_report(o, traces, headings);
  return code;
}

}  // namespace

void add_demo_command(CLI::App& app, Action& run) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand("demo", "Run one scenario of each algorithm (the seed assignment's four first), one after another");
  add_lang_option(*cmd, options->lang);
  cmd->add_option("--pace", options->pace, "Wait this long (wall clock) between Lamport rounds, e.g. 1s")
      ->type_name("DURATION");
  cmd->add_option("--html", options->html, "Write every run's space-time diagram to this page")
      ->capture_default_str()
      ->type_name("FILE.html");
  cmd->add_flag("--no-html", options->no_html, "Write no diagrams");
  cmd->callback([options, &run] { run = [options] { return run_demo(*options); }; });
}

}  // namespace distlab::cli
