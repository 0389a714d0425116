// DaemonState: the live figures of `tb daemon` (tools/daemon.h), written by
// the daemon's loop and read by whoever reports them (tb daemon's log, and
// the health/metrics endpoint that serves them on the socket next to the
// spool directory, SpoolDirFor(...) + ".sock").
//
// Thread safety: every member function may be called from any thread; the
// figures are copied out under the mutex (Snapshot), never referenced.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "core/event.h"

namespace tb {

struct DaemonFigures {
  int64_t started_ns = 0;                          // wall clock, UTC ns
  uint64_t cycles = 0;                             // store opens that drained (and maybe maintained)
  uint64_t files_drained = 0;                      // spool files consumed
  uint64_t events_appended = 0;                    // events drained into the log
  std::map<EventKind, uint64_t> appended_by_kind;  // the same, by kind
  int64_t last_append_ns = 0;                      // the last drain's writes (append and sync), monotonic ns
  uint64_t events_dropped = 0;                     // dropped by the record policy (ignore rules)
  uint64_t lines_rejected = 0;                     // spool lines that did not parse
  int64_t last_drain_lag_ns = 0;                   // first spool activity seen -> drained and synced
  int64_t max_drain_lag_ns = 0;
  uint64_t spool_files_pending = 0;   // files left in the spool after the last cycle
  uint64_t spool_frames_pending = 0;  // lines in them (complete frames or not)
  uint64_t spool_bytes_pending = 0;
  uint64_t head_seq = 0;      // the log's head after the last cycle
  bool store_open_ok = true;  // the last attempt to open the store succeeded
  uint64_t busy_retries = 0;  // opens that found the store held by another tb
  int64_t busy_since_ns = 0;  // wall clock, UTC ns: the first of the current busy opens (0 = not busy)
  std::string last_error;     // "" when the last cycle succeeded
  int64_t last_error_ns = 0;
  int64_t last_backup_ns = 0;       // the newest automatic or manual backup (0 = none)
  int64_t next_maintenance_ns = 0;  // 0 = nothing scheduled
};

class DaemonState {
 public:
  DaemonFigures Snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return figures_;
  }
  // Runs `change` on the figures under the mutex, then the drain observer
  // (outside the mutex) when `change` reported a drain lag.
  void Update(const std::function<void(DaemonFigures&)>& change) {
    std::function<void(int64_t)> observer;
    int64_t lag = -1;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const uint64_t cycles = figures_.cycles;
      change(figures_);
      if (figures_.cycles != cycles && drain_observer_) {
        observer = drain_observer_;
        lag = figures_.last_drain_lag_ns;
      }
    }
    if (observer) observer(lag);
  }
  // Called with each cycle's drain lag (e.g. for a histogram); may be
  // empty. Set it before the loop runs.
  void SetDrainObserver(std::function<void(int64_t lag_ns)> observer) {
    std::lock_guard<std::mutex> lock(mu_);
    drain_observer_ = std::move(observer);
  }

 private:
  mutable std::mutex mu_;
  DaemonFigures figures_;
  std::function<void(int64_t)> drain_observer_;
};

}  // namespace tb
