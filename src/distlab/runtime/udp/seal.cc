#include "distlab/runtime/udp/seal.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>

#include "distlab/core/assert.h"
#include "distlab/core/bytes.h"
#include "distlab/core/error.h"

namespace distlab::udp {
namespace {

static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kSealedHeaderBytes + kMaxSealedPayload + kTagBytes == kMaxDatagram);

// The largest epoch file read: one decimal number and a newline fit many times over.
constexpr std::size_t kMaxEpochFileBytes = 64;

// Header offsets (seal.h).
constexpr std::size_t kSenderAt = 4;
constexpr std::size_t kReceiverAt = 8;
constexpr std::size_t kSeqAt = 12;
constexpr std::size_t kKeyIdAt = 20;
constexpr std::size_t kEpochAt = 24;
constexpr std::size_t kCounterAt = 32;
constexpr std::size_t kLengthAt = 40;

// sodium_init() is thread-safe and idempotent; it fails only when the system cannot
// give it randomness, which leaves nothing to seal with.
void ensure_sodium() {
  if (sodium_init() < 0) throw RuntimeFailure("libsodium cannot start (no system randomness)");
}

// Only called on spans already checked to be long enough.
std::uint64_t load(std::span<const std::byte> in, std::size_t offset, int bytes) { return *get_le(in, offset, bytes); }

const unsigned char* bytes_of(const std::byte* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* bytes_of(std::byte* p) { return reinterpret_cast<unsigned char*>(p); }

// XChaCha20 split in two, as libsodium computes it: the subkey is HChaCha20 of the key
// and the nonce's first 16 bytes (sender ‖ epoch ‖ four zero bytes, little-endian);
// the frame is then ChaCha20-Poly1305 (IETF) under the subkey with the 12-byte nonce
// four zero bytes ‖ counter.
using Subkey = std::array<unsigned char, kKeyBytes>;
static_assert(crypto_core_hchacha20_OUTPUTBYTES == kKeyBytes);
static_assert(crypto_aead_chacha20poly1305_ietf_KEYBYTES == kKeyBytes);
static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == kTagBytes);

Subkey subkey_of(const Key& key, NodeId sender, std::uint64_t epoch) {
  std::array<unsigned char, crypto_core_hchacha20_INPUTBYTES> in{};
  for (int i = 0; i < 4; ++i) in[i] = static_cast<unsigned char>(sender >> (8 * i));
  for (int i = 0; i < 8; ++i) in[4 + i] = static_cast<unsigned char>(epoch >> (8 * i));
  Subkey subkey{};
  crypto_core_hchacha20(subkey.data(), in.data(), bytes_of(key.bytes.data()), nullptr);
  return subkey;
}

// The 12-byte nonce under the subkey: four zero bytes, then the header's counter.
std::array<unsigned char, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> short_nonce_of(const std::byte* header) {
  std::array<unsigned char, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> nonce{};
  std::memcpy(nonce.data() + 4, header + kCounterAt, 8);
  return nonce;
}

// The associated data: the cluster name, then room for one header.
std::vector<std::byte> ad_for(const std::string& cluster) {
  std::vector<std::byte> ad(cluster.size() + kSealedHeaderBytes);
  std::memcpy(ad.data(), cluster.data(), cluster.size());
  return ad;
}

std::uint32_t key_id(const std::array<std::byte, kKeyBytes>& key) {
  std::array<unsigned char, crypto_generichash_BYTES> hash{};
  crypto_generichash(hash.data(), hash.size(), bytes_of(key.data()), key.size(), nullptr, 0);
  return static_cast<std::uint32_t>(hash[0]) | static_cast<std::uint32_t>(hash[1]) << 8 |
         static_cast<std::uint32_t>(hash[2]) << 16 | static_cast<std::uint32_t>(hash[3]) << 24;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string error_text(int error) { return std::strerror(error); }

// Reads at most `limit` bytes of an open file; nullopt if it holds more.
std::optional<std::string> read_bounded(int fd, std::size_t limit) {
  std::string text(limit + 1, '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InputError(fmt::format("cannot read: {}", error_text(errno)));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > limit) return std::nullopt;
  text.resize(got);
  return text;
}

void write_all(int fd, std::string_view text) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      errno = n < 0 ? errno : EIO;
      throw InputError(error_text(errno));
    }
    written += static_cast<std::size_t>(n);
  }
}

// Closes a descriptor on every path out of a scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

// ---- keys ----

