#include "distlab/core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace distlab::internal {

void assert_failed(const char* condition, const char* file, int line, const char* message) {
  std::fprintf(stderr, "distlab: internal error: %s:%d: assertion failed: %s%s%s\n", file, line,
               condition, message[0] != '\0' ? ": " : "", message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace distlab::internal
