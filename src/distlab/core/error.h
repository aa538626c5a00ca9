// Errors that reach the user: one clear line and an exit code.
//
// Code at the edge (CLI options, trace files, datagrams, sockets) throws these; the
// `distlab` program prints `distlab: <what>` and exits with `exit_code()`. Inside the
// core a broken invariant is a bug and uses DISTLAB_ASSERT instead.
//
//   throw InputError(fmt::format("--nodes must be at least 2, got {}", n));
#pragma once

#include <stdexcept>
#include <string>

namespace distlab {

inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;  // a checked property does not hold
inline constexpr int kExitUsage = 2;      // bad flags or bad input
inline constexpr int kExitRuntime = 3;    // the environment failed us (busy port, ...)

class Error : public std::runtime_error {
 public:
  Error(const std::string& what, int exit_code) : std::runtime_error(what), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// Bad flags, a malformed file or datagram: exit 2.
class InputError : public Error {
 public:
  explicit InputError(const std::string& what) : Error(what, kExitUsage) {}
};

// A failure of the environment such as a port already in use: exit 3.
class RuntimeFailure : public Error {
 public:
  explicit RuntimeFailure(const std::string& what) : Error(what, kExitRuntime) {}
};

}  // namespace distlab