Keyring Keyring::parse(std::string_view text, const std::string& source) {
  ensure_sodium();
  Keyring ring;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = trim(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const auto fail = [&](std::string_view why) {
      return InputError(fmt::format("{}:{}: {}", source, line_number, why));
    };
    if (line.size() != 2 * kKeyBytes) {
      throw fail(fmt::format("a key is {} hex digits, this line has {} characters", 2 * kKeyBytes, line.size()));
    }
    Key key;
    for (std::size_t i = 0; i < kKeyBytes; ++i) {
      const int high = hex_digit(line[2 * i]);
      const int low = hex_digit(line[2 * i + 1]);
      if (high < 0 || low < 0) throw fail("a key is hex digits only (0-9, a-f)");
      key.bytes[i] = static_cast<std::byte>(high << 4 | low);
    }
    key.id = key_id(key.bytes);
    if (ring.find(key.id) != nullptr) throw fail(fmt::format("a second key with id {:08x} (the same key twice?)", key.id));
    if (ring.keys_.size() == kMaxKeys) throw fail(fmt::format("more than {} keys", kMaxKeys));
    ring.keys_.push_back(key);
  }
  if (ring.keys_.empty()) throw InputError(fmt::format("{}: no key (one line of {} hex digits)", source, 2 * kKeyBytes));
  return ring;
}

Keyring Keyring::read_file(const std::string& path) {
  // A symlink is followed (key files are often linked from a secrets folder); what it
  // leads to is checked on the open descriptor, so it cannot change in between.
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)};
  if (file.fd < 0) throw InputError(fmt::format("cannot open key file {}: {}", path, error_text(errno)));
  struct stat st{};
  if (::fstat(file.fd, &st) != 0) throw InputError(fmt::format("cannot read key file {}: {}", path, error_text(errno)));
  if (!S_ISREG(st.st_mode)) throw InputError(fmt::format("key file {} is not a regular file", path));
  if ((st.st_mode & 077) != 0) {
    throw InputError(fmt::format("key file {} may be read or written by others (mode {:04o}): chmod 600 {}", path,
                                 st.st_mode & 07777, path));
  }
  std::optional<std::string> text;
  try {
    text = read_bounded(file.fd, kMaxKeyFileBytes);
  } catch (const InputError& e) {
    throw InputError(fmt::format("key file {}: {}", path, e.what()));
  }
  if (!text) throw InputError(fmt::format("key file {} is larger than {} bytes", path, kMaxKeyFileBytes));
  try {
    Keyring ring = parse(*text, path);
    sodium_memzero(text->data(), text->size());
    return ring;
  } catch (const InputError&) {
    sodium_memzero(text->data(), text->size());
    throw;
  }
}

const Key* Keyring::find(std::uint32_t id) const {
  for (const Key& key : keys_) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

std::string generate_key_text() {
  ensure_sodium();
  std::array<unsigned char, kKeyBytes> key{};
  randombytes_buf(key.data(), key.size());
  std::array<char, 2 * kKeyBytes + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), key.data(), key.size());
  std::string text = fmt::format(
      "# distlab cluster key: keep it secret (mode 0600). One key per line; the first seals,\n"
      "# every one opens. To rotate, add a new key second everywhere, then move it first.\n"
      "{}\n",
      std::string_view(hex.data(), 2 * kKeyBytes));
  sodium_memzero(key.data(), key.size());
  sodium_memzero(hex.data(), hex.size());
  return text;
}

void write_new_key_file(const std::string& path) {
  // O_EXCL: an existing file, or a symlink even to nowhere, is never written through.
  Fd file{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
  if (file.fd < 0) throw InputError(fmt::format("cannot create key file {}: {}", path, error_text(errno)));
  std::string text = generate_key_text();
  try {
    write_all(file.fd, text);
    if (::fsync(file.fd) != 0) throw InputError(error_text(errno));
  } catch (const InputError& e) {
    sodium_memzero(text.data(), text.size());
    ::unlink(path.c_str());
    throw InputError(fmt::format("cannot write key file {}: {}", path, e.what()));
  }
  sodium_memzero(text.data(), text.size());
}

// ---- epochs ----

std::uint64_t next_epoch(const std::string& path) {
  std::uint64_t stored = 0;
  bool found = false;
  {
    Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW)};
    if (file.fd < 0 && errno != ENOENT) throw InputError(fmt::format("cannot open epoch file {}: {}", path, error_text(errno)));
    if (file.fd >= 0) {
      struct stat st{};
      if (::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        throw InputError(fmt::format("epoch file {} is not a regular file", path));
      }
      std::optional<std::string> text;
      try {
        text = read_bounded(file.fd, kMaxEpochFileBytes);
      } catch (const InputError& e) {
        throw InputError(fmt::format("epoch file {}: {}", path, e.what()));
      }
      const std::string_view number = text ? trim(*text) : std::string_view();
      const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), stored);
      if (!text || number.empty() || ec != std::errc() || end != number.data() + number.size()) {
        throw InputError(fmt::format("epoch file {} holds something other than one number", path));
      }
      if (stored == UINT64_MAX) throw InputError(fmt::format("epoch file {} holds the largest epoch", path));
      found = true;
    }
  }
  const std::uint64_t now = static_cast<std::uint64_t>(std::max<std::time_t>(std::time(nullptr), 0));
  const std::uint64_t epoch = found ? std::max(stored + 1, now) : now;

  // Written beside the file under a fresh name (mkstemp: O_EXCL, mode 0600), flushed,
  // renamed into place, and the directory flushed, so a crash leaves the old epoch or
  // the new one, never a torn file, and the new one is on disk before it is used.
  std::string temp = path + ".XXXXXX";
  Fd out{::mkstemp(temp.data())};
  if (out.fd < 0) throw InputError(fmt::format("cannot write epoch file {}: {}", path, error_text(errno)));
  try {
    write_all(out.fd, fmt::format("{}\n", epoch));
    if (::fsync(out.fd) != 0) throw InputError(error_text(errno));
    if (::rename(temp.c_str(), path.c_str()) != 0) throw InputError(error_text(errno));
  } catch (const InputError& e) {
    ::unlink(temp.c_str());
    throw InputError(fmt::format("cannot write epoch file {}: {}", path, e.what()));
  }
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  Fd directory{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (directory.fd < 0 || ::fsync(directory.fd) != 0) {
    throw InputError(fmt::format("cannot flush the folder of epoch file {}: {}", path, error_text(errno)));
  }
  return epoch;
}

