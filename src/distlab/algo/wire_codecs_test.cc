// Every registered algorithm's messages survive the wire: encode then decode gives
// back a message that encodes to the same bytes, every type stays in the algorithm's
// range, and any bytes at all either decode to a message that encodes back to the
// same bytes, or are refused. Walks the registry: a new algorithm is covered by its
// descriptor alone.
#include <gtest/gtest.h>

#include <tuple>

#include "distlab/algo/registry.h"
#include "distlab/core/random.h"

namespace distlab {
namespace {

template <class M>
std::vector<std::byte> encoded(const M& m, std::uint8_t* type = nullptr) {
  std::vector<std::byte> payload;
  const std::uint8_t t = wire_encode(m, payload);
  if (type != nullptr) *type = t;
  return payload;
}

// Each example decodes to a message that encodes to the very same bytes and type,
// inside the algorithm's range; outside the range, no type decodes it.
template <class M>
void round_trips(std::string_view algorithm, WireRange range, const std::vector<M>& examples) {
  ASSERT_FALSE(examples.empty()) << algorithm;
  for (const M& m : examples) {
    std::uint8_t type = 0;
    const std::vector<std::byte> payload = encoded(m, &type);
    EXPECT_TRUE(range.contains(type)) << algorithm << ": type " << int(type) << " is outside its range";
    const auto back = wire_decode(std::type_identity<M>{}, type, payload);
    ASSERT_TRUE(back.has_value()) << algorithm << ": type " << int(type);
    std::uint8_t again_type = 0;
    EXPECT_EQ(encoded(*back, &again_type), payload) << algorithm;
    EXPECT_EQ(again_type, type) << algorithm;
    for (int other = 0; other < 256; ++other) {
      if (range.contains(static_cast<std::uint8_t>(other))) continue;
      EXPECT_FALSE(wire_decode(std::type_identity<M>{}, static_cast<std::uint8_t>(other), payload).has_value())
          << algorithm << " decodes type " << other << ", outside its range";
    }
  }
}

// Random payloads and types, and mutations of valid encodings of `samples`: whatever
// decodes must re-encode to the same bytes.
template <class M>
void canonical_or_refused(std::uint64_t seed, const std::vector<M>& samples) {
  Rng rng(seed);
  int accepted = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::vector<std::byte> payload;
    std::uint8_t type = 0;
    if (rng.uniform(2) == 0) {
      type = wire_encode(samples[rng.uniform(samples.size())], payload);
      switch (rng.uniform(4)) {
        case 0: break;  // as is
        case 1:
          if (!payload.empty()) payload[rng.uniform(payload.size())] = static_cast<std::byte>(rng.next());
          break;
        case 2:
          if (!payload.empty()) payload.resize(rng.uniform(payload.size()));
          break;
        default: payload.push_back(static_cast<std::byte>(rng.next())); break;
      }
    } else {
      payload.resize(rng.uniform(40));
      for (auto& b : payload) b = static_cast<std::byte>(rng.uniform(4) == 0 ? rng.next() : rng.uniform(3));
      type = static_cast<std::uint8_t>(rng.uniform(2) == 0 ? rng.next() : 1 + rng.uniform(60));
    }
    const auto m = wire_decode(std::type_identity<M>{}, type, payload);
    if (!m) continue;
    ++accepted;
    std::vector<std::byte> again;
    ASSERT_EQ(wire_encode(*m, again), type);
    ASSERT_EQ(again, payload);
  }
  EXPECT_GT(accepted, 1000);  // the generator does reach valid messages
}

TEST(WireCodecTest, EveryRegisteredAlgorithmRoundTripsInItsRange) {
  int algorithms = 0;
  algorithms::for_each([&]<class D>() {
    ++algorithms;
    std::apply([](const auto&... examples) { (round_trips(D::kName, D::kWire, examples), ...); }, D::wire_examples());
  });
  EXPECT_EQ(algorithms, static_cast<int>(algorithms::Registered::kSize));
}

TEST(WireCodecTest, EveryRegisteredAlgorithmDecodesCanonicallyOrRefuses) {
  std::uint64_t seed = 0;
  algorithms::for_each([&]<class D>() {
    std::apply([&](const auto&... examples) { (canonical_or_refused(++seed, examples), ...); }, D::wire_examples());
  });
}

TEST(WireCodecTest, RangesAreDisjoint) {
  std::vector<WireRange> ranges;
  algorithms::for_each([&]<class D>() { ranges.push_back(D::kWire); });
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    for (std::size_t j = i + 1; j < ranges.size(); ++j) EXPECT_FALSE(ranges[i].overlaps(ranges[j])) << i << " " << j;
  }
  EXPECT_TRUE((WireRange{30, 5}.overlaps({34, 1})));
  EXPECT_FALSE((WireRange{30, 5}.overlaps({35, 1})));
}

// The specific values the examples above only re-encode.
TEST(WireCodecTest, ValuesSurvive) {
  VectorClock vc(3);
  vc.set(1, 4);
  vc.set(77'777'777, 9);
  lamport::AppMessage stamped{.lamport = 12, .vc = vc};
  std::uint8_t type = 0;
  const auto payload = encoded(stamped, &type);
  const auto back = wire_decode(std::type_identity<lamport::AppMessage>{}, type, payload);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->lamport, 12u);
  EXPECT_EQ(back->vc, vc);
  const auto transfer = encoded(snapshot::Descriptor::BankWire(snapshot::Transfer{250}), &type);
  const auto bank = wire_decode(std::type_identity<snapshot::Descriptor::BankWire>{}, type, transfer);
  ASSERT_TRUE(bank.has_value());
  EXPECT_EQ(std::get<snapshot::Transfer>(*bank).amount, 250);
  const auto beat = encoded(detect::Heartbeat{99}, &type);
  EXPECT_EQ(wire_decode(std::type_identity<detect::Heartbeat>{}, type, beat)->seq, 99u);
}

}  // namespace
}  // namespace distlab
