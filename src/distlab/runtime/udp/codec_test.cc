// The UDP wire codec: frames round-trip, every malformed datagram is refused with its
// reason and never read outside its bytes; the seed's text heartbeat; the heartbeat
// message's own payload codec (DESIGN.md, "Real runtime (UDP)").
#include "distlab/runtime/udp/codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "distlab/algo/detect/heartbeat.h"
#include "distlab/core/random.h"

namespace distlab::udp {
namespace {

using Bytes = std::vector<std::byte>;

Bytes bytes_of(std::string_view text) {
  Bytes out;
  for (char c : text) out.push_back(static_cast<std::byte>(c));
  return out;
}

// A payload of `n` bytes, each different from its neighbours.
Bytes payload_of(std::size_t n) {
  Bytes out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::byte>((i * 37 + 11) & 0xff));
  return out;
}

Bytes frame_of(const FrameHeader& header, const Bytes& payload) {
  Bytes out;
  encode_frame(header, payload, out);
  return out;
}

// A copy of the span's bytes in a buffer of exactly that size, so that AddressSanitizer
// catches a read one past its end.
DecodeResult decode_exact(const Bytes& datagram) {
  return decode_frame(std::span<const std::byte>(datagram.data(), datagram.size()));
}

// ---- Frames: the layout of codec.h, round trips ----

TEST(CodecTest, EncodesTheDocumentedLayoutLittleEndian) {
  const Bytes payload = {std::byte{0xAA}, std::byte{0xBB}, std::byte{0xCC}};
  const Bytes f = frame_of({.type = 7, .sender = 0x04030201, .seq = 0x0807060504030201ULL}, payload);
  ASSERT_EQ(f.size(), kHeaderBytes + 3);
  const Bytes want = {std::byte{'D'},  std::byte{'L'},  std::byte{1},    std::byte{7},    // magic, version, type
                      std::byte{0x01}, std::byte{0x02}, std::byte{0x03}, std::byte{0x04},  // sender
                      std::byte{0x01}, std::byte{0x02}, std::byte{0x03}, std::byte{0x04},  // seq
                      std::byte{0x05}, std::byte{0x06}, std::byte{0x07}, std::byte{0x08},
                      std::byte{3},    std::byte{0},                                       // length
                      std::byte{0xAA}, std::byte{0xBB}, std::byte{0xCC}};
  EXPECT_EQ(f, want);
}

TEST(CodecTest, EncodeAppendsToWhatIsAlreadyThere) {
  Bytes out = {std::byte{0x55}};
  encode_frame({.type = 1, .sender = 1, .seq = 1}, payload_of(2), out);
  ASSERT_EQ(out.size(), 1 + kHeaderBytes + 2);
  EXPECT_EQ(out[0], std::byte{0x55});
  EXPECT_EQ(out[1], std::byte{'D'});
}

TEST(CodecTest, RoundTripsHeadersAndPayloadSizes) {
  const FrameHeader headers[] = {
      {.type = 1, .sender = 0, .seq = 0},
      {.type = 1, .sender = 3, .seq = 9},
      {.type = 2, .sender = 13, .seq = 1},
      {.type = 255, .sender = std::numeric_limits<NodeId>::max(), .seq = std::numeric_limits<std::uint64_t>::max()},
      {.type = 128, .sender = 100'000, .seq = 1ULL << 40},
  };
  for (const FrameHeader& h : headers) {
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{8}, std::size_t{255}, std::size_t{256},
                          kMaxPayload - 1, kMaxPayload}) {
      SCOPED_TRACE("type " + std::to_string(h.type) + ", sender " + std::to_string(h.sender) + ", seq " +
                   std::to_string(h.seq) + ", payload " + std::to_string(n));
      const Bytes payload = payload_of(n);
      const Bytes f = frame_of(h, payload);
      EXPECT_EQ(f.size(), kHeaderBytes + n);
      const DecodeResult r = decode_exact(f);
      ASSERT_TRUE(r.frame.has_value()) << to_string(r.error);
      EXPECT_EQ(r.error, DecodeError::none);
      EXPECT_EQ(r.frame->header.type, h.type);
      EXPECT_EQ(r.frame->header.sender, h.sender);
      EXPECT_EQ(r.frame->header.seq, h.seq);
      ASSERT_EQ(r.frame->payload.size(), n);
      EXPECT_TRUE(std::equal(payload.begin(), payload.end(), r.frame->payload.begin()));
      // The payload points into the datagram, not into a copy.
      if (n > 0) {
        EXPECT_EQ(r.frame->payload.data(), f.data() + kHeaderBytes);
      }
    }
  }
}

