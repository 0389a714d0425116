#include "tools/daemon_sync.h"

#include <spdlog/spdlog.h>

#include "core/maintenance_schedule.h"
#include "tools/commands.h"
#include "tools/daemon.h"

namespace tb {

NatsOptions NatsOptionsOf(const Config& config) {
  NatsOptions o;
  o.url = config.sync.server;
  o.creds_file = config.sync.creds_file;
  o.ca_file = config.sync.ca_file;
  o.replicas = config.sync.replicas;
  o.timeout_ms = config.sync.timeout_ms;
  o.publish_rate = config.sync.publish_rate;
  o.max_in_flight = config.sync.max_in_flight;
  return o;
}

SyncSessionOptions DaemonSyncOptions(const Config& config, int wake_fd, SyncTracer* tracer) {
  SyncSessionOptions o;
  o.nats = NatsOptionsOf(config);
  o.wake_fd = wake_fd;
  o.now_ns = MonotonicNs;
  o.spans = tracer->sink();
  return o;
}

void ExportSyncTraces(SyncTracer& tracer) {
  static bool failing = false;
  Status s = tracer.Export();
  if (!s.ok() && !failing) spdlog::warn("daemon: {}", s.message());
  failing = !s.ok();
}

int64_t RunDaemonSync(SyncSession& session, Store& store, bool final_cycle) {
  const SyncSessionFigures before = session.figures();
  SyncCounts c;
  Status s = session.Run(store, &c, final_cycle);
  const SyncSessionFigures& after = session.figures();
  if (!s.ok() && s.message() != before.last_error) spdlog::warn("daemon: sync: {}", s.message());
  if (s.ok() && before.failures_in_a_row > 0) spdlog::info("daemon: sync: the server is reachable again");
  if (after.breaker != before.breaker && after.breaker == BreakerState::kOpen) {
    spdlog::warn("daemon: sync: {} failures in a row; next try in a few minutes", after.failures_in_a_row);
  }
  if (c.published + c.received > 0) {
    spdlog::debug("daemon: sync: published {}, received {} ({} already here)", c.published, c.received, c.duplicates);
  }
  const int64_t next = session.next_attempt_ns();
  if (next == kNoAttempt) return kNoDueTime;
  return NowNs() + std::max<int64_t>(next - MonotonicNs(), 0);
}

}  // namespace tb
