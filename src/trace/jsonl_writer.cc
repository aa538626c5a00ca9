#include "trace/jsonl_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <iterator>
#include <vector>

#include "clock/vector_clock.h"
#include "core/assert.h"
#include "core/error.h"

namespace distlab::trace {

// One line's fields, from a live event or a read record.
struct LineFields {
  Nanos t;
  NodeId node;
  EventKind kind;
  std::string_view msg;
  NodeId peer;
  std::string_view type;
  std::string_view label;
  const nlohmann::ordered_json* data;
  std::int64_t lamport;
  const VectorClock* vc;
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
      append_string(out, f.msg);
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
      out += f.data != nullptr ? f.data->dump() : "{}";
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

// The common lines (no body, data or vector clock; short plain strings), made in a
// stack buffer with no bounds checks per piece and appended once.
bool plain_short(std::string_view s) {
  return s.size() <= 64 && std::none_of(s.begin(), s.end(), [](char c) {
           return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
         });
}

char* put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// A literal: its size is known here, so the copy is a few moves, not a call.
template <std::size_t N>
char* put(char* p, const char (&literal)[N]) {
  std::memcpy(p, literal, N - 1);
  return p + (N - 1);
}

template <class Int>
char* put_int(char* p, Int value) {
  const fmt::format_int digits(value);
  return put(p, {digits.data(), digits.size()});
}

char* put_string(char* p, std::string_view s) {
  *p++ = '"';
  p = put(p, s);
  *p++ = '"';
  return p;
}

// At most: 5 integers of 20 digits, 3 strings of 64, and under 100 of keys and quotes.
constexpr std::size_t kMaxFastLine = 512;

// Writes the line (with its newline) at `p`, which has kMaxFastLine bytes, and
// returns its end; or null for a line this cannot write.
char* write_line_fast(char* p, const LineFields& f) {
  if (f.vc != nullptr || f.kind == EventKind::state) return nullptr;
  if (f.kind == EventKind::send && f.data != nullptr && !f.data->is_null()) return nullptr;
  const bool message = f.kind == EventKind::send || f.kind == EventKind::recv || f.kind == EventKind::drop;
  if (message && (!plain_short(f.msg) || !plain_short(f.type))) return nullptr;
  if (f.kind != EventKind::send && f.kind != EventKind::recv && !plain_short(f.label)) return nullptr;
  p = put(p, "{\"t\":");
  p = put_int(p, f.t);
  p = put(p, ",\"node\":");
  p = put_int(p, f.node);
  p = put(p, ",\"kind\":");
  p = put_string(p, to_string(f.kind));
  switch (f.kind) {
    case EventKind::send:
    case EventKind::drop:
    case EventKind::recv:
      p = put(p, ",\"msg\":");
      p = put_string(p, f.msg);
      p = f.kind == EventKind::recv ? put(p, ",\"from\":") : put(p, ",\"to\":");
      p = put_int(p, f.peer);
      p = put(p, ",\"type\":");
      p = put_string(p, f.type);
      if (f.kind == EventKind::drop) {
        p = put(p, ",\"reason\":");
        p = put_string(p, f.label);
      }
      break;
    case EventKind::local:
      if (!f.label.empty()) {
        p = put(p, ",\"label\":");
        p = put_string(p, f.label);
      }
      break;
    case EventKind::timer:
      p = put(p, ",\"tag\":");
      p = put_string(p, f.label);
      break;
    default: break;
  }
  if (f.lamport != kNoLamport) {
    p = put(p, ",\"lamport\":");
    p = put_int(p, f.lamport);
  }
  *p++ = '}';
  *p++ = '\n';
  return p;
}

LineFields fields_of(const Record& r) {
  return {r.t,     r.node,
          r.kind,  r.msg,
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
  return h.dump();
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
    : path_(std::move(path)), temp_path_(path_ + ".tmp"), each_event_(flush == Flush::each_event) {
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr) {
    throw InputError(fmt::format("cannot write trace '{}': {}", path_, std::strerror(errno)));
  }
  if (each_event_) std::setvbuf(file_, nullptr, _IOFBF, kLineBufferBytes);
  append_raw(header_line(header) + "\n");
  flush_if_full();
}

JsonlWriter::JsonlWriter(std::string path)
    : path_(std::move(path)), temp_path_(path_ + ".events.tmp"), deferred_header_(true) {
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr) {
    throw InputError(fmt::format("cannot write trace '{}': {}", path_, std::strerror(errno)));
  }
}

void JsonlWriter::commit(const Header& header) {
  DISTLAB_ASSERT(deferred_header_, "this writer already wrote its header");
  flush();
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  const std::string events_path = temp_path_;
  auto fail = [&](const std::string& why) {
    std::remove(events_path.c_str());
    std::remove((path_ + ".tmp").c_str());
    throw RuntimeFailure(fmt::format("writing trace '{}' failed: {}", path_, why));
  };
  if (failed_ || !closed) fail(std::strerror(errno));
  // The final file: the header, then the events copied over.
  std::FILE* in = std::fopen(events_path.c_str(), "rb");
  std::FILE* out = std::fopen((path_ + ".tmp").c_str(), "wb");
  if (in == nullptr || out == nullptr) {
    if (in != nullptr) std::fclose(in);
    if (out != nullptr) std::fclose(out);
    fail(std::strerror(errno));
  }
  const std::string head = header_line(header) + "\n";
  bool ok = std::fwrite(head.data(), 1, head.size(), out) == head.size();
  std::vector<char> chunk(1 << 20);
  for (std::size_t n; ok && (n = std::fread(chunk.data(), 1, chunk.size(), in)) > 0;) {
    ok = std::fwrite(chunk.data(), 1, n, out) == n;
  }
  ok = ok && !std::ferror(in);
  std::fclose(in);
  ok = std::fclose(out) == 0 && ok;
  if (!ok) fail(std::strerror(errno));
  std::remove(events_path.c_str());
  if (std::rename((path_ + ".tmp").c_str(), path_.c_str()) != 0) fail(std::strerror(errno));
}

JsonlWriter::~JsonlWriter() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::remove(temp_path_.c_str());
  }
}