TEST(CodecTest, TheLargestFrameIsTheLargestDatagram) {
  EXPECT_EQ(kMaxDatagram, kHeaderBytes + kMaxPayload);
  EXPECT_LE(kMaxDatagram, 1472u) << "one Ethernet-sized IPv4 UDP datagram";
  const Bytes f = frame_of({.type = 1, .sender = 1, .seq = 1}, payload_of(kMaxPayload));
  EXPECT_EQ(f.size(), kMaxDatagram);
  EXPECT_TRUE(decode_exact(f).frame.has_value());
}

// ---- Every malformed case, with its reason ----

struct Malformed {
  std::string name;
  Bytes datagram;
  DecodeError error;
};

std::vector<Malformed> malformed_cases() {
  const Bytes good = frame_of({.type = 1, .sender = 5, .seq = 42}, payload_of(8));
  std::vector<Malformed> cases;
  cases.push_back({"empty", {}, DecodeError::too_short});
  cases.push_back({"one byte", {std::byte{'D'}}, DecodeError::too_short});
  cases.push_back({"header minus one", Bytes(good.begin(), good.begin() + kHeaderBytes - 1), DecodeError::too_short});
  cases.push_back({"text heartbeat shorter than a header", bytes_of("Heartbeat 1"), DecodeError::too_short});
  {
    Bytes b = good;
    b[0] = std::byte{'X'};
    cases.push_back({"wrong first magic byte", b, DecodeError::bad_magic});
  }
  {
    Bytes b = good;
    b[1] = std::byte{'l'};
    cases.push_back({"wrong second magic byte", b, DecodeError::bad_magic});
  }
  cases.push_back({"the seed's text", bytes_of("Heartbeat from Node 13"), DecodeError::bad_magic});
  for (int version : {0, 2, 255}) {
    Bytes b = good;
    b[2] = static_cast<std::byte>(version);
    cases.push_back({"version " + std::to_string(version), b, DecodeError::bad_version});
  }
  {
    Bytes b = good;
    b[3] = std::byte{0};
    cases.push_back({"type 0", b, DecodeError::bad_type});
  }
  {
    Bytes b = good;
    b[16] = std::byte{9};  // says 9, carries 8
    cases.push_back({"length field larger than the payload", b, DecodeError::bad_length});
  }
  {
    Bytes b = good;
    b[16] = std::byte{7};  // says 7, carries 8
    cases.push_back({"length field smaller than the payload", b, DecodeError::bad_length});
  }
  {
    Bytes b = good;
    b[16] = std::byte{8};
    b[17] = std::byte{1};  // 264: the high byte counts
    cases.push_back({"length field high byte", b, DecodeError::bad_length});
  }
  {
    Bytes b(good.begin(), good.begin() + kHeaderBytes);  // a header alone, claiming 8 bytes
    cases.push_back({"header without its payload", b, DecodeError::bad_length});
  }
  {
    Bytes b = good;
    b.push_back(std::byte{0});
    cases.push_back({"one trailing byte", b, DecodeError::bad_length});
  }
  {
    Bytes b = frame_of({.type = 1, .sender = 1, .seq = 1}, payload_of(kMaxPayload));
    b.push_back(std::byte{0});
    cases.push_back({"longer than kMaxDatagram", b, DecodeError::too_long});
  }
  {
    // The length field would match, but no datagram may be this long.
    Bytes b = frame_of({.type = 1, .sender = 1, .seq = 1}, {});
    const std::size_t n = kMaxPayload + 1;
    b[16] = static_cast<std::byte>(n & 0xff);
    b[17] = static_cast<std::byte>(n >> 8);
    b.resize(kHeaderBytes + n);
    cases.push_back({"consistent length beyond kMaxPayload", b, DecodeError::too_long});
  }
  cases.push_back({"64 KiB of zeros", Bytes(65'535), DecodeError::too_long});
  return cases;
}

TEST(CodecTest, EveryMalformedDatagramIsRefusedWithItsReason) {
  for (const Malformed& c : malformed_cases()) {
    SCOPED_TRACE(c.name);
    const DecodeResult r = decode_exact(c.datagram);
    EXPECT_FALSE(r.frame.has_value());
    EXPECT_EQ(r.error, c.error) << "got '" << to_string(r.error) << "', expected '" << to_string(c.error) << "'";
  }
}

TEST(CodecTest, EveryDecodeErrorHasAName) {
  for (DecodeError e : {DecodeError::none, DecodeError::too_short, DecodeError::bad_magic, DecodeError::bad_version,
                        DecodeError::bad_type, DecodeError::bad_length, DecodeError::too_long}) {
    EXPECT_FALSE(to_string(e).empty());
    EXPECT_NE(to_string(e), "?");
  }
  EXPECT_EQ(to_string(DecodeError::too_long), "too long");
  EXPECT_EQ(to_string(DecodeError::bad_magic), "not a distlab frame");
}

// ---- Decode never reads outside the span ----

// A successful decode is exactly a frame: consistent with the bytes it came from.
void expect_consistent(const Bytes& d, const DecodeResult& r) {
  EXPECT_EQ(r.frame.has_value(), r.error == DecodeError::none);
  if (!r.frame) return;
  ASSERT_GE(d.size(), kHeaderBytes);
  ASSERT_LE(d.size(), kMaxDatagram);
  EXPECT_EQ(d[0], std::byte{'D'});
  EXPECT_EQ(d[1], std::byte{'L'});
  EXPECT_EQ(d[2], std::byte{kWireVersion});
  EXPECT_NE(r.frame->header.type, 0);
  EXPECT_EQ(r.frame->header.type, std::to_integer<std::uint8_t>(d[3]));
  EXPECT_EQ(r.frame->payload.size(), d.size() - kHeaderBytes);
  EXPECT_EQ(r.frame->payload.data(), d.data() + kHeaderBytes);
  // Re-encoding gives back the same bytes.
  Bytes again;
  encode_frame(r.frame->header, r.frame->payload, again);
  EXPECT_EQ(again, d);
}

// Each truncation is copied into a buffer of its own size, so an out-of-bounds read
// is a heap overflow that the sanitizer build reports.
TEST(CodecTest, EveryTruncationOfAValidFrameIsRefusedWithoutReadingPastIt) {
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{8}, kMaxPayload}) {
    const Bytes full = frame_of({.type = 3, .sender = 77, .seq = 1234}, payload_of(n));
    for (std::size_t len = 0; len < full.size(); ++len) {
      const Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len));
      const DecodeResult r = decode_exact(cut);
      EXPECT_FALSE(r.frame.has_value()) << "payload " << n << ", truncated to " << len;
      EXPECT_EQ(r.error, len < kHeaderBytes ? DecodeError::too_short : DecodeError::bad_length)
          << "payload " << n << ", truncated to " << len << ": " << to_string(r.error);
    }
    EXPECT_TRUE(decode_exact(full).frame.has_value());
  }
}

