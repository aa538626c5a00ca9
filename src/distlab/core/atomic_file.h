// Every file distlab writes goes through here: a file appears complete or not at all,
// and no output path can be turned against the user running distlab.
//
// A regular file (or a new one) is written to a temporary file beside it, which is
// renamed into place only once every byte is written. The temporary file has no name
// while it is written (O_TMPFILE), or, where the file system cannot do that, an
// unpredictable one made with O_EXCL | O_NOFOLLOW, mode 0600; it gets the usual mode
// (0666 & ~umask) at the end. A run that fails, or is killed, leaves nothing behind.
// An existing target that is not a regular file (a FIFO, a device such as /dev/null
// or /dev/full, /dev/stdout) is written directly, streaming, and never replaced; "-"
// is standard output. A directory target is refused.
//
// Symlinks in the path are followed as the kernel's fs.protected_symlinks=1 would,
// whatever the sysctl says: a symlink in a sticky, world-writable directory (/tmp) is
// followed only if it belongs to this user or to the directory's owner; any other is
// refused, so a link planted in /tmp cannot make a root run overwrite a file it
// points to. A followed symlink stays a link: the file it resolves to is replaced, or
// created when it does not exist yet.
//
// No fsync: a crash of the process leaves the old file or the new one, whole, but
// after a power cut the new one may be empty. Every output can be made again from
// its inputs and seed.
//
//   write_file_atomically("run.html", page);  // throws InputError / RuntimeFailure
//
//   OutputFile out("run.jsonl");              // InputError: a bad path, refused now
//   std::fputs(line, out.stream());
//   out.commit();                             // RuntimeFailure: a full disk
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace distlab {

class OutputFile {
 public:
  // replace: as above. in_place: a regular target is written where it is, as it goes
  // (created or truncated, never through a symlink): a live trace that a process
  // killed with SIGKILL leaves readable, in a directory of the caller's own.
  enum class Mode { replace, in_place };

  // Throws InputError when the file cannot be created (no such directory, no
  // permission, a directory, a refused symlink): a bad path is bad input.
  explicit OutputFile(std::string path, Mode mode = Mode::replace);
  // Unless published: closes the file and removes the temporary file.
  ~OutputFile();
  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&& other) noexcept;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // The file, buffered; write to it until finish(). Write errors show in finish().
  std::FILE* stream() const { return stream_; }
  void write(std::string_view text);
  // Flushes and closes the file: every byte is written, or RuntimeFailure (a full
  // disk, /dev/full). The file is not yet in place.
  void finish();
  // Moves the finished file into place. Throws RuntimeFailure.
  void publish();
  void commit() {
    finish();
    publish();
  }
  const std::string& path() const { return path_; }

 private:
  void close_quietly();

  std::string path_;        // as given, for messages
  std::string target_;      // the resolved file to replace; empty when written directly
  std::string named_temp_;  // the temporary file's name, when it has one
  int fd_ = -1;
  std::FILE* stream_ = nullptr;
  bool finished_ = false;
  bool published_ = false;
};

// Throws InputError when the file cannot be created, RuntimeFailure when writing fails
// (a full disk). "-" writes to standard output.
void write_file_atomically(const std::string& path, std::string_view content);

// `content` written to `path`'s temporary file and finished, not yet in place: a
// command with several outputs writes them all, then publishes them, so a full disk
// leaves none of them.
OutputFile stage_file(const std::string& path, std::string_view content);

// Throws InputError now if `path` could not be written later: a long run checks its
// output paths before it starts, not after it ends. Leaves nothing behind.
void check_creatable(const std::string& path);

}  // namespace distlab
