// `distlab completion bash`: a bash completion script, made from the command line's
// own definition (every command, subcommand and long option), so it never drifts
// from the program. The Debian package installs it; `source <(distlab completion
// bash)` loads it in a shell.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "distlab/core/error.h"

namespace distlab::cli {
namespace {

// One `case` arm per command: its path ("launch bully") and the words it takes.
void arms(const CLI::App& command, const std::string& path, std::string& out) {
  std::vector<std::string> words = subcommand_names(command);
  const std::vector<std::string> flags = long_option_names(command);
  words.insert(words.end(), flags.begin(), flags.end());
  fmt::format_to(std::back_inserter(out), "    \"{}\") words=\"{}\" ;;\n", path, fmt::join(words, " "));
  for (const CLI::App* sub : command.get_subcommands({})) {
    arms(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
  }
}

std::string bash_script(const CLI::App& app) {
  std::string out =
      "# bash completion for distlab, made by `distlab completion bash`.\n"
      "_distlab() {\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]} path=\"\" w i words\n"
      "  # The command path so far: the words that name commands, flags and values aside.\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    w=${COMP_WORDS[i]}\n"
      "    [[ $w == -* ]] && continue\n"
      "    case \" $(_distlab_words \"$path\") \" in *\" $w \"*) path=${path:+$path }$w ;; esac\n"
      "  done\n"
      "  words=$(_distlab_words \"$path\")\n"
      "  if [[ $cur != -* ]] && [[ ${COMP_WORDS[COMP_CWORD-1]} == -* ]]; then\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\"))  # an option's value: often a file\n"
      "    return\n"
      "  fi\n"
      "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
      "}\n"
      "_distlab_words() {\n"
      "  local words=\"\"\n"
      "  case \"$1\" in\n";
  arms(app, "", out);
  out +=
      "  esac\n"
      "  echo \"$words\"\n"
      "}\n"
      "complete -o default -F _distlab distlab\n";
  return out;
}

}  // namespace

void add_completion_command(CLI::App& app, Action& run) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "completion", "Print a shell completion script: source <(distlab completion bash) (the package installs it)");
  cmd->add_option("SHELL", *shell, "The shell: bash")->required()->check(CLI::Validator(
      [](const std::string& s) { return s == "bash" ? std::string() : "'" + s + "': only bash is supported"; }, "",
      "shell"));
  cmd->callback([shell, &app, &run] {  // shell: kept alive for the option that fills it
    run = [&app] {
      fmt::print("{}", bash_script(app));
      return kExitOk;
    };
  });
}

}  // namespace distlab::cli
