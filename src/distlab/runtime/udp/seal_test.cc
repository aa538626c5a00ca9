// Sealed frames (seal.h): a frame opens only at the receiver it was sealed for, in the
// cluster it was sealed in, with a key of the keyring, once; every changed bit, header
// field, replay or older epoch is refused with its reason, and forged frames never move
// the receiver's state. Key files, epochs and the replay window as their own units.
#include "distlab/runtime/udp/seal.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "distlab/core/bytes.h"
#include "distlab/core/error.h"

namespace distlab::udp {
namespace {

using testing::HasSubstr;

// Two fixed keys, and key rings of them.
const std::string kSealKeyA = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const std::string kSealKeyB = "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff";

std::shared_ptr<const Keyring> ring_of(const std::string& text) {
  return std::make_shared<const Keyring>(Keyring::parse(text, "test.key"));
}

std::vector<std::byte> seal_payload(std::size_t n) {
  std::vector<std::byte> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::byte>((i * 29 + 7) & 0xff));
  return out;
}

// One sealed datagram.
std::vector<std::byte> sealed(Sealer& sealer, NodeId from, NodeId to, std::uint64_t seq,
                              const std::vector<std::byte>& payload = seal_payload(24)) {
  std::vector<std::byte> out;
  sealer.seal({.type = 7, .sender = from, .seq = seq}, to, payload, out);
  return out;
}

DecodeError error_of(Opener& opener, const std::vector<std::byte>& datagram) { return opener.open(datagram).error; }

// A node's sealer and another node's opener in cluster "lab", keyed with kSealKeyA.
struct SealLink {
  std::shared_ptr<const Keyring> ring = ring_of(kSealKeyA);
  Sealer sealer{{.cluster = "lab", .self = 1, .epoch = 100, .keyring = ring}};
  Opener opener{{.cluster = "lab", .self = 2, .keyring = ring}};
  std::vector<std::byte> next(std::uint64_t seq = 9) { return sealed(sealer, 1, 2, seq); }
};

// ---- seal and open ----

TEST(SealTest, RoundTripsHeaderPayloadAndEpoch) {
  SealLink link;
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{24}, kMaxSealedPayload}) {
    const auto payload = seal_payload(n);
    const auto datagram = sealed(link.sealer, 1, 2, 40 + n, payload);
    ASSERT_EQ(datagram.size(), kSealedHeaderBytes + n + kTagBytes);
    EXPECT_EQ(datagram[2], std::byte{kSealedVersion});
    const OpenResult r = link.opener.open(datagram);
    ASSERT_TRUE(r.frame) << to_string(r.error);
    EXPECT_EQ(r.error, DecodeError::none);
    EXPECT_EQ(r.epoch, 100u);
    EXPECT_EQ(r.frame->header.type, 7);
    EXPECT_EQ(r.frame->header.sender, 1u);
    EXPECT_EQ(r.frame->header.seq, 40 + n);
    EXPECT_TRUE(std::equal(r.frame->payload.begin(), r.frame->payload.end(), payload.begin(), payload.end()));
  }
}

// The wire is libsodium's one-shot XChaCha20-Poly1305 with the nonce and associated data
// seal.h documents: another implementation that follows the header interoperates.
TEST(SealTest, TheFrameIsXChaCha20Poly1305OfTheDocumentedNonceAndData) {
  SealLink link;
  link.next(1);  // a second frame: counter 2
  const auto payload = seal_payload(24);
  const auto datagram = sealed(link.sealer, 1, 2, 9, payload);
  std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
  const unsigned char expected_nonce[24] = {1, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0,  // sender 1, epoch 100
                                            0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};   // zeros, counter 2
  std::memcpy(nonce.data(), expected_nonce, nonce.size());
  std::vector<unsigned char> ad{'l', 'a', 'b'};
  for (std::size_t i = 0; i < kSealedHeaderBytes; ++i) ad.push_back(std::to_integer<unsigned char>(datagram[i]));
  std::vector<unsigned char> key;
  for (std::size_t i = 0; i < kSealKeyA.size(); i += 2) {
    key.push_back(static_cast<unsigned char>(std::stoi(kSealKeyA.substr(i, 2), nullptr, 16)));
  }
  std::vector<unsigned char> ciphertext(payload.size() + kTagBytes);
  unsigned long long length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(ciphertext.data(), &length,
                                             reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                                             ad.data(), ad.size(), nullptr, nonce.data(), key.data());
  ASSERT_EQ(length, ciphertext.size());
  ASSERT_EQ(datagram.size(), kSealedHeaderBytes + ciphertext.size());
  for (std::size_t i = 0; i < ciphertext.size(); ++i) {
    EXPECT_EQ(std::to_integer<unsigned char>(datagram[kSealedHeaderBytes + i]), ciphertext[i]) << "byte " << i;
  }
}

