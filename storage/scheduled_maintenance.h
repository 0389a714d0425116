/// @file
/// Scheduled maintenance of a writable store: retention, automatic backups
/// and compaction, each run when core/maintenance_schedule.h says it is due.
/// `tb daemon` runs it after each drain cycle; without a daemon, a writable
/// command runs it when it opens the store (tools/context.cc).
///
/// What the store remembers of the last runs are checkpoints (Store::
/// GetCheckpoint), each written in the same WriteBatch as the run's audit
/// entry, so a crash never records a run that did not happen:
///   admin/last_backup_ns         "<ns>"         the last backup (automatic or not)
///   admin/retention_checked_ns   "<ns>"         the last retention check
///   admin/last_compaction        "<ns> <head>"  the last automatic compaction
/// A missing or unreadable value counts as never.
///
/// Each task is independent: one that fails is reported in its outcome and
/// the others still run. The library never logs or prints.
/// Thread safety: functions take a Store used from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/maintenance_schedule.h"
#include "core/status.h"
#include "storage/admin.h"
#include "storage/store.h"

namespace tb {

/// Checkpoint holding the time (UTC ns, decimal) of the last automatic backup.
inline constexpr std::string_view kCkptLastBackup = "admin/last_backup_ns";
/// Checkpoint holding the time (UTC ns, decimal) retention was last checked.
inline constexpr std::string_view kCkptRetentionChecked = "admin/retention_checked_ns";
/// Checkpoint holding "TIME HEAD" (decimal) of the last automatic compaction.
inline constexpr std::string_view kCkptLastCompaction = "admin/last_compaction";

/// The scheduled tasks' settings (from the config, tools/auto_maintenance.h).
struct MaintenanceOptions {
  RetentionPolicy retention;        ///< both limits 0: retention is off
  int64_t backup_interval_ns = 0;   ///< 0: no automatic backups
  std::string backup_dir;           ///< where automatic backups go
  uint64_t compact_min_events = 0;  ///< 0: no automatic compaction
  /// Compact on the store's background thread (Store::
  /// StartBackgroundCompaction) instead of inside the run: a run that finds
  /// it due starts it, later runs poll it, and the run that finds it ended
  /// writes its checkpoint. For a caller that keeps the store open and runs
  /// again (the daemon: frames never wait for a compaction).
  bool background_compaction = false;
  /// The audit event of an action (who and where it ran; the store gives
  /// seq and id). `detail` is JSON. Required.
  std::function<Event(const std::string& action, std::string detail)> audit_event;
  /// OK when the data dir has room to rewrite the store; a compaction is
  /// skipped with this Status otherwise. Empty: no check.
  std::function<Status(Store&)> check_rewrite_space;
};

/// What one run did. A task that was not due keeps Status OK and ran false.
struct MaintenanceOutcome {
  MaintenanceDue ran;              ///< the tasks that were due and were tried
  Status retention;                ///< the retention run's result
  Status backup;                   ///< the automatic backup's result
  Status compaction;               ///< the compaction's result
  uint64_t retention_removed = 0;  ///< events retention removed
  uint32_t backup_id = 0;          ///< the backup taken (when ran.backup and OK)
  uint64_t compacted_at_head = 0;  ///< the head compacted (when ran.compaction and OK)
  /// A background compaction runs (started now or before): run again by
  /// next.next_ns, which is at most kCompactionPollNs away, to finish it.
  bool compaction_running = false;
  MaintenanceDue next;  ///< what is due after the run (next.next_ns: when)
};

/// How often a caller polls a running background compaction.
inline constexpr int64_t kCompactionPollNs = 1'000'000'000;

/// The schedule's policy for `options`.
MaintenancePolicy PolicyOf(const MaintenanceOptions& options);

/// The checkpoints above and the store's head.
MaintenanceMarks ReadMaintenanceMarks(Store& store);

/// Runs the tasks due at `now_ns` on `store`: retention (audited as
/// "retention.apply" when it removed events), a backup into
/// options.backup_dir (audited as "backup.create" with "automatic": true),
/// then compaction (see background_compaction). A read-only store runs
/// nothing and reports nothing due.
MaintenanceOutcome RunMaintenance(Store& store, const MaintenanceOptions& options, int64_t now_ns);

/// The audit detail of a retention run: {"removed","floor_before",
/// "floor_after","by_age","by_count","automatic"} as one line of JSON.
std::string RetentionAuditDetail(const RetentionPlan& plan, bool automatic);

}  // namespace tb
