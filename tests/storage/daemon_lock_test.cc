// DaemonLock and ProbeDaemon (storage/daemon_lock.h).
#include "storage/daemon_lock.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/timefmt.h"
#include "storage/data_dir.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSince = 1'765'000'000'123'000'000;  // 2025-12-06T05:46:40.123Z

class DaemonLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("tb-dlock-" + std::to_string(::getpid()))).string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Line() const {
    std::ifstream in(dir_ + "/daemon.lock");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string dir_;
};

TEST_F(DaemonLockTest, HolderLineAndProbe) {
  EXPECT_FALSE(ProbeDaemon(dir_).running);  // no file yet
  {
    DaemonLock lock;
    ASSERT_OK(lock.Acquire(dir_, kSince));
    EXPECT_TRUE(lock.held());
    EXPECT_EQ(Line(), "pid " + std::to_string(::getpid()) + " since 2025-12-06T05:46:40.123Z\n");
    DaemonHolder h = ProbeDaemon(dir_);
    EXPECT_TRUE(h.running);
    EXPECT_EQ(h.pid, ::getpid());
    EXPECT_EQ(h.since_ns, kSince);
    EXPECT_EQ(DescribeDaemon(h), "pid " + std::to_string(::getpid()) + ", since 2025-12-06T05:46:40.123Z");
    ASSERT_OK(lock.UpdatePid());
    EXPECT_EQ(Line(), "pid " + std::to_string(::getpid()) + " since 2025-12-06T05:46:40.123Z\n");
  }
  EXPECT_EQ(Line(), "");  // released and emptied
  EXPECT_FALSE(ProbeDaemon(dir_).running);
}

TEST_F(DaemonLockTest, SecondHolderIsBusyAndNamesTheFirst) {
  DaemonLock first;
  ASSERT_OK(first.Acquire(dir_, kSince));
  DaemonLock second;
  Status s = second.Acquire(dir_, kSince + 1);
  EXPECT_TRUE(s.IsBusy());
  EXPECT_EQ(s.message(), "a daemon already runs for " + dir_ + " (pid " + std::to_string(::getpid()) +
                             ", since 2025-12-06T05:46:40.123Z). Stop it first (kill -TERM PID, or systemctl --user "
                             "stop termbrain)");
  EXPECT_FALSE(second.held());
}

TEST_F(DaemonLockTest, StaleLineWithoutTheLockIsNotRunning) {
  std::ofstream(dir_ + "/daemon.lock") << "pid 1 since 2025-12-06T05:46:40.123Z\n";  // a crashed daemon
  EXPECT_FALSE(ProbeDaemon(dir_).running);
  DaemonLock lock;
  ASSERT_OK(lock.Acquire(dir_, kSince));
  EXPECT_EQ(ProbeDaemon(dir_).pid, ::getpid());
}

TEST_F(DaemonLockTest, UnreadableLineStillRuns) {
  DaemonLock lock;
  ASSERT_OK(lock.Acquire(dir_, kSince));
  std::ofstream(dir_ + "/daemon.lock", std::ios::trunc) << "garbage\n";
  DaemonHolder h = ProbeDaemon(dir_);
  EXPECT_TRUE(h.running);
  EXPECT_EQ(h.pid, 0);
  EXPECT_EQ(DescribeDaemon(h), "pid unknown");
}

// The moment between a daemon taking the lock and writing its line: the
// probe reads again instead of taking the empty file, or a dead daemon's
// line, for the holder's.
TEST_F(DaemonLockTest, ProbeWaitsForTheLineOfAHolderThatJustStarted) {
  for (const std::string before : {"", "pid 999999999 since 2025-12-06T05:46:40.123Z\n"}) {
    std::ofstream(dir_ + "/daemon.lock", std::ios::trunc) << before;
    const int fd = ::open((dir_ + "/daemon.lock").c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // held, the line not yet written
    std::thread writer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
      const std::string line = "pid " + std::to_string(::getpid()) + " since 2025-12-06T05:46:40.123Z\n";
      ASSERT_EQ(::pwrite(fd, line.data(), line.size(), 0), static_cast<ssize_t>(line.size()));
      ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(line.size())), 0);
    });
    const DaemonHolder h = ProbeDaemon(dir_);
    writer.join();
    ::close(fd);
    EXPECT_TRUE(h.running);
    EXPECT_EQ(h.pid, ::getpid()) << "line before: " << before;
    EXPECT_EQ(h.since_ns, kSince);
  }
}

TEST_F(DaemonLockTest, MissingDirectoryIsAnIOError) {
  DaemonLock lock;
  Status s = lock.Acquire(dir_ + "/missing", kSince);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(), "cannot open the daemon lock (" + dir_ + "/missing/daemon.lock): No such file or directory");
  EXPECT_EQ(lock.UpdatePid().message(), "the daemon lock is not held");
}

TEST_F(DaemonLockTest, ADataDirWithOnlyTheDaemonLockIsStillNew) {
  DaemonLock lock;
  ASSERT_OK(lock.Acquire(dir_, kSince));
  bool exists = true;
  StoreIdentity id;
  ASSERT_OK(InspectDataDir(dir_, &exists, &id));
  EXPECT_FALSE(exists);
}

}  // namespace
}  // namespace tb