TEST(SealTest, ThePayloadIsEncrypted) {
  SealLink link;
  const auto payload = seal_payload(64);
  const auto datagram = sealed(link.sealer, 1, 2, 1, payload);
  EXPECT_FALSE(std::equal(payload.begin(), payload.end(), datagram.begin() + kSealedHeaderBytes));
}

TEST(SealTest, EverySingleBitFlipIsRejectedAndMovesNothing) {
  SealLink link;
  const auto datagram = link.next();
  for (std::size_t i = 0; i < datagram.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto flipped = datagram;
      flipped[i] ^= static_cast<std::byte>(1 << bit);
      const OpenResult r = link.opener.open(flipped);
      EXPECT_FALSE(r.frame) << "byte " << i << " bit " << bit;
      EXPECT_NE(r.error, DecodeError::none);
    }
  }
  EXPECT_EQ(error_of(link.opener, datagram), DecodeError::none);  // the real one, still fresh
}

// Each field of the header set to another value, with the reason it is refused.
TEST(SealTest, EveryHeaderFieldChangedIsRejected) {
  struct Field {
    const char* name;
    std::size_t offset;
    DecodeError expected;
  };
  const Field fields[] = {
      {"magic", 0, DecodeError::bad_magic},        {"version", 2, DecodeError::bad_version},
      {"type", 3, DecodeError::forged},            {"sender", 4, DecodeError::forged},
      {"receiver", 8, DecodeError::wrong_receiver}, {"seq", 12, DecodeError::forged},
      {"key id", 20, DecodeError::unknown_key},    {"epoch", 24, DecodeError::forged},
      {"counter", 32, DecodeError::forged},        {"length", 40, DecodeError::bad_length},
  };
  SealLink link;
  const auto datagram = link.next();
  for (const Field& field : fields) {
    auto changed = datagram;
    changed[field.offset] ^= std::byte{0x02};
    EXPECT_EQ(error_of(link.opener, changed), field.expected) << field.name;
  }
  // Again once the receiver keeps the sender's subkey (one frame of its epoch accepted):
  // a frame claiming another sender or epoch must not be opened with the one kept.
  SealLink warm;
  ASSERT_EQ(error_of(warm.opener, warm.next(1)), DecodeError::none);
  const auto next = warm.next(2);
  for (const Field& field : fields) {
    auto changed = next;
    changed[field.offset] ^= std::byte{0x02};
    EXPECT_EQ(error_of(warm.opener, changed), field.expected) << field.name << " (subkey kept)";
  }
  EXPECT_EQ(error_of(warm.opener, next), DecodeError::none);
  auto v1 = datagram;
  v1[2] = std::byte{kWireVersion};
  EXPECT_EQ(error_of(link.opener, v1), DecodeError::unsealed);
  auto no_type = datagram;
  no_type[3] = std::byte{0};
  EXPECT_EQ(error_of(link.opener, no_type), DecodeError::bad_type);
  EXPECT_EQ(error_of(link.opener, datagram), DecodeError::none);
}