TEST(CodecTest, RandomDatagramsNeverCrashAndDecodeConsistently) {
  Rng rng(20240501);
  std::size_t decoded = 0;
  for (int i = 0; i < 20'000; ++i) {
    Bytes d;
    const std::uint64_t shape = rng.uniform(4);
    if (shape == 0) {
      // Random bytes of any length up to past the limit.
      d.resize(rng.uniform(kMaxDatagram + 64));
      for (auto& b : d) b = static_cast<std::byte>(rng.uniform(256));
    } else {
      // A valid frame, then a few random byte flips, a truncation or an extension.
      const FrameHeader h{.type = static_cast<std::uint8_t>(rng.uniform(256)),
                          .sender = static_cast<NodeId>(rng.next()),
                          .seq = rng.next()};
      d = frame_of({.type = h.type == 0 ? std::uint8_t{1} : h.type, .sender = h.sender, .seq = h.seq},
                   payload_of(rng.uniform(64)));
      const std::uint64_t flips = rng.uniform(3);
      for (std::uint64_t k = 0; k < flips; ++k) d[rng.uniform(d.size())] = static_cast<std::byte>(rng.uniform(256));
      if (shape == 2) d.resize(rng.uniform(d.size() + 1));
      if (shape == 3) d.resize(d.size() + rng.uniform(4));
    }
    const DecodeResult r = decode_exact(d);
    expect_consistent(d, r);
    decoded += r.frame ? 1 : 0;
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "case " << i << " of seed 20240501, " << d.size() << " bytes";
      return;
    }
  }
  // Some flips miss every checked byte: the valid-frame path is exercised too.
  EXPECT_GT(decoded, 1000u);
  EXPECT_LT(decoded, 20'000u);
}

