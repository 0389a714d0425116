// The daemon's health and metrics endpoint (tools/endpoint.h) fed from its
// live figures (tools/daemon_state.h): /healthz from DaemonState, /metrics
// from DaemonMetrics (events appended by kind, append and drain-lag
// histograms, errors by kind, the process) and the store's figures
// (tools/metrics_snapshot.h), collected on the daemon's thread after a cycle
// that holds the store once /metrics was asked for since the last
// collection, at most every kSnapshotEveryNs (so a daemon nobody scrapes
// never pays for it): the endpoint's threads never touch the Store. The endpoint listens on
// DaemonSocketPath(ctx) (and the configured TCP port); when it cannot start
// the daemon still runs and the reason is logged.
// Thread safety: construct, AfterCycle and Stop on the daemon's thread; the
// endpoint's threads read through the mutex.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include "core/event.h"
#include "tools/context.h"
#include "tools/daemon_metrics.h"
#include "tools/daemon_state.h"
#include "tools/endpoint.h"
#include "tools/metrics_snapshot.h"

namespace tb {

class DaemonObservability {
 public:
  static constexpr int64_t kSnapshotEveryNs = 10'000'000'000;

  DaemonObservability(Context& ctx, DaemonState* state);
  ~DaemonObservability() { Stop(); }
  // Counts a failed cycle by kind; refreshes the store's figures from
  // `store` (null: not held) when asked for and older than kSnapshotEveryNs.
  void AfterCycle(const Status& status, Store* store);
  void Stop();

 private:
  HealthReport Health() const;
  std::string Metrics();
  // Feeds the cycle just recorded in `state_` to the metrics.
  void Drained(int64_t lag_ns);

  Context& ctx_;
  DaemonState* state_;
  DaemonMetrics metrics_;
  std::mutex mu_;  // figures_
  MetricsSnapshot figures_;
  std::atomic<bool> wanted_{false};        // /metrics was asked for since the last collection
  int64_t figures_at_ = 0;                 // monotonic ns of the last collection (daemon thread only)
  std::map<EventKind, uint64_t> counted_;  // appended_by_kind already fed to metrics_ (daemon thread only)
  std::unique_ptr<FunctionHealthSource> source_;
  std::unique_ptr<Endpoint> endpoint_;
};

}  // namespace tb