TEST(SealTest, MalformedDatagramsSayWhy) {
  SealLink link;
  std::vector<std::byte> v1;
  encode_frame({.type = 1, .sender = 1, .seq = 1}, seal_payload(4), v1);
  EXPECT_EQ(error_of(link.opener, v1), DecodeError::unsealed);
  EXPECT_EQ(error_of(link.opener, {}), DecodeError::too_short);
  EXPECT_EQ(error_of(link.opener, {std::byte{'D'}, std::byte{'L'}}), DecodeError::too_short);
  EXPECT_EQ(error_of(link.opener, {std::byte{'D'}, std::byte{'L'}, std::byte{kSealedVersion}}), DecodeError::too_short);
  const auto datagram = link.next();
  const std::vector<std::byte> truncated(datagram.begin(), datagram.end() - 1);
  EXPECT_EQ(error_of(link.opener, truncated), DecodeError::bad_length);
  const std::vector<std::byte> header_only(datagram.begin(), datagram.begin() + kSealedHeaderBytes + kTagBytes - 1);
  EXPECT_EQ(error_of(link.opener, header_only), DecodeError::too_short);
  EXPECT_EQ(error_of(link.opener, std::vector<std::byte>(kMaxDatagram + 1, std::byte{'D'})), DecodeError::too_long);
  const std::string text = text_heartbeat(1);
  std::vector<std::byte> text_bytes;
  for (char c : text) text_bytes.push_back(static_cast<std::byte>(c));
  EXPECT_EQ(error_of(link.opener, text_bytes), DecodeError::bad_magic);
}

TEST(SealTest, AnotherClusterCannotOpenIt) {
  SealLink link;
  Opener other({.cluster = "lab2", .self = 2, .keyring = link.ring});
  EXPECT_EQ(error_of(other, link.next()), DecodeError::forged);
  Opener empty({.cluster = "", .self = 2, .keyring = link.ring});
  EXPECT_EQ(error_of(empty, link.next()), DecodeError::forged);
}

TEST(SealTest, AFrameForAnotherReceiverIsRejectedEvenWithItsReceiverRewritten) {
  SealLink link;
  Opener node3({.cluster = "lab", .self = 3, .keyring = link.ring});
  auto for_two = link.next();
  EXPECT_EQ(error_of(node3, for_two), DecodeError::wrong_receiver);
  for_two[8] = std::byte{3};  // receiver 2 -> 3: the tag binds the receiver
  EXPECT_EQ(error_of(node3, for_two), DecodeError::forged);
}

TEST(SealTest, AFrameClaimingAnotherSenderIsForged) {
  SealLink link;
  auto datagram = link.next();
  datagram[4] = std::byte{5};  // sender 1 -> 5
  EXPECT_EQ(error_of(link.opener, datagram), DecodeError::forged);
}

TEST(SealTest, AnUnknownKeyIsRejectedBeforeAnyCrypto) {
  SealLink link;
  Opener other({.cluster = "lab", .self = 2, .keyring = ring_of(kSealKeyB)});
  EXPECT_EQ(error_of(other, link.next()), DecodeError::unknown_key);
}

TEST(SealTest, RotationOldKeyStillOpensNewPrimarySeals) {
  const auto old_only = ring_of(kSealKeyA);
  const auto both_old_first = ring_of(kSealKeyA + "\n" + kSealKeyB);
  const auto both_new_first = ring_of(kSealKeyB + "\n" + kSealKeyA);
  const auto new_only = ring_of(kSealKeyB);
  EXPECT_NE(old_only->primary().id, new_only->primary().id);
  EXPECT_EQ(both_new_first->primary().id, new_only->primary().id);

  // Step 1: every node knows both keys, still sealing with the old one.
  Sealer sealer({.cluster = "lab", .self = 1, .epoch = 1, .keyring = both_old_first});
  Opener not_yet_rotated({.cluster = "lab", .self = 2, .keyring = old_only});
  Opener rotated({.cluster = "lab", .self = 2, .keyring = both_new_first});
  EXPECT_EQ(error_of(not_yet_rotated, sealed(sealer, 1, 2, 1)), DecodeError::none);
  EXPECT_EQ(error_of(rotated, sealed(sealer, 1, 2, 2)), DecodeError::none);
  // Step 2: the sender seals with the new key; receivers that know it open it.
  sealer.set_keyring(both_new_first);
  const auto with_new = sealed(sealer, 1, 2, 3);
  EXPECT_EQ(error_of(not_yet_rotated, with_new), DecodeError::unknown_key);
  EXPECT_EQ(error_of(rotated, with_new), DecodeError::none);
  // Step 3: the old key dropped: frames sealed with it are refused, and the window holds.
  rotated.set_keyring(new_only);
  EXPECT_EQ(error_of(rotated, sealed(sealer, 1, 2, 4)), DecodeError::none);
  EXPECT_EQ(error_of(rotated, with_new), DecodeError::replayed);
  Sealer stale_sealer({.cluster = "lab", .self = 1, .epoch = 2, .keyring = old_only});
  EXPECT_EQ(error_of(rotated, sealed(stale_sealer, 1, 2, 5)), DecodeError::unknown_key);
}

