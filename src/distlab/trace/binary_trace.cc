#include "distlab/trace/binary_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "distlab/clock/vector_clock.h"
#include "distlab/core/error.h"
#include "distlab/trace/jsonl_writer.h"

namespace distlab::trace {

namespace {

constexpr std::uint8_t kKindBits = 0x07;
constexpr std::uint8_t kHasLamport = 0x08;
constexpr std::uint8_t kHasVc = 0x10;
constexpr std::uint8_t kHasData = 0x20;
constexpr std::uint8_t kSenderIsNode = 0x40;
constexpr std::uint8_t kUnknownFlags = 0x80;

constexpr std::uint8_t kStringOnce = 0;
constexpr std::uint8_t kStringKept = 1;
constexpr std::uint64_t kStringRef = 2;

// At most 10 bytes.
std::uint8_t* put_varint(std::uint8_t* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<std::uint8_t>(v);
  return p;
}

std::uint64_t zig(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

std::int64_t unzig(std::uint64_t u) { return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1)); }

std::uint8_t* put_bytes(std::uint8_t* p, std::string_view s) {
  p = put_varint(p, s.size());
  if (!s.empty()) std::memcpy(p, s.data(), s.size());  // an empty view's data may be null
  return p + s.size();
}

bool is_message(EventKind kind) {
  return kind == EventKind::send || kind == EventKind::recv || kind == EventKind::drop;
}

bool has_label(EventKind kind) {
  return kind == EventKind::drop || kind == EventKind::local || kind == EventKind::timer;
}

// One line of JSON text, as a JSONL line may hold it.
bool one_json_line(std::string_view text) {
  return text.find_first_of("\r\n") == std::string_view::npos && nlohmann::ordered_json::accept(text);
}

}  // namespace

bool starts_binary_trace(std::istream& in) {
  return in.peek() == static_cast<unsigned char>(kBinaryTraceMagic[0]);
}

// ---- writing ----

BinaryTraceWriter::BinaryTraceWriter(std::string path, const Header& header)
    : path_(std::move(path)), out_(path_), block_(std::make_unique_for_overwrite<char[]>(kBlockBytes)) {
  std::string start(kBinaryTraceMagic);
  start += static_cast<char>(kBinaryTraceVersion);
  const std::string text = header_line(header);
  std::uint8_t length[10];
  start.append(reinterpret_cast<const char*>(length), put_varint(length, text.size()) - length);
  start += text;
  append_bytes(start);
}

BinaryTraceWriter::~BinaryTraceWriter() = default;  // out_, unless committed, removes its file

[[noreturn]] void BinaryTraceWriter::fail(int error) const {
  throw RuntimeFailure(fmt::format("writing trace '{}' failed: {}", path_, std::strerror(error)));
}

std::uint8_t* BinaryTraceWriter::put_string(std::uint8_t* p, std::string_view s) {
  if (s.size() <= kMaxKeptStringBytes) {
    if (last_id_ != 0 && s == last_string_) return put_varint(p, kStringRef + last_id_ - 1);
    auto it = kept_.find(s);
    if (it != kept_.end()) {
      last_string_ = s;
      last_id_ = it->second + 1;
      return put_varint(p, kStringRef + it->second);
    }
    if (kept_.size() < kMaxKeptStrings && kept_bytes_ + s.size() <= kMaxKeptBytes) {
      const auto id = static_cast<std::uint32_t>(kept_.size());
      kept_.emplace(s, id);
      kept_bytes_ += s.size();
      last_string_ = s;
      last_id_ = id + 1;
      *p++ = kStringKept;
      return put_bytes(p, s);
    }
  }
  *p++ = kStringOnce;
  return put_bytes(p, s);
}

