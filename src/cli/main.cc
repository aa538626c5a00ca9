// distlab: classic distributed algorithms, simulated deterministically or run for real.
#include <string>
#include <vector>

#include "cli/app.h"

int main(int argc, char** argv) {
  return distlab::cli::finish_output(distlab::cli::run_cli(std::vector<std::string>(argv + 1, argv + argc)));
}