// ---- replays ----

TEST(SealTest, TheSameDatagramTwiceIsReplayed) {
  SealLink link;
  const auto datagram = link.next();
  EXPECT_EQ(error_of(link.opener, datagram), DecodeError::none);
  EXPECT_EQ(error_of(link.opener, datagram), DecodeError::replayed);
  EXPECT_EQ(error_of(link.opener, datagram), DecodeError::replayed);
}

TEST(SealTest, OutOfOrderWithinTheWindowIsAcceptedOnceEach) {
  SealLink link;
  std::vector<std::vector<std::byte>> frames;
  for (int i = 0; i < 200; ++i) frames.push_back(link.next(i));
  // Newest first, then the rest backwards: all within the window.
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) EXPECT_EQ(error_of(link.opener, *it), DecodeError::none);
  for (const auto& frame : frames) EXPECT_EQ(error_of(link.opener, frame), DecodeError::replayed);
}

TEST(SealTest, BelowTheWindowIsStale) {
  SealLink link;
  const auto first = link.next();
  const auto second = link.next();
  std::vector<std::byte> last;
  for (std::uint64_t i = 1; i < kReplayWindow; ++i) last = link.next();
  // last has counter kReplayWindow + 1: first (1) is out of the window, second (2) its lowest.
  EXPECT_EQ(error_of(link.opener, last), DecodeError::none);
  EXPECT_EQ(error_of(link.opener, first), DecodeError::stale);
  EXPECT_EQ(error_of(link.opener, second), DecodeError::none);
  EXPECT_EQ(error_of(link.opener, second), DecodeError::replayed);
}

TEST(SealTest, AnOlderEpochIsRefusedAndANewerOneResetsTheWindow) {
  const auto ring = ring_of(kSealKeyA);
  Sealer before({.cluster = "lab", .self = 1, .epoch = 50, .keyring = ring});
  Sealer after({.cluster = "lab", .self = 1, .epoch = 51, .keyring = ring});
  Opener opener({.cluster = "lab", .self = 2, .keyring = ring});
  const auto old1 = sealed(before, 1, 2, 1);
  const auto old2 = sealed(before, 1, 2, 2);
  EXPECT_EQ(error_of(opener, old1), DecodeError::none);
  // The restarted node counts from 1 again: its new epoch makes that fresh.
  const OpenResult r = opener.open(sealed(after, 1, 2, 3));
  ASSERT_TRUE(r.frame);
  EXPECT_EQ(r.epoch, 51u);
  EXPECT_EQ(error_of(opener, old2), DecodeError::old_epoch);  // never opened, but from the earlier start
  EXPECT_EQ(error_of(opener, old1), DecodeError::old_epoch);
  EXPECT_EQ(error_of(opener, sealed(after, 1, 2, 4)), DecodeError::none);
}

