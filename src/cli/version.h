// The program's version and the git revision it was built from, for `--version`:
// "0.1.0 (git 0165852a1b2c)". The build writes it (cmake/version.cmake) whenever
// the revision changes; "unknown" when built outside a git checkout.
#pragma once

#include <string_view>

namespace distlab::cli {

std::string_view version_text();

}  // namespace distlab::cli