void BinaryTraceWriter::on_event(const Event& e) {
  const bool data =
      e.data != nullptr && ((e.kind == EventKind::send && !e.data->is_null()) || e.kind == EventKind::state);
  if (!data && e.stamp.vc == nullptr && e.type.size() <= kMaxKeptStringBytes &&
      e.label.size() <= kMaxKeptStringBytes) {  // the common record: made in place
    if (kBlockBytes - used_ < kMaxFastRecord) flush();
    auto* start = reinterpret_cast<std::uint8_t*>(block_.get() + used_);
    used_ += static_cast<std::size_t>(encode(start, e, {}) - start);
    if (used_ >= kBlockBytes - kMaxFastRecord) flush();
    return;
  }
  // With data or a vector clock, or a long string: made aside, then copied.
  const std::string text = data ? e.data->dump() : std::string();
  const std::size_t vc_entries = e.stamp.vc != nullptr ? e.stamp.vc->entries().size() : 0;
  scratch_.resize(kMaxFastRecord + e.type.size() + e.label.size() + 10 + text.size() + 10 + 20 * vc_entries);
  auto* start = reinterpret_cast<std::uint8_t*>(scratch_.data());
  append_bytes(std::string_view(scratch_.data(), static_cast<std::size_t>(encode(start, e, text) - start)));
}

std::uint8_t* BinaryTraceWriter::encode(std::uint8_t* start, const Event& e, std::string_view data_json) {
  std::uint8_t* p = start + 1;
  std::uint8_t flags = static_cast<std::uint8_t>(e.kind);
  p = put_varint(p, zig(static_cast<std::int64_t>(static_cast<std::uint64_t>(e.t) -
                                                  static_cast<std::uint64_t>(last_t_))));
  last_t_ = e.t;
  p = put_varint(p, e.node);
  if (is_message(e.kind)) {
    if (e.msg.sender == e.node) {
      flags |= kSenderIsNode;
    } else {
      p = put_varint(p, e.msg.sender);
    }
    p = put_varint(p, e.msg.seq);
    p = put_varint(p, e.peer);
    p = put_string(p, e.type);
  }
  if (has_label(e.kind)) p = put_string(p, e.label);
  if (!data_json.empty()) {
    flags |= kHasData;
    p = put_bytes(p, data_json);
  }
  if (e.stamp.lamport != kNoLamport) {
    flags |= kHasLamport;
    p = put_varint(p, zig(e.stamp.lamport));
  }
  if (e.stamp.vc != nullptr) {
    flags |= kHasVc;
    p = put_varint(p, e.stamp.vc->entries().size());
    NodeId previous = 0;
    for (const auto& [node, counter] : e.stamp.vc->entries()) {
      p = put_varint(p, node - previous);
      p = put_varint(p, counter);
      previous = node;
    }
  }
  *start = flags;
  return p;
}

void BinaryTraceWriter::append_bytes(std::string_view bytes) {
  while (!bytes.empty()) {
    const std::size_t n = std::min(bytes.size(), kBlockBytes - used_);
    std::memcpy(block_.get() + used_, bytes.data(), n);
    used_ += n;
    bytes.remove_prefix(n);
    if (used_ >= kBlockBytes - kMaxFastRecord) flush();
  }
}

// Written by this thread: a binary trace is small enough that the kernel's copy costs
// less here than a writer thread does. Its blocks, handed to another core and filled
// again, had to be fetched back line by line, and every store waited behind those
// fetches (storm, 5,000,000 deliveries: 0.41-0.45 s written here, 0.49-0.55 s with
// the thread; to a disk file 0.41-0.47 s against 0.55-0.63 s).
void BinaryTraceWriter::flush() {
  if (!failed_ && used_ > 0 && std::fwrite(block_.get(), 1, used_, out_.stream()) != used_) {
    failed_ = true;
    error_ = errno;
  }
  used_ = 0;
}

void BinaryTraceWriter::commit() {
  flush();
  if (failed_) fail(error_);
  out_.commit();
}

// ---- reading ----

