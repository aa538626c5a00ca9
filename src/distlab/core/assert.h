// DISTLAB_ASSERT: invariant checks that abort loudly with the failed condition.
//
// Enabled unless DISTLAB_ASSERTS_OFF is defined (benchmark builds only). A failed
// assertion is a bug in distlab, never a user error: user errors are reported at the
// edge (CLI, files, network) as one clear line and an exit code.
//
//   DISTLAB_ASSERT(queue.size() <= kQueueMax);
//   DISTLAB_ASSERT(from != to, "a node does not message itself");
#pragma once

namespace distlab::internal {
[[noreturn]] void assert_failed(const char* condition, const char* file, int line,
                                const char* message);
}  // namespace distlab::internal

#ifdef DISTLAB_ASSERTS_OFF
#define DISTLAB_ASSERT(condition, ...) ((void)0)
#else
#define DISTLAB_ASSERT(condition, ...)                                              \
  ((condition) ? (void)0                                                           \
               : ::distlab::internal::assert_failed(#condition, __FILE__, __LINE__, \
                                                    "" __VA_ARGS__))
#endif
