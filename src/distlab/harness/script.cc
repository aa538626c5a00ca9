#include "distlab/harness/script.h"

#include <algorithm>
#include <charconv>
#include <fmt/ranges.h>

#include "distlab/algo/registry.h"
#include "distlab/harness/bully/script.h"
#include "distlab/harness/heartbeat/script.h"
#include "distlab/harness/lamport/script.h"
#include "distlab/harness/ricart/script.h"
#include "distlab/harness/snapshot/script.h"

namespace distlab::harness {

namespace fs = std::filesystem;

void ScriptCommand::fail(std::string_view what) const {
  throw InputError(fmt::format("{}: {}: {}", where, text, what));
}

void ScriptCommand::allow(std::initializer_list<std::string_view> keys, std::size_t max_args) const {
  for (const auto& [key, value] : options) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) fail(fmt::format("unknown option '{}'", key));
  }
  if (args.size() > max_args) fail(fmt::format("at most {} argument(s)", max_args));
}

std::optional<std::string> ScriptCommand::option(std::string_view key) const {
  for (const auto& [k, value] : options) {
    if (k == key) return value;
  }
  return std::nullopt;
}

std::uint64_t ScriptCommand::number(std::string_view text, std::string_view what) const {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) fail(fmt::format("'{}' is not {}", text, what));
  return n;
}

Nanos ScriptCommand::duration(std::string_view text, std::string_view what) const {
  try {
    return parse_duration(text);
  } catch (const InputError&) {
    fail(fmt::format("'{}' is not {}", text, what));
  }
}

std::optional<NodeId> ScriptCommand::node_option(std::string_view key) const {
  const auto value = option(key);
  if (!value) return std::nullopt;
  return static_cast<NodeId>(number(*value, "a node id"));
}

NodeId ScriptCommand::node_arg(std::size_t i) const {
  if (i >= args.size()) fail("a node id is missing");
  return static_cast<NodeId>(number(args[i], "a node id"));
}

NodeId ScriptCommand::only_node() const {
  allow({}, 1);
  if (args.size() != 1) fail(fmt::format("{} ID", name));
  return node_arg(0);
}

std::optional<std::string> ScriptOptions::take(std::string_view key) {
  read_.emplace_back(key);
  return command_.option(key);
}

Nanos ScriptOptions::duration(std::string_view key, Nanos fallback) {
  const auto value = take(key);
  return value ? command_.duration(*value, fmt::format("a duration for {}", key)) : fallback;
}

std::uint64_t ScriptOptions::number(std::string_view key, std::uint64_t fallback) {
  const auto value = take(key);
  return value ? command_.number(*value, fmt::format("a number for {}", key)) : fallback;
}

bool ScriptOptions::flag(std::string_view key, bool fallback) {
  const auto value = take(key);
  if (!value) return fallback;
  if (*value != "true" && *value != "false") command_.fail(fmt::format("{} is true or false", key));
  return *value == "true";
}

std::string ScriptOptions::word(std::string_view key, std::string_view fallback) {
  return take(key).value_or(std::string(fallback));
}

void ScriptOptions::finish() const {
  for (const auto& [key, value] : command_.options) {
    if (std::find(read_.begin(), read_.end(), key) != read_.end()) continue;
    std::string known;
    for (const std::string& k : read_) known += (known.empty() ? "" : ", ") + k;
    command_.fail(fmt::format("unknown option '{}' (options: {})", key, known));
  }
}

namespace {

bool is_leading(std::string_view line) { return line.empty() || line.front() == '#'; }

ScriptCommand parse_command(std::string_view line, std::string where) {
  ScriptCommand c;
  c.where = std::move(where);
  c.text = std::string(line);
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j == i) break;
    const std::string_view token = line.substr(i, j - i);
    const std::size_t eq = token.find('=');
    if (c.name.empty()) {
      c.name = std::string(token);
    } else if (eq == std::string_view::npos) {
      c.args.emplace_back(token);
    } else if (eq == 0 || eq + 1 == token.size()) {
      c.fail(fmt::format("'{}' is not key=value", token));
    } else {
      c.options.emplace_back(std::string(token.substr(0, eq)), std::string(token.substr(eq + 1)));
    }
    i = j;
  }
  return c;
}

}  // namespace

