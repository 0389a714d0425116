// The one-shot exposition `tb metrics` prints when no daemon answers on its
// socket: what the store, the spool and the backups say now, as Prometheus
// gauges (metric names and meanings in docs/operations.md, "Metrics").
// Thread safety: functions of their arguments only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "storage/spool_backlog.h"
#include "storage/store_figures.h"
#include "tools/context.h"

namespace tb {

struct MetricsSnapshot {
  std::string version;  // tb's
  StoreFigures store;
  SpoolBacklog spool;
  uint64_t backups = 0;
  std::optional<int64_t> last_backup_ns;  // time of the newest backup
  int64_t now_ns = 0;
};

// The exposition of `snap` (core/metrics.h format; families in a fixed
// order, tb_last_backup_age_seconds only when there is a backup).
std::string RenderSnapshot(const MetricsSnapshot& snap);

// Fills *out from `store`, the spool directory and the backup directory of
// `ctx`; `count_events` reads the whole log for tb_log_events (the daemon
// leaves it out). `store` is used from the calling thread (Store's rule).
Status CollectSnapshot(const Context& ctx, Store& store, MetricsSnapshot* out, bool count_events = true);

// Where the daemon's endpoint listens for this data dir:
// Context::SpoolDir() + ".sock".
std::string DaemonSocketPath(const Context& ctx);

}  // namespace tb
