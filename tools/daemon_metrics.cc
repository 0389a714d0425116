#include "tools/daemon_metrics.h"

#include "tools/process_stats.h"

namespace tb {
namespace {

// Seconds, from 100 µs to 10 s.
const std::vector<double> kLatencyBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                             0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};

std::string ProcessExposition() {
  ProcessStats p;
  if (!ReadProcessStats(&p).ok()) return "";
  MetricsRegistry m;
  (void)m.DefineGauge("process_resident_memory_bytes", "Resident memory size in bytes.");
  (void)m.DefineGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.");
  (void)m.DefineCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
  (void)m.DefineGauge("process_open_fds", "Number of open file descriptors.");
  (void)m.DefineGauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.");
  (void)m.Set("process_resident_memory_bytes", {}, static_cast<double>(p.resident_bytes));
  (void)m.Set("process_virtual_memory_bytes", {}, static_cast<double>(p.virtual_bytes));
  (void)m.Add("process_cpu_seconds_total", {}, p.cpu_seconds);
  (void)m.Set("process_open_fds", {}, static_cast<double>(p.open_fds));
  (void)m.Set("process_start_time_seconds", {}, p.start_time_seconds);
  return m.Render();
}

}  // namespace

DaemonMetrics::DaemonMetrics() {
  (void)live_.DefineCounter("tb_events_appended_total", "Events appended by the daemon, by kind.", {"kind"});
  (void)live_.DefineHistogram("tb_append_duration_seconds", "Time one append to the log took.", kLatencyBuckets);
  (void)live_.DefineHistogram("tb_drain_lag_seconds", "Time from a frame's write to the spool to its commit.",
                              kLatencyBuckets);
  (void)live_.DefineCounter("tb_errors_total", "Failures of the daemon, by kind.", {"kind"});
  (void)live_.DefineHistogram("tb_phase_duration_seconds", "Exclusive time of each phase of a drain.", kLatencyBuckets,
                              {"phase"});
}

void DaemonMetrics::Appended(EventKind kind, uint64_t events) {
  (void)live_.Add("tb_events_appended_total", {EventKindName(kind)}, static_cast<double>(events));
}

void DaemonMetrics::AppendTook(double seconds) { (void)live_.Observe("tb_append_duration_seconds", {}, seconds); }

void DaemonMetrics::DrainLag(double seconds) { (void)live_.Observe("tb_drain_lag_seconds", {}, seconds); }

void DaemonMetrics::Failed(std::string_view kind) { (void)live_.Add("tb_errors_total", {std::string(kind)}, 1); }

void DaemonMetrics::ObservePhases(const PhaseProfile& profile) {
  for (const auto& [phase, ns] : profile.totals()) {
    (void)live_.Observe("tb_phase_duration_seconds", {phase}, static_cast<double>(ns) / 1e9);
  }
}

std::string DaemonMetrics::Render(const MetricsSnapshot& figures) const {
  return live_.Render() + ProcessExposition() + RenderSnapshot(figures);
}

}  // namespace tb
