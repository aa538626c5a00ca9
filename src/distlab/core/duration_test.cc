#include "distlab/core/duration.h"

#include <gtest/gtest.h>

#include "distlab/core/error.h"

namespace distlab {
namespace {

TEST(DurationTest, ParsesEveryUnit) {
  EXPECT_EQ(parse_duration("7ns"), 7);
  EXPECT_EQ(parse_duration("7us"), 7 * kMicrosecond);
  EXPECT_EQ(parse_duration("250ms"), 250 * kMillisecond);
  EXPECT_EQ(parse_duration("5s"), 5 * kSecond);
  EXPECT_EQ(parse_duration("1m"), kMinute);
  EXPECT_EQ(parse_duration("2h"), 2 * kHour);
  EXPECT_EQ(parse_duration("0"), 0);
  EXPECT_EQ(parse_duration("0s"), 0);
}

TEST(DurationTest, ParsesDecimalsExactly) {
  EXPECT_EQ(parse_duration("1.5s"), 1'500'000'000);
  EXPECT_EQ(parse_duration("0.1s"), 100'000'000);
  EXPECT_EQ(parse_duration("2.25ms"), 2'250'000);
  EXPECT_EQ(parse_duration(".5s"), 500'000'000);
}

TEST(DurationTest, RejectsBadInputWithReason) {
  for (const char* bad : {"", "s", "5", "-1s", "5x", "1.5ns", "1e3s", "5 s", "99999999999999999999s"}) {
    EXPECT_THROW(parse_duration(bad), InputError) << bad;
  }
  try {
    parse_duration("5");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("missing unit"), std::string::npos) << e.what();
  }
}

TEST(DurationTest, FormatsInLargestExactUnit) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(250 * kMillisecond), "250ms");
  EXPECT_EQ(format_duration(1'500'000'000), "1.5s");
  EXPECT_EQ(format_duration(90 * kSecond), "90s");
  EXPECT_EQ(format_duration(2 * kMinute), "120s");
  EXPECT_EQ(format_duration(10 * kMinute), "10m");
  EXPECT_EQ(format_duration(2 * kHour), "2h");
  EXPECT_EQ(format_duration(42), "42ns");
  EXPECT_EQ(format_duration(1'234), "1.234us");
}

TEST(DurationTest, FormatThenParseRoundTrips) {
  for (Nanos v : {Nanos{1}, Nanos{999}, Nanos{1'000}, Nanos{123'456'789}, 3 * kHour, Nanos{86'400'000'000'123}}) {
    EXPECT_EQ(parse_duration(format_duration(v)), v) << format_duration(v);
  }
}

}  // namespace
}  // namespace distlab
