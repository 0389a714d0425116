// Tests of storage/scheduled_maintenance.h: which tasks run, what each
// leaves in the log (audit entries, checkpoints), and how a failed task is
// reported without stopping the others.
#include "storage/scheduled_maintenance.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <filesystem>
#include <fstream>

#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

using testutil::OpenStore;
using testutil::TempDir;
using Access = StoreOptions::Access;

constexpr int64_t kT0 = 1'700'000'000'000'000'000;
constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kHour = 3600 * kSec;

struct Logged {
  std::string source;  // the action of an AdminAction event
  std::string detail;
};

class ScheduledMaintenanceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(OpenStore(dir_.path(), Access::kReadWrite, &store_)); }

  void AppendCommands(int n) {
    std::vector<Event> evs;
    for (int i = 0; i < n; ++i) {
      Event ev;
      ev.kind = EventKind::kRecorded;
      ev.time_ns = kT0 + i * kSec;
      ev.command = "c" + std::to_string(i);
      ev.cwd = "/d";
      ev.exit_code = 0;
      evs.push_back(ev);
    }
    ASSERT_OK(store_->Append(evs, true));
  }

  MaintenanceOptions Options() {
    MaintenanceOptions o;
    o.backup_dir = dir_.Sub("backups");
    o.audit_event = [](const std::string& action, std::string detail) {
      Event ev;
      ev.kind = EventKind::kAdminAction;
      ev.time_ns = kT0;
      ev.source = action;
      ev.detail = std::move(detail);
      return ev;
    };
    return o;
  }

  std::vector<Logged> AdminEvents() {
    std::vector<Logged> out;
    EXPECT_OK(store_->ScanLog(0, UINT64_MAX, true, nullptr, [&](const Event& ev, std::string_view) {
      if (ev.kind == EventKind::kAdminAction) out.push_back({ev.source, ev.detail});
      return true;
    }));
    return out;
  }

  // The checkpoint's value, "<none>" when it was never set.
  std::string Checkpoint(std::string_view key) {
    std::string v;
    Status s = store_->GetCheckpoint(key, &v);
    if (s.IsNotFound()) return "<none>";
    EXPECT_OK(s);
    return v;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ScheduledMaintenanceTest, NothingConfiguredRunsNothingAndWritesNothing) {
  AppendCommands(5);
  const MaintenanceOutcome r = RunMaintenance(*store_, Options(), kT0);
  EXPECT_FALSE(r.ran.any());
  EXPECT_FALSE(r.next.any());
  EXPECT_EQ(r.next.next_ns, kNoDueTime);
  EXPECT_EQ(store_->head(), 5u);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("backups")));
}

TEST_F(ScheduledMaintenanceTest, BackupRunsOnceAndIsAuditedWithItsCheckpoint) {
  AppendCommands(5);
  MaintenanceOptions o = Options();
  o.backup_interval_ns = 24 * kHour;
  MaintenanceOutcome r = RunMaintenance(*store_, o, kT0);
  EXPECT_TRUE(r.ran.backup);
  ASSERT_OK(r.backup);
  EXPECT_EQ(r.backup_id, 1u);
  EXPECT_FALSE(r.next.backup);
  EXPECT_EQ(r.next.next_ns, kT0 + 24 * kHour);
  const auto logged = AdminEvents();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].source, "backup.create");
  EXPECT_EQ(logged[0].detail, R"({"id":1,"dir":")" + dir_.Sub("backups") + R"(","head_seq":5,"automatic":true})");
  EXPECT_EQ(Checkpoint(kCkptLastBackup), std::to_string(kT0));
  std::vector<BackupEntry> backups;
  ASSERT_OK(ListBackups(o.backup_dir, &backups));
  ASSERT_EQ(backups.size(), 1u);
  EXPECT_EQ(backups[0].meta.note, "automatic");

  // An hour later nothing is due; a day later the next backup is.
  r = RunMaintenance(*store_, o, kT0 + kHour);
  EXPECT_FALSE(r.ran.any());
  EXPECT_EQ(AdminEvents().size(), 1u);
  r = RunMaintenance(*store_, o, kT0 + 24 * kHour);
  EXPECT_TRUE(r.ran.backup);
  EXPECT_EQ(r.backup_id, 2u);
}

