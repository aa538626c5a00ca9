#include "distlab/core/atomic_file.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "distlab/core/error.h"

namespace distlab {

void check_creatable(const std::string& path) {
  if (path == "-") return;
  std::string temp = path + ".XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) throw InputError(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  ::close(fd);
  ::unlink(temp.c_str());
}

void write_file_atomically(const std::string& path, std::string_view content) {
  if (path == "-") {
    if (std::fwrite(content.data(), 1, content.size(), stdout) != content.size() || std::fflush(stdout) != 0) {
      throw RuntimeFailure(fmt::format("cannot write to standard output: {}", std::strerror(errno)));
    }
    return;
  }
  // A unique name (mkstemp), so two runs writing the same path never share one.
  std::string temp = path + ".XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) throw InputError(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      ::close(fd);
      ::unlink(temp.c_str());
      throw RuntimeFailure(fmt::format("cannot write {}: {}", path, std::strerror(error)));
    }
    written += static_cast<std::size_t>(n);
  }
  // mkstemp makes the file 0600; a written report is as readable as any other file.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  if (::close(fd) != 0 || std::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    throw RuntimeFailure(fmt::format("cannot write {}: {}", path, std::strerror(error)));
  }
}

}  // namespace distlab
