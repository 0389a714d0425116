// PlanMaintenance (core/maintenance_schedule.h).
#include "core/maintenance_schedule.h"

#include <gtest/gtest.h>

namespace tb {
namespace {

constexpr int64_t kHour = 3'600'000'000'000;
constexpr int64_t kNow = 1'800'000'000'000'000'000;

TEST(MaintenanceSchedule, NothingConfiguredIsNeverDue) {
  MaintenanceMarks m;
  m.head = 1'000'000;
  MaintenanceDue d = PlanMaintenance({}, m, kNow);
  EXPECT_FALSE(d.any());
  EXPECT_EQ(d.next_ns, kNoDueTime);
}

TEST(MaintenanceSchedule, BackupDueWhenNeverRanOrIntervalPassed) {
  MaintenancePolicy p{.backup_interval_ns = 6 * kHour};
  MaintenanceMarks m;
  EXPECT_TRUE(PlanMaintenance(p, m, kNow).backup);  // never ran
  m.last_backup_ns = kNow - 6 * kHour;
  EXPECT_TRUE(PlanMaintenance(p, m, kNow).backup);  // exactly the interval
  m.last_backup_ns = kNow - 5 * kHour;
  MaintenanceDue d = PlanMaintenance(p, m, kNow);
  EXPECT_FALSE(d.backup);
  EXPECT_EQ(d.next_ns, kNow + kHour);
  m.last_backup_ns = kNow + kHour;  // the clock went back
  EXPECT_TRUE(PlanMaintenance(p, m, kNow).backup);
}

TEST(MaintenanceSchedule, RetentionAtMostDaily) {
  MaintenancePolicy p{.retention_on = true};
  MaintenanceMarks m;
  EXPECT_TRUE(PlanMaintenance(p, m, kNow).retention);
  m.last_retention_ns = kNow - 2 * kHour;
  MaintenanceDue d = PlanMaintenance(p, m, kNow);
  EXPECT_FALSE(d.retention);
  EXPECT_EQ(d.next_ns, kNow + 22 * kHour);
  m.last_retention_ns = kNow - kMaintenanceDayNs;
  EXPECT_TRUE(PlanMaintenance(p, m, kNow).retention);
}

TEST(MaintenanceSchedule, CompactionNeedsEventsThenADay) {
  MaintenancePolicy p{.compact_min_events = 1000};
  MaintenanceMarks m;
  m.head = 999;
  MaintenanceDue d = PlanMaintenance(p, m, kNow);
  EXPECT_FALSE(d.compaction);
  EXPECT_EQ(d.next_ns, kNoDueTime);  // new events make it due, not time
  m.head = 1000;
  EXPECT_TRUE(PlanMaintenance(p, m, kNow).compaction);
  m.last_compaction_ns = kNow - kHour;
  m.head_at_compaction = 500;
  m.head = 5000;
  d = PlanMaintenance(p, m, kNow);
  EXPECT_FALSE(d.compaction);
  EXPECT_EQ(d.next_ns, kNow - kHour + kMaintenanceDayNs);
  m.last_compaction_ns = kNow - kMaintenanceDayNs;
  EXPECT_TRUE(PlanMaintenance(p, m, kNow).compaction);
  m.head_at_compaction = 4500;  // only 500 new
  EXPECT_FALSE(PlanMaintenance(p, m, kNow).compaction);
  m.head = 100;  // rolled back below the mark: the head counts
  m.head_at_compaction = 2000;
  EXPECT_FALSE(PlanMaintenance(p, m, kNow).compaction);
}

TEST(MaintenanceSchedule, NextIsTheEarliest) {
  MaintenancePolicy p{.backup_interval_ns = 12 * kHour, .retention_on = true};
  MaintenanceMarks m;
  m.last_backup_ns = kNow - 10 * kHour;     // due in 2 h
  m.last_retention_ns = kNow - 23 * kHour;  // due in 1 h
  MaintenanceDue d = PlanMaintenance(p, m, kNow);
  EXPECT_FALSE(d.any());
  EXPECT_EQ(d.next_ns, kNow + kHour);
  m.last_retention_ns = kNow - 30 * kHour;  // due now: next is the backup
  d = PlanMaintenance(p, m, kNow);
  EXPECT_TRUE(d.retention);
  EXPECT_FALSE(d.backup);
  EXPECT_EQ(d.next_ns, kNow + 2 * kHour);
}

}  // namespace
}  // namespace tb
