#include "distlab/core/atomic_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "distlab/core/error.h"

namespace distlab {
namespace {

namespace fs = std::filesystem;

// A fresh directory of the test's own, removed at the end.
class OutputDir {
 public:
  OutputDir() {
    std::string pattern = (fs::temp_directory_path() / "distlab_atomic_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = pattern;
  }
  ~OutputDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  fs::path path_;
};

std::string contents_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

mode_t type_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & S_IFMT;
}

constexpr uid_t kNobody = 65534;

TEST(AtomicFile, ReplacesAFileWithTheUsualModeAndLeavesNothingElse) {
  OutputDir dir;
  const std::string out = dir.file("run.html");
  write_file_atomically(out, "first");
  write_file_atomically(out, "second");
  EXPECT_EQ(contents_of(out), "second");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"run.html"});
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
}

TEST(AtomicFile, NothingIsInPlaceOrPredictablyNamedUntilCommit) {
  OutputDir dir;
  const std::string out = dir.file("run.jsonl");
  {
    OutputFile file(out);
    file.write("half of it");
    std::fflush(file.stream());
    for (const std::string& name : dir.entries()) {
      EXPECT_NE(name, "run.jsonl");
      EXPECT_NE(name, "run.jsonl.tmp");
    }
  }  // never committed
  EXPECT_TRUE(dir.entries().empty()) << dir.entries().front();
}

TEST(AtomicFile, ASymlinkPlantedAtTheOldTemporaryNameIsNotFollowed) {
  OutputDir dir;
  const std::string victim = dir.file("victim");
  write_file_atomically(victim, "precious");
  ASSERT_EQ(::symlink(victim.c_str(), dir.file("out.tmp").c_str()), 0);
  ASSERT_EQ(::symlink(victim.c_str(), dir.file(".out.tmp").c_str()), 0);
  write_file_atomically(dir.file("out"), "new");
  EXPECT_EQ(contents_of(victim), "precious");
  EXPECT_EQ(contents_of(dir.file("out")), "new");
}

TEST(AtomicFile, AFifoIsWrittenAsAStreamAndStaysAFifo) {
  OutputDir dir;
  const std::string fifo = dir.file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string read;
  std::thread reader([&] { read = contents_of(fifo); });
  write_file_atomically(fifo, "through the pipe");
  reader.join();
  EXPECT_EQ(read, "through the pipe");
  EXPECT_EQ(type_of(fifo), S_IFIFO);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"pipe"});
}

TEST(AtomicFile, DevNullStaysADevice) {
  write_file_atomically("/dev/null", "nothing");
  check_creatable("/dev/null");
  EXPECT_EQ(type_of("/dev/null"), S_IFCHR);
}

TEST(AtomicFile, DevFullIsAWriteErrorAndStaysADevice) {
  EXPECT_THROW(write_file_atomically("/dev/full", "no room"), RuntimeFailure);
  OutputFile big("/dev/full");
  EXPECT_THROW(
      {
        big.write(std::string(1 << 20, 'x'));  // more than the stream's buffer: fails here or at finish
        big.commit();
      },
      RuntimeFailure);
  EXPECT_EQ(type_of("/dev/full"), S_IFCHR);
}

TEST(AtomicFile, ADirectoryOrAMissingOneIsRefusedAtOnceLeavingNothing) {
  OutputDir dir;
  EXPECT_THROW(check_creatable(dir.path().string()), InputError);
  EXPECT_THROW(OutputFile(dir.path().string()), InputError);
  EXPECT_THROW(check_creatable(dir.file("no/such/dir/x")), InputError);
  EXPECT_THROW(check_creatable(""), InputError);
  check_creatable(dir.file("fine"));
  EXPECT_TRUE(dir.entries().empty());
}

TEST(AtomicFile, OwnSymlinkIsFollowedAndKept) {
  OutputDir dir;
  write_file_atomically(dir.file("real.jsonl"), "old");
  ASSERT_EQ(::symlink("real.jsonl", dir.file("latest").c_str()), 0);
  write_file_atomically(dir.file("latest"), "new");
  EXPECT_EQ(type_of(dir.file("latest")), S_IFLNK);
  EXPECT_EQ(contents_of(dir.file("real.jsonl")), "new");
}