TEST_F(ScheduledMaintenanceTest, RetentionRemovesAuditsAndIsCheckedDaily) {
  AppendCommands(10);
  MaintenanceOptions o = Options();
  o.retention.max_events = 4;
  MaintenanceOutcome r = RunMaintenance(*store_, o, kT0);
  EXPECT_TRUE(r.ran.retention);
  ASSERT_OK(r.retention);
  EXPECT_EQ(r.retention_removed, 6u);
  EXPECT_EQ(store_->log_floor(), 6u);
  const auto logged = AdminEvents();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].source, "retention.apply");
  EXPECT_EQ(logged[0].detail,
            R"({"removed":6,"floor_before":0,"floor_after":6,"by_age":0,"by_count":6,"automatic":true})");
  EXPECT_EQ(Checkpoint(kCkptRetentionChecked), std::to_string(kT0));
  EXPECT_EQ(r.next.next_ns, kT0 + kMaintenanceDayNs);
  EXPECT_FALSE(RunMaintenance(*store_, o, kT0 + kHour).ran.any());
}

TEST_F(ScheduledMaintenanceTest, RetentionWithNothingToRemoveOnlyMarksTheCheck) {
  AppendCommands(3);
  MaintenanceOptions o = Options();
  o.retention.max_events = 100;
  const MaintenanceOutcome r = RunMaintenance(*store_, o, kT0);
  EXPECT_TRUE(r.ran.retention);
  ASSERT_OK(r.retention);
  EXPECT_EQ(r.retention_removed, 0u);
  EXPECT_TRUE(AdminEvents().empty());
  EXPECT_EQ(store_->head(), 3u);
  EXPECT_EQ(Checkpoint(kCkptRetentionChecked), std::to_string(kT0));
}

TEST_F(ScheduledMaintenanceTest, CompactionRecordsTimeAndHead) {
  AppendCommands(7);
  MaintenanceOptions o = Options();
  o.compact_min_events = 5;
  MaintenanceOutcome r = RunMaintenance(*store_, o, kT0);
  EXPECT_TRUE(r.ran.compaction);
  ASSERT_OK(r.compaction);
  EXPECT_EQ(r.compacted_at_head, 7u);
  EXPECT_EQ(Checkpoint(kCkptLastCompaction), std::to_string(kT0) + " 7");
  const MaintenanceMarks m = ReadMaintenanceMarks(*store_);
  EXPECT_EQ(m.last_compaction_ns, kT0);
  EXPECT_EQ(m.head_at_compaction, 7u);
  EXPECT_EQ(m.head, 7u);
  EXPECT_FALSE(r.next.compaction);
  // Five more events, but the last compaction is less than a day old.
  AppendCommands(5);
  EXPECT_FALSE(RunMaintenance(*store_, o, kT0 + kHour).ran.any());
  EXPECT_TRUE(RunMaintenance(*store_, o, kT0 + kMaintenanceDayNs).ran.compaction);
}

TEST_F(ScheduledMaintenanceTest, CompactionIsSkippedWithTheSpaceCheckStatus) {
  AppendCommands(7);
  MaintenanceOptions o = Options();
  o.compact_min_events = 5;
  o.check_rewrite_space = [](Store&) { return Status::NoSpace("disk full: test"); };
  const MaintenanceOutcome r = RunMaintenance(*store_, o, kT0);
  EXPECT_TRUE(r.ran.compaction);
  EXPECT_EQ(r.compaction.ToString(), Status::NoSpace("disk full: test").ToString());
  EXPECT_EQ(Checkpoint(kCkptLastCompaction), "<none>");
  EXPECT_TRUE(r.next.compaction);  // still due: it failed
}

// The daemon's way: the run that finds compaction due starts it in the
// background; later runs poll it; the one that finds it ended marks it.
TEST_F(ScheduledMaintenanceTest, BackgroundCompactionIsMarkedByTheRunThatSeesItEnd) {
  AppendCommands(7);
  MaintenanceOptions o = Options();
  o.compact_min_events = 5;
  o.background_compaction = true;
  MaintenanceOutcome r = RunMaintenance(*store_, o, kT0);
  EXPECT_TRUE(r.ran.compaction);
  EXPECT_TRUE(r.compaction_running);
  ASSERT_OK(r.compaction);
  EXPECT_FALSE(r.next.compaction);
  EXPECT_EQ(r.next.next_ns, kT0 + kCompactionPollNs);
  EXPECT_EQ(Checkpoint(kCkptLastCompaction), "<none>");
  int64_t t = kT0;
  for (int i = 0; i < 600 && r.compaction_running; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    t += kSec;
    r = RunMaintenance(*store_, o, t);
    EXPECT_TRUE(r.ran.compaction);
  }
  ASSERT_FALSE(r.compaction_running);
  ASSERT_OK(r.compaction);
  EXPECT_EQ(r.compacted_at_head, 7u);
  EXPECT_EQ(Checkpoint(kCkptLastCompaction), std::to_string(t) + " 7");
  EXPECT_FALSE(r.next.compaction);
  EXPECT_FALSE(RunMaintenance(*store_, o, t + kSec).ran.any());
}

