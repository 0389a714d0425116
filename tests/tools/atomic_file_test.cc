#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tools/output.h"

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
  ASSERT_TRUE(WriteFileAtomically(path, "new\ncontent\n").ok());
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
    ASSERT_TRUE(f.Open(path).ok());
    ASSERT_TRUE(f.Write("partial").ok());
    EXPECT_EQ(Entries(), 2u);
  }
  EXPECT_EQ(Read(path), "old");
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(AtomicFileTest, MissingDirectoryIsOneLineIoError) {
  const std::string path = (dir_ / "missing" / "out.txt").string();
  Status s = WriteFileAtomically(path, "x");
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(), "cannot write " + path +
                             ": No such file or directory. Check the directory exists and is writable");
  EXPECT_EQ(Entries(), 0u);
}

}  // namespace
}  // namespace tb