TEST(AtomicFile, ADanglingSymlinkCreatesTheFileItNamesAndALoopIsRefused) {
  OutputDir dir;
  ASSERT_EQ(::symlink("first.jsonl", dir.file("latest").c_str()), 0);
  write_file_atomically(dir.file("latest"), "x");
  EXPECT_EQ(contents_of(dir.file("first.jsonl")), "x");
  EXPECT_EQ(type_of(dir.file("latest")), S_IFLNK);
  ASSERT_EQ(::symlink("b", dir.file("a").c_str()), 0);
  ASSERT_EQ(::symlink("a", dir.file("b").c_str()), 0);
  EXPECT_THROW(write_file_atomically(dir.file("a"), "x"), InputError);
  EXPECT_THROW(check_creatable(dir.file("a")), InputError);
}

// The attack: another user plants a symlink in sticky /tmp pointing at a root-owned
// 0600 file; a root run writing to the link's path must not overwrite that file.
TEST(AtomicFile, AnotherUsersSymlinkInAStickyDirectoryIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (lchown)";
  OutputDir dir;
  const std::string victim = dir.file("secret");
  write_file_atomically(victim, "root only");
  ASSERT_EQ(::chmod(victim.c_str(), 0600), 0);
  const std::string shared = dir.file("tmp");
  ASSERT_EQ(::mkdir(shared.c_str(), 0777), 0);
  ASSERT_EQ(::chmod(shared.c_str(), 01777), 0);
  const std::string link = shared + "/report.html";
  ASSERT_EQ(::symlink(victim.c_str(), link.c_str()), 0);
  ASSERT_EQ(::lchown(link.c_str(), kNobody, kNobody), 0);
  // A directory link too: /tmp/d -> the victim's directory.
  const std::string dir_link = shared + "/d";
  ASSERT_EQ(::symlink(dir.path().c_str(), dir_link.c_str()), 0);
  ASSERT_EQ(::lchown(dir_link.c_str(), kNobody, kNobody), 0);

  EXPECT_THROW(check_creatable(link), InputError);
  try {
    write_file_atomically(link, "overwritten");
    ADD_FAILURE() << "the planted symlink was followed";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("refusing to follow"), std::string::npos) << e.what();
  }
  EXPECT_THROW(write_file_atomically(dir_link + "/secret", "overwritten"), InputError);
  EXPECT_EQ(contents_of(victim), "root only");
  EXPECT_EQ(type_of(link), S_IFLNK);

  // The same link owned by this user is followed (it is the user's own choice).
  ASSERT_EQ(::lchown(link.c_str(), 0, 0), 0);
  write_file_atomically(link, "mine");
  EXPECT_EQ(contents_of(victim), "mine");
}

TEST(AtomicFile, InPlaceIsWrittenAtItsPathAsItGoes) {
  OutputDir dir;
  const std::string out = dir.file("live.jsonl");
  OutputFile file(out, OutputFile::Mode::in_place);
  file.write("line 1\n");
  std::fflush(file.stream());
  EXPECT_EQ(contents_of(out), "line 1\n");  // a SIGKILL now leaves this
  file.commit();
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"live.jsonl"});
}

TEST(AtomicFile, StagedFilesAppearOnlyWhenPublished) {
  OutputDir dir;
  {
    OutputFile staged = stage_file(dir.file("page.html"), "page");
    EXPECT_TRUE(dir.entries().empty());
  }
  EXPECT_TRUE(dir.entries().empty());
  OutputFile staged = stage_file(dir.file("page.html"), "page");
  staged.publish();
  EXPECT_EQ(contents_of(dir.file("page.html")), "page");
}

// A full disk: a small tmpfs mounted for the test (root only), unmounted in all cases.
class SmallDisk {
 public:
  SmallDisk() {
    std::string pattern = (fs::temp_directory_path() / "distlab_full_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return;
    path_ = pattern;
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, "size=64k") == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
    if (!path_.empty()) ::rmdir(path_.c_str());
  }
  bool mounted() const { return mounted_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_)) names.push_back(e.path().filename());
    return names;
  }

 private:
  std::string path_;
  bool mounted_ = false;
};

TEST(AtomicFile, AFullDiskIsAWriteErrorThatLeavesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (mount)";
  SmallDisk disk;
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";
  write_file_atomically(disk.file("small"), "fits");
  EXPECT_THROW(write_file_atomically(disk.file("big"), std::string(1 << 20, 'x')), RuntimeFailure);
  EXPECT_THROW(write_file_atomically(disk.file("small"), std::string(1 << 20, 'x')), RuntimeFailure);
  EXPECT_EQ(disk.entries(), std::vector<std::string>{"small"});
  EXPECT_EQ(contents_of(disk.file("small")), "fits");  // the old file, whole
}

}  // namespace
}  // namespace distlab