// ---- replay window (RFC 6479) ----

ReplayWindow::Verdict ReplayWindow::check(std::uint64_t counter) const {
  if (!any_ || counter > highest_) return Verdict::fresh;
  if (highest_ - counter >= kReplayWindow) return Verdict::too_old;
  const std::uint64_t bit = std::uint64_t{1} << (counter & 63);
  return (bits_[(counter >> 6) % kBlocks] & bit) != 0 ? Verdict::repeated : Verdict::fresh;
}

void ReplayWindow::accept(std::uint64_t counter) {
  DISTLAB_ASSERT(check(counter) == Verdict::fresh, "accept() of a counter check() refuses");
  if (!any_ || counter > highest_) {
    // Blocks the window slides over are cleared: at most kBlocks of them, however far
    // the counter jumps.
    const std::uint64_t to = counter >> 6;
    const std::uint64_t from = any_ ? highest_ >> 6 : to;
    if (to - from >= kBlocks) {
      bits_.fill(0);
    } else {
      for (std::uint64_t block = from + 1; block <= to; ++block) bits_[block % kBlocks] = 0;
    }
    highest_ = counter;
    any_ = true;
  }
  bits_[(counter >> 6) % kBlocks] |= std::uint64_t{1} << (counter & 63);
}

void ReplayWindow::reset() {
  highest_ = 0;
  any_ = false;
  bits_.fill(0);
}

// ---- sealing ----

Sealer::Sealer(Options options)
    : options_(std::move(options)), counter_(options_.counter), ad_(ad_for(options_.cluster)) {
  ensure_sodium();
  DISTLAB_ASSERT(options_.keyring != nullptr, "a Sealer needs a keyring");
  subkey_ = subkey_of(options_.keyring->primary(), options_.self, options_.epoch);
}

void Sealer::set_keyring(std::shared_ptr<const Keyring> keyring) {
  DISTLAB_ASSERT(keyring != nullptr);
  options_.keyring = std::move(keyring);
  subkey_ = subkey_of(options_.keyring->primary(), options_.self, options_.epoch);
}

void Sealer::seal(const FrameHeader& header, NodeId to, std::span<const std::byte> payload, std::vector<std::byte>& out) {
  DISTLAB_ASSERT(header.sender == options_.self, "a node seals only its own frames");
  DISTLAB_ASSERT(header.type != 0, "type 0 is reserved");
  DISTLAB_ASSERT(payload.size() <= kMaxSealedPayload, "payload larger than a sealed datagram");
  DISTLAB_ASSERT(counter_ < UINT64_MAX, "the frame counter of one epoch is used up");
  const Key& key = options_.keyring->primary();
  const std::size_t start = out.size();
  out.reserve(start + kSealedHeaderBytes + payload.size() + kTagBytes);
  out.push_back(std::byte{'D'});
  out.push_back(std::byte{'L'});
  out.push_back(std::byte{kSealedVersion});
  out.push_back(std::byte{header.type});
  put_le(out, header.sender, 4);
  put_le(out, to, 4);
  put_le(out, header.seq, 8);
  put_le(out, key.id, 4);
  put_le(out, options_.epoch, 8);
  put_le(out, ++counter_, 8);
  put_le(out, payload.size(), 2);
  out.resize(start + kSealedHeaderBytes + payload.size() + kTagBytes);
  std::byte* frame = out.data() + start;
  std::memcpy(ad_.data() + options_.cluster.size(), frame, kSealedHeaderBytes);
  const auto nonce = short_nonce_of(frame);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(
      bytes_of(frame + kSealedHeaderBytes), bytes_of(frame + kSealedHeaderBytes + payload.size()), nullptr,
      bytes_of(payload.data()), payload.size(), bytes_of(ad_.data()), ad_.size(), nullptr, nonce.data(),
      subkey_.data());
}