// ---- The seed's text heartbeat ----

std::optional<NodeId> parse_text(std::string_view text) {
  const Bytes b = bytes_of(text);
  return parse_text_heartbeat(std::span<const std::byte>(b.data(), b.size()));
}

TEST(TextHeartbeatCodecTest, FormatsTheSeedsSentence) {
  EXPECT_EQ(text_heartbeat(13), "Heartbeat from Node 13");
  EXPECT_EQ(text_heartbeat(1), "Heartbeat from Node 1");
}

TEST(TextHeartbeatCodecTest, ParsesTheSeedsSentence) {
  EXPECT_EQ(parse_text("Heartbeat from Node 13"), std::optional<NodeId>(13));
  EXPECT_EQ(parse_text("Heartbeat from Node 1"), std::optional<NodeId>(1));
  EXPECT_EQ(parse_text("Heartbeat from Node 4294967295"), std::optional<NodeId>(4294967295u));
}

TEST(TextHeartbeatCodecTest, AcceptsTrailingNewlinesAndSpaces) {
  for (const char* text : {"Heartbeat from Node 13\n", "Heartbeat from Node 13\r\n", "Heartbeat from Node 13 ",
                           "Heartbeat from Node 13   ", "Heartbeat from Node 13 \r\n", "Heartbeat from Node 13\n\n"}) {
    EXPECT_EQ(parse_text(text), std::optional<NodeId>(13)) << '"' << text << '"';
  }
}

