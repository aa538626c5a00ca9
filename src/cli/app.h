// The whole `distlab` command line as a function: arguments in, exit code out.
//
// main() calls it with argv; `distlab demo` calls it once per scenario, so a demo
// step is exactly the command it prints.
//
//   int code = run_cli({"lamport", "--seed", "2379", "--lang", "pt"});
#pragma once

#include <string>
#include <vector>

namespace distlab::cli {

// Parses `args` (without the program name), runs the command, and turns errors into
// one line on stderr and an exit code.
int run_cli(const std::vector<std::string>& args);
// `shown`: the arguments replay lines print (the demo adds a --trace of its own).
int run_cli(const std::vector<std::string>& args, const std::vector<std::string>& shown);

// At exit: flushes stdout; when it could not be written, says so on stderr (if that
// can be written) and turns a success into exit 3. Never throws.
int finish_output(int code) noexcept;

}  // namespace distlab::cli
