// Authenticated frames: what a cluster key adds to the wire format (codec.h).
//
// With a key, every frame is sealed with XChaCha20-Poly1305 (libsodium's AEAD; distlab
// writes no crypto of its own). A sealed frame, integers little-endian:
//
//   offset  size  field
//        0     2  magic "DL"
//        2     1  version (2: sealed)
//        3     1  type: the message type, as in version 1
//        4     4  sender node id
//        8     4  receiver node id
//       12     8  message sequence number (the trace's message id, as in version 1)
//       20     4  key id: which key of the keyring sealed it
//       24     8  sender epoch: grows on every restart of the sender, persisted
//       32     8  counter within the epoch: grows with every frame the sender seals
//       40     2  payload length n (plaintext)
//       42     n  ciphertext
//     42+n    16  tag
//
// The nonce is sender ‖ epoch ‖ four zero bytes ‖ counter (24 bytes), unique for every
// frame ever sealed under one key. Its first 16 bytes are the same for every frame of
// one start of a sender, so XChaCha20's subkey (HChaCha20 of the key and those bytes)
// is derived once per sender, epoch and key, not once per frame; what goes on the wire
// is exactly libsodium's XChaCha20-Poly1305 of that nonce. The associated data is the cluster name and the
// 42-byte header, so a frame is good for one link (sender → receiver) of one cluster
// and no header field can be changed.
//
// A receiver keeps, per sender, the highest epoch it has accepted and a sliding window
// of the counters seen in it (RFC 6479, as WireGuard and IPsec do): a frame of an
// older epoch, a counter already seen, or one below the window is rejected. Replay
// state is updated only after the tag checks, so forged frames cannot move it.
//
//   auto ring = std::make_shared<Keyring>(Keyring::read_file("cluster.key"));
//   Sealer sealer({.cluster = "lab", .self = 1, .epoch = next_epoch("node1.epoch"), .keyring = ring});
//   sealer.seal({.type = 1, .sender = 1, .seq = 9}, /*to=*/2, payload, out);
//   Opener opener({.cluster = "lab", .self = 2, .keyring = ring, .max_senders = 1024});
//   OpenResult r = opener.open(datagram);  // r.frame, or r.error (codec.h's DecodeError)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "distlab/core/types.h"
#include "distlab/runtime/udp/codec.h"

namespace distlab::udp {

inline constexpr std::uint8_t kSealedVersion = 2;
inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::size_t kTagBytes = 16;
inline constexpr std::size_t kSealedHeaderBytes = 42;
// The largest payload a sealed frame carries within one datagram (kMaxDatagram).
inline constexpr std::size_t kMaxSealedPayload = kMaxDatagram - kSealedHeaderBytes - kTagBytes;
// The replay window: counters this far below the highest one seen are still accepted once.
inline constexpr std::uint64_t kReplayWindow = 2048;
// The largest key file read, and the most keys a keyring holds.
inline constexpr std::size_t kMaxKeyFileBytes = 64 << 10;
inline constexpr std::size_t kMaxKeys = 16;

struct Key {
  std::array<std::byte, kKeyBytes> bytes{};
  std::uint32_t id = 0;  // the first 4 bytes of the key's BLAKE2b hash, little-endian
};

// The keys a node accepts; it seals with the primary one (the first in the file).
// Rotation: add the new key second everywhere, then make it first, then drop the old.
class Keyring {
 public:
  // A key file: one key per line as 64 hex digits, the primary first; blank lines and
  // lines starting with '#' are ignored. Throws InputError naming the source and line
  // (bad hex, wrong length, no key, two keys with one id, more than 16 keys).
  static Keyring parse(std::string_view text, const std::string& source);
  // Reads at most kMaxKeyFileBytes; refuses (InputError) a file that is not regular,
  // or that its group or others may read or write, as ssh does. A symlink is followed
  // (key files are often linked from a secrets folder): the file it leads to is checked
  // on the open descriptor.
  static Keyring read_file(const std::string& path);

  const Key& primary() const { return keys_.front(); }
  const Key* find(std::uint32_t id) const;
  const std::vector<Key>& keys() const { return keys_; }

