// Every algorithm's messages survive the wire: encode then decode gives the message
// back, and any bytes at all either decode to a message that encodes back to the
// same bytes, or are refused.
#include <gtest/gtest.h>

#include "algo/bully/bully.h"
#include "algo/detect/heartbeat.h"
#include "algo/lamport/lamport.h"
#include "algo/snapshot/bank.h"
#include "algo/snapshot/game.h"
#include "algo/snapshot/snapshot.h"
#include "core/random.h"

namespace distlab {
namespace {

template <class M>
M round_trip(const M& m) {
  std::vector<std::byte> payload;
  const std::uint8_t type = wire_encode(m, payload);
  auto back = wire_decode(std::type_identity<M>{}, type, payload);
  EXPECT_TRUE(back.has_value());
  return *back;
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
      type = static_cast<std::uint8_t>(rng.uniform(2) == 0 ? rng.next() : 1 + rng.uniform(40));
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

TEST(WireCodecTest, LamportMessages) {
  lamport::AppMessage plain{.lamport = 7, .vc = std::nullopt};
  EXPECT_EQ(round_trip(plain).lamport, 7u);
  EXPECT_FALSE(round_trip(plain).vc.has_value());
  VectorClock vc(3);
  vc.set(1, 4);
  vc.set(3, 2);
  vc.set(77'777'777, 9);
  lamport::AppMessage stamped{.lamport = 12, .vc = vc};
  EXPECT_EQ(round_trip(stamped).vc, vc);
  canonical_or_refused<lamport::AppMessage>(1, {plain, stamped});
}

TEST(WireCodecTest, SnapshotMessages) {
  using GameWire = std::variant<snapshot::GameMessage, snapshot::Marker>;
  using BankWire = std::variant<snapshot::Transfer, snapshot::Marker>;
  const GameWire marker = snapshot::Marker{{2, 3}};
  EXPECT_EQ(std::get<snapshot::Marker>(round_trip(marker)).id, (snapshot::SnapshotId{2, 3}));
  EXPECT_EQ(std::get<snapshot::GameMessage>(round_trip(GameWire(snapshot::GameMessage{snapshot::Move::potion}))).move,
            snapshot::Move::potion);
  EXPECT_EQ(std::get<snapshot::Transfer>(round_trip(BankWire(snapshot::Transfer{250}))).amount, 250);
  canonical_or_refused<GameWire>(2, {marker, GameWire(snapshot::GameMessage{snapshot::Move::attack})});
  canonical_or_refused<BankWire>(3, {BankWire(snapshot::Marker{{1, 1}}), BankWire(snapshot::Transfer{5})});
}

TEST(WireCodecTest, BullyMessages) {
  for (const bully::Message& m : {bully::Message(bully::Election{}), bully::Message(bully::Answer{}),
                                  bully::Message(bully::Coordinator{}), bully::Message(bully::Ack{}),
                                  bully::Message(bully::Alive{})}) {
    EXPECT_EQ(round_trip(m).index(), m.index());
  }
  canonical_or_refused<bully::Message>(4, {bully::Election{}, bully::Alive{}});
}

TEST(WireCodecTest, HeartbeatMessages) {
  EXPECT_EQ(round_trip(detect::Heartbeat{99}).seq, 99u);
  canonical_or_refused<detect::Heartbeat>(5, {detect::Heartbeat{1}, detect::Heartbeat{1ULL << 40}});
}

}  // namespace
}  // namespace distlab
