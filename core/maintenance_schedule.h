/// @file
/// Maintenance schedule: when automatic backups, retention and compaction
/// are due. Pure functions of the policy, what the store remembers of the
/// last runs, and the current time: `tb daemon` runs what is due and sleeps
/// until the next due time; without a daemon, writable commands run the
/// backups and retention that are due (storage/scheduled_maintenance.h).
///
/// Rules (each task independent):
///   backup      on when backup_interval_ns > 0; due when it never ran, when
///               the last one is interval or more ago, or when the last one
///               is in the future (the clock went back).
///   retention   on when retention_on; due like a backup with a period of
///               one day (it is checked at most daily).
///   compaction  on when compact_min_events > 0; due when at least that many
///               events were appended since the last compaction (head minus
///               the head then) and the last one is a day or more ago (or
///               never ran, or is in the future). It is never due at a time
///               alone: new events make it due, so it has no next time of
///               its own until enough events are there.
/// Thread safety: reentrant.
#pragma once

#include <cstdint>
#include <limits>

namespace tb {

/// A MaintenanceMarks time for a task that never ran.
inline constexpr int64_t kNeverRan = std::numeric_limits<int64_t>::min();
/// MaintenanceDue::next_ns when nothing becomes due by time alone.
inline constexpr int64_t kNoDueTime = std::numeric_limits<int64_t>::max();
/// One day in ns: the period of retention and the least gap between compactions.
inline constexpr int64_t kMaintenanceDayNs = 86'400'000'000'000;

/// Which tasks are on, and their thresholds (from the config).
struct MaintenancePolicy {
  int64_t backup_interval_ns = 0;   ///< 0 = no automatic backups
  bool retention_on = false;        ///< a retention limit is set (checked daily)
  uint64_t compact_min_events = 0;  ///< 0 = no automatic compaction
};

/// What the store remembers (times in UTC ns, kNeverRan when never).
struct MaintenanceMarks {
  int64_t last_backup_ns = kNeverRan;      ///< the last automatic backup
  int64_t last_retention_ns = kNeverRan;   ///< the last retention run
  int64_t last_compaction_ns = kNeverRan;  ///< the last automatic compaction
  uint64_t head = 0;                       ///< the log's head now
  uint64_t head_at_compaction = 0;         ///< the head when it last compacted
};

/// What is due now, and when to look again.
struct MaintenanceDue {
  bool backup = false;      ///< an automatic backup is due
  bool retention = false;   ///< retention is due
  bool compaction = false;  ///< a compaction is due
  /// The earliest time after now at which a task not due now becomes due
  /// (kNoDueTime when none will by time alone).
  int64_t next_ns = kNoDueTime;
  /// True when some task is due now.
  bool any() const { return backup || retention || compaction; }
};

/// What is due at `now_ns` under the rules above.
MaintenanceDue PlanMaintenance(const MaintenancePolicy& policy, const MaintenanceMarks& marks, int64_t now_ns);

}  // namespace tb