TEST(SealTest, ASealerCountsOnFromTheCounterItIsGiven) {
  const auto ring = ring_of(kSealKeyA);
  Sealer sealer({.cluster = "lab", .self = 1, .epoch = 3, .keyring = ring, .counter = 5000});
  Opener opener({.cluster = "lab", .self = 2, .keyring = ring});
  const auto datagram = sealed(sealer, 1, 2, 1);
  EXPECT_EQ(*get_le(datagram, 32, 8), 5001u);
  EXPECT_EQ(error_of(opener, datagram), DecodeError::none);
  Sealer lost_frames({.cluster = "lab", .self = 1, .epoch = 3, .keyring = ring, .counter = 5001 + kReplayWindow});
  EXPECT_EQ(error_of(opener, sealed(lost_frames, 1, 2, 2)), DecodeError::none);
  EXPECT_EQ(error_of(opener, datagram), DecodeError::stale);
}

TEST(SealTest, SendersHaveWindowsOfTheirOwn) {
  const auto ring = ring_of(kSealKeyA);
  Sealer one({.cluster = "lab", .self = 1, .epoch = 7, .keyring = ring});
  Sealer three({.cluster = "lab", .self = 3, .epoch = 7, .keyring = ring});
  Opener opener({.cluster = "lab", .self = 2, .keyring = ring});
  EXPECT_EQ(error_of(opener, sealed(one, 1, 2, 1)), DecodeError::none);
  EXPECT_EQ(error_of(opener, sealed(three, 3, 2, 1)), DecodeError::none);  // same epoch and counter, other sender
}

TEST(SealTest, ForgedFramesDoNotMoveState) {
  SealLink link;
  const auto first = link.next();
  const auto second = link.next();
  EXPECT_EQ(error_of(link.opener, first), DecodeError::none);
  // A forged frame with a huge epoch, and one with a huge counter: neither moves anything.
  for (const std::size_t field : {std::size_t{24}, std::size_t{32}}) {
    auto forged = link.next();
    for (std::size_t i = 0; i < 8; ++i) forged[field + i] = std::byte{0xff};
    EXPECT_EQ(error_of(link.opener, forged), DecodeError::forged);
  }
  EXPECT_EQ(error_of(link.opener, second), DecodeError::none);
  // Forged frames from many new sender ids take no sender slot.
  const auto ring = link.ring;
  Opener small({.cluster = "lab", .self = 2, .keyring = ring, .max_senders = 1});
  for (std::uint32_t id = 10; id < 1000; ++id) {
    auto forged = link.next();
    forged[4] = static_cast<std::byte>(id & 0xff);
    forged[5] = static_cast<std::byte>(id >> 8);
    EXPECT_EQ(error_of(small, forged), DecodeError::forged);
  }
  EXPECT_EQ(error_of(small, link.next()), DecodeError::none);
}

TEST(SealTest, MaxSendersBoundsTheStateKept) {
  const auto ring = ring_of(kSealKeyA);
  Opener opener({.cluster = "lab", .self = 9, .keyring = ring, .max_senders = 2});
  std::vector<Sealer> sealers;
  for (NodeId id = 1; id <= 3; ++id) sealers.push_back(Sealer({.cluster = "lab", .self = id, .epoch = 1, .keyring = ring}));
  EXPECT_EQ(error_of(opener, sealed(sealers[0], 1, 9, 1)), DecodeError::none);
  EXPECT_EQ(error_of(opener, sealed(sealers[1], 2, 9, 1)), DecodeError::none);
  EXPECT_EQ(error_of(opener, sealed(sealers[2], 3, 9, 1)), DecodeError::too_many_senders);
  EXPECT_EQ(error_of(opener, sealed(sealers[0], 1, 9, 2)), DecodeError::none);  // the known ones go on
  EXPECT_EQ(error_of(opener, sealed(sealers[1], 2, 9, 2)), DecodeError::none);
}

TEST(SealTest, PayloadIsValidUntilTheNextOpen) {
  SealLink link;
  const auto payload = seal_payload(100);
  const OpenResult r = link.opener.open(sealed(link.sealer, 1, 2, 1, payload));
  ASSERT_TRUE(r.frame);
  const std::vector<std::byte> copy(r.frame->payload.begin(), r.frame->payload.end());
  EXPECT_EQ(copy, payload);
}

