#include "distlab/core/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <deque>
#include <utility>

#include "distlab/core/error.h"

namespace distlab {
namespace {

// Symlinks followed in one path, as the kernel's limit (ELOOP).
constexpr int kMaxSymlinks = 40;
// Tries at a fresh temporary name before giving up (each collides with chance 2^-64).
constexpr int kMaxNameTries = 16;

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw InputError(fmt::format("cannot create {}: {}", path, why));
}

[[noreturn]] void fail(const std::string& path, int error) {
  throw RuntimeFailure(fmt::format("cannot write {}: {}", path, std::strerror(error)));
}

// A file that cannot be opened: a full disk is the environment's failure, anything
// else (no such directory, no permission) a bad path.
[[noreturn]] void cannot_open(const std::string& path, int error) {
  if (error == ENOSPC || error == EDQUOT || error == EIO) fail(path, error);
  refuse(path, std::strerror(error));
}

// Where a path leads.
struct Target {
  enum class Kind { replace, direct } kind = Kind::replace;
  std::string file;  // replace: the file to replace (it may not exist yet); direct: what to open
  std::string dir;   // replace: the directory it is in
};

std::string parent_of(const std::string& resolved) {
  const std::size_t slash = resolved.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : resolved.substr(0, slash);
}

// fs.protected_symlinks: in a sticky, world-writable directory, follow only links
// owned by us or by the directory's owner.
void check_symlink(const std::string& path, const std::string& link, const struct stat& link_stat,
                   const std::string& dir) {
  struct stat d {};
  if (::stat(dir.c_str(), &d) != 0) refuse(path, std::strerror(errno));
  const bool shared = (d.st_mode & S_ISVTX) != 0 && (d.st_mode & S_IWOTH) != 0;
  if (shared && link_stat.st_uid != ::geteuid() && link_stat.st_uid != d.st_uid) {
    refuse(path, fmt::format("refusing to follow the symlink {}, owned by uid {} in the shared directory {}", link,
                             link_stat.st_uid, dir));
  }
}

std::string read_link(const std::string& path, const std::string& link) {
  std::string text(PATH_MAX, '\0');
  const ssize_t n = ::readlink(link.c_str(), text.data(), text.size());
  if (n < 0) refuse(path, std::strerror(errno));
  text.resize(static_cast<std::size_t>(n));
  return text;
}

// Resolves `path` one component at a time like realpath(3), checking every symlink
// it follows (realpath itself would follow any).
Target resolve(const std::string& path) {
  if (path.empty()) refuse("''", "an empty path");
  std::string resolved;  // absolute, without symlinks; "" is the root
  if (path.front() != '/') {
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd) == nullptr) refuse(path, std::strerror(errno));
    resolved = cwd == std::string_view("/") ? "" : cwd;
  }
  std::deque<std::string> rest;
  auto push_components = [&rest](const std::string& text) {
    std::deque<std::string> parts;
    for (std::size_t at = 0; at <= text.size();) {
      const std::size_t slash = std::min(text.find('/', at), text.size());
      if (slash > at) parts.push_back(text.substr(at, slash - at));
      at = slash + 1;
    }
    rest.insert(rest.begin(), parts.begin(), parts.end());
  };
  push_components(path);
  int links = 0;
  while (!rest.empty()) {
    const std::string part = std::move(rest.front());
    rest.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      resolved = parent_of(resolved.empty() ? "/" : resolved);
      if (resolved == "/") resolved.clear();
      continue;
    }
    const std::string next = resolved + "/" + part;
    struct stat st {};
    if (::lstat(next.c_str(), &st) != 0) {
      if (errno == ENOENT && rest.empty()) return {Target::Kind::replace, next, resolved.empty() ? "/" : resolved};
      refuse(path, std::strerror(errno));
    }
    if (!S_ISLNK(st.st_mode)) {
      resolved = next;
      continue;
    }
    if (++links > kMaxSymlinks) refuse(path, std::strerror(ELOOP));
    const std::string dir = resolved.empty() ? "/" : resolved;
    check_symlink(path, next, st, dir);
    // An open file of a process (/dev/stdout is /proc/self/fd/1): its link is no path
    // ("pipe:[1234]"); the kernel opens what it stands for.
    if (resolved.starts_with("/proc/") && rest.empty()) return {Target::Kind::direct, next, {}};
    const std::string target = read_link(path, next);
    if (target.starts_with('/')) resolved.clear();
    push_components(target);
  }
  if (resolved.empty()) resolved = "/";
  struct stat st {};
  if (::stat(resolved.c_str(), &st) != 0) refuse(path, std::strerror(errno));
  if (S_ISDIR(st.st_mode)) refuse(path, "it is a directory");
  if (!S_ISREG(st.st_mode)) return {Target::Kind::direct, resolved, {}};
  return {Target::Kind::replace, resolved, parent_of(resolved)};
}

std::string random_hex() {
  unsigned char bytes[8];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw RuntimeFailure(fmt::format("no random bytes for a temporary name: {}", std::strerror(errno)));
    got += static_cast<std::size_t>(n);
  }
  std::string hex;
  for (unsigned char b : bytes) hex += fmt::format("{:02x}", b);
  return hex;
}

// ".run.jsonl.3f9c0a7e12b4d5c6.tmp" beside `file`: hidden, and unpredictable.
std::string temp_name_beside(const std::string& file) {
  const std::size_t slash = file.rfind('/');
  return fmt::format("{}/.{}.{}.tmp", file.substr(0, slash), file.substr(slash + 1), random_hex());
}

int open_named_temp(const Target& t, std::string& name, int& error) {
  for (int i = 0; i < kMaxNameTries; ++i) {
    name = temp_name_beside(t.file);
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    error = errno;
    if (error != EEXIST) break;
  }
  name.clear();
  return -1;
}