ScriptFile parse_script(std::string_view text, const std::string& path) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  ScriptFile file;
  file.path = path;
  std::string leading;
  for (std::size_t i = 0; i < lines.size();) {
    if (is_leading(lines[i])) {
      leading += std::string(lines[i++]) + "\n";
      continue;
    }
    if (lines[i].find('\t') != std::string_view::npos || lines[i].front() == ' ') {
      throw InputError(fmt::format("{}:{}: a command line starts with a word and has no tabs", path, i + 1));
    }
    ScriptBlock block{.leading = std::move(leading),
                      .command = parse_command(lines[i], fmt::format("{}:{}", path, i + 1)),
                      .expected = {}};
    leading.clear();
    if (i + 1 >= lines.size() || lines[i + 1] != "----") {
      throw InputError(fmt::format("{}:{}: expected a line '----' after the command '{}'", path, i + 2, lines[i]));
    }
    for (i += 2; i < lines.size() && !lines[i].empty(); ++i) block.expected += std::string(lines[i]) + "\n";
    file.blocks.push_back(std::move(block));
  }
  file.trailing = std::move(leading);
  return file;
}

std::string render_script(const ScriptFile& file, const std::vector<std::string>& outputs) {
  DISTLAB_ASSERT(outputs.size() == file.blocks.size());
  std::string text;
  for (std::size_t i = 0; i < file.blocks.size(); ++i) {
    const ScriptBlock& b = file.blocks[i];
    text += b.leading + b.command.text + "\n----\n" + outputs[i];
  }
  return text + file.trailing;
}

std::string format_script_record(const trace::Record& r) {
  std::string line = fmt::format("{}: {}", r.node, to_string(r.kind));
  switch (r.kind) {
    case EventKind::send: line += fmt::format(" {} {} -> {}", r.type, r.msg, r.peer); break;
    case EventKind::recv: line += fmt::format(" {} {} <- {}", r.type, r.msg, r.peer); break;
    case EventKind::drop: line += fmt::format(" {} {} -> {} ({})", r.type, r.msg, r.peer, r.label); break;
    case EventKind::timer:
    case EventKind::local:
      if (!r.label.empty()) line += " " + r.label;
      break;
    case EventKind::state: line = fmt::format("{}: note {}", r.node, r.data.dump()); break;
    case EventKind::crash:
    case EventKind::recover: break;
  }
  if (r.kind == EventKind::send && !r.data.is_null()) line += " " + r.data.dump();
  if (r.lamport) line += fmt::format(" lamport={}", *r.lamport);
  if (r.vc) line += " vc=" + trace::to_json(*r.vc).dump();
  return line;
}

std::string check_report(const trace::Trace& trace) {
  std::string out;
  for (const trace::CheckResult& result : algorithms::check_trace(trace)) {
    // A pass says its name; a failure or a skip says why too.
    out += result.status == trace::CheckStatus::pass
               ? fmt::format("{}: pass\n", result.name)
               : fmt::format("{}: {}: {}\n", result.name, trace::to_string(result.status), result.detail);
  }
  return out;
}

namespace {
template <class N>
concept BuildsFromId = requires(NodeId id) { N(id, {}); };
// A descriptor whose Node the generic commands can drive without hooks.
template <class D>
concept DefaultScriptable = requires { typename D::Node; } && BuildsFromId<typename D::Node>;
}  // namespace

std::unique_ptr<ScriptRunner> make_script_runner(std::string_view algorithm) {
  std::unique_ptr<ScriptRunner> runner;
  algorithms::for_each([&]<class D>() {
    if (D::kName != algorithm) return;
    if constexpr (HasScriptHooks<D>) {
      runner = std::make_unique<ScriptEnv<ScriptHooks<D>>>(std::string(D::kName));
    } else if constexpr (DefaultScriptable<D>) {
      runner = std::make_unique<ScriptEnv<DefaultScriptHooks<typename D::Node>>>(std::string(D::kName));
    }
  });
  return runner;
}

std::vector<fs::path> find_scripts(const fs::path& root) {
  std::vector<fs::path> scripts;
  const auto names = algorithms::names();
  for (const fs::directory_entry& entry : fs::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory()) throw InputError(fmt::format("{}: scripts go in {}/<algorithm>/", entry.path().string(), root.string()));
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      throw InputError(fmt::format("{}: '{}' is not a registered algorithm ({})", entry.path().string(), name,
                                   fmt::join(names, ", ")));
    }
    for (const fs::directory_entry& file : fs::directory_iterator(entry.path())) {
      if (file.path().extension() == ".txt") scripts.push_back(file.path());
    }
  }
  std::sort(scripts.begin(), scripts.end());
  return scripts;
}

std::vector<std::string> run_script(const ScriptFile& file, std::string_view algorithm) {
  std::unique_ptr<ScriptRunner> runner = make_script_runner(algorithm);
  if (!runner) throw InputError(fmt::format("{}: no script runner for '{}'", file.path, algorithm));
  std::vector<std::string> outputs;
  for (const ScriptBlock& block : file.blocks) outputs.push_back(runner->run(block.command));
  return outputs;
}

}  // namespace distlab::harness
