// One cycle of `tb daemon` against the real store (the `cycle` of
// tools/daemon.h): checks free space, opens the store for writing with the
// daemon's memory bounds, drains the spool with the record policy
// (Context::DrainSpoolInto), runs the maintenance that is due
// (RunAutoMaintenance, compaction included), and closes the store (or keeps
// it for the next frames, see HeldStore) giving the freed memory back to the
// system. The figures go to `state`; a failure is
// logged once, not once per retry (again only after a cycle succeeded or
// when it fails for another reason).
#pragma once

#include <cstdint>

#include "sync/sync_session.h"
#include "tools/context.h"
#include "tools/daemon.h"

namespace tb {

// The daemon's memory bounds: the store's block cache and write buffers are
// the configured sizes (storage.*) capped at daemon.memory_mb / this each.
inline constexpr int kDaemonCacheShare = 16;
// How long the final cycle (at exit) waits for a store another tb holds.
inline constexpr int kDaemonFinalLockWaitMs = 10000;

// How long another process may hold the store before the shells are warned
// that frames wait (storage/spool_warning.h; sooner past daemon.spool_max_mb).
inline constexpr int64_t kDaemonBusyWarnNs = 60'000'000'000;

// The store kept open between cycles (empty while the daemon is idle).
struct HeldStore {
  std::unique_ptr<Store> store;
  // Closes the store and gives the freed memory back to the system.
  void Release();
};

// One cycle on `held` (opened when empty). The store stays in `held` when
// `keep_open` and the cycle succeeded and is not the final one; it is
// released on any failure (a failed write leaves a store in a sticky error
// state). With `sync` (sync.server set), a cycle that is not the final one
// then publishes and pulls (tools/daemon_sync.h); its failures never fail
// the cycle, and its next retry joins next_maintenance_ns.
DaemonCycleResult RunDaemonCycle(Context& ctx, DaemonState* state, HeldStore* held, bool keep_open, bool final_cycle,
                                 int64_t activity_ns, SyncSession* sync = nullptr);

}  // namespace tb
