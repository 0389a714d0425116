// The daemon's loop (`tb daemon`, tools/cmd_daemon.cc): sleeps on inotify
// (tools/spool_watch.h) until a shell writes a frame, waits a short
// coalescing window so a command's frames go in one drain, then runs one
// cycle: open the store for writing, drain the spool, run the scheduled
// maintenance that is due (tools/daemon_cycle.h), and keep the store for a
// short linger (below) before closing it. The store is never held while
// idle, and never against another writer, so every other tb can write it.
//
// Timing: with nothing written and no maintenance due the loop makes no
// system call at all (poll() without a timeout). The only wakeups not caused
// by the spool are the end of the linger (below), the next maintenance time
// the last cycle returned and the retries below.
//   - a cycle that finds the store held by another process (Busy) is
//     retried after busy_backoff_min_ms, doubling up to busy_backoff_max_ms
//     (the other process drains the spool when it opens the store anyway);
//   - a store that is locked (passphrase mode, storage/unlock.h) is not
//     retried by time: the loop waits, with the frames kept in the spool,
//     until `unlock_dir` receives an unlocked key (inotify, tools/
//     spool_watch.h) or the spool is written again;
//   - any other failure (disk full, I/O error) is retried after
//     error_retry_ms, or sooner when the spool is written again;
//   - maintenance that stays due after a cycle (it failed) is retried after
//     error_retry_ms.
// Stopping: when `stop_fd` becomes readable (the command gives a signalfd
// for SIGTERM, SIGINT and SIGHUP) the loop runs a final cycle that waits for
// the store, and returns its status.
//
// Thread safety: RunDaemonLoop runs on one thread; `state` may be read from
// others.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/maintenance_schedule.h"
#include "core/status.h"
#include "tools/daemon_state.h"

namespace tb {

struct DaemonCycleResult {
  Status status;
  // When maintenance is next due (wall clock, UTC ns); kNoDueTime = never
  // by time alone.
  int64_t next_maintenance_ns = kNoDueTime;
  // The cycle kept the store open (see `linger_ms`).
  bool holding = false;
  // How many times the cycle itself opened `lock_path` (one per attempt to
  // open the store for writing, two when it found the store busy and read
  // the holder's name): opens beyond these came from other processes.
  int lock_opens = 0;
};

struct DaemonOptions {
  std::string spool_dir;
  // Where `tb unlock` leaves the unlocked key (storage/unlock.h); empty when
  // the store is not in passphrase mode. A key written there runs a cycle.
  std::string unlock_dir;
  int coalesce_ms = 10;
  int busy_backoff_min_ms = 20;
  int busy_backoff_max_ms = 1000;
  int error_retry_ms = 30000;
  // Readable = stop (see above). Required.
  int stop_fd = -1;
  // Readable = run a cycle soon (an eventfd: another machine published,
  // sync/sync_session.h); the loop empties it. -1 = none.
  int wake_fd = -1;
  // One cycle. `final_cycle`: the last one before exit (it should wait for
  // the store rather than give up at once). `activity_ns` is the monotonic
  // time the first frame of this cycle was seen (0 when the cycle was not
  // caused by the spool), for the drain lag. Required.
  std::function<DaemonCycleResult(bool final_cycle, int64_t activity_ns)> cycle;
  // A cycle may keep the store open (DaemonCycleResult::holding): frames
  // that arrive soon after then skip the writable open (tens of ms: a new
  // MANIFEST, OPTIONS file and WAL, each synced). The loop calls `release`
  // `linger_ms` after the cycle, or at once when another process opens
  // `lock_path` (the store's DIR/lock: every process that wants to write
  // opens it first, also while a cycle runs: the cycle's own opens are
  // counted out), so other writers wait milliseconds, not the linger. (One
  // race is left: a writer whose open falls between the cycle's open and
  // its write of the holder text, microseconds, is merged with it by
  // inotify and waits out the linger.)
  int linger_ms = 60000;
  std::string lock_path;
  std::function<void()> release;
  // Wall clock, UTC ns (maintenance times are wall-clock times).
  std::function<int64_t()> now_ns;
  // Called once the spool is watched and the first cycle ran (e.g.
  // sd_notify READY=1). May be empty.
  std::function<void()> on_ready;
};

// Runs until stop_fd is readable; returns the final cycle's status (or the
// error that made watching impossible).
Status RunDaemonLoop(const DaemonOptions& options, DaemonState* state);

// CLOCK_MONOTONIC in ns (the clock of `activity_ns`).
int64_t MonotonicNs();

}  // namespace tb
