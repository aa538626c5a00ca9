#include "distlab/trace/jsonl_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "distlab/clock/vector_clock.h"
#include "distlab/trace/block_writer.h"
#include "distlab/core/assert.h"
#include "distlab/core/error.h"

namespace distlab::trace {

// One line's fields, from a live event or a read record.
struct LineFields {
  Nanos t;
  NodeId node;
  EventKind kind;
  std::string_view msg;
  const MsgId* msg_id;  // a live event's message: written from its numbers, not `msg`
  NodeId peer;
  std::string_view type;
  std::string_view label;
  const nlohmann::ordered_json* data;
  std::int64_t lamport;
  const VectorClock* vc;
  // The data as JSON text when `data` is null (a binary trace's): empty for none.
  std::string_view data_json = {};
};

namespace {

// An integer in decimal, without a format string to parse.
template <class Int>
void append_int(std::string& out, Int value) {
  const fmt::format_int digits(value);
  out.append(digits.data(), digits.size());
}

// JSON string escaping (RFC 8259): quotes, backslash and control characters. Most
// strings (types, labels, message ids) need none and are copied whole.
void append_string(std::string& out, std::string_view s) {
  out += '"';
  const bool plain = std::none_of(s.begin(), s.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
  if (plain) {
    out.append(s);
    out += '"';
    return;
  }
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}


// Formatted by hand (no format string parsed per event): a traced run spends most
// of its time here.
void append_line(std::string& out, const LineFields& f) {
  out.append("{\"t\":");
  append_int(out, f.t);
  out.append(",\"node\":");
  append_int(out, f.node);
  out.append(",\"kind\":\"");
  out.append(to_string(f.kind));
  out += '"';
  switch (f.kind) {
    case EventKind::send:
    case EventKind::drop:
    case EventKind::recv:
      out.append(",\"msg\":");
      if (f.msg_id != nullptr) {
        out += '"';
        append_int(out, f.msg_id->sender);
        out += '.';
        append_int(out, f.msg_id->seq);
        out += '"';
      } else {
        append_string(out, f.msg);
      }
      out.append(f.kind == EventKind::recv ? ",\"from\":" : ",\"to\":");
      append_int(out, f.peer);
      out.append(",\"type\":");
      append_string(out, f.type);
      if (f.kind == EventKind::drop) {
        out.append(",\"reason\":");
        append_string(out, f.label);
      }
      if (f.kind == EventKind::send && f.data != nullptr && !f.data->is_null()) {
        out.append(",\"body\":");
        out += f.data->dump();
      } else if (f.kind == EventKind::send && !f.data_json.empty()) {
        out.append(",\"body\":");
        out += f.data_json;
      }
      break;
    case EventKind::local:
      if (!f.label.empty()) {
        out.append(",\"label\":");
        append_string(out, f.label);
      }
      break;
    case EventKind::timer:
      out.append(",\"tag\":");
      append_string(out, f.label);
      break;
    case EventKind::state:
      out.append(",\"data\":");
      if (f.data != nullptr) {
        out += f.data->dump();
      } else {
        out += f.data_json.empty() ? std::string_view("{}") : f.data_json;
      }
      break;
    case EventKind::crash:
    case EventKind::recover: break;
  }
  if (f.lamport != kNoLamport) {
    out.append(",\"lamport\":");
    append_int(out, f.lamport);
  }
  if (f.vc != nullptr) {
    out.append(",\"vc\":{");
    bool first = true;
    for (const auto& [node, counter] : f.vc->entries()) {
      if (!first) out += ',';
      out += '"';
      append_int(out, node);
      out.append("\":");
      append_int(out, counter);
      first = false;
    }
    out += '}';
  }
  out += '}';
}

// The common lines (no body, data or vector clock; short plain strings), made in
// place in the block: no bounds check per piece and no call per piece. A traced
// simulation spends most of its tracing time here, so this is written for speed; it
// must give exactly the bytes append_line gives (jsonl_test checks both).

// At most this long, a string can take the fast path.
constexpr std::size_t kMaxFastString = 64;

// Plain: needs no escaping. No early exit: for short strings a branch-free scan is
// faster than stopping at the first special character (which is rare).
bool plain_short(std::string_view s) {
  if (s.size() > kMaxFastString) return false;
  bool special = false;
  for (const char c : s) special |= c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  return !special;
}

// n bytes, sizeof(Word) <= n <= 2 * sizeof(Word), as two overlapping moves of one word.
template <class Word>
void put_two_words(char* p, const char* from, std::size_t n) {
  Word head;
  Word tail;
  std::memcpy(&head, from, sizeof(Word));
  std::memcpy(&tail, from + n - sizeof(Word), sizeof(Word));
  std::memcpy(p, &head, sizeof(Word));
  std::memcpy(p + n - sizeof(Word), &tail, sizeof(Word));
}

// Copies a string of at most kMaxFastString bytes. Short ones, the usual case, take two
// overlapping moves of a fixed size instead of a call to memcpy.
char* put(char* p, std::string_view s) {
  const char* from = s.data();
  const std::size_t n = s.size();
  if (n >= 16) {
    std::memcpy(p, from, n);
  } else if (n >= 8) {
    put_two_words<std::uint64_t>(p, from, n);
  } else if (n >= 4) {
    put_two_words<std::uint32_t>(p, from, n);
  } else if (n > 0) {
    p[0] = from[0];
    p[n / 2] = from[n / 2];
    p[n - 1] = from[n - 1];
  }
  return p + n;
}

// A literal: its size is known here, so the copy is a few moves, not a call.
template <std::size_t N>
char* put(char* p, const char (&literal)[N]) {
  std::memcpy(p, literal, N - 1);
  return p + (N - 1);
}

// "00", "01", ..., "99": integers are written two digits at a time.
constexpr std::array<char, 200> kDigitPairs = [] {
  std::array<char, 200> pairs{};
  for (int i = 0; i < 100; ++i) {
    pairs[2 * i] = static_cast<char>('0' + i / 10);
    pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return pairs;
}();

int decimal_width(std::uint32_t value) {
  int width = 1;
  for (; value >= 10000; value /= 10000) width += 4;
  return width + static_cast<int>(value >= 10) + static_cast<int>(value >= 100) + static_cast<int>(value >= 1000);
}

char* put_pair(char* p, std::uint32_t two_digits) {
  std::memcpy(p, &kDigitPairs[two_digits * 2], 2);
  return p + 2;
}

// Most integers in a trace (ids, counters) fit 32 bits, whose arithmetic is cheaper.
char* put_uint(char* p, std::uint32_t value) {
  char* const end = p + decimal_width(value);
  char* q = end;
  for (; value >= 100; value /= 100) put_pair(q -= 2, value % 100);
  if (value >= 10) {
    put_pair(q - 2, value);
  } else {
    q[-1] = static_cast<char>('0' + value);
  }
  return end;
}

// Exactly 8 digits, zero-padded: two independent halves, so they go in parallel.
char* put_8_digits(char* p, std::uint32_t value) {
  const std::uint32_t high = value / 10000;
  const std::uint32_t low = value % 10000;
  put_pair(p, high / 100);
  put_pair(p + 2, high % 100);
  put_pair(p + 4, low / 100);
  put_pair(p + 6, low % 100);
  return p + 8;
}

// Times in nanoseconds pass 32 bits after 4.3 s: they are written in 8-digit pieces.
char* put_uint(char* p, std::uint64_t value) {
  constexpr std::uint64_t kEightDigits = 100'000'000;
  if (value <= UINT32_MAX) return put_uint(p, static_cast<std::uint32_t>(value));
  const std::uint64_t high = value / kEightDigits;
  if (high <= UINT32_MAX) {
    p = put_uint(p, static_cast<std::uint32_t>(high));
  } else {  // over 4.3e17: at most 20 digits, 4 + 8 + 8
    p = put_uint(p, static_cast<std::uint32_t>(high / kEightDigits));
    p = put_8_digits(p, static_cast<std::uint32_t>(high % kEightDigits));
  }
  return put_8_digits(p, static_cast<std::uint32_t>(value % kEightDigits));
}

// An integer in decimal, as fmt::format_int writes it, straight into place.
template <class Int>
char* put_int(char* p, Int value) {
  using Unsigned = std::conditional_t<(sizeof(Int) <= 4), std::uint32_t, std::uint64_t>;
  Unsigned rest = static_cast<Unsigned>(value);
  if constexpr (std::is_signed_v<Int>) {
    if (value < 0) {
      *p++ = '-';
      rest = Unsigned{0} - rest;
    }
  }
  return put_uint(p, rest);
}

// A message id, "<sender>.<seq>", with its quotes: digits never need escaping.
char* put_msg(char* p, const LineFields& f) {
  *p++ = '"';
  if (f.msg_id != nullptr) {
    p = put_int(p, f.msg_id->sender);
    *p++ = '.';
    p = put_int(p, f.msg_id->seq);
  } else {
    p = put(p, f.msg);
  }
  *p++ = '"';
  return p;
}

// From `kind` (the kind and the msg key) to the type, for send, recv and drop.
template <std::size_t K, std::size_t P>
char* put_message(char* p, const LineFields& f, const char (&kind)[K], const char (&peer_key)[P]) {
  p = put(p, kind);
  p = put_msg(p, f);
  p = put(p, peer_key);
  p = put_int(p, f.peer);
  p = put(p, ",\"type\":\"");
  p = put(p, f.type);
  *p++ = '"';
  return p;
}

// At most: 6 integers of 20 digits and 1 of 10, 3 strings of kMaxFastString, and
// under 100 of keys and quotes.
constexpr std::size_t kMaxFastLine = 512;
static_assert(7 * 21 + 3 * kMaxFastString + 100 <= kMaxFastLine);

// Writes the line (with its newline) at `p`, which has kMaxFastLine bytes, and
// returns its end; or null for a line this cannot write.
char* write_line_fast(char* p, const LineFields& f) {
  if (f.vc != nullptr) return nullptr;
  switch (f.kind) {
    case EventKind::send:
      if (f.data != nullptr && !f.data->is_null()) return nullptr;
      [[fallthrough]];
    case EventKind::recv:
      if ((f.msg_id == nullptr && !plain_short(f.msg)) || !plain_short(f.type)) return nullptr;
      break;
    case EventKind::drop:
      if ((f.msg_id == nullptr && !plain_short(f.msg)) || !plain_short(f.type) || !plain_short(f.label)) {
        return nullptr;
      }
      break;
    case EventKind::local:
    case EventKind::timer:
      if (!plain_short(f.label)) return nullptr;
      break;
    case EventKind::crash:
    case EventKind::recover: break;
    case EventKind::state: return nullptr;
  }
  p = put(p, "{\"t\":");
  p = put_int(p, f.t);
  p = put(p, ",\"node\":");
  p = put_int(p, f.node);
  switch (f.kind) {
    case EventKind::send: p = put_message(p, f, ",\"kind\":\"send\",\"msg\":", ",\"to\":"); break;
    case EventKind::recv: p = put_message(p, f, ",\"kind\":\"recv\",\"msg\":", ",\"from\":"); break;
    case EventKind::drop:
      p = put_message(p, f, ",\"kind\":\"drop\",\"msg\":", ",\"to\":");
      p = put(p, ",\"reason\":\"");
      p = put(p, f.label);
      *p++ = '"';
      break;
    case EventKind::local:
      p = put(p, ",\"kind\":\"local\"");
      if (!f.label.empty()) {
        p = put(p, ",\"label\":\"");
        p = put(p, f.label);
        *p++ = '"';
      }
      break;
    case EventKind::timer:
      p = put(p, ",\"kind\":\"timer\",\"tag\":\"");
      p = put(p, f.label);
      *p++ = '"';
      break;
    case EventKind::crash: p = put(p, ",\"kind\":\"crash\""); break;
    case EventKind::recover: p = put(p, ",\"kind\":\"recover\""); break;
    case EventKind::state: break;  // not here: rejected above
  }
  if (f.lamport != kNoLamport) {
    p = put(p, ",\"lamport\":");
    p = put_int(p, f.lamport);
  }
  *p++ = '}';
  *p++ = '\n';
  return p;
}

// A live event's message is written from its numbers, not from a `msg` string.
LineFields fields_of(const Event& e) {
  const bool message = e.kind == EventKind::send || e.kind == EventKind::recv || e.kind == EventKind::drop;
  return {e.t,     e.node, e.kind,          {},        message ? &e.msg : nullptr, e.peer, e.type,
          e.label, e.data, e.stamp.lamport, e.stamp.vc};
}

LineFields fields_of(const Record& r) {
  return {r.t,     r.node,
          r.kind,  r.msg,   nullptr,
          r.peer,  r.type,
          r.label, &r.data,
          r.lamport.value_or(kNoLamport), r.vc ? &*r.vc : nullptr};
}

}  // namespace

std::string header_line(const Header& header) {
  nlohmann::ordered_json h;
  h["format"] = kTraceFormat;
  h["version"] = kTraceVersion;
  h["algorithm"] = header.algorithm;
  h["mode"] = header.mode;
  h["seed"] = header.seed;
  h["nodes"] = header.nodes;
  h["time_unit"] = "ns";
  for (const NetworkFault& f : header.network) {
    nlohmann::ordered_json j;
    j["cut"] = f.one_way ? "one-way" : "partition";
    j["groups"] = f.groups;
    j["from_ns"] = f.from_ns;
    if (f.to_ns) j["to_ns"] = *f.to_ns;
    h["network"].push_back(std::move(j));
  }
  return h.dump();
}

void append_event_line(std::string& out, const Event& e, std::string_view data_json) {
  LineFields fields = fields_of(e);
  fields.data_json = data_json;
  append_line(out, fields);
}

std::string record_line(const Record& record) {
  std::string out;
  append_line(out, fields_of(record));
  return out;
}

void write_trace(std::ostream& out, const Trace& trace) {
  out << header_line(trace.header) << '\n';
  for (const Record& r : trace.events) out << record_line(r) << '\n';
}

JsonlWriter::JsonlWriter(std::string path, const Header& header, Flush flush)
    : path_(std::move(path)), live_(flush != Flush::buffered), each_event_(flush == Flush::each_event) {
  out_.emplace(path_, live_ ? OutputFile::Mode::in_place : OutputFile::Mode::replace);
  file_ = out_->stream();
  if (live_) std::setvbuf(file_, nullptr, _IOFBF, kLineBufferBytes);
  append_raw(header_line(header) + "\n");
  if (live_) {
    end_step();  // the header at once
  } else {
    flush_if_full();
  }
}

JsonlWriter::JsonlWriter(std::string path) : path_(std::move(path)), deferred_header_(true) {
  check_creatable(path_);
  // The events wait in a file without a name (tmpfile(3)): nothing is left behind.
  file_ = std::tmpfile();
  if (file_ == nullptr) {
    throw RuntimeFailure(fmt::format("cannot write trace '{}': no temporary file: {}", path_, std::strerror(errno)));
  }
}

[[noreturn]] void JsonlWriter::fail(int error) const {
  throw RuntimeFailure(fmt::format("writing trace '{}' failed: {}", path_, std::strerror(error)));
}

void JsonlWriter::commit(const Header& header) {
  DISTLAB_ASSERT(deferred_header_, "this writer already wrote its header");
  finish_writing();
  errno = 0;
  if (!failed_ && (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0)) {
    failed_ = true;
    error_ = errno;
  }
  if (failed_) fail(error_);
  // The final file: the header, then the events copied over.
  OutputFile out(path_);
  out.write(header_line(header) + "\n");
  std::vector<char> chunk(1 << 20);
  for (std::size_t n; (n = std::fread(chunk.data(), 1, chunk.size(), file_)) > 0;) {
    out.write(std::string_view(chunk.data(), n));
  }
  if (std::ferror(file_)) fail(errno);
  out.commit();
}

JsonlWriter::~JsonlWriter() {
  background_.reset();  // stops the thread (dropping what it has not written) before its file closes
  if (deferred_header_ && file_ != nullptr) std::fclose(file_);
  // out_, unless committed, removes its temporary file.
}

void JsonlWriter::on_event(const Event& e) { append(fields_of(e)); }

void JsonlWriter::write(const Record& record) {
  append(fields_of(record));
}

void JsonlWriter::append(const LineFields& fields) {
  if (kBlockBytes - used_ < kMaxFastLine) flush();
  if (char* end = write_line_fast(block_.get() + used_, fields)) {
    used_ = static_cast<std::size_t>(end - block_.get());
  } else {
    scratch_.clear();
    append_line(scratch_, fields);
    scratch_ += '\n';
    append_raw(scratch_);
  }
  flush_if_full();
}

// A line that fits a block is never split between two (each_event writes it whole);
// a longer one is cut into blocks.
void JsonlWriter::append_raw(std::string_view text) {
  if (kBlockBytes - used_ < text.size()) flush();
  while (!text.empty()) {
    const std::size_t n = std::min(text.size(), kBlockBytes - used_);
    std::memcpy(block_.get() + used_, text.data(), n);
    used_ += n;
    text.remove_prefix(n);
    if (!text.empty()) flush();
  }
}

void JsonlWriter::flush_if_full() {
  if (each_event_) {
    end_step();
  } else if (used_ >= kBufferBytes) {
    flush();
  }
}

void JsonlWriter::end_step() {
  DISTLAB_ASSERT(live_);
  flush();
  if (std::fflush(file_) != 0 && !failed_) {
    failed_ = true;
    error_ = errno;
  }
}

// Buffered: the first block starts the thread that writes them all.
void JsonlWriter::flush() {
  if (used_ == 0) return;
  if (!live_ && background_ == nullptr && !no_background_) {
    try {
      background_ = std::make_unique<BlockWriter>(file_, kBlockBytes);
    } catch (const std::system_error&) {
      no_background_ = true;  // no thread to be had: the blocks are written here
    }
  }
  write_block();
}

void JsonlWriter::write_block() {
  if (background_ != nullptr) {
    block_ = background_->exchange(std::move(block_), used_);
  } else if (!failed_ && std::fwrite(block_.get(), 1, used_, file_) != used_) {
    failed_ = true;
    error_ = errno;
  }
  used_ = 0;
}

// The last block out and every block written; the thread, if any, stopped.
void JsonlWriter::finish_writing() {
  if (used_ > 0) write_block();  // a short trace's only block starts no thread
  if (background_ != nullptr) {
    if (!background_->finish() && !failed_) {
      failed_ = true;
      error_ = background_->error();
    }
    background_.reset();
  }
}

void JsonlWriter::commit() {
  DISTLAB_ASSERT(!deferred_header_, "this writer needs its header: commit(header)");
  finish_writing();
  if (failed_) fail(error_);
  out_->commit();
}

}  // namespace distlab::trace
