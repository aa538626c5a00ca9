// The start of a launch's processes: a node says it listens, the launcher answers
// with time zero (harness/real/start.h), over a socket pair as launch uses it.
#include "distlab/harness/real/start.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "distlab/core/error.h"

namespace distlab::harness {
namespace {

struct Pair {
  Pair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends), 0); }
  ~Pair() {
    for (int& e : ends) {
      if (e >= 0) ::close(e);
    }
  }
  void close_end(int i) {
    ::close(ends[i]);
    ends[i] = -1;
  }
  int launcher() const { return ends[0]; }
  int node() const { return ends[1]; }
  int ends[2] = {-1, -1};
};

std::int64_t unix_ms_in(std::chrono::milliseconds ahead) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             (std::chrono::system_clock::now() + ahead).time_since_epoch())
      .count();
}

// Polls until the node has said something, or 5 s.
Listening poll_until_said(int fd) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  Listening l = poll_listening(fd);
  while (l == Listening::not_yet && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    l = poll_listening(fd);
  }
  return l;
}

TEST(StartTogether, TheNodeWaitsUntilTheLauncherSendsTimeZeroAndTakesIt) {
  Pair p;
  EXPECT_EQ(poll_listening(p.launcher()), Listening::not_yet);  // nothing said yet
  auto node = std::async(std::launch::async, [&] { return await_time_zero(p.node()); });
  ASSERT_EQ(poll_until_said(p.launcher()), Listening::yes);
  EXPECT_EQ(poll_listening(p.launcher()), Listening::not_yet);  // said once, taken once
  // Still waiting: it has no time zero yet.
  EXPECT_EQ(node.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  const std::int64_t ms = unix_ms_in(std::chrono::seconds(2));
  ASSERT_TRUE(send_time_zero(p.launcher(), ms));
  const auto zero = node.get();
  // The steady time of that Unix time: 2 s ahead, to within the clocks' reading apart.
  const auto ahead = zero - std::chrono::steady_clock::now();
  EXPECT_GT(ahead, std::chrono::milliseconds(1800));
  EXPECT_LE(ahead, std::chrono::milliseconds(2001));
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(steady_time_of(ms) - zero).count(), 0);
}

TEST(StartTogether, ALineInPartsIsStillNotYetUntilItIsWhole) {
  Pair p;
  ASSERT_EQ(::write(p.node(), "listen", 6), 6);
  EXPECT_EQ(poll_listening(p.launcher()), Listening::not_yet);
  ASSERT_EQ(::write(p.node(), "ing\n", 4), 4);
  EXPECT_EQ(poll_listening(p.launcher()), Listening::yes);
}

TEST(StartTogether, ANodeGoneOrSayingSomethingElseIsToldApart) {
  Pair gone;
  gone.close_end(1);
  EXPECT_EQ(poll_listening(gone.launcher()), Listening::ended);
  EXPECT_FALSE(send_time_zero(gone.launcher(), 1));  // EPIPE, not SIGPIPE

  Pair other;
  ASSERT_EQ(::write(other.node(), "hello\n", 6), 6);
  EXPECT_EQ(poll_listening(other.launcher()), Listening::garbled);
}

// What the node does with a launcher that stops writing, or answers anything but a time.
void expect_refused(const std::string& answer, bool then_end, const std::string& says) {
  Pair p;
  if (!answer.empty()) {
    ASSERT_EQ(::write(p.launcher(), answer.data(), answer.size()), static_cast<ssize_t>(answer.size()));
  }
  if (then_end) ::shutdown(p.launcher(), SHUT_WR);
  try {
    (void)await_time_zero(p.node());
    ADD_FAILURE() << "accepted '" << answer << "'";
  } catch (const RuntimeFailure& e) {
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
  }
}

TEST(StartTogether, TheNodeRefusesAnEndedStreamOrAnythingButAUnixTime) {
  {
    Pair gone;  // the launcher went before the node listened
    gone.close_end(0);
    EXPECT_THROW(
        {
          try {
            (void)await_time_zero(gone.node());
          } catch (const RuntimeFailure& e) {
            EXPECT_STREQ(e.what(), "--wait-start: cannot say it listens on standard input: Broken pipe");
            throw;
          }
        },
        RuntimeFailure);
  }
  expect_refused("", true, "ended before it gave time zero");
  expect_refused("17963937", true, "ended before it gave time zero");  // no newline
  expect_refused("soon\n", false, "'soon' on standard input is not a Unix time in milliseconds");
  expect_refused("-5\n", false, "'-5' on standard input is not a Unix time");
  expect_refused("0\n", false, "'0' on standard input is not a Unix time");
  expect_refused("\n", false, "'' on standard input is not a Unix time");
  expect_refused("12 \n", false, "'12 ' on standard input is not a Unix time");
  expect_refused(std::string(40, '9') + "\n", false, "a line too long");
  expect_refused("99999999999999999999\n", false, "a line too long");  // 20 digits
}

}  // namespace
}  // namespace distlab::harness
