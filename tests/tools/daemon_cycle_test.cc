// RunDaemonCycle (tools/daemon_cycle.h) in process: what one cycle leaves
// in the store and in DaemonState (the figures the endpoint serves) after a
// drain, with a store another writer holds, with a full disk, and with a
// spool file the drain refuses.
#include "tools/daemon_cycle.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "storage/spool.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

namespace fs = std::filesystem;

class DaemonCycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("tb-cycle-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "run");
    fs::permissions(root_ / "run", fs::perms::owner_all);
    ctx_.data_dir = (root_ / "data").string();
    ctx_.command_name = "daemon";
    ctx_.env = {{"XDG_RUNTIME_DIR", (root_ / "run").string()}};
    ctx_.config.storage.reserve_mb = 0;
    spool_ = ctx_.SpoolDir();
    fs::create_directories(spool_);
    fs::permissions(root_ / "run" / "termbrain", fs::perms::owner_all);
    fs::permissions(spool_, fs::perms::owner_all);
  }
  void TearDown() override { fs::remove_all(root_); }

  void WriteFrames(const std::string& name, int commands, mode_t mode = 0600) {
    const std::string path = spool_ + "/" + name;
    const std::string sid = name.substr(0, name.find('.'));
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < commands; ++i) {
      out << "TB1\tS\t" << sid << "\t" << 2 * i << "\t1765000000." << 100000 + i << "\t" << sid << "\tbash\t/tmp\tcmd"
          << i << "\t.\n"
          << "TB1\tF\t" << sid << "\t" << 2 * i + 1 << "\t1765000001.0\t0\t1000\t" << 2 * i << "\t.\n";
    }
    out.close();
    ::chmod(path.c_str(), mode);
  }

  DaemonCycleResult Cycle(int64_t activity_ns) {
    return RunDaemonCycle(ctx_, &state_, &held_, /*keep_open=*/false, /*final_cycle=*/false, activity_ns);
  }
  Status OpenOther(std::unique_ptr<Store>* out) {
    StoreOptions o;
    o.data_dir = ctx_.data_dir;
    o.access = StoreOptions::Access::kReadWrite;
    o.lock_wait_ms = 0;
    o.holder = "pid 1 (tb import)";
    return Store::Open(o, out);
  }

  fs::path root_;
  std::string spool_;
  Context ctx_;
  DaemonState state_;
  HeldStore held_;
};

TEST_F(DaemonCycleTest, DrainFillsTheFigures) {
  WriteFrames("ab12.spool", 3);
  DaemonCycleResult r = Cycle(MonotonicNs());
  ASSERT_OK(r.status);
  EXPECT_EQ(r.next_maintenance_ns, kNoDueTime);  // nothing configured
  DaemonFigures f = state_.Snapshot();
  EXPECT_EQ(f.cycles, 1u);
  EXPECT_EQ(f.files_drained, 1u);
  EXPECT_EQ(f.events_appended, 6u);
  EXPECT_EQ(f.head_seq, 6u);
  EXPECT_GT(f.last_drain_lag_ns, 0);
  EXPECT_EQ(f.max_drain_lag_ns, f.last_drain_lag_ns);
  EXPECT_EQ(f.spool_files_pending, 0u);
  EXPECT_TRUE(f.store_open_ok);
  EXPECT_EQ(f.last_error, "");
  EXPECT_EQ(f.last_backup_ns, 0);
  EXPECT_TRUE(fs::is_empty(spool_));
  // The store is closed again: anyone can take it.
  EXPECT_FALSE(r.holding);
  std::unique_ptr<Store> store;
  ASSERT_OK(OpenOther(&store));
  EXPECT_EQ(store->head(), 6u);
}

TEST_F(DaemonCycleTest, BusyStoreCountsARetryAndKeepsTheFrames) {
  WriteFrames("ab12.spool", 1);
  ASSERT_OK(Cycle(0).status);  // creates the store
  std::unique_ptr<Store> holder;
  ASSERT_OK(OpenOther(&holder));
  WriteFrames("cd34.spool", 1);
  DaemonCycleResult r = Cycle(MonotonicNs());
  EXPECT_TRUE(r.status.IsBusy()) << r.status.ToString();
  DaemonFigures f = state_.Snapshot();
  EXPECT_EQ(f.busy_retries, 1u);
  EXPECT_EQ(f.last_error, "");  // busy is not an error
  EXPECT_TRUE(fs::exists(spool_ + "/cd34.spool"));
  holder.reset();
  ASSERT_OK(Cycle(MonotonicNs()).status);
  EXPECT_FALSE(fs::exists(spool_ + "/cd34.spool"));
}