// The input, a block at a time, counting the bytes taken.
class BinaryTraceReader::Bytes {
 public:
  explicit Bytes(std::istream& in) : in_(in), block_(kReadBlockBytes) {}

  // The next byte, or -1 at the end of the input.
  int get() {
    if (pos_ == end_ && !refill()) return -1;
    ++offset_;
    return static_cast<unsigned char>(block_[pos_++]);
  }
  // Appends the next `n` bytes to `out`; false if the input ends first.
  bool take(std::size_t n, std::string& out) {
    while (n > 0) {
      if (pos_ == end_ && !refill()) return false;
      const std::size_t k = std::min(n, end_ - pos_);
      out.append(block_.data() + pos_, k);
      pos_ += k;
      offset_ += k;
      n -= k;
    }
    return true;
  }
  std::size_t offset() const { return offset_; }
  bool read_error() const { return in_.bad(); }

 private:
  bool refill() {
    if (!in_) return false;
    in_.read(block_.data(), static_cast<std::streamsize>(block_.size()));
    end_ = static_cast<std::size_t>(in_.gcount());
    pos_ = 0;
    return end_ > 0;
  }

  std::istream& in_;
  std::vector<char> block_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::size_t offset_ = 0;
};

BinaryTraceReader::BinaryTraceReader(std::istream& in, std::string name, const ReadLimits& limits)
    : name_(std::move(name)), limits_(limits), bytes_(std::make_unique<Bytes>(in)) {
  std::string magic;
  if (!bytes_->take(kBinaryTraceMagic.size(), magic) || magic != kBinaryTraceMagic) {
    fail("not a distlab binary trace (it does not start with the format's magic bytes)");
  }
  const int version = bytes_->get();
  if (version != kBinaryTraceVersion) {
    fail(version < 0 ? std::string("truncated: no version")
                     : fmt::format("binary trace version {}, but this distlab reads version {}", version,
                                   kBinaryTraceVersion));
  }
  const std::uint64_t length = varint("header length");
  if (length > limits_.line_bytes) fail(fmt::format("header longer than {} bytes", limits_.line_bytes));
  if (!bytes_->take(length, header_)) fail("truncated header");
  if (!one_json_line(header_)) fail("the header is not one line of JSON");
}

BinaryTraceReader::~BinaryTraceReader() = default;

[[noreturn]] void BinaryTraceReader::fail(std::string_view why) const {
  if (bytes_->read_error()) throw InputError(fmt::format("{}: read error", name_));
  throw InputError(fmt::format("{}: byte {}: {}", name_, record_start_, why));
}

std::uint64_t BinaryTraceReader::varint(const char* what) {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const int b = bytes_->get();
    if (b < 0) fail(fmt::format("truncated: the file ends inside a record's {}", what));
    if (shift == 63 && b > 1) break;  // more than 64 bits
    value |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  fail(fmt::format("{} is not a 64-bit integer", what));
}

std::int64_t BinaryTraceReader::zigzag(const char* what) { return unzig(varint(what)); }

NodeId BinaryTraceReader::node_id(const char* what) {
  const std::uint64_t id = varint(what);
  if (id > std::numeric_limits<NodeId>::max()) fail(fmt::format("{} {} is beyond 32 bits", what, id));
  return static_cast<NodeId>(id);
}

std::string_view BinaryTraceReader::string(const char* what, std::string& once) {
  const std::uint64_t code = varint(what);
  if (code >= kStringRef) {
    if (code - kStringRef >= kept_.size())
      fail(fmt::format("{} refers to string {}, not yet given", what, code - kStringRef));
    return kept_[code - kStringRef];
  }
  const std::uint64_t length = varint(what);
  if (code == kStringKept) {
    if (length > kMaxKeptStringBytes || kept_.size() == kMaxKeptStrings ||
        kept_bytes_ + length > kMaxKeptBytes) {
      fail(fmt::format("{}: a kept string past the bounds ({} bytes each, {} strings, {} bytes in all)", what,
                       kMaxKeptStringBytes, kMaxKeptStrings, kMaxKeptBytes));
    }
    std::string& kept = kept_.emplace_back();
    if (!bytes_->take(length, kept)) fail(fmt::format("truncated: the file ends inside a record's {}", what));
    kept_bytes_ += length;
    return kept;
  }
  if (length > limits_.line_bytes) fail(fmt::format("{} longer than {} bytes", what, limits_.line_bytes));
  once.clear();
  if (!bytes_->take(length, once)) fail(fmt::format("truncated: the file ends inside a record's {}", what));
  return once;
}

