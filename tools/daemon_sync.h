// The daemon's sync step (sync/sync_session.h), run by each cycle once the
// spool is drained: what moved is logged at debug level, a failure once
// per kind of error (again only after a success), and the breaker's
// changes at info level.
#pragma once

#include <cstdint>

#include "core/config.h"
#include "storage/store.h"
#include "sync/sync_session.h"
#include "tools/sync_trace.h"

namespace tb {

// The sync.* settings as the sync module takes them.
NatsOptions NatsOptionsOf(const Config& config);
// The daemon's session settings: NatsOptionsOf, `wake_fd`, the monotonic
// clock, the default backoff and breaker, and `tracer`'s sink (it must
// outlive the session).
SyncSessionOptions DaemonSyncOptions(const Config& config, int wake_fd, SyncTracer* tracer);

// Exports what `tracer` holds (SyncTracer::Export); a failure is logged as
// a warning, once until an export succeeds again.
void ExportSyncTraces(SyncTracer& tracer);

// Runs `session` on `store`; returns when the next attempt is due although
// nothing rings (wall clock, UTC ns; kNoDueTime when none).
// `final_cycle`: publish only (SyncSession::Run).
int64_t RunDaemonSync(SyncSession& session, Store& store, bool final_cycle = false);

}  // namespace tb
