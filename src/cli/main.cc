// distlab: classic distributed algorithms, simulated deterministically or run for real.
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/options.h"

int main(int argc, char** argv) {
  // Replay lines start with the program as it was invoked ("build/distlab").
  distlab::cli::set_program_name(argc > 0 && argv[0] != nullptr ? argv[0] : "distlab");
  return distlab::cli::finish_output(distlab::cli::run_cli(std::vector<std::string>(argv + 1, argv + argc)));
}