void JsonlWriter::on_event(const Event& e) {
  char msg_buffer[48];  // "<sender>.<n>": at most 10 + 1 + 20 characters
  std::string_view msg;
  if (e.kind == EventKind::send || e.kind == EventKind::recv || e.kind == EventKind::drop) {
    const fmt::format_int sender(e.msg.sender);
    const fmt::format_int seq(e.msg.seq);
    char* end = std::copy_n(sender.data(), sender.size(), msg_buffer);
    *end++ = '.';
    end = std::copy_n(seq.data(), seq.size(), end);
    msg = std::string_view(msg_buffer, static_cast<std::size_t>(end - msg_buffer));
  }
  append({e.t, e.node, e.kind, msg, e.peer, e.type, e.label, e.data, e.stamp.lamport, e.stamp.vc});
}

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

void JsonlWriter::append_raw(std::string_view text) {
  if (kBlockBytes - used_ < text.size()) flush();
  if (text.size() > kBlockBytes) {  // a huge line goes straight out
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) failed_ = true;
    return;
  }
  std::memcpy(block_.get() + used_, text.data(), text.size());
  used_ += text.size();
}

void JsonlWriter::flush_if_full() {
  if (each_event_) {
    flush();
    if (std::fflush(file_) != 0) failed_ = true;
  } else if (used_ >= kBufferBytes) {
    flush();
  }
}

void JsonlWriter::flush() {
  if (used_ > 0 && std::fwrite(block_.get(), 1, used_, file_) != used_) failed_ = true;
  used_ = 0;
}

void JsonlWriter::commit() {
  DISTLAB_ASSERT(!deferred_header_, "this writer needs its header: commit(header)");
  flush();
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (failed_ || !closed) {
    std::remove(temp_path_.c_str());
    throw RuntimeFailure(fmt::format("writing trace '{}' failed: {}", path_, std::strerror(errno)));
  }
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    std::remove(temp_path_.c_str());
    throw RuntimeFailure(fmt::format("cannot move trace into place at '{}': {}", path_, std::strerror(error)));
  }
}

}  // namespace distlab::trace
