// Tests for storage/spool_trust.h: PrepareSpoolDir (what `tb init` does to
// the spool directory) creates nothing inside a directory it refuses, and
// WhyUntrusted's verdicts.
#include "storage/spool_trust.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

namespace fs = std::filesystem;
using testutil::TempDir;

constexpr uid_t kOther = 4242;

mode_t Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class SpoolTrustSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = tmp_.Sub("base");
    dir_ = base_ + "/0123456789abcdef";
  }
  std::string Refused(const std::string& path, const std::string& why) const {
    return "unsafe spool directory (" + path + "): " + why +
           ". Remove it, or set TERMBRAIN_SPOOL_DIR to a directory of yours";
  }
  static std::string Me() { return std::to_string(::geteuid()); }

  TempDir tmp_;
  std::string base_, dir_;
};

TEST_F(SpoolTrustSecurityTest, CreatesEveryMissingLevelPrivateWhateverTheUmask) {
  mode_t old = ::umask(0);
  std::string deep = tmp_.Sub("a/b/base/0123456789abcdef");
  Status s = PrepareSpoolDir(deep);
  ::umask(old);
  ASSERT_OK(s) << s.message();
  for (const std::string& p : {tmp_.Sub("a"), tmp_.Sub("a/b"), tmp_.Sub("a/b/base"), deep}) {
    EXPECT_EQ(Mode(p), 0700u) << p;
  }
}

TEST_F(SpoolTrustSecurityTest, MakesReadableLevelsOfOursPrivate) {
  fs::create_directories(dir_);
  ::chmod(base_.c_str(), 0755);
  ::chmod(dir_.c_str(), 0750);
  Status s = PrepareSpoolDir(dir_);
  ASSERT_OK(s) << s.message();
  EXPECT_EQ(Mode(base_), 0700u);
  EXPECT_EQ(Mode(dir_), 0700u);
}

TEST_F(SpoolTrustSecurityTest, RefusesABaseOwnedByAnotherUserAndCreatesNothingInIt) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  fs::create_directories(base_);
  ASSERT_EQ(::chmod(base_.c_str(), 0777), 0);
  ASSERT_EQ(::chown(base_.c_str(), kOther, kOther), 0);
  Status s = PrepareSpoolDir(dir_);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(), Refused(base_, "it is owned by uid 4242, not by you (uid " + Me() + ")"));
  EXPECT_TRUE(fs::is_empty(base_)) << "created inside a refused directory";
}

TEST_F(SpoolTrustSecurityTest, RefusesABaseOthersCanWriteAndCreatesNothingInIt) {
  fs::create_directories(base_);
  ASSERT_EQ(::chmod(base_.c_str(), 0777), 0);
  Status s = PrepareSpoolDir(dir_);
  EXPECT_EQ(s.message(), Refused(base_, "it is writable by group or others (mode 0777)"));
  EXPECT_TRUE(fs::is_empty(base_));
  EXPECT_EQ(Mode(base_), 0777u) << "a refused directory is left as it was";
}

TEST_F(SpoolTrustSecurityTest, RefusesSymlinksAtEitherLevel) {
  std::string real = tmp_.Sub("real");
  fs::create_directories(real);
  ::chmod(real.c_str(), 0700);
  fs::create_directory_symlink(real, base_);
  EXPECT_EQ(PrepareSpoolDir(dir_).message(), Refused(base_, "it is a symlink"));
  EXPECT_TRUE(fs::is_empty(real));
  fs::remove(base_);
  fs::create_directories(base_);
  fs::create_directory_symlink(real, dir_);
  EXPECT_EQ(PrepareSpoolDir(dir_).message(), Refused(dir_, "it is a symlink"));
}

TEST_F(SpoolTrustSecurityTest, RefusesAnAncestorOthersCanWriteUnlessSticky) {
  std::string shared = tmp_.Sub("shared");
  fs::create_directories(shared);
  ASSERT_EQ(::chmod(shared.c_str(), 0777), 0);
  std::string dir = shared + "/base/0123456789abcdef";
  Status s = PrepareSpoolDir(dir);
  EXPECT_EQ(s.message(), "unsafe spool directory (" + shared +
                             "): it is writable by group or others (mode 0777) and not sticky, so "
                             "another user could replace what is in it. Set TERMBRAIN_SPOOL_DIR to a "
                             "directory of yours");
  EXPECT_TRUE(fs::is_empty(shared));
  // Like /tmp and /dev/shm: shared but sticky is fine.
  ASSERT_EQ(::chmod(shared.c_str(), 01777), 0);
  s = PrepareSpoolDir(dir);
  EXPECT_OK(s) << s.message();
  EXPECT_EQ(Mode(dir), 0700u);
}

TEST_F(SpoolTrustSecurityTest, RefusesAnAncestorOwnedByAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  std::string theirs = tmp_.Sub("theirs");
  fs::create_directories(theirs);
  ASSERT_EQ(::chmod(theirs.c_str(), 0755), 0);
  ASSERT_EQ(::chown(theirs.c_str(), kOther, kOther), 0);
  Status s = PrepareSpoolDir(theirs + "/base/0123456789abcdef");
  EXPECT_EQ(s.message(), "unsafe spool directory (" + theirs +
                             "): it is owned by uid 4242 (neither you nor root), who could replace "
                             "what is in it. Set TERMBRAIN_SPOOL_DIR to a directory of yours");
  EXPECT_TRUE(fs::is_empty(theirs));
}

TEST(WhyUntrustedSecurity, Verdicts) {
  struct stat st {};
  st.st_uid = ::geteuid();
  st.st_mode = S_IFREG | 0600;
  EXPECT_EQ(WhyUntrusted(st, SpoolObject::kFile), "");
  EXPECT_EQ(WhyUntrusted(st, SpoolObject::kDirectory), "it is not a directory");
  st.st_mode = S_IFREG | 0644;
  EXPECT_EQ(WhyUntrusted(st, SpoolObject::kFile), "") << "readable is not a trust problem";
  st.st_mode = S_IFREG | 0602;
  EXPECT_EQ(WhyUntrusted(st, SpoolObject::kFile), "it is writable by group or others (mode 0602)");
  st.st_mode = S_IFDIR | 0700;
  EXPECT_EQ(WhyUntrusted(st, SpoolObject::kFile), "it is not a regular file");
  st.st_uid = ::geteuid() + 1;
  EXPECT_EQ(WhyUntrusted(st, SpoolObject::kDirectory), "it is owned by uid " + std::to_string(::geteuid() + 1) +
                                                           ", not by you (uid " + std::to_string(::geteuid()) + ")");
}

}  // namespace
}  // namespace tb