 private:
  std::vector<Key> keys_;  // never empty
};

// A key file's text with one fresh random key (libsodium's randombytes).
std::string generate_key_text();
// Writes `generate_key_text()` to `path`, created with mode 0600 and O_EXCL (an
// existing file or symlink is never replaced): InputError when it cannot be created.
void write_new_key_file(const std::string& path);

// The sender's epoch for this start: max(stored + 1, seconds since 1970), written
// back to `path` (created 0600 if missing) and flushed to disk before it is returned,
// so no two starts of a node ever seal under the same epoch. InputError if `path`
// cannot be read or written, is a symlink or not a regular file, or holds anything but
// one number (at most 64 bytes). Two processes must not share one epoch file.
std::uint64_t next_epoch(const std::string& path);

// RFC 6479's sliding window of the counters accepted within one epoch.
class ReplayWindow {
 public:
  enum class Verdict : std::uint8_t { fresh, repeated, too_old };
  // What accepting `counter` would mean; changes nothing.
  Verdict check(std::uint64_t counter) const;
  // Records `counter` as seen (call only for a frame whose tag checked, after check()).
  void accept(std::uint64_t counter);
  void reset();

 private:
  // One 64-bit block more than the window spans, as RFC 6479 says: the window's lowest
  // counter may sit anywhere within its block, so kReplayWindow counters touch up to
  // kReplayWindow / 64 + 1 blocks. Block b of counters lives in bits_[b % kBlocks].
  static constexpr std::size_t kBlocks = kReplayWindow / 64 + 1;
  std::uint64_t highest_ = 0;
  bool any_ = false;
  std::array<std::uint64_t, kBlocks> bits_{};
};

class Sealer {
 public:
  struct Options {
    std::string cluster;  // bound into every frame
    NodeId self = 0;
    std::uint64_t epoch = 0;  // next_epoch(): unique to this start of the node
    std::shared_ptr<const Keyring> keyring;
    // Frames already sealed in this epoch: the first frame gets counter + 1. Always 0
    // for a node's start; the fuzzer and tests begin further on to reach a receiver's
    // window edges without sealing thousands of frames first.
    std::uint64_t counter = 0;
  };
  explicit Sealer(Options options);

  // Appends one sealed frame for `to` to `out`; header.sender must be `self`, and the
  // payload at most kMaxSealedPayload bytes. Counts the frame.
  void seal(const FrameHeader& header, NodeId to, std::span<const std::byte> payload, std::vector<std::byte>& out);
  // Seals with the new keyring's primary key from now on (key rotation).
  void set_keyring(std::shared_ptr<const Keyring> keyring);
  std::uint64_t epoch() const { return options_.epoch; }

 private:
  Options options_;
  std::uint64_t counter_ = 0;
  std::vector<std::byte> ad_;  // the cluster name, then the frame's header
  std::array<unsigned char, kKeyBytes> subkey_{};  // of self, epoch and the primary key
};

struct OpenResult {
  std::optional<Frame> frame;  // payload: valid until the next open()
  DecodeError error = DecodeError::none;
  std::uint64_t epoch = 0;  // the sender's, when frame is set
};

class Opener {
 public:
  struct Options {
    std::string cluster;
    NodeId self = 0;
    std::shared_ptr<const Keyring> keyring;
    // Senders with replay state kept; a frame from one sender more is rejected
    // (DecodeError::too_many_senders) after its tag checks.
    std::size_t max_senders = 1 << 16;
  };
  explicit Opener(Options options);

  // Checks and decrypts one datagram: a version 1 (unsealed) frame is
  // DecodeError::unsealed; a receiver other than self, wrong_receiver; a key id not in
  // the keyring, unknown_key; a tag that does not check, forged; an older epoch,
  // old_epoch; a counter seen, replayed; one below the window, stale.
  OpenResult open(std::span<const std::byte> datagram);
  // Accepts frames sealed with the new keyring's keys from now on.
  void set_keyring(std::shared_ptr<const Keyring> keyring);

 private:
  struct Peer {
    std::uint64_t epoch = 0;
    ReplayWindow window;
    // The subkey of `epoch` and key `key_id`, valid while keyring_generation_ is
    // `generation` (a new keyring invalidates every one).
    std::array<unsigned char, kKeyBytes> subkey{};
    std::uint32_t key_id = 0;
    std::uint64_t generation = 0;
  };
  Options options_;
  std::uint64_t keyring_generation_ = 1;
  std::unordered_map<NodeId, Peer> peers_;  // lookup only, never iterated
  std::vector<std::byte> plain_;  // kMaxSealedPayload bytes reserved: no allocation per frame
  std::vector<std::byte> ad_;     // the cluster name, then the frame's header
};

}  // namespace distlab::udp
