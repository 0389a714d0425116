#include "tools/auto_maintenance.h"

#include <spdlog/spdlog.h>

#include "core/duration.h"
#include "storage/scheduled_maintenance.h"
#include "tools/commands.h"

namespace tb {
namespace {

MaintenanceOptions OptionsOf(Context& ctx, bool compaction) {
  MaintenanceOptions o;
  if (!RetentionPolicyOf(ctx, &o.retention).ok()) o.retention = {};
  int64_t interval = 0;
  if (ParseDuration(ctx.config.backup.interval, &interval) && interval > 0) o.backup_interval_ns = interval;
  o.backup_dir = BackupDir(ctx);
  if (compaction) o.compact_min_events = static_cast<uint64_t>(ctx.config.daemon.compact_min_events);
  o.background_compaction = compaction;  // only the daemon compacts, beside its drains
  o.audit_event = [&ctx](const std::string& action, std::string detail) {
    return AuditEvent(ctx, action, std::move(detail));
  };
  o.check_rewrite_space = [&ctx](Store& store) { return ctx.CheckSpaceToRewrite(store); };
  return o;
}

void Log(const MaintenanceOutcome& r) {
  if (!r.retention.ok()) spdlog::warn("automatic retention failed: {}", r.retention.message());
  if (r.retention_removed > 0) spdlog::info("retention removed {} old event(s)", r.retention_removed);
  if (!r.backup.ok()) spdlog::warn("automatic backup failed: {}", r.backup.message());
  if (r.ran.backup && r.backup.ok()) spdlog::info("automatic backup {}", r.backup_id);
  if (!r.compaction.ok()) spdlog::warn("automatic compaction failed: {}", r.compaction.message());
  if (r.ran.compaction && r.compaction.ok() && !r.compaction_running) {
    spdlog::info("compacted the store at head seq {}", r.compacted_at_head);
  }
}

}  // namespace

Status RetentionPolicyOf(const Context& ctx, RetentionPolicy* out) {
  if (!ParseDuration(ctx.config.retention.max_age, &out->max_age_ns)) {
    return Status::InvalidArgument("retention.max_age is not a duration");
  }
  out->max_events = static_cast<uint64_t>(ctx.config.retention.max_events);
  return Status::OK();
}

MaintenanceDue RunAutoMaintenance(Context& ctx, Store& store, bool compaction) {
  const MaintenanceOutcome r = RunMaintenance(store, OptionsOf(ctx, compaction), NowNs());
  Log(r);
  return r.next;
}

}  // namespace tb