TEST_F(DaemonCycleTest, FullDiskIsTheLastErrorUntilACycleSucceeds) {
  WriteFrames("ab12.spool", 1);
  ctx_.config.storage.reserve_mb = 1 << 20;  // 1 TiB free needed
  DaemonCycleResult r = Cycle(MonotonicNs());
  EXPECT_EQ(r.status.code(), Status::Code::kNoSpace) << r.status.ToString();
  DaemonFigures f = state_.Snapshot();
  EXPECT_FALSE(f.store_open_ok);
  EXPECT_TRUE(f.last_error.starts_with("disk full: ")) << f.last_error;
  EXPECT_GT(f.last_error_ns, 0);
  EXPECT_EQ(f.cycles, 0u);
  ctx_.config.storage.reserve_mb = 0;
  ASSERT_OK(Cycle(MonotonicNs()).status);
  f = state_.Snapshot();
  EXPECT_TRUE(f.store_open_ok);
  EXPECT_EQ(f.last_error, "");
  EXPECT_EQ(f.events_appended, 2u);
}

TEST_F(DaemonCycleTest, RefusedFileIsCountedAsPending) {
  WriteFrames("ab12.spool", 2, 0666);  // writable by others: refused, left alone
  ASSERT_OK(Cycle(MonotonicNs()).status);
  DaemonFigures f = state_.Snapshot();
  EXPECT_EQ(f.events_appended, 0u);
  EXPECT_EQ(f.spool_files_pending, 1u);
  EXPECT_EQ(f.spool_frames_pending, 4u);
  EXPECT_EQ(f.spool_bytes_pending, fs::file_size(spool_ + "/ab12.spool"));
}

TEST_F(DaemonCycleTest, MaintenanceIsScheduledAndTheBackupIsReported) {
  ctx_.config.backup.interval = "1h";
  WriteFrames("ab12.spool", 1);
  DaemonCycleResult r = Cycle(MonotonicNs());
  ASSERT_OK(r.status);
  const DaemonFigures f = state_.Snapshot();
  EXPECT_GT(f.last_backup_ns, 0);
  EXPECT_EQ(r.next_maintenance_ns, f.last_backup_ns + 3'600'000'000'000);
  EXPECT_TRUE(fs::exists(ctx_.data_dir + "/backups"));
}

TEST_F(DaemonCycleTest, DrainObserverSeesEachLag) {
  std::vector<int64_t> lags;
  state_.SetDrainObserver([&](int64_t lag) { lags.push_back(lag); });
  WriteFrames("ab12.spool", 1);
  ASSERT_OK(Cycle(MonotonicNs()).status);
  ASSERT_OK(Cycle(0).status);  // not caused by the spool: lag 0
  ASSERT_EQ(lags.size(), 2u);
  EXPECT_GT(lags[0], 0);
  EXPECT_EQ(lags[1], 0);
}

TEST_F(DaemonCycleTest, KeptOpenUntilReleasedAndClosedByTheFinalCycle) {
  WriteFrames("ab12.spool", 1);
  DaemonCycleResult r = RunDaemonCycle(ctx_, &state_, &held_, /*keep_open=*/true, false, MonotonicNs());
  ASSERT_OK(r.status);
  EXPECT_TRUE(r.holding);
  ASSERT_NE(held_.store, nullptr);
  std::unique_ptr<Store> other;
  EXPECT_TRUE(OpenOther(&other).IsBusy());
  // The next frames use the open store.
  WriteFrames("cd34.spool", 1);
  r = RunDaemonCycle(ctx_, &state_, &held_, true, false, MonotonicNs());
  ASSERT_OK(r.status);
  EXPECT_EQ(state_.Snapshot().head_seq, 4u);
  held_.Release();
  EXPECT_EQ(held_.store, nullptr);
  ASSERT_OK(OpenOther(&other));
  other.reset();
  r = RunDaemonCycle(ctx_, &state_, &held_, true, false, 0);
  EXPECT_TRUE(r.holding);
  r = RunDaemonCycle(ctx_, &state_, &held_, true, /*final_cycle=*/true, 0);
  ASSERT_OK(r.status);
  EXPECT_FALSE(r.holding);
  EXPECT_EQ(held_.store, nullptr);
}

TEST_F(DaemonCycleTest, FailureReleasesAHeldStore) {
  ASSERT_TRUE(RunDaemonCycle(ctx_, &state_, &held_, true, false, 0).holding);
  ctx_.config.storage.reserve_mb = 1 << 20;
  DaemonCycleResult r = RunDaemonCycle(ctx_, &state_, &held_, true, false, 0);
  EXPECT_EQ(r.status.code(), Status::Code::kNoSpace);
  EXPECT_FALSE(r.holding);
  EXPECT_EQ(held_.store, nullptr);
}

}  // namespace
}  // namespace tb