TEST(TextHeartbeatCodecTest, RefusesAnythingElse) {
  for (const char* text :
       {"", "Heartbeat from Node", "Heartbeat from Node ", "Heartbeat from Node -1", "Heartbeat from Node 13x",
        "Heartbeat from Node 99999999999", "Heartbeat from Node 4294967296", "Heartbeat from Node +13",
        "Heartbeat from Node  13", "Heartbeat from Node 1 3", "Heartbeat from Node 0x1F", "Heartbeat from Node 1.5",
        "heartbeat from node 13", "Heartbeat from node 13", " Heartbeat from Node 13", "Heartbeat from Node 13\t",
        "Heartbeat  from Node 13", "Heartbeat from Node\n13", "13", "Hello"}) {
    EXPECT_EQ(parse_text(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(TextHeartbeatCodecTest, RefusesNonUtf8AndEmbeddedNulBytes) {
  Bytes b = bytes_of("Heartbeat from Node 13");
  b.push_back(std::byte{0xFF});
  EXPECT_EQ(parse_text_heartbeat(b), std::nullopt);
  b = bytes_of("Heartbeat from Node ");
  b.push_back(std::byte{0xC3});  // a lone UTF-8 lead byte
  b.push_back(std::byte{'1'});
  EXPECT_EQ(parse_text_heartbeat(b), std::nullopt);
  b = {std::byte{0xFE}, std::byte{0xFF}, std::byte{0x00}, std::byte{0x80}};
  EXPECT_EQ(parse_text_heartbeat(b), std::nullopt);
  b = bytes_of("Heartbeat from Node 13");
  b.push_back(std::byte{0});
  EXPECT_EQ(parse_text_heartbeat(b), std::nullopt);
  b = bytes_of("Heartbeat from Node 1");
  b.push_back(std::byte{0});
  b.push_back(std::byte{'3'});
  EXPECT_EQ(parse_text_heartbeat(b), std::nullopt);
  // A frame is not a text heartbeat.
  EXPECT_EQ(parse_text_heartbeat(frame_of({.type = 1, .sender = 13, .seq = 1}, payload_of(8))), std::nullopt);
}

TEST(TextHeartbeatCodecTest, RoundTrips) {
  for (NodeId id : {NodeId{1}, NodeId{13}, NodeId{77777777}, std::numeric_limits<NodeId>::max()}) {
    EXPECT_EQ(parse_text(text_heartbeat(id)), std::optional<NodeId>(id)) << id;
  }
}

// Every prefix of a valid text heartbeat is read within its bytes (sanitizer build).
TEST(TextHeartbeatCodecTest, TruncationsAndRandomBytesNeverCrash) {
  const Bytes full = bytes_of("Heartbeat from Node 77777777\r\n");
  for (std::size_t len = 0; len <= full.size(); ++len) {
    const Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len));
    const auto id = parse_text_heartbeat(cut);
    if (len >= std::string_view("Heartbeat from Node 7").size()) {
      EXPECT_TRUE(id.has_value()) << len;
    } else {
      EXPECT_EQ(id, std::nullopt) << len;
    }
  }
  Rng rng(7);
  for (int i = 0; i < 5'000; ++i) {
    Bytes b = bytes_of("Heartbeat from Node ");
    const std::uint64_t extra = rng.uniform(16);
    for (std::uint64_t k = 0; k < extra; ++k) b.push_back(static_cast<std::byte>(rng.uniform(256)));
    const auto id = parse_text_heartbeat(b);
    if (id) {
      EXPECT_EQ(parse_text(text_heartbeat(*id) + "\n").value_or(0), *id);
    }
  }
}

// ---- The heartbeat message's payload (algo/detect/heartbeat.h) ----

TEST(HeartbeatWireCodecTest, RoundTrips) {
  for (std::uint64_t seq : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{0x0102030405060708ULL},
                            std::numeric_limits<std::uint64_t>::max()}) {
    Bytes payload;
    const std::uint8_t type = detect::wire_encode(detect::Heartbeat{seq}, payload);
    EXPECT_EQ(type, detect::kHeartbeatWireType);
    ASSERT_EQ(payload.size(), 8u);
    const auto back = detect::wire_decode(std::type_identity<detect::Heartbeat>{}, type, payload);
    ASSERT_TRUE(back.has_value()) << seq;
    EXPECT_EQ(back->seq, seq);
  }
}

TEST(HeartbeatWireCodecTest, InsideAFrame) {
  Bytes payload;
  const std::uint8_t type = detect::wire_encode(detect::Heartbeat{99}, payload);
  const Bytes f = frame_of({.type = type, .sender = 7, .seq = 99}, payload);
  const DecodeResult r = decode_exact(f);
  ASSERT_TRUE(r.frame.has_value());
  const auto h = detect::wire_decode(std::type_identity<detect::Heartbeat>{}, r.frame->header.type, r.frame->payload);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->seq, 99u);
}

TEST(HeartbeatWireCodecTest, WrongTypeOrSizeIsRefused) {
  Bytes payload;
  detect::wire_encode(detect::Heartbeat{5}, payload);
  for (std::uint8_t type : {std::uint8_t{0}, std::uint8_t{2}, std::uint8_t{255}}) {
    EXPECT_EQ(detect::wire_decode(std::type_identity<detect::Heartbeat>{}, type, payload), std::nullopt)
        << int{type};
  }
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{9}, std::size_t{16}}) {
    const Bytes wrong = payload_of(n);
    EXPECT_EQ(detect::wire_decode(std::type_identity<detect::Heartbeat>{}, detect::kHeartbeatWireType, wrong),
              std::nullopt)
        << n << " bytes";
  }
}

}  // namespace
}  // namespace distlab::udp
