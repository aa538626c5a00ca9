#include "trace/jsonl_writer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <vector>

#include "clock/vector_clock.h"
#include "core/assert.h"
#include "core/error.h"

namespace distlab::trace {
namespace {

// JSON string escaping (RFC 8259): quotes, backslash and control characters.
void append_string(std::string& out, std::string_view s) {
  out += '"';
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

void append_line(std::string& out, const LineFields& f) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{{\"t\":{},\"node\":{},\"kind\":\"{}\"", f.t, f.node, to_string(f.kind));
  switch (f.kind) {
    case EventKind::send:
    case EventKind::drop:
    case EventKind::recv:
      out += ",\"msg\":";
      append_string(out, f.msg);
      fmt::format_to(it, ",\"{}\":{},\"type\":", f.kind == EventKind::recv ? "from" : "to", f.peer);
      append_string(out, f.type);
      if (f.kind == EventKind::drop) {
        out += ",\"reason\":";
        append_string(out, f.label);
      }
      if (f.kind == EventKind::send && f.data != nullptr && !f.data->is_null()) {
        out += ",\"body\":";
        out += f.data->dump();
      }
      break;
    case EventKind::local:
      if (!f.label.empty()) {
        out += ",\"label\":";
        append_string(out, f.label);
      }
      break;
    case EventKind::timer:
      out += ",\"tag\":";
      append_string(out, f.label);
      break;
    case EventKind::state:
      out += ",\"data\":";
      out += f.data != nullptr ? f.data->dump() : "{}";
      break;
    case EventKind::crash:
    case EventKind::recover: break;
  }
  if (f.lamport != kNoLamport) fmt::format_to(it, ",\"lamport\":{}", f.lamport);
  if (f.vc != nullptr) {
    out += ",\"vc\":{";
    bool first = true;
    for (const auto& [node, counter] : f.vc->entries()) {
      fmt::format_to(it, "{}\"{}\":{}", first ? "" : ",", node, counter);
      first = false;
    }
    out += '}';
  }
  out += '}';
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
  buffer_.reserve(kBufferBytes + 4096);
  buffer_ += header_line(header);
  buffer_ += '\n';
  flush_if_full();
}

JsonlWriter::JsonlWriter(std::string path)
    : path_(std::move(path)), temp_path_(path_ + ".events.tmp"), deferred_header_(true) {
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr) {
    throw InputError(fmt::format("cannot write trace '{}': {}", path_, std::strerror(errno)));
  }
  buffer_.reserve(kBufferBytes + 4096);
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
  char msg_buffer[48];
  std::string_view msg;
  if (e.kind == EventKind::send || e.kind == EventKind::recv || e.kind == EventKind::drop) {
    auto end = fmt::format_to_n(msg_buffer, sizeof msg_buffer, "{}.{}", e.msg.sender, e.msg.seq);
    msg = std::string_view(msg_buffer, end.size);
  }
  append_line(buffer_, {e.t, e.node, e.kind, msg, e.peer, e.type, e.label, e.data, e.stamp.lamport,
                        e.stamp.vc});
  buffer_ += '\n';
  flush_if_full();
}

void JsonlWriter::write(const Record& record) {
  append_line(buffer_, fields_of(record));
  buffer_ += '\n';
  flush_if_full();
}

void JsonlWriter::flush_if_full() {
  if (each_event_) {
    flush();
    if (std::fflush(file_) != 0) failed_ = true;
  } else if (buffer_.size() >= kBufferBytes) {
    flush();
  }
}

void JsonlWriter::flush() {
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    failed_ = true;
  }
  buffer_.clear();
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