// Linking an unnamed file goes through /proc/self/fd (AT_EMPTY_PATH needs a capability).
bool can_link_unnamed() {
  static const bool can = ::access("/proc/self/fd", X_OK) == 0;
  return can;
}

// The temporary file for `t`: unnamed where the file system allows (O_TMPFILE: a kill
// leaves nothing), else named. Sets `named` to its name when it has one.
int open_temp(const Target& t, std::string& named, int& error) {
  named.clear();
  if (can_link_unnamed()) {
    const int fd = ::open(t.dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    error = errno;
    if (error != EOPNOTSUPP && error != EISDIR && error != EINVAL) return -1;  // EACCES, ENOSPC: as any file would
  }
  return open_named_temp(t, named, error);
}

mode_t file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

OutputFile::OutputFile(std::string path, Mode mode) : path_(std::move(path)) {
  int error = 0;
  if (path_ == "-") {
    std::fflush(stdout);  // what was printed before comes first
    fd_ = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
    error = errno;
  } else {
    const Target t = resolve(path_);
    if (t.kind == Target::Kind::direct) {
      // Never created, truncated or replaced; appended to, for /dev/stdout on a file.
      fd_ = ::open(t.file.c_str(), O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
      error = errno;
    } else if (mode == Mode::in_place) {
      fd_ = ::open(t.file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
      error = errno;
    } else {
      target_ = t.file;
      fd_ = open_temp(t, named_temp_, error);
    }
  }
  if (fd_ < 0) cannot_open(path_, error);
  stream_ = ::fdopen(fd_, "wb");
  if (stream_ == nullptr) {
    error = errno;
    close_quietly();
    fail(path_, error);
  }
}

OutputFile::OutputFile(OutputFile&& other) noexcept { *this = std::move(other); }

OutputFile& OutputFile::operator=(OutputFile&& other) noexcept {
  if (this == &other) return *this;
  close_quietly();
  path_ = std::move(other.path_);
  target_ = std::move(other.target_);
  named_temp_ = std::exchange(other.named_temp_, {});
  fd_ = std::exchange(other.fd_, -1);
  stream_ = std::exchange(other.stream_, nullptr);
  finished_ = other.finished_;
  published_ = other.published_;
  return *this;
}

OutputFile::~OutputFile() { close_quietly(); }

void OutputFile::close_quietly() {
  if (stream_ != nullptr) {
    std::fclose(stream_);  // closes fd_
  } else if (fd_ >= 0) {
    ::close(fd_);
  }
  stream_ = nullptr;
  fd_ = -1;
  if (!named_temp_.empty()) ::unlink(named_temp_.c_str());  // never published
  named_temp_.clear();
}

void OutputFile::write(std::string_view text) {
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), stream_) != text.size()) fail(path_, errno);
}

void OutputFile::finish() {
  if (finished_) return;
  finished_ = true;
  errno = 0;
  bool ok = std::fflush(stream_) == 0 && std::ferror(stream_) == 0;
  int error = ok ? 0 : (errno != 0 ? errno : EIO);
  // The temporary file was made 0600; the output is as readable as any other file.
  if (ok && !target_.empty() && ::fchmod(fd_, file_mode()) != 0) {
    ok = false;
    error = errno;
  }
  // An unnamed temporary file stays open until publish() links it: keep a descriptor.
  const bool unnamed = !target_.empty() && named_temp_.empty();
  const int kept = ok && unnamed ? ::fcntl(fd_, F_DUPFD_CLOEXEC, 0) : -1;
  if (ok && unnamed && kept < 0) {
    ok = false;
    error = errno;
  }
  errno = 0;
  if (std::fclose(stream_) != 0 && ok) {  // a device reports some errors only here
    ok = false;
    error = errno != 0 ? errno : EIO;
  }
  stream_ = nullptr;
  fd_ = kept;
  if (!ok) {
    close_quietly();
    fail(path_, error);
  }
}

void OutputFile::publish() {
  finish();
  if (published_) return;
  published_ = true;
  if (target_.empty()) return;  // written directly: already in place
  auto failed = [&](int error) {
    close_quietly();
    fail(path_, error);
  };
  if (named_temp_.empty()) {
    // Give the unnamed file a fresh name beside the target, then rename it over it.
    const std::string source = fmt::format("/proc/self/fd/{}", fd_);
    for (int i = 0; i < kMaxNameTries && named_temp_.empty(); ++i) {
      std::string name = temp_name_beside(target_);
      if (::linkat(AT_FDCWD, source.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0) {
        named_temp_ = std::move(name);
      } else if (errno != EEXIST) {
        failed(errno);
      }
    }
    if (named_temp_.empty()) failed(EEXIST);
    ::close(fd_);
    fd_ = -1;
  }
  if (std::rename(named_temp_.c_str(), target_.c_str()) != 0) failed(errno);
  named_temp_.clear();
}

void write_file_atomically(const std::string& path, std::string_view content) {
  stage_file(path, content).publish();
}

OutputFile stage_file(const std::string& path, std::string_view content) {
  OutputFile out(path);
  out.write(content);
  out.finish();
  return out;
}

void check_creatable(const std::string& path) {
  if (path == "-") return;
  const Target t = resolve(path);
  if (t.kind == Target::Kind::direct) {
    // Not opened: a FIFO would wait here for its reader.
    if (::faccessat(AT_FDCWD, t.file.c_str(), W_OK, AT_EACCESS) != 0) refuse(path, std::strerror(errno));
    return;
  }
  std::string named;
  int error = 0;
  const int fd = open_temp(t, named, error);
  if (fd < 0) cannot_open(path, error);
  ::close(fd);
  if (!named.empty()) ::unlink(named.c_str());
}

}  // namespace distlab
