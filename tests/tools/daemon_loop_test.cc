// RunDaemonLoop (tools/daemon.h) with a recording cycle: when cycles run
// (spool writes, coalescing, busy backoff, maintenance times, a spool
// directory that appears later, the drainer's own renames) and how it stops.
#include "tools/daemon.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/status_assert.h"

namespace tb {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

struct CycleCall {
  bool final_cycle;
  int64_t activity_ns;
  int64_t at_ns;  // monotonic, when the cycle ran
};

class DaemonLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("tb-loop-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    spool_ = (root_ / "base" / "spool").string();
    stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
    options_.spool_dir = spool_;
    options_.stop_fd = stop_fd_;
    options_.now_ns = [this] { return wall_ns_.load() + MonotonicNs(); };  // runs like a wall clock
    options_.cycle = [this](bool final_cycle, int64_t activity_ns) {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back({final_cycle, activity_ns, MonotonicNs()});
      DaemonCycleResult r;
      if (!results_.empty()) {
        r = results_.front();
        results_.erase(results_.begin());
      }
      cv_.notify_all();
      return r;
    };
  }
  void TearDown() override {
    (void)Stop();
    ::close(stop_fd_);
    fs::remove_all(root_);
  }
  void Start() {
    thread_ = std::thread([this] { loop_status_ = RunDaemonLoop(options_, &state_); });
  }
  Status Stop() {
    if (!thread_.joinable()) return loop_status_;
    uint64_t one = 1;
    EXPECT_EQ(::write(stop_fd_, &one, sizeof one), 8);
    thread_.join();
    return loop_status_;
  }
  // Waits until at least `n` cycles ran.
  bool WaitCycles(size_t n, milliseconds timeout = milliseconds(3000)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return calls_.size() >= n; });
  }
  std::vector<CycleCall> Calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  void Queue(DaemonCycleResult r) {
    std::lock_guard<std::mutex> lock(mu_);
    results_.push_back(r);
  }
  // Appends a line the way the hooks do (open, write, close).
  void Append(const std::string& name) { std::ofstream(spool_ + "/" + name, std::ios::app) << "TB1\tx\n"; }

  fs::path root_;
  std::string spool_;
  int stop_fd_ = -1;
  std::atomic<int64_t> wall_ns_{1'000'000'000'000'000'000};
  DaemonOptions options_;
  DaemonState state_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<CycleCall> calls_;
  std::vector<DaemonCycleResult> results_;
  std::thread thread_;
  Status loop_status_;
};

TEST_F(DaemonLoopTest, FirstCycleAtStartThenOnePerWriteAfterTheWindow) {
  fs::create_directories(spool_);
  options_.coalesce_ms = 30;
  Start();
  ASSERT_TRUE(WaitCycles(1));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(Calls().size(), 1u);  // idle: nothing runs
  const int64_t written = MonotonicNs();
  Append("a.spool");
  Append("a.spool");  // within the window: the same cycle
  Append("b.spool");
  ASSERT_TRUE(WaitCycles(2));
  std::this_thread::sleep_for(milliseconds(100));
  std::vector<CycleCall> calls = Calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_FALSE(calls[1].final_cycle);
  EXPECT_GE(calls[1].activity_ns, written);
  EXPECT_GE(calls[1].at_ns - calls[1].activity_ns, 30'000'000);  // waited for the window
  EXPECT_LT(calls[1].at_ns - written, 100'000'000);
  EXPECT_OK(Stop());
  calls = Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_TRUE(calls[2].final_cycle);
}

TEST_F(DaemonLoopTest, TheDrainersOwnRenamesDoNotWakeIt) {
  fs::create_directories(spool_);
  Start();
  ASSERT_TRUE(WaitCycles(1));
  Append("a.spool");
  ASSERT_TRUE(WaitCycles(2));
  fs::rename(spool_ + "/a.spool", spool_ + "/a.spool.draining.1");
  fs::remove(spool_ + "/a.spool.draining.1");
  std::this_thread::sleep_for(milliseconds(150));
  EXPECT_EQ(Calls().size(), 2u);
}

