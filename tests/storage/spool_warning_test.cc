// Tests of storage/spool_warning.h: the file's two lines, the episode ID
// kept across updates, clearing, and every way the file can be wrong.
#include "storage/spool_warning.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

using testutil::TempDir;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(SpoolWarningTest, RaiseWritesIdAndOneLineMessagePrivately) {
  TempDir dir;
  const std::string spool = dir.Sub("spool");
  EXPECT_EQ(SpoolWarningPath(spool), spool + ".warning");
  ASSERT_OK(RaiseSpoolWarning(spool, "tb: disk full\nsecond line\rthird", 1234));
  EXPECT_EQ(Slurp(spool + ".warning"), "1234\ntb: disk full second line third\n");
  struct stat st {};
  ASSERT_EQ(::stat((spool + ".warning").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  SpoolWarning w;
  ASSERT_OK(ReadSpoolWarning(spool, &w));
  EXPECT_EQ(w.since_ns, 1234);
  EXPECT_EQ(w.message, "tb: disk full second line third");
}

TEST(SpoolWarningTest, AnUpdateKeepsTheEpisodeAndAClearEndsIt) {
  TempDir dir;
  const std::string spool = dir.Sub("spool");
  ASSERT_OK(RaiseSpoolWarning(spool, "tb: first", 100));
  ASSERT_OK(RaiseSpoolWarning(spool, "tb: second", 200));
  EXPECT_EQ(Slurp(spool + ".warning"), "100\ntb: second\n");
  ASSERT_OK(ClearSpoolWarning(spool));
  SpoolWarning w;
  EXPECT_TRUE(ReadSpoolWarning(spool, &w).IsNotFound());
  ASSERT_OK(ClearSpoolWarning(spool));  // nothing to clear is fine
  ASSERT_OK(RaiseSpoolWarning(spool, "tb: third", 300));
  ASSERT_OK(ReadSpoolWarning(spool, &w));
  EXPECT_EQ(w.since_ns, 300);
}

TEST(SpoolWarningTest, DamagedFilesAreCorruptionAndStartANewEpisode) {
  TempDir dir;
  const std::string spool = dir.Sub("spool");
  for (const std::string bad : {"", "12\n", "x1\nmsg\n", "1\nmsg\nmore\n", "99999999999999999999\nmsg\n",
                                "9999999999999999999\nmsg\n", "\nmsg\n"}) {
    std::ofstream(spool + ".warning", std::ios::trunc) << bad;
    SpoolWarning w;
    Status s = ReadSpoolWarning(spool, &w);
    EXPECT_TRUE(s.IsCorruption()) << "'" << bad << "': " << s.ToString();
    EXPECT_EQ(s.message(), "spool warning " + spool + ".warning is not an ID line and a message line");
  }
  ASSERT_OK(RaiseSpoolWarning(spool, "tb: fresh", 500));
  EXPECT_EQ(Slurp(spool + ".warning"), "500\ntb: fresh\n");
}

TEST(SpoolWarningTest, ErrorsNameThePath) {
  TempDir dir;
  std::ofstream(dir.Sub("file")) << "x";
  const std::string spool = dir.Sub("file") + "/spool";  // its parent is a file
  Status s = RaiseSpoolWarning(spool, "tb: x", 1);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(spool + ".warning"), std::string::npos) << s.ToString();
  s = ClearSpoolWarning(spool);
  EXPECT_EQ(s.ToString(), Status::IOError("cannot remove " + spool + ".warning: Not a directory").ToString());
}

}  // namespace
}  // namespace tb