// ---- opening ----

Opener::Opener(Options options) : options_(std::move(options)), ad_(ad_for(options_.cluster)) {
  ensure_sodium();
  DISTLAB_ASSERT(options_.keyring != nullptr, "an Opener needs a keyring");
  plain_.reserve(kMaxSealedPayload);
}

void Opener::set_keyring(std::shared_ptr<const Keyring> keyring) {
  DISTLAB_ASSERT(keyring != nullptr);
  options_.keyring = std::move(keyring);
  ++keyring_generation_;  // every subkey derived so far is derived again when next used
}

OpenResult Opener::open(std::span<const std::byte> d) {
  const auto reject = [](DecodeError error) { return OpenResult{std::nullopt, error, 0}; };
  // The header, bounds first; then what needs no crypto (receiver, key, epoch, window).
  if (d.size() > kMaxDatagram) return reject(DecodeError::too_long);
  if (d.size() < 3) return reject(DecodeError::too_short);
  if (d[0] != std::byte{'D'} || d[1] != std::byte{'L'}) return reject(DecodeError::bad_magic);
  if (d[2] == std::byte{kWireVersion}) return reject(DecodeError::unsealed);
  if (d[2] != std::byte{kSealedVersion}) return reject(DecodeError::bad_version);
  if (d.size() < kSealedHeaderBytes + kTagBytes) return reject(DecodeError::too_short);
  if (d[3] == std::byte{0}) return reject(DecodeError::bad_type);
  const std::size_t length = load(d, kLengthAt, 2);
  if (length != d.size() - kSealedHeaderBytes - kTagBytes) return reject(DecodeError::bad_length);
  if (load(d, kReceiverAt, 4) != options_.self) return reject(DecodeError::wrong_receiver);
  const Key* key = options_.keyring->find(static_cast<std::uint32_t>(load(d, kKeyIdAt, 4)));
  if (key == nullptr) return reject(DecodeError::unknown_key);
  const auto sender = static_cast<NodeId>(load(d, kSenderAt, 4));
  const std::uint64_t epoch = load(d, kEpochAt, 8);
  const std::uint64_t counter = load(d, kCounterAt, 8);
  auto known = peers_.find(sender);
  if (known != peers_.end()) {
    if (epoch < known->second.epoch) return reject(DecodeError::old_epoch);
    if (epoch == known->second.epoch) {
      switch (known->second.window.check(counter)) {
        case ReplayWindow::Verdict::repeated: return reject(DecodeError::replayed);
        case ReplayWindow::Verdict::too_old: return reject(DecodeError::stale);
        case ReplayWindow::Verdict::fresh: break;
      }
    }
  }

  // The subkey of a known sender's current epoch and key is kept; any other is derived
  // here and kept only once the tag checks.
  const bool cached = known != peers_.end() && known->second.generation == keyring_generation_ &&
                      known->second.epoch == epoch && known->second.key_id == key->id;
  const Subkey subkey = cached ? known->second.subkey : subkey_of(*key, sender, epoch);
  std::memcpy(ad_.data() + options_.cluster.size(), d.data(), kSealedHeaderBytes);
  const auto nonce = short_nonce_of(d.data());
  plain_.resize(length);  // within the capacity reserved: no allocation
  if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
          bytes_of(plain_.data()), nullptr, bytes_of(d.data() + kSealedHeaderBytes), length,
          bytes_of(d.data() + kSealedHeaderBytes + length), bytes_of(ad_.data()), ad_.size(), nonce.data(),
          subkey.data()) != 0) {
    return reject(DecodeError::forged);
  }

  // Only a frame whose tag checked reaches here: now the sender's replay state moves.
  if (known == peers_.end()) {
    if (peers_.size() >= options_.max_senders) return reject(DecodeError::too_many_senders);
    known = peers_.emplace(sender, Peer{.epoch = epoch}).first;
  } else if (epoch > known->second.epoch) {
    known->second.epoch = epoch;
    known->second.window.reset();
  }
  known->second.window.accept(counter);
  if (!cached) {
    known->second.subkey = subkey;
    known->second.key_id = key->id;
    known->second.generation = keyring_generation_;
  }

  Frame frame;
  frame.header.type = std::to_integer<std::uint8_t>(d[3]);
  frame.header.sender = sender;
  frame.header.seq = load(d, kSeqAt, 8);
  frame.payload = std::span<const std::byte>(plain_.data(), length);
  return OpenResult{frame, DecodeError::none, epoch};
}

}  // namespace distlab::udp