TEST_F(DaemonLoopTest, BusyStoreIsRetriedWithGrowingBackoff) {
  fs::create_directories(spool_);
  options_.busy_backoff_min_ms = 20;
  options_.busy_backoff_max_ms = 80;
  for (int i = 0; i < 4; ++i) Queue({Status::Busy("held"), kNoDueTime});
  Start();
  ASSERT_TRUE(WaitCycles(5));
  std::this_thread::sleep_for(milliseconds(200));
  std::vector<CycleCall> calls = Calls();
  ASSERT_EQ(calls.size(), 5u);  // four busy, then one that succeeded, then idle
  const int64_t expected_ms[] = {20, 40, 80, 80};
  for (int i = 0; i < 4; ++i) {
    const int64_t gap_ms = (calls[i + 1].at_ns - calls[i].at_ns) / 1'000'000;
    EXPECT_GE(gap_ms, expected_ms[i]) << i;
    EXPECT_LT(gap_ms, expected_ms[i] + 60) << i;
  }
  EXPECT_EQ(state_.Snapshot().next_maintenance_ns, 0);
}

TEST_F(DaemonLoopTest, OtherErrorsRetryLaterOrOnTheNextWrite) {
  fs::create_directories(spool_);
  options_.error_retry_ms = 200;
  Queue({Status::NoSpace("disk full"), kNoDueTime});
  Queue({Status::NoSpace("disk full"), kNoDueTime});
  Start();
  ASSERT_TRUE(WaitCycles(2));  // the retry after error_retry_ms
  std::vector<CycleCall> calls = Calls();
  EXPECT_GE((calls[1].at_ns - calls[0].at_ns) / 1'000'000, 200);
  Append("a.spool");  // a write retries sooner than the timer
  ASSERT_TRUE(WaitCycles(3, milliseconds(150)));
}

TEST_F(DaemonLoopTest, ALockedStoreWaitsForAnUnlockNotForATimer) {
  fs::create_directories(spool_);
  options_.error_retry_ms = 50;
  options_.unlock_dir = (root_ / "run" / "termbrain" / "unlocked").string();  // not there yet
  Queue({Status::Locked("locked"), kNoDueTime});
  Start();
  ASSERT_TRUE(WaitCycles(1));
  EXPECT_FALSE(WaitCycles(2, milliseconds(300)));  // no retry by time, however short error_retry_ms is
  fs::create_directories(options_.unlock_dir);     // tb unlock: the directories, then the key
  std::ofstream(options_.unlock_dir + "/k.key") << "key\n";
  ASSERT_TRUE(WaitCycles(2, milliseconds(1000)));
}

TEST_F(DaemonLoopTest, MaintenanceTimeWakesItAndAFailedRunIsRetriedLater) {
  fs::create_directories(spool_);
  options_.error_retry_ms = 100;
  const int64_t wall = options_.now_ns();
  Queue({Status::OK(), wall + 50'000'000});  // due in 50 ms
  Queue({Status::OK(), wall});               // still due after it: failed
  Start();
  ASSERT_TRUE(WaitCycles(2));  // no spool write: the due time woke it
  std::vector<CycleCall> calls = Calls();
  EXPECT_EQ(calls[1].activity_ns, 0);
  EXPECT_GE(calls[1].at_ns - calls[0].at_ns, 45'000'000);
  // The failed run is retried error_retry_ms after it.
  int64_t next = 0;
  for (int i = 0; i < 200 && next <= wall + 50'000'000; ++i, std::this_thread::sleep_for(milliseconds(5))) {
    next = state_.Snapshot().next_maintenance_ns;
  }
  EXPECT_GE(next, wall + 150'000'000);
  EXPECT_LT(next, wall + 400'000'000);
  ASSERT_TRUE(WaitCycles(3));
}

TEST_F(DaemonLoopTest, SpoolDirectoryCreatedLaterAndRemovedAgain) {
  Start();  // neither the spool nor its parent exists
  ASSERT_TRUE(WaitCycles(1));
  fs::create_directories(spool_);
  ASSERT_TRUE(WaitCycles(2));  // it appeared: look at once
  Append("a.spool");
  ASSERT_TRUE(WaitCycles(3));
  fs::remove_all(root_ / "base");  // a logout empties the runtime directory
  std::this_thread::sleep_for(milliseconds(50));
  const size_t before = Calls().size();
  fs::create_directories(spool_);
  Append("b.spool");
  ASSERT_TRUE(WaitCycles(before + 1));
}