// ---- key files ----

TEST(KeyringTest, ParsesKeysCommentsAndBlankLinesPrimaryFirst) {
  const Keyring ring =
      Keyring::parse("# cluster key\n\n  " + kSealKeyB + "  \r\n# old\n" + kSealKeyA + "\n", "k.key");
  ASSERT_EQ(ring.keys().size(), 2u);
  EXPECT_EQ(ring.primary().bytes[0], std::byte{0xf0});
  EXPECT_EQ(ring.keys()[1].bytes[31], std::byte{0x1f});
  EXPECT_EQ(ring.find(ring.keys()[1].id), &ring.keys()[1]);
  std::uint32_t other = 0;
  while (other == ring.keys()[0].id || other == ring.keys()[1].id) ++other;
  EXPECT_EQ(ring.find(other), nullptr);
  // Upper case hex is the same key.
  std::string upper = kSealKeyB;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Keyring::parse(upper, "u").primary().id, ring.primary().id);
}

void expect_key_error(const std::string& text, const std::string& expected) {
  try {
    Keyring::parse(text, "cluster.key");
    ADD_FAILURE() << "accepted: " << text;
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(expected)) << text;
  }
}

TEST(KeyringTest, ParseErrorsNameTheSourceAndLine) {
  expect_key_error("# only a comment\n\n", "cluster.key: no key");
  expect_key_error("", "cluster.key: no key");
  expect_key_error("# a\n" + kSealKeyA + "\n" + kSealKeyA.substr(1) + "\n", "cluster.key:3: a key is 64 hex digits");
  expect_key_error("\n\n\n" + kSealKeyA + "0\n", "cluster.key:4: a key is 64 hex digits");
  expect_key_error("g" + kSealKeyA.substr(1), "cluster.key:1: a key is hex digits only");
  expect_key_error(kSealKeyA + "\n" + kSealKeyB + "\n" + kSealKeyA, "cluster.key:3: a second key with id");
  std::string seventeen;
  for (int i = 0; i <= static_cast<int>(kMaxKeys); ++i) seventeen += fmt::format("{:064x}\n", i + 1);
  expect_key_error(seventeen, "cluster.key:17: more than 16 keys");
}

TEST(KeyringTest, GeneratedKeysParseAndDiffer) {
  const std::string a = generate_key_text();
  const std::string b = generate_key_text();
  EXPECT_NE(a, b);
  EXPECT_NE(Keyring::parse(a, "a").primary().id, Keyring::parse(b, "b").primary().id);
  EXPECT_EQ(Keyring::parse(a, "a").keys().size(), 1u);
}

// A scratch folder for the file tests, removed afterwards.
class SealFilesTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "distlab_seal.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& path, const std::string& text, mode_t mode) const {
    std::ofstream(path, std::ios::binary) << text;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }
  std::string read(const std::string& path) const {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::filesystem::path dir_;
};

void expect_input_error(const std::function<void()>& call, const std::string& expected) {
  try {
    call();
    ADD_FAILURE() << "no error, expected: " << expected;
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(expected));
  }
}

TEST_F(SealFilesTest, WritesANewKeyFileOnlyWhereNothingIs) {
  const std::string path = file("cluster.key");
  write_new_key_file(path);
  struct stat st{};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const Keyring ring = Keyring::read_file(path);
  EXPECT_EQ(ring.keys().size(), 1u);
  // An existing file is never replaced.
  const std::string before = read(path);
  expect_input_error([&] { write_new_key_file(path); }, "cannot create key file");
  EXPECT_EQ(read(path), before);
  // Nor is a symlink followed, whether it leads somewhere or nowhere.
  const std::string target = file("target");
  write(target, "precious", 0644);
  std::filesystem::create_symlink(target, file("link"));
  expect_input_error([&] { write_new_key_file(file("link")); }, "cannot create key file");
  EXPECT_EQ(read(target), "precious");
  std::filesystem::create_symlink(file("nowhere"), file("dangling"));
  expect_input_error([&] { write_new_key_file(file("dangling")); }, "cannot create key file");
  EXPECT_FALSE(std::filesystem::exists(file("nowhere")));
  expect_input_error([&] { write_new_key_file(file("no/such/folder.key")); }, "cannot create key file");
}