bool BinaryTraceReader::next_line(std::string& line) {
  record_start_ = bytes_->offset();
  const int flags = bytes_->get();
  if (flags < 0) {
    if (bytes_->read_error()) fail("read error");
    return false;
  }
  if ((flags & kUnknownFlags) != 0) fail(fmt::format("unknown flags {:#04x}", flags));
  Event e;
  e.kind = static_cast<EventKind>(flags & kKindBits);
  t_ = static_cast<Nanos>(static_cast<std::uint64_t>(t_) + static_cast<std::uint64_t>(zigzag("time")));
  e.t = t_;
  e.node = node_id("node");
  if (is_message(e.kind)) {
    e.msg.sender = (flags & kSenderIsNode) != 0 ? e.node : node_id("sender");
    e.msg.seq = varint("sequence number");
    e.peer = node_id("peer");
    e.type = string("type", once_type_);
  } else if ((flags & kSenderIsNode) != 0) {
    fail("a sender flag on an event that is not a message");
  }
  if (has_label(e.kind)) e.label = string("label", once_label_);
  std::string_view data;
  if ((flags & kHasData) != 0) {
    if (e.kind != EventKind::send && e.kind != EventKind::state) fail("data on an event that has none");
    const std::uint64_t length = varint("data length");
    if (length > limits_.line_bytes) fail(fmt::format("data longer than {} bytes", limits_.line_bytes));
    data_.clear();
    if (!bytes_->take(length, data_)) fail("truncated: the file ends inside a record's data");
    if (data_.empty() || !one_json_line(data_)) fail("the data is not one line of JSON");
    data = data_;
  }
  if ((flags & kHasLamport) != 0) {
    e.stamp.lamport = zigzag("lamport time");
    if (e.stamp.lamport == kNoLamport) fail("lamport time -1 (none) given as present");
  }
  if ((flags & kHasVc) != 0) {
    const std::uint64_t count = varint("vector clock size");
    if (count > limits_.object_keys)
      fail(fmt::format("a vector clock of more than {} entries", limits_.object_keys));
    vc_ = VectorClock();
    std::uint64_t node = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::uint64_t delta = varint("vector clock node");
      node += delta;
      if (delta == 0 || node > std::numeric_limits<NodeId>::max())
        fail("vector clock nodes not ascending 32-bit ids");
      const std::uint64_t counter = varint("vector clock counter");
      if (counter == 0) fail("a vector clock counter of 0");
      vc_.set(static_cast<NodeId>(node), counter);
    }
    e.stamp.vc = &vc_;
  }
  line.clear();
  append_event_line(line, e, data);
  return true;
}

std::uint64_t convert_binary_trace(std::istream& in, const std::string& name, const std::string& path,
                                   const std::function<void(std::uint64_t)>& progress) {
  BinaryTraceReader reader(in, name);
  OutputFile out(path);
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  std::string chunk = reader.header_line();
  chunk += '\n';
  std::string line;
  std::uint64_t events = 0;
  while (reader.next_line(line)) {
    if (++events % 65536 == 0 && progress) progress(events);
    chunk += line;
    chunk += '\n';
    if (chunk.size() >= kChunk) {
      out.write(chunk);
      chunk.clear();
    }
  }
  out.write(chunk);
  out.commit();
  return events;
}

}  // namespace distlab::trace
