// The daemon's sync step (sync/sync_session.h), run by each cycle once the
// spool is drained: what moved is logged at debug level, a failure once
// per kind of error (again only after a success), and the breaker's
// changes at info level.
#pragma once

#include <cstdint>

#include "core/config.h"
#include "storage/store.h"
#include "sync/sync_session.h"

namespace tb {

// The sync.* settings as the sync module takes them.
NatsOptions NatsOptionsOf(const Config& config);
// The daemon's session settings: NatsOptionsOf, `wake_fd`, the monotonic
// clock, and the default backoff and breaker.
SyncSessionOptions DaemonSyncOptions(const Config& config, int wake_fd);

// Runs `session` on `store`; returns when the next attempt is due although
// nothing rings (wall clock, UTC ns; kNoDueTime when none).
int64_t RunDaemonSync(SyncSession& session, Store& store);

}  // namespace tb