TEST_F(DaemonLoopTest, StopRunsTheFinalCycleAndReturnsItsStatus) {
  fs::create_directories(spool_);
  Start();
  ASSERT_TRUE(WaitCycles(1));
  Queue({Status::Busy("still held after 10 s"), kNoDueTime});
  Status s = Stop();
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  ASSERT_EQ(Calls().size(), 2u);
  EXPECT_TRUE(Calls()[1].final_cycle);
}

class DaemonLingerTest : public DaemonLoopTest {
 protected:
  void SetUp() override {
    DaemonLoopTest::SetUp();
    fs::create_directories(spool_);
    lock_ = (root_ / "lock").string();
    std::ofstream(lock_) << "";
    options_.lock_path = lock_;
    options_.release = [this] {
      std::lock_guard<std::mutex> lock(mu_);
      releases_.push_back(MonotonicNs());
      cv_.notify_all();
    };
    auto inner = options_.cycle;
    options_.cycle = [this, inner](bool final_cycle, int64_t activity_ns) {
      // As Store::Open does: the cycle opens the lock file and writes the
      // holder's name.
      std::ofstream(lock_, std::ios::app) << "pid 1 (tb daemon)\n";
      if (contend_during_cycle_) std::ifstream(lock_).get();  // another writer, meanwhile
      DaemonCycleResult r = inner(final_cycle, activity_ns);
      r.holding = !final_cycle && r.status.ok();
      r.lock_opens = 1;
      return r;
    };
  }
  bool WaitReleases(size_t n, milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return releases_.size() >= n; });
  }
  std::vector<int64_t> Releases() {
    std::lock_guard<std::mutex> lock(mu_);
    return releases_;
  }
  std::string lock_;
  std::vector<int64_t> releases_;
  std::atomic<bool> contend_during_cycle_{false};
};

TEST_F(DaemonLingerTest, StoreIsReleasedWhenTheLingerEnds) {
  options_.linger_ms = 150;
  Start();
  ASSERT_TRUE(WaitCycles(1));
  ASSERT_TRUE(WaitReleases(1, milliseconds(2000)));
  const int64_t held_ms = (Releases()[0] - Calls()[0].at_ns) / 1'000'000;
  EXPECT_GE(held_ms, 150);  // its own open of the lock file did not end it
  EXPECT_LT(held_ms, 300);
  Append("a.spool");
  ASSERT_TRUE(WaitCycles(2));
  ASSERT_TRUE(WaitReleases(2, milliseconds(2000)));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(Releases().size(), 2u);  // idle: nothing more
}

TEST_F(DaemonLingerTest, AnotherProcessWantingTheStoreEndsTheLingerAtOnce) {
  options_.linger_ms = 10000;
  Start();
  ASSERT_TRUE(WaitCycles(1));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_TRUE(Releases().empty());
  const int64_t wanted = MonotonicNs();
  std::ifstream(lock_).get();  // a writer about to take the lock
  ASSERT_TRUE(WaitReleases(1, milliseconds(1000)));
  EXPECT_LT((Releases()[0] - wanted) / 1'000'000, 100);
  std::ifstream(lock_).get();  // nothing held any more: nothing to release
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(Releases().size(), 1u);
}

TEST_F(DaemonLingerTest, AWriterThatCameDuringTheCycleIsNotMissed) {
  options_.linger_ms = 10000;
  contend_during_cycle_ = true;
  Start();
  ASSERT_TRUE(WaitCycles(1));
  ASSERT_TRUE(WaitReleases(1, milliseconds(1000)));
  EXPECT_LT((Releases()[0] - Calls()[0].at_ns) / 1'000'000, 100);
}

TEST_F(DaemonLingerTest, StopWhileHoldingRunsTheFinalCycleWithoutARelease) {
  options_.linger_ms = 10000;
  Start();
  ASSERT_TRUE(WaitCycles(1));
  EXPECT_OK(Stop());
  ASSERT_EQ(Calls().size(), 2u);
  EXPECT_TRUE(Calls()[1].final_cycle);  // the final cycle closes the store itself
  EXPECT_TRUE(Releases().empty());
}

TEST_F(DaemonLoopTest, RelativeSpoolDirIsRefused) {
  options_.spool_dir = "relative/spool";
  Status s = RunDaemonLoop(options_, &state_);
  EXPECT_EQ(s.ToString(), "invalid argument: the spool directory must be an absolute path (relative/spool)");
}

}  // namespace
}  // namespace tb
