// How the processes of a launch start together. Each node, once its socket is bound,
// writes "listening\n" on a stream socket the launcher gave it as standard input
// (`distlab run --wait-start`), then reads from it the run's time zero in Unix
// milliseconds ("1796393734365\n"). The launcher sends that time only when every node
// listens, so no node misses a message sent to it before it was listening, however
// slowly the machine starts processes.
//
//   node:      options.epoch_once_bound = [] { return await_time_zero(STDIN_FILENO); };
//   launcher:  socketpair(...); spawn with one end as stdin; await_listening(other end)
//              for every node; then send_time_zero(other end, ms) to each.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace distlab::harness {

// What a node writes once it listens.
inline constexpr std::string_view kListening = "listening\n";

// The steady-clock time of `unix_ms` (the processes of one host share both clocks).
std::chrono::steady_clock::time_point steady_time_of(std::int64_t unix_ms);

// Node side: says it listens on `fd`, then waits there for time zero. RuntimeFailure
// (exit 3) when `fd` ends or says anything but a time of at most 19 digits.
std::chrono::steady_clock::time_point await_time_zero(int fd);

// Launcher side, on its end of a node's socket (non-blocking). Whether the node has
// said it listens; reads what has come so far. Ended: the node closed its end (it
// exited, a busy port for instance) before saying so; Garbled: it said something else.
enum class Listening { not_yet, yes, ended, garbled };
Listening poll_listening(int fd);

// Launcher side: tells the node time zero. False if the node has gone meanwhile.
bool send_time_zero(int fd, std::int64_t unix_ms);

}  // namespace distlab::harness
