#include "core/maintenance_schedule.h"

#include <algorithm>

namespace tb {
namespace {

// Whether a periodic task last run at `last` is due at `now`; if not, the
// time it becomes due goes into *next.
bool PeriodDue(int64_t last, int64_t period, int64_t now, int64_t* next) {
  if (last == kNeverRan || last > now || now - last >= period) return true;
  *next = std::min(*next, last + period);
  return false;
}

}  // namespace

MaintenanceDue PlanMaintenance(const MaintenancePolicy& policy, const MaintenanceMarks& marks, int64_t now_ns) {
  MaintenanceDue due;
  if (policy.backup_interval_ns > 0) {
    due.backup = PeriodDue(marks.last_backup_ns, policy.backup_interval_ns, now_ns, &due.next_ns);
  }
  if (policy.retention_on) {
    due.retention = PeriodDue(marks.last_retention_ns, kMaintenanceDayNs, now_ns, &due.next_ns);
  }
  const uint64_t appended = marks.head >= marks.head_at_compaction ? marks.head - marks.head_at_compaction
                                                                   : marks.head;  // the log was rolled back
  if (policy.compact_min_events > 0 && appended >= policy.compact_min_events) {
    due.compaction = PeriodDue(marks.last_compaction_ns, kMaintenanceDayNs, now_ns, &due.next_ns);
  }
  return due;
}

}  // namespace tb
