#include "tools/daemon_cycle.h"

#include <malloc.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>

#include "storage/data_dir.h"
#include "storage/scheduled_maintenance.h"
#include "storage/spool_backlog.h"
#include "storage/spool_warning.h"
#include "tools/auto_maintenance.h"
#include "tools/commands.h"
#include "tools/daemon_sync.h"
#include "tools/output.h"

namespace tb {
namespace {

StoreOptions DaemonStoreOptions(const Context& ctx, bool final_cycle) {
  StoreOptions o;
  o.data_dir = ctx.data_dir;
  o.access = StoreOptions::Access::kReadWrite;
  o.lock_wait_ms = final_cycle ? kDaemonFinalLockWaitMs : 0;
  const int share_mb = ctx.config.daemon.memory_mb / kDaemonCacheShare;
  o.block_cache_bytes = static_cast<uint64_t>(std::min(ctx.config.storage.block_cache_mb, share_mb)) << 20;
  o.write_buffer_bytes = static_cast<uint64_t>(std::min(ctx.config.storage.write_buffer_mb, share_mb)) << 20;
  o.holder = "pid " + std::to_string(::getpid()) + " (tb daemon)";
  return o;
}

// "disk full" of "disk full: 12 MiB free on /...".
std::string Kind(const std::string& message) { return message.substr(0, message.find(':')); }

// Tells the shells (storage/spool_warning.h) that frames wait because of
// `s`: at once when the store cannot be written, and when another process
// holds it only after kDaemonBusyWarnNs or past daemon.spool_max_mb.
void WarnShells(const Context& ctx, const Status& s, int64_t busy_since_ns) {
  const int64_t now = NowNs();
  SpoolBacklog backlog;
  if (!MeasureSpool(ctx.SpoolDir(), &backlog).ok() || backlog.frames == 0) return;
  const bool over_cap = backlog.bytes > (static_cast<uint64_t>(ctx.config.daemon.spool_max_mb) << 20);
  if (s.IsBusy() && !over_cap && now - busy_since_ns < kDaemonBusyWarnNs) return;
  std::string why = s.message();
  if (s.IsBusy()) {
    const std::string who = ReadLockHolder(ctx.data_dir);
    why = "the store is in use by " + (who.empty() ? "another process" : who) + " (" + ctx.data_dir + ")";
  }
  const std::string message = "tb: commands wait in memory (" + HumanBytes(backlog.bytes) +
                              " in the spool) and cannot be stored: " + why +
                              ". They are kept; a logout or reboot before this is fixed loses them (tb doctor)";
  Status w = RaiseSpoolWarning(ctx.SpoolDir(), message, now);
  if (!w.ok()) spdlog::warn("daemon: {}", w.message());
}

// Records a failed cycle; logs it unless it is the error already reported.
DaemonCycleResult Failed(const Context& ctx, DaemonState* state, const Status& s, bool open_failed) {
  bool repeated = false;
  int64_t busy_since = 0;
  state->Update([&](DaemonFigures& f) {
    if (s.IsBusy()) {
      ++f.busy_retries;
      if (f.busy_since_ns == 0) f.busy_since_ns = NowNs();
      busy_since = f.busy_since_ns;
      return;
    }
    // The same kind of failure again ("disk full: N MiB free..." with
    // another N) is not news until a cycle has succeeded.
    repeated = !f.last_error.empty() && Kind(f.last_error) == Kind(s.message());
    f.last_error = s.message();
    f.last_error_ns = NowNs();
    if (open_failed) f.store_open_ok = false;
  });
  if (!s.IsBusy() && !repeated) spdlog::error("daemon: {}", s.message());
  WarnShells(ctx, s, busy_since);
  return DaemonCycleResult{s, kNoDueTime};
}

}  // namespace

void HeldStore::Release() {
  if (store == nullptr) return;
  store.reset();
  ::malloc_trim(0);
}

DaemonCycleResult RunDaemonCycle(Context& ctx, DaemonState* state, HeldStore* held, bool keep_open, bool final_cycle,
                                 int64_t activity_ns, SyncSession* sync) {
  Status s = ctx.CheckSpace(0);
  if (!s.ok()) {
    held->Release();
    return Failed(ctx, state, s, true);
  }
  int lock_opens = 0;
  if (held->store == nullptr) {
    // The key is read before every open, not once at start: a passphrase
    // store may be locked now and unlocked later (Locked keeps the frames
    // in the spool; tools/daemon.h), and a key file may have been rotated.
    s = LoadProcessDataKey(ctx);
    if (!s.ok()) return Failed(ctx, state, s, true);
    s = Store::Open(DaemonStoreOptions(ctx, final_cycle), &held->store);
    // storage/data_dir.h: DirLock::Acquire opens DIR/lock once, and a
    // busy store's message reads the holder from it once more.
    lock_opens = s.IsBusy() ? 2 : 1;
    if (!s.ok()) {
      DaemonCycleResult r = Failed(ctx, state, s, true);
      r.lock_opens = lock_opens;
      return r;
    }
  }
  Store& store = *held->store;
  DrainReport report;
  const int64_t drain_start = MonotonicNs();
  s = ctx.DrainSpoolInto(store, &report);
  const int64_t drain_ns = MonotonicNs() - drain_start;
  if (!s.ok()) {
    held->Release();
    return Failed(ctx, state, s, false);
  }
  const int64_t lag = activity_ns > 0 ? MonotonicNs() - activity_ns : 0;
  DaemonCycleResult result;
  if (!final_cycle) result.next_maintenance_ns = RunAutoMaintenance(ctx, store, /*compaction=*/true).next_ns;
  if (sync != nullptr) {
    result.next_maintenance_ns = std::min(result.next_maintenance_ns, RunDaemonSync(*sync, store, final_cycle));
  }
  const MaintenanceMarks marks = ReadMaintenanceMarks(store);
  if (final_cycle || !keep_open) held->Release();  // never held while idle
  result.holding = held->store != nullptr;
  result.lock_opens = lock_opens;
  // What is left in the spool (normally nothing: only files that arrived
  // during the cycle, or that the drain refused).
  SpoolBacklog pending;
  (void)MeasureSpool(ctx.SpoolDir(), &pending);
  const bool recovered = !state->Snapshot().last_error.empty();
  state->Update([&](DaemonFigures& f) {
    ++f.cycles;
    f.files_drained += report.files;
    f.events_appended += report.events;
    for (const auto& [kind, n] : report.events_by_kind) f.appended_by_kind[kind] += n;
    f.last_append_ns = drain_ns;
    f.events_dropped += report.dropped;
    f.lines_rejected += report.rejected;
    f.last_drain_lag_ns = lag;
    f.max_drain_lag_ns = std::max(f.max_drain_lag_ns, lag);
    f.spool_files_pending = pending.files;
    f.spool_frames_pending = pending.frames;
    f.spool_bytes_pending = pending.bytes;
    f.head_seq = marks.head;
    f.store_open_ok = true;
    f.busy_since_ns = 0;
    f.last_error.clear();
    f.last_backup_ns = marks.last_backup_ns == kNeverRan ? 0 : marks.last_backup_ns;
  });
  if (recovered) spdlog::info("daemon: the store is writable again");
  if (report.events > 0) {
    spdlog::debug("daemon: drained {} event(s) from {} file(s) in {} us", report.events, report.files, lag / 1000);
  }
  return result;
}

}  // namespace tb
