// What other tb commands need to know about a running `tb daemon`
// (tools/daemon.h): whether one runs, and waiting for it to drain.
#pragma once

#include "tools/context.h"

namespace tb {

// True when a daemon holds the data dir's daemon lock (storage/daemon_lock.h).
bool DaemonRunning(const Context& ctx);

// For a read command that finds frames in the spool: when a daemon runs,
// waits up to `wait_ms` for it to drain them, so the command can stay
// read-only (with a daemon, read commands do not write). True when the
// spool is empty by then; false at once when no daemon runs.
bool DaemonDrainedSpool(const Context& ctx, int wait_ms);

}  // namespace tb