TEST_F(SealFilesTest, ReadFileRefusesWhatOthersMayReadOrIsNotAFile) {
  const std::string path = file("k.key");
  write(path, kSealKeyA + "\n", 0600);
  EXPECT_EQ(Keyring::read_file(path).primary().bytes[1], std::byte{1});
  for (const mode_t loose : {0640, 0604, 0620, 0602}) {
    ASSERT_EQ(::chmod(path.c_str(), loose), 0);
    expect_input_error([&] { Keyring::read_file(path); }, "may be read or written by others");
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_NO_THROW(Keyring::read_file(path));
  // A symlink is followed to the file it names, which is checked like any other.
  std::filesystem::create_symlink(path, file("link.key"));
  EXPECT_NO_THROW(Keyring::read_file(file("link.key")));
  expect_input_error([&] { Keyring::read_file(dir_.string()); }, "is not a regular file");
  ASSERT_EQ(::mkfifo(file("fifo").c_str(), 0600), 0);
  expect_input_error([&] { Keyring::read_file(file("fifo")); }, "is not a regular file");  // and does not block
  expect_input_error([&] { Keyring::read_file(file("missing")); }, "cannot open key file");
  write(file("big.key"), std::string(kMaxKeyFileBytes + 1, '#'), 0600);
  expect_input_error([&] { Keyring::read_file(file("big.key")); }, "larger than");
  write(file("bad.key"), "#\n" + kSealKeyA + "x\n", 0600);
  expect_input_error([&] { Keyring::read_file(file("bad.key")); }, "bad.key:2:");
}

// ---- epochs ----

TEST_F(SealFilesTest, NextEpochGrowsOnEveryCallAndIsKept) {
  const std::string path = file("node1.epoch");
  const auto now = static_cast<std::uint64_t>(std::time(nullptr));
  const std::uint64_t first = next_epoch(path);
  EXPECT_GE(first, now);
  std::uint64_t last = first;
  for (int i = 0; i < 5; ++i) {
    const std::uint64_t next = next_epoch(path);
    EXPECT_GT(next, last);
    last = next;
  }
  EXPECT_EQ(read(path), fmt::format("{}\n", last));
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A stored epoch ahead of the clock still grows by one.
  write(path, "99999999999\n", 0600);
  EXPECT_EQ(next_epoch(path), 100000000000u);
  EXPECT_EQ(next_epoch(path), 100000000001u);
  // No temporary file is left beside it.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1u);
}

TEST_F(SealFilesTest, NextEpochRefusesGarbage) {
  const std::string path = file("e");
  for (const std::string& garbage : std::vector<std::string>{"", "\n", "abc", "12 13", "-5", "1e9", "18446744073709551616",
                                                            "18446744073709551615", std::string(100, '7')}) {
    write(path, garbage, 0600);
    expect_input_error([&] { next_epoch(path); }, "epoch file");
    EXPECT_EQ(read(path), garbage);  // left as it was
  }
  write(path, " 42 \n", 0600);
  EXPECT_GE(next_epoch(path), 43u);
  std::filesystem::create_symlink(path, file("link"));
  expect_input_error([&] { next_epoch(file("link")); }, "cannot open epoch file");
  expect_input_error([&] { next_epoch(dir_.string()); }, "epoch file");
  expect_input_error([&] { next_epoch(file("no/such/e")); }, "cannot write epoch file");
}

// ---- the replay window ----

TEST(ReplayWindowTest, AcceptsEachCounterOnceWithinTheWindow) {
  ReplayWindow w;
  EXPECT_EQ(w.check(0), ReplayWindow::Verdict::fresh);
  w.accept(0);
  EXPECT_EQ(w.check(0), ReplayWindow::Verdict::repeated);
  w.accept(kReplayWindow - 1);
  EXPECT_EQ(w.check(0), ReplayWindow::Verdict::repeated);  // exactly kReplayWindow counters are kept
  w.accept(kReplayWindow);
  EXPECT_EQ(w.check(0), ReplayWindow::Verdict::too_old);
  EXPECT_EQ(w.check(1), ReplayWindow::Verdict::fresh);
  // The oldest block of the window shares its slot with the newest one's predecessor
  // in a ring of kReplayWindow / 64 blocks: its bits must survive the newest block.
  w.reset();
  w.accept(10);
  w.accept(kReplayWindow + 5);
  EXPECT_EQ(w.check(10), ReplayWindow::Verdict::repeated);
  EXPECT_EQ(w.check(11), ReplayWindow::Verdict::fresh);
  w.reset();
  EXPECT_EQ(w.check(0), ReplayWindow::Verdict::fresh);
  EXPECT_EQ(w.check(kReplayWindow), ReplayWindow::Verdict::fresh);
}

TEST(ReplayWindowTest, AHugeJumpClearsTheBitsOfTheSlotsItReuses) {
  ReplayWindow w;
  for (std::uint64_t c = 0; c < kReplayWindow; ++c) w.accept(c);
  // Jumps landing on each residue of the ring: nothing of the old window must show.
  const std::uint64_t far = std::uint64_t{1} << 62;
  w.accept(far);
  for (std::uint64_t c = far - kReplayWindow + 1; c < far; ++c) ASSERT_EQ(w.check(c), ReplayWindow::Verdict::fresh) << c;
  EXPECT_EQ(w.check(far - kReplayWindow), ReplayWindow::Verdict::too_old);
  w.accept(UINT64_MAX);
  EXPECT_EQ(w.check(UINT64_MAX), ReplayWindow::Verdict::repeated);
  EXPECT_EQ(w.check(UINT64_MAX - 1), ReplayWindow::Verdict::fresh);
  EXPECT_EQ(w.check(far), ReplayWindow::Verdict::too_old);
}

// The window against a model that remembers every counter: same verdict for each.
RC_GTEST_PROP(ReplayWindowProperty, AgreesWithASetOfEveryCounterSeen, ()) {
  ReplayWindow w;
  std::set<std::uint64_t> seen;
  std::uint64_t base = *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << 40);
  // Long runs of small steps ahead, so the window fills and its ring of blocks wraps,
  // with steps back, rare jumps, and replays of the oldest counters still in the window.
  const auto length = *rc::gen::inRange<std::size_t>(1, 600);
  const auto steps = *rc::gen::container<std::vector<std::pair<int, std::uint64_t>>>(
      length, rc::gen::pair(rc::gen::inRange(0, 20), rc::gen::inRange<std::uint64_t>(0, 3 * kReplayWindow)));
  for (const auto& [kind, amount] : steps) {
    std::uint64_t counter = 0;
    if (kind < 10) {
      counter = base + amount % 80;  // just ahead
    } else if (kind < 13) {
      counter = base - std::min(base, amount);  // behind, maybe out of the window
    } else if (kind < 14) {
      counter = base + amount * 37;  // a jump
    } else if (kind < 17) {
      counter = base - std::min(base, amount % (kReplayWindow + 2));  // near the edge
    } else {
      const auto it = seen.lower_bound(base - std::min(base, kReplayWindow + 1 - amount % 130));
      counter = it == seen.end() ? base : *it;
    }
    ReplayWindow::Verdict expected = ReplayWindow::Verdict::fresh;
    if (!seen.empty() && counter <= *seen.rbegin()) {
      if (*seen.rbegin() - counter >= kReplayWindow) {
        expected = ReplayWindow::Verdict::too_old;
      } else if (seen.contains(counter)) {
        expected = ReplayWindow::Verdict::repeated;
      }
    }
    RC_ASSERT(w.check(counter) == expected);
    if (expected == ReplayWindow::Verdict::fresh) {
      w.accept(counter);
      seen.insert(counter);
      base = std::max(base, counter);
    }
  }
}

}  // namespace
}  // namespace distlab::udp