// A background compaction that failed is reported by the run that sees it
// end, and stays due (no checkpoint).
TEST_F(ScheduledMaintenanceTest, AFailedBackgroundCompactionIsReportedAndStaysDue) {
  const std::string mnt = dir_.Sub("mnt");
  std::filesystem::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=16m,mode=0700") != 0) {
    GTEST_SKIP() << "mounting a tmpfs is not permitted here (" << std::strerror(errno) << "); this test needs root";
  }
  store_.reset();
  ASSERT_OK(OpenStore(mnt + "/data", Access::kReadWrite, &store_));
  AppendCommands(2000);
  {
    std::ofstream fill(mnt + "/fill", std::ios::binary);
    const std::string block(1 << 16, 'f');
    while (fill.write(block.data(), block.size())) {
    }
  }
  MaintenanceOptions o = Options();
  o.compact_min_events = 5;
  o.background_compaction = true;
  MaintenanceOutcome r = RunMaintenance(*store_, o, kT0);
  for (int i = 0; i < 600 && r.compaction_running; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = RunMaintenance(*store_, o, kT0 + (i + 1) * kSec);
  }
  ASSERT_FALSE(r.compaction_running);
  EXPECT_TRUE(r.ran.compaction);
  EXPECT_FALSE(r.compaction.ok());
  EXPECT_NE(r.compaction.message().find("flushing"), std::string::npos) << r.compaction.ToString();
  EXPECT_TRUE(r.next.compaction);  // still due
  store_.reset();
  ::umount2(mnt.c_str(), MNT_DETACH);
}

TEST_F(ScheduledMaintenanceTest, AFailedBackupDoesNotStopRetentionOrCompaction) {
  AppendCommands(10);
  std::ofstream(dir_.Sub("not-a-dir")) << "x";
  MaintenanceOptions o = Options();
  o.backup_dir = dir_.Sub("not-a-dir") + "/backups";
  o.backup_interval_ns = kHour;
  o.retention.max_events = 8;
  o.compact_min_events = 1;
  const MaintenanceOutcome r = RunMaintenance(*store_, o, kT0);
  EXPECT_TRUE(r.ran.backup && r.ran.retention && r.ran.compaction);
  EXPECT_FALSE(r.backup.ok());
  ASSERT_OK(r.retention);
  ASSERT_OK(r.compaction);
  EXPECT_TRUE(r.next.backup);
  EXPECT_FALSE(r.next.retention);
  EXPECT_FALSE(r.next.compaction);
  EXPECT_EQ(Checkpoint(kCkptLastBackup), "<none>");
}

TEST_F(ScheduledMaintenanceTest, AReadOnlyStoreRunsNothing) {
  AppendCommands(3);
  store_.reset();
  ASSERT_OK(OpenStore(dir_.path(), Access::kReadOnly, &store_));
  MaintenanceOptions o = Options();
  o.backup_interval_ns = kHour;
  o.retention.max_events = 1;
  const MaintenanceOutcome r = RunMaintenance(*store_, o, kT0);
  EXPECT_FALSE(r.ran.any());
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("backups")));
}

TEST_F(ScheduledMaintenanceTest, UnreadableCheckpointsCountAsNeverRan) {
  AppendCommands(2);
  ASSERT_OK(store_->AppendWithCheckpoint({}, true, kCkptLastBackup, "yesterday"));
  ASSERT_OK(store_->AppendWithCheckpoint({}, true, kCkptLastCompaction, "soon 5"));
  const MaintenanceMarks m = ReadMaintenanceMarks(*store_);
  EXPECT_EQ(m.last_backup_ns, kNeverRan);
  EXPECT_EQ(m.last_retention_ns, kNeverRan);
  EXPECT_EQ(m.last_compaction_ns, kNeverRan);
  EXPECT_EQ(m.head_at_compaction, 0u);
  EXPECT_EQ(m.head, 2u);
}

}  // namespace
}  // namespace tb
