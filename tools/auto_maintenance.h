// The scheduled maintenance of storage/scheduled_maintenance.h with its
// settings taken from the configuration: retention (retention.max_age,
// retention.max_events; checked at most daily), automatic backups
// (backup.interval into backup.dir) and, for the daemon, compaction
// (daemon.compact_min_events). Run by Context::OpenStore when no daemon
// runs, and by the daemon after each drain cycle.
// Thread safety: as the Store it is given.
#pragma once

#include "core/maintenance_schedule.h"
#include "core/status.h"
#include "storage/admin.h"
#include "tools/context.h"

namespace tb {

// retention.max_age and retention.max_events as a policy; InvalidArgument
// when max_age is not a duration.
Status RetentionPolicyOf(const Context& ctx, RetentionPolicy* out);

// Runs what is due on a writable store (nothing on a read-only one). With
// `compaction` (the daemon), compaction runs in the background and the
// returned next_ns asks to be run again within a second until it ends.
// Failures are logged, not returned. Returns the schedule after the run (a
// task still due then has failed; next_ns is when the next one falls due).
MaintenanceDue RunAutoMaintenance(Context& ctx, Store& store, bool compaction);

}  // namespace tb
