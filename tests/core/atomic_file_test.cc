#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tb-atomic-file-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  size_t Entries() { return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {})); }
  fs::path dir_;
};

TEST_F(AtomicFileTest, ReplacesTheFileWithMode0600AndLeavesNoTempFile) {
  const std::string path = (dir_ / "out.txt").string();
  std::ofstream(path) << "old";
  ASSERT_OK(WriteFileAtomically(path, "new\ncontent\n"));
  EXPECT_EQ(Read(path), "new\ncontent\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(AtomicFileTest, WithoutCommitTheFileIsUntouchedAndTheTempFileRemoved) {
  const std::string path = (dir_ / "out.txt").string();
  std::ofstream(path) << "old";
  {
    AtomicFile f;
    ASSERT_OK(f.Open(path));
    ASSERT_OK(f.Write("partial"));
    EXPECT_EQ(Entries(), 2u);
  }
  EXPECT_EQ(Read(path), "old");
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(AtomicFileTest, MissingDirectoryIsOneLineIoError) {
  const std::string path = (dir_ / "missing" / "out.txt").string();
  Status s = WriteFileAtomically(path, "x");
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(),
            "cannot write " + path + ": No such file or directory. Check the directory exists and is writable");
  EXPECT_EQ(Entries(), 0u);
}

TEST_F(AtomicFileTest, UnwritableDirectoryIsAnErrorAndChangesNothing) {
  // A path below a regular file fails for every user, root included.
  std::ofstream(dir_ / "plain") << "x";
  const std::string below = (dir_ / "plain" / "out.txt").string();
  Status s = WriteFileAtomically(below, "x");
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(), "cannot write " + below + ": Not a directory. Check the directory exists and is writable");
  if (::geteuid() == 0) return;  // root writes into a 0500 directory
  fs::create_directories(dir_ / "ro");
  std::ofstream(dir_ / "ro" / "out.txt") << "old";
  fs::permissions(dir_ / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  s = WriteFileAtomically((dir_ / "ro" / "out.txt").string(), "new");
  fs::permissions(dir_ / "ro", fs::perms::owner_all);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_NE(s.message().find(": Permission denied. "), std::string::npos) << s.message();
  EXPECT_EQ(Read(dir_ / "ro" / "out.txt"), "old");
}

TEST_F(AtomicFileTest, ReplacesByRenameSoAnOpenReaderKeepsTheOldContent) {
  const std::string path = (dir_ / "out.txt").string();
  std::ofstream(path) << "old content";
  std::ifstream reader(path, std::ios::binary);
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  ASSERT_OK(WriteFileAtomically(path, "new content", 0644));
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);  // a new file took the name
  EXPECT_EQ(after.st_mode & 0777, 0644u);
  std::stringstream old;
  old << reader.rdbuf();
  EXPECT_EQ(old.str(), "old content");
  EXPECT_EQ(Read(path), "new content");
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(AtomicFileTest, ManyPiecesLargerThanTheBufferArriveWhole) {
  const std::string path = (dir_ / "big").string();
  std::string expect;
  Status s = WriteFileAtomically(path, [&](const ContentSink& sink) {
    for (int i = 0; i < 300000; ++i) {
      std::string piece = std::to_string(i) + "\n";
      expect += piece;
      sink(piece.data(), piece.size());
    }
    std::string large(3u << 20, 'x');  // one piece over the 1 MiB buffer
    expect += large;
    sink(large.data(), large.size());
  });
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(Read(path), expect);
}

// A file size limit makes write() write part of the data and return short;
// the loop must call write() again (which then fails with EFBIG) instead of
// taking the short count as success. Run in a child: the limit is per process.
TEST_F(AtomicFileTest, ShortWriteIsContinuedAndItsFailureReported) {
  const std::string path = (dir_ / "limited").string();
  std::ofstream(path) << "old";
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim {
      100, 100
    };
    if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(10);
    int fd = ::open((path + ".raw").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    errno = 0;
    bool full = WriteFully(fd, std::string(150, 'a'));
    int err = errno;
    ::close(fd);
    if (full || err != EFBIG) ::_exit(11);
    Status s = WriteFileAtomically(path, std::string(150, 'b'));
    if (s.message() != "cannot write " + path + ": File too large. Check the directory exists and is writable") {
      ::_exit(12);
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(fs::file_size(path + ".raw"), 100u);  // the first write was short
  EXPECT_EQ(Read(path), "old");
  EXPECT_EQ(Entries(), 2u);  // limited and limited.raw: no temp file left
}

}  // namespace
}  // namespace tb
