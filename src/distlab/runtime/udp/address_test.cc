// Addresses as users write them: HOST:PORT, [IPv6]:PORT; anything else is an
// InputError that quotes the text (issue 5: "a malformed address: exit 2").
#include "distlab/runtime/udp/address.h"

#include <gtest/gtest.h>

#include <string>

#include "distlab/core/error.h"

namespace distlab::udp {
namespace {

struct Valid {
  const char* text;
  const char* host;
  std::uint16_t port;
};

TEST(AddressTest, ParsesValidAddresses) {
  const Valid cases[] = {
      {"127.0.0.1:5000", "127.0.0.1", 5000},
      {"localhost:80", "localhost", 80},
      {"[::1]:5000", "::1", 5000},
      {"my-host.example:1", "my-host.example", 1},
      {"0.0.0.0:65535", "0.0.0.0", 65535},
      {"255.255.255.255:1", "255.255.255.255", 1},
      {"10.0.0.1:5000", "10.0.0.1", 5000},
      {"[fe80::1:2]:443", "fe80::1:2", 443},
      {"[::ffff:127.0.0.1]:5000", "::ffff:127.0.0.1", 5000},
      {"[::]:9", "::", 9},
      {"Node-7.Cluster:5001", "Node-7.Cluster", 5001},
  };
  for (const Valid& c : cases) {
    SCOPED_TRACE(c.text);
    Address a;
    ASSERT_NO_THROW(a = parse_address(c.text));
    EXPECT_EQ(a.host, c.host);
    EXPECT_EQ(a.port, c.port);
  }
}

TEST(AddressTest, ToStringRoundTrips) {
  for (const char* text : {"127.0.0.1:5000", "localhost:80", "[::1]:5000", "my-host.example:1", "[fe80::1:2]:443",
                           "0.0.0.0:65535"}) {
    const Address a = parse_address(text);
    EXPECT_EQ(to_string(a), text);
    EXPECT_EQ(parse_address(to_string(a)), a) << text;
  }
  EXPECT_EQ(to_string(Address{"::1", 5000}), "[::1]:5000");
  EXPECT_EQ(to_string(Address{"127.0.0.1", 0}), "127.0.0.1:0");
}

// The message quotes the text and says what is expected.
void expect_refused(const std::string& text, bool allow_any_port = false) {
  try {
    const Address a = parse_address(text, allow_any_port);
    ADD_FAILURE() << "'" << text << "' was accepted as host '" << a.host << "', port " << a.port;
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'" + text + "'"), std::string::npos) << "the message does not quote '" << text << "': " << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
    EXPECT_EQ(e.exit_code(), kExitUsage);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "'" << text << "' threw something other than InputError: " << e.what();
  }
}

TEST(AddressTest, RefusesMalformedAddressesQuotingThem) {
  for (const char* text :
       {"", "127.0.0.1", ":5000", "127.0.0.1:", "127.0.0.1:abc", "127.0.0.1:70000", "127.0.0.1:65536",
        "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1:80x", "127.0.0.1: 80", "256.1.1.1:5000", "1.2.3:5000",
        "1.2.3.4.5:5000", "1..2.3:5000", "1.2.3.4444:5000", "999:5000", "::1:5000", "[::1]5000", "[::1]:",
        "[::1", "[]:5000", "[localhost]:5000", "[::1]:abc", "a b:1", "host_name:1", "-host:1", ".host:1",
        "héllo:1", "127.0.0.1:99999999999999999999"}) {
    SCOPED_TRACE(text);
    expect_refused(text);
  }
}

TEST(AddressTest, RefusesOverlongHostNames) {
  expect_refused(std::string(254, 'a') + ":1");
  EXPECT_NO_THROW(parse_address(std::string(253, 'a') + ":1"));
}

TEST(AddressTest, PortZeroOnlyWhenAnyPortIsAllowed) {
  expect_refused("127.0.0.1:0");
  expect_refused("[::1]:0");
  expect_refused("localhost:0");
  try {
    parse_address("127.0.0.1:0");
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("port 0"), std::string::npos) << e.what();
  }
  const Address any = parse_address("0.0.0.0:0", /*allow_any_port=*/true);
  EXPECT_EQ(any.host, "0.0.0.0");
  EXPECT_EQ(any.port, 0);
  EXPECT_EQ(parse_address("[::]:0", true).port, 0);
  // Allowing port 0 allows nothing else.
  expect_refused("127.0.0.1", true);
  expect_refused("127.0.0.1:70000", true);
}

}  // namespace
}  // namespace distlab::udp
