// DaemonMetrics: what the daemon counts while it runs, and its /metrics
// exposition (docs/operations.md, "Metrics of the daemon"):
//
//   tb_events_appended_total{kind}       counter    events appended by this daemon
//   tb_append_duration_seconds           histogram  one append (a drain's write) took
//   tb_drain_lag_seconds                 histogram  a frame's write to its commit
//   tb_errors_total{kind}                counter    failures by class (disk_full, io, corruption...)
//   tb_phase_duration_seconds{phase}     histogram  the --profile phases of each drain
//                                                   (core/profile.h)
//   process_resident_memory_bytes, process_virtual_memory_bytes,
//   process_cpu_seconds_total, process_open_fds, process_start_time_seconds
//
// followed by the figures `tb metrics` computes from the store
// (tools/metrics_snapshot.h: family bytes, pending compaction, spool
// backlog, backups and last backup age; the daemon leaves the event count
// by kind out: it reads the whole log).
// Thread safety: every member may be called from any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/event.h"
#include "core/metrics.h"
#include "core/profile.h"
#include "tools/metrics_snapshot.h"

namespace tb {

class DaemonMetrics {
 public:
  DaemonMetrics();

  void Appended(EventKind kind, uint64_t events);
  void AppendTook(double seconds);
  void DrainLag(double seconds);
  void Failed(std::string_view kind);
  // Observes the exclusive time of every phase `profile` entered.
  void ObservePhases(const PhaseProfile& profile);

  // The live series, the process's figures and RenderSnapshot(figures).
  // The caller collects `figures` (CollectSnapshot without the event count)
  // on the thread that owns the store: the endpoint's threads must not use
  // the Store themselves.
  std::string Render(const MetricsSnapshot& figures) const;

 private:
  MetricsRegistry live_;
};

}  // namespace tb
